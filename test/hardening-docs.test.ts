/**
 * The hardening documents stay complete: every stable error code is in docs/ERROR-CODES.md, every
 * exported limit constant in docs/LIMITS.md.
 */
import { readFileSync } from 'node:fs';
import * as core from '@client-auth/core';
import * as adapter from '@client-auth/core/adapter';
import { describe, expect, it } from 'vitest';

const read = (path: string) => readFileSync(new URL(path, import.meta.url), 'utf8');

describe('hardening documents', () => {
  it('docs/ERROR-CODES.md has a row for every ErrorCode of packages/core/src/errors.ts', () => {
    const source = read('../packages/core/src/errors.ts');
    const union = source.slice(
      source.indexOf('export type ErrorCode'),
      source.indexOf(';', source.indexOf('export type ErrorCode')),
    );
    const codes = [...union.matchAll(/'(ERR_[A-Z_]+)'/g)].map((match) => match[1]);
    expect(codes.length).toBeGreaterThan(60);
    const doc = read('../docs/ERROR-CODES.md');
    expect(codes.filter((code) => !doc.includes(`| \`${code}\``))).toEqual([]);
  });

  it('docs/LIMITS.md names every exported MAX_* constant and the body limit, with its value', () => {
    const doc = read('../docs/LIMITS.md');
    // DEFAULT_BODY_LIMIT is adapter plumbing: it lives in the /adapter subpath.
    const limits = Object.entries({ ...core, ...adapter }).filter(
      ([name]) => name.startsWith('MAX_') || name === 'DEFAULT_BODY_LIMIT',
    );
    expect(limits.length).toBeGreaterThanOrEqual(10);
    for (const [name, value] of limits) {
      expect(doc, name).toContain(`\`${name}\` = ${value}`);
    }
  });
});
