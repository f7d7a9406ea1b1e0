/**
 * The Express example server driven from outside over real HTTP on loopback, with client
 * assertions (RFC 7523) made by real third-party clients: openid-client 6 and oauth4webapi 3.
 */
import { randomUUID } from 'node:crypto';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type CryptoKey, decodeJwt, exportJWK, generateKeyPair, importJWK, type JWK, SignJWT } from 'jose';
import * as oauth from 'oauth4webapi';
import * as client from 'openid-client';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import {
  freePort,
  logLines,
  type RunningExample,
  run,
  startExample,
  startExampleAtLoopbackIssuer,
} from '../../../test/helpers/example-server.js';
import { json } from '../../../test/helpers/http.js';

const ASSERTION_TYPE = 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer';
const SECRET = `hs-${randomUUID()}-${randomUUID()}`.slice(0, 64);

interface Pair {
  kid: string;
  privateKey: CryptoKey;
  publicJwk: JWK;
}

async function pair(alg: string, kid = `${alg}-${randomUUID()}`): Promise<Pair> {
  const { privateKey, publicKey } = await generateKeyPair(alg, { extractable: true });
  return { kid, privateKey, publicJwk: { ...(await exportJWK(publicKey)), kid } };
}

/** A key server on 127.0.0.1 serving a JWK Set and counting fetches. */
class KeyServer {
  fetches = 0;
  keys: JWK[] = [];
  readonly server: Server = createServer((_req, res) => {
    this.fetches += 1;
    res
      .writeHead(200, { 'content-type': 'application/jwk-set+json', 'cache-control': 'max-age=600' })
      .end(JSON.stringify({ keys: this.keys }));
  });
  async start(): Promise<string> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/jwks`;
  }
}

/** Wait until the server logged a line matching `fields` (its stdout arrives after the response). */
async function logged(server: RunningExample, fields: Record<string, unknown>): Promise<void> {
  await vi.waitFor(() => expect(logLines(server)).toContainEqual(expect.objectContaining(fields)), {
    timeout: 10_000,
  });
}

function writeClients(clients: unknown[]): string {
  const file = join(mkdtempSync(join(tmpdir(), 'client-auth-assertions-')), 'clients.json');
  writeFileSync(file, JSON.stringify(clients));
  return file;
}

function form(fields: Record<string, string>): RequestInit {
  return {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams(fields).toString(),
  };
}

async function assertion(
  clientId: string,
  aud: string | string[],
  key: CryptoKey | Uint8Array,
  header: { alg: string; kid?: string; typ?: string },
  claims: Record<string, unknown> = {},
): Promise<string> {
  const now = Math.floor(Date.now() / 1000);
  return new SignJWT({ jti: randomUUID(), ...claims })
    .setProtectedHeader(header)
    .setIssuer(clientId)
    .setSubject(clientId)
    .setAudience(aud)
    .setIssuedAt(now)
    .setExpirationTime((claims.exp as number | undefined) ?? now + 60)
    .sign(key);
}

function tokenRequest(jwt: string, extra: Record<string, string> = {}): RequestInit {
  return form({
    grant_type: 'client_credentials',
    client_assertion_type: ASSERTION_TYPE,
    client_assertion: jwt,
    ...extra,
  });
}

const secretKey = new TextEncoder().encode(SECRET);

describe('Express example: client assertions from real clients (RFC 7523)', () => {
  let server: RunningExample;
  let issuer: string;
  const keyServer = new KeyServer();
  const keys: Record<string, Pair> = {};

  beforeAll(async () => {
    for (const alg of ['RS256', 'PS256', 'ES256', 'ES384', 'Ed25519']) keys[alg] = await pair(alg);
    keys.rotated = await pair('ES256');
    keys.remote = await pair('ES256');
    keyServer.keys = [keys.remote.publicJwk];
    const jwksUri = await keyServer.start();
    const port = await freePort();
    issuer = `http://127.0.0.1:${port}`;
    const clientsFile = writeClients([
      { client_id: 'hs', client_secret: SECRET, token_endpoint_auth_method: 'client_secret_jwt' },
      {
        client_id: 'pk-inline',
        token_endpoint_auth_method: 'private_key_jwt',
        jwks: { keys: Object.values(keys).map((k) => k.publicJwk) },
      },
      {
        client_id: 'pk-bound',
        token_endpoint_auth_method: 'private_key_jwt',
        token_endpoint_auth_signing_alg: 'PS256',
        jwks: { keys: [keys.PS256?.publicJwk, keys.ES256?.publicJwk] },
      },
      { client_id: 'pk-remote', token_endpoint_auth_method: 'private_key_jwt', jwks_uri: jwksUri },
    ]);
    server = await startExample('express', {
      PORT: String(port),
      ISSUER: issuer,
      CLIENTS_FILE: clientsFile,
      JWKS_URI_ALLOW: '127.0.0.1',
    });
  });

  afterAll(async () => {
    await server?.stop();
    keyServer.server.close();
  });

  async function discover(clientId: string, auth: client.ClientAuth): Promise<client.Configuration> {
    return client.discovery(new URL(issuer), clientId, undefined, auth, {
      algorithm: 'oauth2',
      execute: [client.allowInsecureRequests],
    });
  }

  it('advertises both methods and their algorithms (RFC 8414 §2)', async () => {
    const metadata = await json(await fetch(`${issuer}/.well-known/oauth-authorization-server`));
    expect(metadata.token_endpoint_auth_methods_supported).toEqual(
      expect.arrayContaining(['client_secret_jwt', 'private_key_jwt']),
    );
    expect(metadata.token_endpoint_auth_signing_alg_values_supported).toEqual(
      expect.arrayContaining(['HS256', 'RS256', 'PS256', 'ES256', 'EdDSA', 'Ed25519']),
    );
    expect(metadata.token_endpoint_auth_signing_alg_values_supported).not.toContain('none');
  });

  it('client_secret_jwt with openid-client ClientSecretJwt, HS256 (OpenID Connect Core §9)', async () => {
    const config = await discover('hs', client.ClientSecretJwt(SECRET));
    const tokens = await client.clientCredentialsGrant(config);
    expect(decodeJwt(tokens.access_token).client_id).toBe('hs');
  });

  for (const alg of ['HS384', 'HS512']) {
    it(`client_secret_jwt with ${alg} (RFC 7518 §3.2)`, async () => {
      const jwt = await assertion('hs', issuer, secretKey, { alg });
      const response = await fetch(`${issuer}/token`, tokenRequest(jwt));
      expect(response.status).toBe(200);
    });
  }

  for (const alg of ['RS256', 'PS256', 'ES256', 'Ed25519']) {
    it(`private_key_jwt with openid-client PrivateKeyJwt, ${alg} (RFC 7523 §2.2)`, async () => {
      const key = keys[alg] as Pair;
      const config = await discover('pk-inline', client.PrivateKeyJwt({ key: key.privateKey, kid: key.kid }));
      const tokens = await client.clientCredentialsGrant(config);
      expect(decodeJwt(tokens.access_token).client_id).toBe('pk-inline');
    });
  }

  it('private_key_jwt with openid-client, Ed25519 key labelled EdDSA (RFC 8037 §3.1)', async () => {
    const key = keys.Ed25519 as Pair;
    const config = await discover(
      'pk-inline',
      client.PrivateKeyJwt(
        { key: key.privateKey, kid: key.kid },
        {
          [client.modifyAssertion]: (header) => {
            header.alg = 'EdDSA';
          },
        },
      ),
    );
    const tokens = await client.clientCredentialsGrant(config);
    expect(decodeJwt(tokens.access_token).client_id).toBe('pk-inline');
  });

  it('private_key_jwt with oauth4webapi, ES384, at the token and PAR endpoints (RFC 9126 §2)', async () => {
    const key = keys.ES384 as Pair;
    const as = await oauth.processDiscoveryResponse(
      new URL(issuer),
      await oauth.discoveryRequest(new URL(issuer), { algorithm: 'oauth2', [oauth.allowInsecureRequests]: true }),
    );
    const c: oauth.Client = { client_id: 'pk-inline' };
    const auth = oauth.PrivateKeyJwt({ key: key.privateKey, kid: key.kid });
    const response = await oauth.clientCredentialsGrantRequest(as, c, auth, new URLSearchParams(), {
      [oauth.allowInsecureRequests]: true,
    });
    const tokens = await oauth.processClientCredentialsResponse(as, c, response);
    expect(tokens.token_type.toLowerCase()).toBe('bearer');
    const par = await oauth.pushedAuthorizationRequest(
      as,
      c,
      auth,
      new URLSearchParams({ response_type: 'code', redirect_uri: 'https://client.example/cb' }),
      { [oauth.allowInsecureRequests]: true },
    );
    expect(par.status).toBe(201);
  });

  it('holds a client to its token_endpoint_auth_signing_alg (OpenID Connect Registration §2)', async () => {
    const es = keys.ES256 as Pair;
    const refused = await client
      .clientCredentialsGrant(await discover('pk-bound', client.PrivateKeyJwt({ key: es.privateKey, kid: es.kid })))
      .catch((error: unknown) => error);
    // openid-client reports a 401 carrying WWW-Authenticate (RFC 9110 §15.5.2) as a challenge error.
    expect(refused).toBeInstanceOf(client.WWWAuthenticateChallengeError);
    expect((refused as client.WWWAuthenticateChallengeError).status).toBe(401);
    const ps = keys.PS256 as Pair;
    const config = await discover('pk-bound', client.PrivateKeyJwt({ key: ps.privateKey, kid: ps.kid }));
    expect((await client.clientCredentialsGrant(config)).access_token).toBeTypeOf('string');
  });

  it('refuses a key the client did not register, with a generic 401 and a challenge (RFC 6749 §5.2)', async () => {
    const stranger = await pair('ES256');
    const jwt = await assertion('pk-inline', issuer, stranger.privateKey, { alg: 'ES256' });
    const response = await fetch(`${issuer}/token`, tokenRequest(jwt));
    expect(response.status).toBe(401);
    expect(response.headers.get('www-authenticate')).toMatch(/^Basic realm=/);
    expect(await json(response)).toEqual({
      error: 'invalid_client',
      error_description: 'client authentication failed',
    });
  });

  it('jwks_uri: one fetch for many requests; a rotated key is picked up after one re-fetch on its unknown kid', async () => {
    const remote = keys.remote as Pair;
    const config = await discover('pk-remote', client.PrivateKeyJwt({ key: remote.privateKey, kid: remote.kid }));
    for (let i = 0; i < 10; i += 1) await client.clientCredentialsGrant(config);
    await Promise.all(Array.from({ length: 10 }, () => client.clientCredentialsGrant(config)));
    expect(keyServer.fetches).toBe(1);

    const next = keys.rotated as Pair;
    keyServer.keys = [remote.publicJwk, next.publicJwk];
    const rotated = await discover('pk-remote', client.PrivateKeyJwt({ key: next.privateKey, kid: next.kid }));
    expect((await client.clientCredentialsGrant(rotated)).access_token).toBeTypeOf('string');
    expect(keyServer.fetches).toBe(2);
    for (let i = 0; i < 5; i += 1) await client.clientCredentialsGrant(rotated);
    expect(keyServer.fetches).toBe(2);
  });

  it('50 parallel requests carrying one assertion: exactly one 200 (OpenID Connect Core §9: jti used once)', async () => {
    const key = keys.ES256 as Pair;
    const jwt = await assertion('pk-inline', issuer, key.privateKey, { alg: 'ES256', kid: key.kid });
    const statuses = await Promise.all(
      Array.from({ length: 50 }, () => fetch(`${issuer}/token`, tokenRequest(jwt)).then((r) => r.status)),
    );
    expect(statuses.filter((status) => status === 200)).toHaveLength(1);
    expect(statuses.filter((status) => status === 401)).toHaveLength(49);
  });

  it('AUDIENCE unset: the issuer as sole aud only; the token endpoint URL, the URL called and [attacker, issuer] are refused (rfc7523bis-11 §4)', async () => {
    const ok = await assertion('hs', issuer, secretKey, { alg: 'HS256' });
    expect((await fetch(`${issuer}/token`, tokenRequest(ok))).status).toBe(200);
    const refused: [string, string | string[]][] = [
      ['/token', `${issuer}/token`],
      ['/par', `${issuer}/par`],
      ['/token', ['https://attacker.example', issuer]],
    ];
    for (const [path, aud] of refused) {
      const jwt = await assertion('hs', aud, secretKey, { alg: 'HS256' });
      const response = await fetch(`${issuer}${path}`, tokenRequest(jwt, { response_type: 'code' }));
      expect(response.status, JSON.stringify(aud)).toBe(401);
      expect(await json(response)).toEqual({
        error: 'invalid_client',
        error_description: 'client authentication failed',
      });
    }
    await logged(server, {
      code: 'ERR_ASSERTION_AUD_MISMATCH',
      client_id: 'hs',
      endpoint: 'pushed_authorization_request',
    });
    const mismatches = logLines(server).filter((line) => line.code === 'ERR_ASSERTION_AUD_MISMATCH');
    expect(mismatches.length).toBeGreaterThanOrEqual(3);
    expect(logLines(server).some((line) => line.audience === 'compatible')).toBe(false);
  });
});

describe('Express example: AUDIENCE=compatible, the opt-in for clients that send endpoint URLs (RFC 7523 §3 as published)', () => {
  let server: RunningExample;
  let issuer: string;

  beforeAll(async () => {
    const started = await startExampleAtLoopbackIssuer('express', {
      CLIENTS_FILE: writeClients([
        { client_id: 'hs', client_secret: SECRET, token_endpoint_auth_method: 'client_secret_jwt' },
      ]),
      AUDIENCE: 'compatible',
    });
    server = started;
    issuer = started.issuer;
  });
  afterAll(() => server?.stop());

  it('says so in the banner', () => {
    expect(server.output()).toContain('assertion audience: compatible');
  });

  it('accepts the token endpoint URL, the URL called and [attacker, issuer], and logs each as relying on AUDIENCE=compatible', async () => {
    const accepted: [string, string | string[], number, string][] = [
      ['/token', `${issuer}/token`, 200, 'token'],
      ['/par', `${issuer}/par`, 201, 'pushed_authorization_request'],
      ['/introspect', ['https://attacker.example', issuer], 200, 'introspection'],
    ];
    for (const [path, aud, status, endpoint] of accepted) {
      const jwt = await assertion('hs', aud, secretKey, { alg: 'HS256' });
      const response = await fetch(`${issuer}${path}`, tokenRequest(jwt, { response_type: 'code', token: 'x' }));
      expect(response.status, JSON.stringify(aud)).toBe(status);
      await logged(server, {
        level: 'warn',
        client_id: 'hs',
        method: 'client_secret_jwt',
        endpoint,
        audience: 'compatible',
      });
    }
  });

  it('logs nothing for an assertion whose aud is the issuer alone (rfc7523bis §4)', async () => {
    const before = logLines(server).length;
    const jwt = await assertion('hs', issuer, secretKey, { alg: 'HS256' });
    expect((await fetch(`${issuer}/revoke`, tokenRequest(jwt, { token: 'x' }))).status).toBe(200);
    // A refusal afterwards: its line arriving proves the success before it logged nothing.
    const foreign = await assertion('hs', 'https://attacker.example', secretKey, { alg: 'HS256' });
    expect((await fetch(`${issuer}/revoke`, tokenRequest(foreign, { token: 'x' }))).status).toBe(401);
    await logged(server, { code: 'ERR_ASSERTION_AUD_MISMATCH', endpoint: 'revocation' });
    expect(
      logLines(server)
        .slice(before)
        .filter((line) => line.audience === 'compatible'),
    ).toEqual([]);
  });
});

/** jwks_uris that reach the key server on 127.0.0.1 through an IPv6 form (RFC 6890 special-purpose ranges). */
function translatedUris(jwksUri: string): Record<string, string> {
  const { port } = new URL(jwksUri);
  return {
    'pk-mapped': `http://[::ffff:127.0.0.1]:${port}/jwks`,
    'pk-compatible': `http://[::127.0.0.1]:${port}/jwks`,
    'pk-nat64': `http://[64:ff9b::7f00:1]:${port}/jwks`,
    'pk-6to4': `http://[2002:7f00:1::]:${port}/jwks`,
    'pk-teredo': `http://[2001:0:4136:e378:8000:63bf:80ff:fffe]:${port}/jwks`,
  };
}

describe('Express example: AUDIENCE, CLOCK_TOLERANCE and the SSRF guard without JWKS_URI_ALLOW', () => {
  let server: RunningExample;
  let issuer: string;
  const keyServer = new KeyServer();
  let loopbackKey: Pair;
  let translated: Record<string, string>;

  beforeAll(async () => {
    loopbackKey = await pair('ES256');
    keyServer.keys = [loopbackKey.publicJwk];
    const jwksUri = await keyServer.start();
    translated = translatedUris(jwksUri);
    const started = await startExampleAtLoopbackIssuer('express', {
      CLIENTS_FILE: writeClients([
        { client_id: 'hs', client_secret: SECRET, token_endpoint_auth_method: 'client_secret_jwt' },
        { client_id: 'pk-loopback', token_endpoint_auth_method: 'private_key_jwt', jwks_uri: jwksUri },
        ...Object.entries(translated).map(([client_id, jwks_uri]) => ({
          client_id,
          token_endpoint_auth_method: 'private_key_jwt',
          jwks_uri,
        })),
      ]),
      AUDIENCE: 'issuer-string',
      CLOCK_TOLERANCE: '0',
    });
    server = started;
    issuer = started.issuer;
  });
  afterAll(async () => {
    await server?.stop();
    keyServer.server.close();
  });

  it('refuses a jwks_uri on loopback unless JWKS_URI_ALLOW lists it, without fetching (SSRF guard)', async () => {
    const jwt = await assertion('pk-loopback', issuer, loopbackKey.privateKey, { alg: 'ES256' });
    expect((await fetch(`${issuer}/token`, tokenRequest(jwt))).status).toBe(401);
    expect(keyServer.fetches).toBe(0);
  });

  it('refuses jwks_uris that reach loopback through IPv4-mapped, IPv4-compatible, NAT64, 6to4 and Teredo addresses, with ERR_JWKS_URI_REFUSED and no request to the key server (RFC 6890)', async () => {
    for (const clientId of Object.keys(translated)) {
      const jwt = await assertion(clientId, issuer, loopbackKey.privateKey, { alg: 'ES256' });
      const response = await fetch(`${issuer}/token`, tokenRequest(jwt));
      expect(response.status, clientId).toBe(401);
      expect(await json(response)).toEqual({
        error: 'invalid_client',
        error_description: 'client authentication failed',
      });
      await logged(server, {
        code: 'ERR_JWKS_URI_REFUSED',
        client_id: clientId,
        endpoint: 'token',
        method: 'private_key_jwt',
      });
    }
    expect(keyServer.fetches).toBe(0);
  });

  it('AUDIENCE=issuer-string takes the issuer as a plain string only (FAPI 2.0 §5.3.2.1)', async () => {
    const ok = await assertion('hs', issuer, secretKey, { alg: 'HS256' });
    expect((await fetch(`${issuer}/token`, tokenRequest(ok))).status).toBe(200);
    const array = await assertion('hs', [issuer], secretKey, { alg: 'HS256' });
    expect((await fetch(`${issuer}/token`, tokenRequest(array))).status).toBe(401);
    const endpoint = await assertion('hs', `${issuer}/token`, secretKey, { alg: 'HS256' });
    expect((await fetch(`${issuer}/token`, tokenRequest(endpoint))).status).toBe(401);
  });

  it('CLOCK_TOLERANCE=0 refuses an assertion that expired seconds ago (RFC 7523 §3 item 4)', async () => {
    const now = Math.floor(Date.now() / 1000);
    const jwt = await assertion('hs', issuer, secretKey, { alg: 'HS256' }, { exp: now - 5, iat: now - 60 });
    expect((await fetch(`${issuer}/token`, tokenRequest(jwt))).status).toBe(401);
  });
});

describe('Express example: the built-in demo clients from the banner', () => {
  let server: RunningExample;

  beforeAll(async () => {
    server = await startExample('express');
  });
  afterAll(() => server?.stop());

  it('client_secret_jwt and private_key_jwt demo clients authenticate as the banner says', async () => {
    const issuer = `http://localhost:${server.port}`;
    const keyFile = /private JWK \(demo only\) is in\s*#\s*(\S+)/.exec(server.output())?.[1];
    expect(keyFile).toBeDefined();
    const privateJwk = JSON.parse(readFileSync(keyFile as string, 'utf8')) as JWK;
    const key = (await importJWK(privateJwk, 'ES256')) as CryptoKey;
    const pk = await assertion('demo-private-key-jwt', issuer, key, { alg: 'ES256' });
    expect((await fetch(`${server.url}/token`, tokenRequest(pk))).status).toBe(200);
    const secret = /--secret (\S+)\)/.exec(server.output())?.[1] as string;
    const hs = await assertion('demo-secret-jwt', issuer, new TextEncoder().encode(secret), { alg: 'HS256' });
    expect((await fetch(`${server.url}/token`, tokenRequest(hs))).status).toBe(200);
  });
});

/** A self-signed P-256 certificate for `san`, made for this run: [cert file, key file]. */
async function selfSigned(dir: string, name: string, san: string): Promise<[string, string]> {
  const certFile = join(dir, `${name}.pem`);
  const keyFile = join(dir, `${name}-key.pem`);
  const made = await run('openssl', [
    'req',
    '-x509',
    '-newkey',
    'ec',
    '-pkeyopt',
    'ec_paramgen_curve:P-256',
    '-nodes',
    '-days',
    '1',
    '-subj',
    `/CN=client-auth test key server ${name}`,
    '-addext',
    `subjectAltName=${san}`,
    '-keyout',
    keyFile,
    '-out',
    certFile,
  ]);
  expect(made.code).toBe(0);
  return [certFile, keyFile];
}

describe('Express example: an https jwks_uri trusted through NODE_EXTRA_CA_CERTS', () => {
  let server: RunningExample;
  let issuer: string;
  const fetches = { address: 0, name: 0 };
  let key: Pair;
  const keyServers: ReturnType<typeof createHttpsServer>[] = [];

  async function serveKeys(certFile: string, keyFile: string, count: keyof typeof fetches): Promise<number> {
    const keyServer = createHttpsServer({ cert: readFileSync(certFile), key: readFileSync(keyFile) }, (_req, res) => {
      fetches[count] += 1;
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ keys: [key.publicJwk] }));
    });
    keyServers.push(keyServer);
    await new Promise<void>((resolve) => keyServer.listen(0, '127.0.0.1', resolve));
    return (keyServer.address() as AddressInfo).port;
  }

  beforeAll(async () => {
    const dir = mkdtempSync(join(tmpdir(), 'client-auth-tls-'));
    // Self-signed certificates made for this run and trusted by the child only: one for the
    // address 127.0.0.1, one for the name localhost.
    const [addressCert, addressKey] = await selfSigned(dir, 'address', 'IP:127.0.0.1');
    const [nameCert, nameKey] = await selfSigned(dir, 'name', 'DNS:localhost');
    const trusted = join(dir, 'trusted.pem');
    writeFileSync(trusted, readFileSync(addressCert, 'utf8') + readFileSync(nameCert, 'utf8'));
    key = await pair('PS256');
    const addressPort = await serveKeys(addressCert, addressKey, 'address');
    const namePort = await serveKeys(nameCert, nameKey, 'name');
    const started = await startExampleAtLoopbackIssuer('express', {
      CLIENTS_FILE: writeClients([
        {
          client_id: 'pk-tls',
          token_endpoint_auth_method: 'private_key_jwt',
          jwks_uri: `https://127.0.0.1:${addressPort}/jwks`,
        },
        {
          client_id: 'pk-tls-name',
          token_endpoint_auth_method: 'private_key_jwt',
          jwks_uri: `https://localhost:${namePort}/jwks`,
        },
        {
          client_id: 'pk-tls-wrong-name',
          token_endpoint_auth_method: 'private_key_jwt',
          jwks_uri: `https://127.0.0.1:${namePort}/jwks`,
        },
      ]),
      JWKS_URI_ALLOW: '127.0.0.0/8,localhost',
      NODE_EXTRA_CA_CERTS: trusted,
    });
    server = started;
    issuer = started.issuer;
  });
  afterAll(async () => {
    await server?.stop();
    for (const keyServer of keyServers) keyServer.close();
  });

  async function grant(clientId: string): Promise<client.Configuration> {
    return client.discovery(
      new URL(issuer),
      clientId,
      undefined,
      client.PrivateKeyJwt({ key: key.privateKey, kid: key.kid }),
      { algorithm: 'oauth2', execute: [client.allowInsecureRequests] },
    );
  }

  it('fetches the keys over TLS once and authenticates with them (FAPI 2 §5.4.2: jwks_uri over TLS)', async () => {
    const config = await grant('pk-tls');
    for (let i = 0; i < 3; i += 1)
      expect((await client.clientCredentialsGrant(config)).access_token).toBeTypeOf('string');
    expect(fetches.address).toBe(1);
  });

  it('a host-name jwks_uri gets SNI and its certificate checked against the name (RFC 6066 §3, RFC 9110 §4.3.4)', async () => {
    const config = await grant('pk-tls-name');
    expect((await client.clientCredentialsGrant(config)).access_token).toBeTypeOf('string');
    expect(fetches.name).toBe(1);
    // The same server reached by address: its certificate names localhost only, so no request is sent.
    const jwt = await assertion('pk-tls-wrong-name', issuer, key.privateKey, { alg: 'PS256', kid: key.kid });
    expect((await fetch(`${issuer}/token`, tokenRequest(jwt))).status).toBe(401);
    await logged(server, { code: 'ERR_JWKS_UNAVAILABLE', client_id: 'pk-tls-wrong-name' });
    expect(fetches.name).toBe(1);
  });
});
