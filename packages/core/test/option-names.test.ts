/**
 * Unknown option names are refused at setup: a misspelled option would otherwise be ignored, and
 * the default it leaves in place may be the protection the caller meant to configure. One checker
 * (src/option_names.ts) serves every options object; these cases cover the authenticator, each of
 * its nested objects, and the memory store and limiter. The adapters and the Redis package have
 * their own cases (test/adapter-options.test.ts, packages/redis/test).
 */
import { describe, expect, it } from 'vitest';
import {
  type ClientAuthenticatorOptions,
  createClientAuthenticator,
  memoryFailureLimiter,
  memoryReplayStore,
} from '../src/index.js';
import { openTelemetry } from '../src/opentelemetry.js';
import { nearestName } from '../src/option_names.js';

const base = { issuer: 'https://as.example.com', getClient: () => undefined };

/** Create an authenticator from `base` plus `extra`, which the types would refuse. */
function create(extra: Record<string, unknown>) {
  return createClientAuthenticator({ ...base, ...extra } as ClientAuthenticatorOptions);
}

describe('unknown options are refused at setup, naming the option (DESIGN §2: bad options throw when the authenticator is created)', () => {
  it("refuses a misspelled allowInsecureTransport, which would leave RFC 6749 §2.3.1's TLS rule in force unnoticed", () => {
    expect(() => create({ allowInsecureTransprot: true })).toThrow(TypeError);
    expect(() => create({ allowInsecureTransprot: true })).toThrow(
      "client-auth: createClientAuthenticator(): unknown option 'allowInsecureTransprot' (did you mean 'allowInsecureTransport'?)",
    );
  });

  it('refuses an unknown top-level option even when its value is undefined', () => {
    expect(() => create({ replayStroe: undefined })).toThrow(
      "unknown option 'replayStroe' (did you mean 'replayStore'?)",
    );
  });

  it('names an option without a suggestion when no known name is near', () => {
    expect(() => create({ colour: 'blue' })).toThrow(
      /^client-auth: createClientAuthenticator\(\): unknown option 'colour'$/,
    );
  });

  it.each([
    [
      'basic',
      { basic: { acceptUnencodd: true } },
      "basic: unknown option 'acceptUnencodd' (did you mean 'acceptUnencoded'?)",
    ],
    [
      'secrets',
      { secrets: { maxConcurentHashes: 4 } },
      "secrets: unknown option 'maxConcurentHashes' (did you mean 'maxConcurrentHashes'?)",
    ],
    [
      'jwks (RFC 7591 §2 jwks_uri fetching)',
      { jwks: { timout: 1000 } },
      "jwks: unknown option 'timout' (did you mean 'timeout'?)",
    ],
    [
      'certificates from a proxy header (RFC 9440 §2)',
      { certificates: { from: 'rfc9440', trustedProxies: ['10.0.0.1'], chainValidate: true } },
      "certificates: unknown option 'chainValidate' (did you mean 'chainValidated'?)",
    ],
    [
      "certificates from the socket, where a proxy's settings would be ignored (RFC 8705 §2)",
      { certificates: { from: 'socket', trustedProxies: ['10.0.0.1'] } },
      "certificates (from: 'socket'): unknown option 'trustedProxies'",
    ],
    [
      'minimumKeySizes (FAPI 2 §5.4.1)',
      { minimumKeySizes: { RSA: 3072 } },
      "minimumKeySizes: unknown option 'RSA' (did you mean 'rsa'?)",
    ],
  ])('refuses an unknown option of %s', (_title, extra, message) => {
    expect(() => create(extra)).toThrow(TypeError);
    expect(() => create(extra)).toThrow(message);
  });

  it('refuses unknown options of memoryReplayStore() (OIDC Core §9 jti store) and memoryFailureLimiter() (RFC 6749 §2.3.1)', () => {
    // @ts-expect-error not an option
    expect(() => memoryReplayStore({ maxEntires: 10 })).toThrow(
      "memoryReplayStore(): unknown option 'maxEntires' (did you mean 'maxEntries'?)",
    );
    // @ts-expect-error not an option
    expect(() => memoryFailureLimiter({ blockSecond: 60 })).toThrow(
      "memoryFailureLimiter(): unknown option 'blockSecond' (did you mean 'blockSeconds'?)",
    );
  });

  it('still accepts every documented option, nested ones included', () => {
    expect(() =>
      create({
        basic: { acceptUnencoded: true },
        secrets: { maxConcurrentHashes: 2, maxQueuedHashes: 4, unknownClientCost: 'plain' },
        jwks: { timeout: 1000, maxBytes: 4096, cooldown: 10, allow: ['127.0.0.1'] },
        certificates: { from: 'nginx', trustedProxies: ['10.0.0.1'], chainValidated: true, header: 'x-ssl-cert' },
        minimumKeySizes: { rsa: 3072, ec: 256 },
        replayStore: memoryReplayStore({ maxEntries: 10, maxEntriesPerClient: 5, now: Date.now }),
        failureLimiter: memoryFailureLimiter({ maxFailures: 3, windowSeconds: 60, blockSeconds: 60, maxEntries: 10 }),
      }),
    ).not.toThrow();
  });

  it('refuses a misspelled clientIdMetadataDocuments option (maxDocuments), which would leave the cache bound at its default', () => {
    expect(() => create({ clientIdMetadataDocuments: { maxDocumnets: 10 } })).toThrow(
      "unknown option 'maxDocumnets' (did you mean 'maxDocuments'?)",
    );
  });

  it('refuses a misspelled openTelemetry() option (spanAttributes)', () => {
    expect(() => openTelemetry({ spanAtributes: false } as never)).toThrow(
      "unknown option 'spanAtributes' (did you mean 'spanAttributes'?)",
    );
    expect(() => create({ telemetry: openTelemetry() })).not.toThrow();
  });
});

describe('the suggestion for a misspelled option', () => {
  const known = ['property', 'errors', 'bodyLimit', 'bodyTimeout', 'endpoint'];

  it.each([
    ['a missing letter', 'propery', 'property'],
    ['two swapped neighbours', 'bodyLimti', 'bodyLimit'],
    ['another case', 'bodylimit', 'bodyLimit'],
    ['an extra letter', 'errorss', 'errors'],
    ['two edits in a long name', 'bodTimeoutt', 'bodyTimeout'],
  ])('finds the name behind %s', (_title, name, expected) => {
    expect(nearestName(name, known)).toBe(expected);
  });

  it.each([
    ['a different word', 'variable'],
    ['a short name two edits away', 'err'],
  ])('offers none for %s', (_title, name) => {
    expect(nearestName(name, known)).toBeUndefined();
  });
});
