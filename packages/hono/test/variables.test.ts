/**
 * The middleware's types, compiled by the real TypeScript compiler, each probe a program of its
 * own: a global `ContextVariableMap` augmentation would reach every file of a program, so an
 * application's own declaration has to be checked apart from variables.test-d.ts.
 */
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('../../../', import.meta.url));
const here = fileURLToPath(new URL('./', import.meta.url));

/** The options the tests' own type check uses (tsconfig.test.json: strict, sources by the `source` condition). */
function testOptions(): ts.CompilerOptions {
  const file = ts.readConfigFile(`${root}tsconfig.test.json`, ts.sys.readFile);
  return ts.parseJsonConfigFileContent(file.config, ts.sys, root).options;
}

/** Diagnostics of a program made of `file` (on disk, or the given text under that name). */
function diagnostics(file: string, text?: string): string[] {
  const options = testOptions();
  const host = ts.createCompilerHost(options);
  if (text !== undefined) {
    const { readFile, fileExists } = host;
    host.readFile = (name) => (name === file ? text : readFile(name));
    host.fileExists = (name) => name === file || fileExists(name);
  }
  const program = ts.createProgram([file], options, host);
  return ts.getPreEmitDiagnostics(program).map((d) => {
    const where = d.file && d.start !== undefined ? d.file.getLineAndCharacterOfPosition(d.start) : undefined;
    const name = d.file?.fileName.replace(root, '') ?? '';
    return `${name}:${where ? where.line + 1 : 0}: TS${d.code} ${ts.flattenDiagnosticMessageText(d.messageText, ' ')}`;
  });
}

describe("c.get('client') is typed by the middleware's Variables, not by a global ContextVariableMap (DESIGN.md §4)", () => {
  it('variables.test-d.ts compiles on its own: typed after the middleware (Client, renamed variable), absent without it', () => {
    expect(diagnostics(`${here}variables.test-d.ts`)).toEqual([]);
  }, 60_000);

  it('an application that declares its own ContextVariableMap `client` compiles beside the middleware', () => {
    const probe = [
      "import { createClientAuthenticator } from '@client-auth/core';",
      "import { clientAuthentication, type ClientAuthResult } from '@client-auth/hono';",
      "import { Hono } from 'hono';",
      "import { expectTypeOf } from 'vitest';",
      '',
      "declare module 'hono' {",
      '  interface ContextVariableMap {',
      '    client: { session: string };',
      '  }',
      '}',
      '',
      "const auth = createClientAuthenticator({ issuer: 'https://as.example', getClient: () => undefined });",
      'const app = new Hono();',
      "app.use('/me', async (c, next) => {",
      "  c.set('client', { session: 's1' });",
      '  await next();',
      '});',
      "app.get('/me', (c) => c.text(c.get('client').session));",
      "app.post('/token', clientAuthentication(auth, { endpoint: 'token', variable: 'oauthClient' }), (c) => {",
      "  expectTypeOf(c.get('oauthClient')).toEqualTypeOf<ClientAuthResult>();",
      "  return c.text(c.get('oauthClient').clientId);",
      '});',
      "app.post('/introspect', clientAuthentication(auth, { endpoint: 'introspection' }), (c) => {",
      "  expectTypeOf(c.get('client')).toEqualTypeOf<ClientAuthResult>();",
      "  return c.text(c.get('client').clientId);",
      '});',
      '',
    ].join('\n');
    expect(diagnostics(`${here}app-declares-client.ts`, probe)).toEqual([]);
  }, 60_000);
});
