/**
 * The options every adapter shares, checked alike in each (they all go through the core's
 * normalizeAdapterOptions): an unknown or misspelled option is a TypeError when the middleware is
 * created, naming it; and the hand-off error mode has one name, `'throw'`, in all three.
 */
import { createClientAuthenticator } from '@client-auth/core';
import { clientAuthentication as expressAuthentication } from '@client-auth/express';
import { clientAuthentication as honoAuthentication } from '@client-auth/hono';
import { clientAuthentication as koaAuthentication } from '@client-auth/koa';
import { describe, expect, it } from 'vitest';

const auth = createClientAuthenticator({ issuer: 'https://as.example.com', getClient: () => undefined });

/** Each adapter's factory, taking options the types may refuse, and the name of its result option. */
const ADAPTERS: [name: string, create: (options: Record<string, unknown>) => unknown, nameOption: string][] = [
  ['Express', (options) => expressAuthentication(auth, options as { endpoint: 'token' }), 'property'],
  ['Koa', (options) => koaAuthentication(auth, options as { endpoint: 'token' }), 'property'],
  ['Hono', (options) => honoAuthentication(auth, options as { endpoint: 'token' }), 'variable'],
];

describe.each(ADAPTERS)('%s clientAuthentication() options', (_name, create, nameOption) => {
  it('refuses a misspelled result name at setup, naming it and the option meant (DESIGN §4: options checked at once)', () => {
    const typo = nameOption === 'property' ? 'propery' : 'varible';
    expect(() => create({ endpoint: 'token', [typo]: 'oauthClient' })).toThrow(TypeError);
    expect(() => create({ endpoint: 'token', [typo]: 'oauthClient' })).toThrow(
      `client-auth: clientAuthentication(): unknown option '${typo}' (did you mean '${nameOption}'?)`,
    );
  });

  it('refuses an option of another adapter or of the authenticator', () => {
    const foreign = nameOption === 'property' ? 'variable' : 'property';
    expect(() => create({ endpoint: 'token', [foreign]: 'x' })).toThrow(`unknown option '${foreign}'`);
    expect(() => create({ endpoint: 'token', allowInsecureTransport: true })).toThrow(
      "unknown option 'allowInsecureTransport'",
    );
    expect(() => create({ endpoint: 'token', bodylimit: 1024 })).toThrow("(did you mean 'bodyLimit'?)");
  });

  it("takes errors: 'throw' as the one name for handing the error to the framework, and refuses 'next'", () => {
    expect(() => create({ endpoint: 'token', errors: 'throw' })).not.toThrow();
    expect(() => create({ endpoint: 'token', errors: 'next' })).toThrow(
      "client-auth: options.errors must be 'respond' or 'throw'",
    );
  });

  it('accepts every documented option', () => {
    expect(() =>
      create({ endpoint: 'token', [nameOption]: 'oauthClient', errors: 'respond', bodyLimit: 1024, bodyTimeout: 500 }),
    ).not.toThrow();
  });
});

it("accepts Hono's getCertificate, an option of that adapter alone", () => {
  expect(() => honoAuthentication(auth, { endpoint: 'token', getCertificate: () => undefined })).not.toThrow();
  expect(() =>
    expressAuthentication(auth, { endpoint: 'token', getCertificate: () => undefined } as { endpoint: 'token' }),
  ).toThrow("unknown option 'getCertificate'");
});
