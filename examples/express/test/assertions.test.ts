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
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort, type RunningExample, run, startExample } from '../../../test/helpers/example-server.js';
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

  it('accepts the token endpoint URL as audience by default (AUDIENCE unset: compatible, RFC 7523 §3)', async () => {
    const jwt = await assertion('hs', `${issuer}/token`, secretKey, { alg: 'HS256' });
    expect((await fetch(`${issuer}/token`, tokenRequest(jwt))).status).toBe(200);
  });
});

describe('Express example: AUDIENCE, CLOCK_TOLERANCE and the SSRF guard without JWKS_URI_ALLOW', () => {
  let server: RunningExample;
  let issuer: string;
  const keyServer = new KeyServer();
  let loopbackKey: Pair;

  beforeAll(async () => {
    loopbackKey = await pair('ES256');
    keyServer.keys = [loopbackKey.publicJwk];
    const jwksUri = await keyServer.start();
    const port = await freePort();
    issuer = `http://127.0.0.1:${port}`;
    server = await startExample('express', {
      PORT: String(port),
      ISSUER: issuer,
      CLIENTS_FILE: writeClients([
        { client_id: 'hs', client_secret: SECRET, token_endpoint_auth_method: 'client_secret_jwt' },
        { client_id: 'pk-loopback', token_endpoint_auth_method: 'private_key_jwt', jwks_uri: jwksUri },
      ]),
      AUDIENCE: 'issuer-string',
      CLOCK_TOLERANCE: '0',
    });
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

describe('Express example: an https jwks_uri trusted through NODE_EXTRA_CA_CERTS', () => {
  let server: RunningExample;
  let issuer: string;
  let fetches = 0;
  let key: Pair;
  let keyServer: ReturnType<typeof createHttpsServer>;

  beforeAll(async () => {
    const dir = mkdtempSync(join(tmpdir(), 'client-auth-tls-'));
    const certFile = join(dir, 'cert.pem');
    const keyFile = join(dir, 'key.pem');
    // A self-signed certificate for 127.0.0.1, made for this run and trusted by the child only.
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
      '/CN=client-auth test key server',
      '-addext',
      'subjectAltName=IP:127.0.0.1',
      '-keyout',
      keyFile,
      '-out',
      certFile,
    ]);
    expect(made.code).toBe(0);
    key = await pair('PS256');
    keyServer = createHttpsServer({ cert: readFileSync(certFile), key: readFileSync(keyFile) }, (_req, res) => {
      fetches += 1;
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ keys: [key.publicJwk] }));
    });
    await new Promise<void>((resolve) => keyServer.listen(0, '127.0.0.1', resolve));
    const jwksUri = `https://127.0.0.1:${(keyServer.address() as AddressInfo).port}/jwks`;
    const port = await freePort();
    issuer = `http://127.0.0.1:${port}`;
    server = await startExample('express', {
      PORT: String(port),
      ISSUER: issuer,
      CLIENTS_FILE: writeClients([
        { client_id: 'pk-tls', token_endpoint_auth_method: 'private_key_jwt', jwks_uri: jwksUri },
      ]),
      JWKS_URI_ALLOW: '127.0.0.0/8',
      NODE_EXTRA_CA_CERTS: certFile,
    });
  });
  afterAll(async () => {
    await server?.stop();
    keyServer?.close();
  });

  it('fetches the keys over TLS once and authenticates with them (FAPI 2 §5.4.2: jwks_uri over TLS)', async () => {
    const config = await client.discovery(
      new URL(issuer),
      'pk-tls',
      undefined,
      client.PrivateKeyJwt({ key: key.privateKey, kid: key.kid }),
      { algorithm: 'oauth2', execute: [client.allowInsecureRequests] },
    );
    for (let i = 0; i < 3; i += 1)
      expect((await client.clientCredentialsGrant(config)).access_token).toBeTypeOf('string');
    expect(fetches).toBe(1);
  });
});
