/**
 * The hardening documents stay complete: every code of the error table is in docs/ERROR-CODES.md, every
 * exported limit constant in docs/LIMITS.md.
 */
import { readFileSync } from 'node:fs';
import * as core from '@client-auth/core';
import * as adapter from '@client-auth/core/adapter';
import { describe, expect, it } from 'vitest';

const read = (path: string) => readFileSync(new URL(path, import.meta.url), 'utf8');

describe('hardening documents', () => {
  it('docs/ERROR-CODES.md has a row for every code of the error table, with its error and status, in its section', () => {
    const codes = Object.keys(core.ERRORS) as core.ErrorCode[];
    expect(codes.length).toBeGreaterThan(60);
    const doc = read('../docs/ERROR-CODES.md');
    // A row: | `ERR_…` | error | status | meaning | cause |, under a "## … (`error`, …)" heading.
    const rows = new Map<string, { error: string; status: number; section: string }>();
    let section = '';
    for (const line of doc.split('\n')) {
      if (line.startsWith('## ')) section = line;
      const row = /^\| `(ERR_[A-Z0-9_]+)` +\| ([a-z_]+) +\| (\d{3}) +\|/.exec(line);
      if (row) rows.set(row[1] as string, { error: row[2] as string, status: Number(row[3]), section });
    }
    expect(codes.filter((code) => !rows.has(code))).toEqual([]);
    // No row for a code the table does not have (a "reserved" code nothing throws).
    expect([...rows.keys()].filter((code) => !(code in core.ERRORS))).toEqual([]);
    for (const code of codes) {
      const { error, status } = core.ERRORS[code];
      const row = rows.get(code);
      expect(row && { error: row.error, status: row.status }, code).toEqual({ error, status });
      expect(row?.section, code).toContain(`\`${error}\``);
    }
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
