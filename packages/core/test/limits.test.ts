/**
 * Every input is bounded before work is done on it (docs/LIMITS.md): one test per limit, just at
 * the limit (not refused for its size) and just over it (the documented error).
 */
import 'reflect-metadata';
import { generateKeyPairSync, webcrypto } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import * as x509 from '@peculiar/x509';
import { SignJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type CustomCa, createTestPki, type Issued, issueCustom, type Signer } from '../../../test/helpers/pki.js';
import { DEFAULT_BODY_LIMIT } from '../src/adapter.js';
import {
  type ClientAuthRequest,
  type ClientMetadata,
  decodeCertificateHeader,
  MAX_ASSERTION_LENGTH,
  MAX_AUTHORIZATION_HEADER,
  MAX_CERTIFICATE_CHAIN,
  MAX_CERTIFICATE_HEADER_LENGTH,
  MAX_CLIENT_ID_LENGTH,
  MAX_DN_LENGTH,
  MAX_JTI_LENGTH,
  MAX_JWKS_KEYS,
  MAX_KEY_CANDIDATES,
  MAX_PATH_DEPTH,
  MAX_PATH_INTERMEDIATES,
  OAuthError,
  parseDistinguishedName,
} from '../src/index.js';
import { fromNodeRequest } from '../src/node.js';
import { createPathValidator } from '../src/x509/path_validation.js';
import { assertionRequest, authenticatorFor, b64, claims, NOW, outcome, SECRET } from './assertion-helpers.js';

x509.cryptoProvider.set(webcrypto as never);
async function selfSigned(): Promise<{ der: Uint8Array }> {
  const algorithm = { name: 'ECDSA', namedCurve: 'P-256', hash: 'SHA-256' };
  const keys = await webcrypto.subtle.generateKey(algorithm, false, ['sign', 'verify']);
  const certificate = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: '01',
    name: 'CN=limits.example',
    notBefore: new Date(Date.now() - 3600_000),
    notAfter: new Date(Date.now() + 86_400_000),
    signingAlgorithm: algorithm,
    keys: keys as never,
  });
  return { der: new Uint8Array(certificate.rawData) };
}

async function refusal(promise: Promise<unknown>): Promise<OAuthError> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof OAuthError) return error;
    throw error;
  }
  throw new Error('expected a refusal');
}

const secretClient: ClientMetadata = {
  client_id: 'cs',
  client_secret: SECRET,
  token_endpoint_auth_method: 'client_secret_jwt',
};
const post = (clientId: string, secret = 'x'): ClientAuthRequest => ({
  headers: {},
  body: { client_id: [clientId], client_secret: [secret] },
  secure: true,
});
const hs256 = (payload: Record<string, unknown>) =>
  new SignJWT(payload).setProtectedHeader({ alg: 'HS256' }).sign(new TextEncoder().encode(SECRET));

describe('limits (docs/LIMITS.md)', () => {
  it(`Authorization header: ${MAX_AUTHORIZATION_HEADER} characters, then 400 ERR_AUTHORIZATION_HEADER_TOO_LARGE`, async () => {
    const { auth } = authenticatorFor([secretClient]);
    const header = (length: number) => `Basic ${'A'.repeat(length - 6)}`;
    const at = await refusal(
      auth.authenticate(
        { headers: { authorization: header(MAX_AUTHORIZATION_HEADER) }, body: {}, secure: true },
        { endpoint: 'token' },
      ),
    );
    expect(at.code).not.toBe('ERR_AUTHORIZATION_HEADER_TOO_LARGE');
    for (const authorization of [header(MAX_AUTHORIZATION_HEADER + 1), [header(MAX_AUTHORIZATION_HEADER + 1)]]) {
      const over = await refusal(
        auth.authenticate({ headers: { authorization }, body: {}, secure: true }, { endpoint: 'token' }),
      );
      expect([over.status, over.error, over.code]).toEqual([
        400,
        'invalid_request',
        'ERR_AUTHORIZATION_HEADER_TOO_LARGE',
      ]);
    }
  });

  it(`request body: ${DEFAULT_BODY_LIMIT} octets by default, then 413 ERR_BODY_TOO_LARGE (declared or streamed)`, async () => {
    const results: (string | number)[] = [];
    const server: Server = createServer(async (req, res) => {
      try {
        const request = await fromNodeRequest(req, { body: { kind: 'stream' } });
        results.push(Object.keys(request.body).length);
      } catch (error) {
        results.push(error instanceof OAuthError ? `${error.status} ${error.code}` : 'other');
      }
      res.end();
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
    const body = (octets: number) => `a=${'b'.repeat(octets - 2)}`;
    const headers = { 'content-type': 'application/x-www-form-urlencoded' };
    try {
      await fetch(url, { method: 'POST', headers, body: body(DEFAULT_BODY_LIMIT) });
      await fetch(url, { method: 'POST', headers, body: body(DEFAULT_BODY_LIMIT + 1) });
      // Chunked (no Content-Length): the cap applies while reading.
      const stream = new ReadableStream({
        start(controller) {
          controller.enqueue(new TextEncoder().encode(body(DEFAULT_BODY_LIMIT + 1)));
          controller.close();
        },
      });
      await fetch(url, { method: 'POST', headers, body: stream, duplex: 'half' } as RequestInit);
    } finally {
      server.close();
    }
    expect(results).toEqual([1, '413 ERR_BODY_TOO_LARGE', '413 ERR_BODY_TOO_LARGE']);
  });

  it(`client_assertion: ${MAX_ASSERTION_LENGTH} characters, then 401 ERR_ASSERTION_TOO_LARGE before any decoding`, async () => {
    const { auth } = authenticatorFor([secretClient]);
    const jwt = await hs256(claims('cs', NOW));
    const [header, , signature] = jwt.split('.') as [string, string, string];
    const padded = (length: number) =>
      `${header}.${'A'.repeat(length - header.length - signature.length - 2)}.${signature}`;
    expect(padded(MAX_ASSERTION_LENGTH)).toHaveLength(MAX_ASSERTION_LENGTH);
    expect(await outcome(auth, assertionRequest(padded(MAX_ASSERTION_LENGTH), { client_id: 'cs' }))).not.toBe(
      'ERR_ASSERTION_TOO_LARGE',
    );
    const over = await refusal(
      auth.authenticate(assertionRequest(padded(MAX_ASSERTION_LENGTH + 1)), { endpoint: 'token' }),
    );
    expect([over.status, over.error, over.code]).toEqual([401, 'invalid_client', 'ERR_ASSERTION_TOO_LARGE']);
  });

  it(`client_id: ${MAX_CLIENT_ID_LENGTH} characters, then 400 (body, Basic) or 401 (assertion sub) before any lookup`, async () => {
    const looked: string[] = [];
    const { auth } = authenticatorFor([], {
      getClient: (id) => {
        looked.push(id);
        return undefined;
      },
    });
    expect(await outcome(auth, post('c'.repeat(MAX_CLIENT_ID_LENGTH)))).toBe('ERR_CLIENT_NOT_FOUND');
    expect(await outcome(auth, post('c'.repeat(MAX_CLIENT_ID_LENGTH + 1)))).toBe('ERR_PARAMETER_MALFORMED');
    const basic = `Basic ${Buffer.from(`${'c'.repeat(MAX_CLIENT_ID_LENGTH + 1)}:x`).toString('base64')}`;
    expect(await outcome(auth, { headers: { authorization: basic }, body: {}, secure: true })).toBe(
      'ERR_BASIC_MALFORMED',
    );
    const unsigned = `${b64({ alg: 'HS256' })}.${b64({ sub: 'c'.repeat(MAX_CLIENT_ID_LENGTH + 1) })}.${b64('sig')}`;
    expect(await outcome(auth, assertionRequest(unsigned))).toBe('ERR_ASSERTION_CLAIMS_INVALID');
    expect(looked).toEqual(['c'.repeat(MAX_CLIENT_ID_LENGTH)]);
  });

  it(`jti: ${MAX_JTI_LENGTH} characters, then 401 ERR_ASSERTION_CLAIMS_INVALID (never stored)`, async () => {
    const { auth } = authenticatorFor([secretClient]);
    expect(
      await outcome(auth, assertionRequest(await hs256(claims('cs', NOW, { jti: 'j'.repeat(MAX_JTI_LENGTH) })))),
    ).toBe('ok');
    const over = await hs256(claims('cs', NOW, { jti: 'j'.repeat(MAX_JTI_LENGTH + 1) }));
    expect(await outcome(auth, assertionRequest(over))).toBe('ERR_ASSERTION_CLAIMS_INVALID');
  });

  describe('JWK Sets', () => {
    const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const jwk = { ...(publicKey.export({ format: 'jwk' }) as { kty: string }) };
    const other = () => ({
      ...(generateKeyPairSync('ec', { namedCurve: 'P-256' }).publicKey.export({ format: 'jwk' }) as { kty: string }),
    });
    let served = '';
    let server: Server;
    let url = '';
    beforeAll(async () => {
      server = createServer((_req, res) => res.writeHead(200, { 'content-type': 'application/json' }).end(served));
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/jwks`;
    });
    afterAll(() => server.close());
    const es256 = () => new SignJWT(claims('pk', NOW)).setProtectedHeader({ alg: 'ES256' }).sign(privateKey);
    const jwksOptions = { allowHttp: true, allow: ['127.0.0.1'], maxBytes: 4096 };
    const uriClient = (): ClientMetadata => ({
      client_id: 'pk',
      jwks_uri: url,
      token_endpoint_auth_method: 'private_key_jwt',
    });

    it('jwks_uri response: jwks.maxBytes octets (default 128 KiB), then 401 ERR_JWKS_UNAVAILABLE', async () => {
      const document = JSON.stringify({ keys: [jwk] });
      served = document + ' '.repeat(4096 - document.length);
      expect(
        await outcome(authenticatorFor([uriClient()], { jwks: jwksOptions }).auth, assertionRequest(await es256())),
      ).toBe('ok');
      served += ' ';
      const over = await refusal(
        authenticatorFor([uriClient()], { jwks: jwksOptions }).auth.authenticate(assertionRequest(await es256()), {
          endpoint: 'token',
        }),
      );
      expect([over.status, over.error, over.code]).toEqual([401, 'invalid_client', 'ERR_JWKS_UNAVAILABLE']);
    });

    it(`key count: ${MAX_JWKS_KEYS} keys in a JWK Set, then ERR_CLIENT_METADATA_INVALID (inline) or ERR_JWKS_UNAVAILABLE (jwks_uri)`, async () => {
      const keys = (count: number) => [jwk, ...Array.from({ length: count - 1 }, () => ({ kty: 'oct', k: 'AA' }))];
      const inline = (count: number): ClientMetadata => ({
        client_id: 'pk',
        jwks: { keys: keys(count) },
        token_endpoint_auth_method: 'private_key_jwt',
      });
      expect(await outcome(authenticatorFor([inline(MAX_JWKS_KEYS)]).auth, assertionRequest(await es256()))).toBe('ok');
      expect(await outcome(authenticatorFor([inline(MAX_JWKS_KEYS + 1)]).auth, assertionRequest(await es256()))).toBe(
        'ERR_CLIENT_METADATA_INVALID',
      );
      served = JSON.stringify({ keys: keys(MAX_JWKS_KEYS + 1) });
      const fetched = authenticatorFor([uriClient()], { jwks: { ...jwksOptions, maxBytes: 1 << 20 } }).auth;
      expect(await outcome(fetched, assertionRequest(await es256()))).toBe('ERR_JWKS_UNAVAILABLE');
    });

    it(`keys tried: at most ${MAX_KEY_CANDIDATES} candidates for an assertion without a usable kid`, async () => {
      const withRightKeyAt = (position: number): ClientMetadata => ({
        client_id: 'pk',
        jwks: { keys: [...Array.from({ length: position - 1 }, other), jwk] },
        token_endpoint_auth_method: 'private_key_jwt',
      });
      expect(
        await outcome(authenticatorFor([withRightKeyAt(MAX_KEY_CANDIDATES)]).auth, assertionRequest(await es256())),
      ).toBe('ok');
      expect(
        await outcome(authenticatorFor([withRightKeyAt(MAX_KEY_CANDIDATES + 1)]).auth, assertionRequest(await es256())),
      ).toBe('ERR_ASSERTION_SIGNATURE_INVALID');
    });
  });

  it(`registered subject DN: ${MAX_DN_LENGTH} characters, then ERR_CLIENT_METADATA_INVALID (SyntaxError before parsing)`, async () => {
    const dn = (length: number) => `CN=${'a'.repeat(length - 3)}`;
    expect(parseDistinguishedName(dn(MAX_DN_LENGTH))[0]?.[0]?.value).toHaveLength(MAX_DN_LENGTH - 3);
    expect(() => parseDistinguishedName(dn(MAX_DN_LENGTH + 1))).toThrow(SyntaxError);
    const { auth } = authenticatorFor(
      [
        {
          client_id: 'mtls',
          token_endpoint_auth_method: 'tls_client_auth',
          tls_client_auth_subject_dn: dn(MAX_DN_LENGTH + 1),
        },
      ],
      { certificates: { from: 'socket', chainValidated: true } },
    );
    const { der } = await selfSigned();
    const request: ClientAuthRequest = {
      headers: {},
      body: { client_id: ['mtls'] },
      secure: true,
      certificate: { der, chainValidated: true, source: 'socket' },
    };
    expect(await outcome(auth, request)).toBe('ERR_CLIENT_METADATA_INVALID');
  });

  it(`proxy certificate headers: ${MAX_CERTIFICATE_CHAIN} chain certificates and ${MAX_CERTIFICATE_HEADER_LENGTH} characters, then no certificate (ERR_MTLS_CERTIFICATE_MISSING)`, async () => {
    const { der } = await selfSigned();
    const item = `:${Buffer.from(der).toString('base64')}:`;
    const chain = (count: number) => Array.from({ length: count }, () => item).join(', ');
    expect(
      decodeCertificateHeader('rfc9440', { 'client-cert': item, 'client-cert-chain': chain(MAX_CERTIFICATE_CHAIN) })
        ?.chain,
    ).toHaveLength(MAX_CERTIFICATE_CHAIN);
    expect(
      decodeCertificateHeader('rfc9440', {
        'client-cert': item,
        'client-cert-chain': chain(MAX_CERTIFICATE_CHAIN + 1),
      }),
    ).toBeUndefined();
    const b64 = Buffer.from(der).toString('base64');
    const traefik = (count: number) => Array.from({ length: count + 1 }, () => b64).join(',');
    expect(
      decodeCertificateHeader('traefik', { 'x-forwarded-tls-client-cert': traefik(MAX_CERTIFICATE_CHAIN) })?.chain,
    ).toHaveLength(MAX_CERTIFICATE_CHAIN);
    expect(
      decodeCertificateHeader('traefik', { 'x-forwarded-tls-client-cert': traefik(MAX_CERTIFICATE_CHAIN + 1) }),
    ).toBeUndefined();
    const pem = `-----BEGIN CERTIFICATE-----\n${b64}\n-----END CERTIFICATE-----\n`;
    const alb = (count: number) => encodeURIComponent(pem.repeat(count + 1));
    expect(
      decodeCertificateHeader('aws-alb', { 'x-amzn-mtls-clientcert': alb(MAX_CERTIFICATE_CHAIN) })?.chain,
    ).toHaveLength(MAX_CERTIFICATE_CHAIN);
    expect(
      decodeCertificateHeader('aws-alb', { 'x-amzn-mtls-clientcert': alb(MAX_CERTIFICATE_CHAIN + 1) }),
    ).toBeUndefined();
    const padded = `${item}${' '.repeat(MAX_CERTIFICATE_HEADER_LENGTH - item.length)}`;
    expect(decodeCertificateHeader('rfc9440', { 'client-cert': padded })?.der).toBeDefined();
    expect(decodeCertificateHeader('rfc9440', { 'client-cert': `${padded} ` })).toBeUndefined();
    // Through the authenticator, from a trusted proxy: no certificate.
    const { auth } = authenticatorFor(
      [{ client_id: 'self', token_endpoint_auth_method: 'self_signed_tls_client_auth', jwks: { keys: [] } }],
      { certificates: { from: 'rfc9440', trustedProxies: ['127.0.0.1'] } },
    );
    const request: ClientAuthRequest = {
      headers: { 'client-cert': item, 'client-cert-chain': chain(MAX_CERTIFICATE_CHAIN + 1) },
      body: { client_id: ['self'] },
      secure: true,
      peerAddress: '127.0.0.1',
    };
    expect(await outcome(auth, request)).toBe('ERR_MTLS_CERTIFICATE_MISSING');
  });

  it(`trustAnchors paths: ${MAX_PATH_DEPTH} links and ${MAX_PATH_INTERMEDIATES} presented intermediates, then 401 ERR_MTLS_CHAIN_NOT_VALIDATED`, async () => {
    const pki = await createTestPki();
    const validator = createPathValidator([pki.ca.x509]);
    const validate = (leaf: Issued, chain: readonly Issued[]) =>
      validator.validate(
        leaf.der,
        chain.map((link) => link.der),
        Date.now(),
      );
    const ca = (cn: string, issuer: Signer) => issueCustom({ subject: [['CN', cn]], issuer, ca: true });
    const leafUnder = (issuer: Signer) => issueCustom({ subject: [['CN', 'leaf']], issuer });
    // A straight line of CAs under the root, nearest the leaf first.
    const line: CustomCa[] = [];
    let issuer: Signer = pki.ca;
    for (let depth = 0; depth < MAX_PATH_DEPTH; depth += 1) {
      issuer = await ca(`level ${depth}`, issuer);
      line.unshift(issuer as CustomCa);
    }
    // The leaf plus MAX_PATH_DEPTH - 1 intermediates is MAX_PATH_DEPTH links; one more is too deep.
    expect(await validate(await leafUnder(line[1] as CustomCa), line.slice(1))).toBeUndefined();
    expect(await validate(await leafUnder(line[0] as CustomCa), line)).toBe('ERR_MTLS_CHAIN_NOT_VALIDATED');
    // Only the first MAX_PATH_INTERMEDIATES presented certificates are considered.
    const unrelated = await Promise.all(
      Array.from({ length: MAX_PATH_INTERMEDIATES }, (_, index) => ca(`unrelated ${index}`, pki.ca)),
    );
    const direct = await ca('needed', pki.ca);
    const leaf = await leafUnder(direct);
    expect(await validate(leaf, [...unrelated.slice(1), direct])).toBeUndefined();
    expect(await validate(leaf, [...unrelated, direct])).toBe('ERR_MTLS_CHAIN_NOT_VALIDATED');
  });
});
