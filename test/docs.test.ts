import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { profilesMarkdown } from '../scripts/profiles-doc.js';

describe('documentation generated from the code', () => {
  it('docs/PROFILES.md lists exactly the rules the core enforces (run `pnpm docs:profiles` after changing a profile)', () => {
    const onDisk = readFileSync(new URL('../docs/PROFILES.md', import.meta.url), 'utf8');
    expect(onDisk).toBe(profilesMarkdown());
  });
});
