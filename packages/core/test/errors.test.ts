/**
 * The error table (src/error_codes.ts) is what goes on the wire: every description keeps to the
 * RFC 6749 §5.2 character set, every code is thrown somewhere, the constructors take error, status
 * and description from the table, and a code used with another class does not compile.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';
import { ERROR_DESCRIPTION_CHARACTERS } from '../../../test/helpers/rfc6749.js';
import {
  AttestationRefused,
  ERRORS,
  type ErrorCode,
  errorResponse,
  InvalidClient,
  InvalidRequest,
  type OAuthError,
  ServerError,
  TemporarilyUnavailable,
} from '../src/index.js';

const SRC = fileURLToPath(new URL('../src/', import.meta.url));
const codes = Object.keys(ERRORS) as ErrorCode[];

/** Each text of a row, its placeholders filled as a call site does (a parameter name, a number). */
function filled(description: string): string[] {
  return [description, description.replace(/\{[a-z]+\}/g, 'client_id'), description.replace(/\{[a-z]+\}/g, '65536')];
}

function construct(code: ErrorCode): OAuthError {
  const row = ERRORS[code];
  const description = filled(row.descriptions[0])[1] as string;
  switch (row.class) {
    case 'InvalidRequest':
      // The table row says this code is an InvalidRequest: the cast stands for that, nothing more.
      return new InvalidRequest(...([code, description] as unknown as ConstructorParameters<typeof InvalidRequest>));
    case 'InvalidClient':
      return new InvalidClient(code as ConstructorParameters<typeof InvalidClient>[0]);
    case 'ServerError':
      return new ServerError(code as ConstructorParameters<typeof ServerError>[0]);
    case 'TemporarilyUnavailable':
      return new TemporarilyUnavailable(code as ConstructorParameters<typeof TemporarilyUnavailable>[0]);
    case 'AttestationRefused':
      return new AttestationRefused(code as ConstructorParameters<typeof AttestationRefused>[0]);
  }
}

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) =>
    entry.isDirectory()
      ? sourceFiles(join(dir, entry.name))
      : entry.name.endsWith('.ts')
        ? [join(dir, entry.name)]
        : [],
  );
}

describe('the error table (RFC 6749 §5.2)', () => {
  it('every error_description of every code uses only %x20-21 / %x23-5B / %x5D-7E (RFC 6749 §5.2)', () => {
    expect(codes.length).toBeGreaterThan(60);
    for (const code of codes) {
      const { descriptions } = ERRORS[code];
      expect(descriptions.length, code).toBeGreaterThan(0);
      for (const text of descriptions.flatMap(filled)) expect(text, code).toMatch(ERROR_DESCRIPTION_CHARACTERS);
    }
  });

  it('every invalid_client code carries the one generic description (RFC 6749 §5.2, DESIGN §2)', () => {
    for (const code of codes.filter((c) => ERRORS[c].error === 'invalid_client')) {
      expect(ERRORS[code].descriptions, code).toEqual(['client authentication failed']);
    }
  });

  it('every code of the table is thrown somewhere in packages/core/src (no reserved stable code)', () => {
    const source = sourceFiles(SRC)
      .filter((file) => !file.endsWith('error_codes.ts'))
      .map((file) => readFileSync(file, 'utf8'))
      .join('\n');
    expect(codes.filter((code) => !source.includes(`'${code}'`))).toEqual([]);
  });

  it('each constructor takes error, status and description from the code row, and errorResponse sends them', () => {
    for (const code of codes) {
      const row = ERRORS[code];
      const error = construct(code);
      expect(error.name, code).toBe(row.class);
      expect({ error: error.error, status: error.status, code: error.code }, code).toEqual({
        error: row.error,
        status: row.status,
        code,
      });
      expect(filled(row.descriptions[0]), code).toContain(error.error_description);
      const response = errorResponse(error);
      expect(response.status, code).toBe(row.status);
      expect(JSON.parse(response.body), code).toEqual({ error: row.error, error_description: error.error_description });
    }
  });

  it('files ERR_CLIENT_ID_MISMATCH under invalid_client, as it is thrown (FAPI 1 Part 1 §5.2.2-19)', () => {
    expect(ERRORS.ERR_CLIENT_ID_MISMATCH).toMatchObject({
      class: 'InvalidClient',
      error: 'invalid_client',
      status: 401,
    });
  });

  it('a code used with another class, or a description not in its row, is a type error', () => {
    const probe = join(SRC, '__error_class_probe.ts');
    const text = [
      "import { InvalidClient, InvalidRequest, ServerError } from './errors.js';",
      'declare const name: string;',
      "export const ok1 = new InvalidClient('ERR_ASSERTION_REPLAYED');",
      // biome-ignore lint/suspicious/noTemplateCurlyInString: the probe's own template literal
      "export const ok2 = new InvalidRequest('ERR_PARAMETER_REPEATED', `the ${name} parameter must not be repeated`);",
      "export const ok3 = new InvalidRequest('ERR_BODY_TOO_LARGE', 'the request body exceeds 10 octets', { status: 413 });",
      "export const bad1 = new InvalidClient('ERR_BODY_MALFORMED');",
      "export const bad2 = new InvalidRequest('ERR_CLIENT_NOT_FOUND', 'client authentication failed');",
      "export const bad3 = new InvalidRequest('ERR_BODY_MALFORMED', 'the \"body\" is malformed');",
      "export const bad4 = new ServerError('ERR_SECRET_HASH_BUSY');",
    ].join('\n');
    const options: ts.CompilerOptions = {
      strict: true,
      noEmit: true,
      module: ts.ModuleKind.NodeNext,
      moduleResolution: ts.ModuleResolutionKind.NodeNext,
      target: ts.ScriptTarget.ES2022,
      skipLibCheck: true,
      types: ['node'],
    };
    const host = ts.createCompilerHost(options);
    const readFile = host.readFile;
    host.readFile = (file) => (file === probe ? text : readFile(file));
    const fileExists = host.fileExists;
    host.fileExists = (file) => file === probe || fileExists(file);
    const program = ts.createProgram([probe], options, host);
    const lines = ts
      .getPreEmitDiagnostics(program)
      .filter((d) => d.file?.fileName === probe && d.start !== undefined)
      .map((d) => (d.file as ts.SourceFile).getLineAndCharacterOfPosition(d.start as number).line + 1);
    expect([...new Set(lines)]).toEqual([6, 7, 8, 9]);
  }, 60_000);
});
