/**
 * Mutual TLS end to end through Express: a real HTTPS server that requests (but does not require)
 * client certificates, real client certificates sent through an undici Agent, and proxy headers
 * from a trusted and an untrusted peer address.
 */
import { createHash } from 'node:crypto';
import { createServer as createHttpServer, type Server } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { type ClientAuthenticatorOptions, type ClientMetadata, createClientAuthenticator } from '@client-auth/core';
import express4 from 'express4';
import express5 from 'express5';
import { Agent, request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestPki, type Issued, SUBJECT_DN, type TestPki } from '../../../test/helpers/pki.js';
import { clientAuthentication } from '../src/index.js';

let pki: TestPki;
const servers: Server[] = [];
const agents: Agent[] = [];

function jwkWithX5c(leaf: Issued) {
  return { ...leaf.x509.publicKey.export({ format: 'jwk' }), x5c: [Buffer.from(leaf.der).toString('base64')] };
}

function clients(): ClientMetadata[] {
  return [
    { client_id: 'dn', token_endpoint_auth_method: 'tls_client_auth', tls_client_auth_subject_dn: SUBJECT_DN },
    { client_id: 'dns', token_endpoint_auth_method: 'tls_client_auth', tls_client_auth_san_dns: 'p256.example.com' },
    { client_id: 'ed', token_endpoint_auth_method: 'tls_client_auth', tls_client_auth_san_dns: 'ed25519.example.com' },
    { client_id: 'ip', token_endpoint_auth_method: 'tls_client_auth', tls_client_auth_san_ip: '2001:db8::10' },
    {
      client_id: 'self',
      token_endpoint_auth_method: 'self_signed_tls_client_auth',
      jwks: { keys: [jwkWithX5c(pki.leaves.selfSignedP256)] as never },
    },
    { client_id: 'post', token_endpoint_auth_method: 'client_secret_post', client_secret: 'post-secret' },
  ];
}

type AnyExpress = typeof express5;

function app(options: Partial<ClientAuthenticatorOptions> = {}, express: AnyExpress = express5) {
  const registered = clients();
  const auth = createClientAuthenticator({
    issuer: 'https://as.example.com',
    getClient: (id) => registered.find((client) => client.client_id === id),
    ...options,
  });
  const application = express();
  application.get('/peer', (req, res) => {
    res.json({ peer: req.socket.remoteAddress });
  });
  application.post('/token', clientAuthentication(auth, { endpoint: 'token' }), (req, res) => {
    res.json({ client_id: req.client?.clientId, method: req.client?.method, x5t: req.client?.certificate?.thumbprint });
  });
  return application;
}

async function httpsServer(
  options: Partial<ClientAuthenticatorOptions> = {},
  ca?: string[],
  express: AnyExpress = express5,
): Promise<string> {
  const server = createHttpsServer(
    {
      key: pki.server.keyPem,
      cert: pki.server.certPem,
      ca: ca ?? [pki.ca.certPem],
      requestCert: true,
      // The core decides: a missing or unvalidated certificate is its invalid_client, not a TLS alert.
      rejectUnauthorized: false,
    },
    app(options, express),
  );
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return `https://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

function agent(leaf?: Issued, extra: Record<string, unknown> = {}): Agent {
  const { localAddress, ...rest } = extra;
  const connect: Record<string, unknown> = { ca: pki.ca.certPem, ...rest };
  if (leaf !== undefined) {
    connect.cert = leaf.certPem;
    connect.key = leaf.keyPem;
  }
  // The source address of the connection (what the server sees as the peer).
  const made = new Agent(localAddress === undefined ? { connect } : { connect, localAddress: localAddress as string });
  agents.push(made);
  return made;
}

async function post(
  url: string,
  body: Record<string, string>,
  dispatcher: Agent,
  headers: Record<string, string> = {},
) {
  const response = await request(`${url}/token`, {
    method: 'POST',
    dispatcher,
    headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers },
    body: new URLSearchParams(body).toString(),
  });
  return { status: response.statusCode, body: (await response.body.json()) as Record<string, unknown> };
}

const thumbprint = (leaf: Issued) => createHash('sha256').update(leaf.der).digest('base64url');

beforeAll(async () => {
  pki = await createTestPki();
});

afterAll(async () => {
  await Promise.all(agents.map((made) => made.close()));
  for (const server of servers) server.closeAllConnections?.();
  await Promise.all(servers.map((server) => new Promise((resolve) => server.close(resolve))));
});

describe.each([
  ['Express 4', express4 as unknown as AnyExpress],
  ['Express 5', express5],
])('HTTPS with client certificates (undici Agent), %s', (_name, express) => {
  let url: string;
  beforeAll(async () => {
    // The server's ca is the client CA: its verdict is trusted (RFC 8705 §7.4).
    url = await httpsServer({ certificates: { from: 'socket', chainValidated: true } }, undefined, express);
  });

  it.each([
    ['subject DN, RSA', 'dn', 'subjectDn'],
    ['SAN dNSName, EC P-256', 'dns', 'p256'],
    ['SAN dNSName, Ed25519', 'ed', 'ed25519'],
    ['SAN iPAddress', 'ip', 'sanIp'],
  ] as const)('tls_client_auth by %s (RFC 8705 §2.1)', async (_title, clientId, leaf) => {
    const response = await post(
      url,
      { client_id: clientId, grant_type: 'client_credentials' },
      agent(pki.leaves[leaf]),
    );
    expect(response).toEqual({
      status: 200,
      body: { client_id: clientId, method: 'tls_client_auth', x5t: thumbprint(pki.leaves[leaf]) },
    });
  });

  it('tls_client_auth with a chain through an intermediate the client sends', async () => {
    const leaf = pki.leaves.viaIntermediate;
    const dispatcher = agent(undefined, { cert: leaf.certPem + pki.intermediate.certPem, key: leaf.keyPem });
    const response = await post(url, { client_id: 'dn' }, dispatcher);
    expect(response.status).toBe(200);
    expect(response.body.x5t).toBe(thumbprint(leaf));
  });

  it('refuses a certificate from a CA the TLS layer does not trust (RFC 8705 §2.1)', async () => {
    const response = await post(url, { client_id: 'dn' }, agent(pki.leaves.untrusted));
    expect(response).toEqual({
      status: 401,
      body: { error: 'invalid_client', error_description: 'client authentication failed' },
    });
  });

  it('refuses an expired certificate', async () => {
    expect((await post(url, { client_id: 'dn' }, agent(pki.leaves.expired))).status).toBe(401);
  });

  it('refuses a request without a certificate (RFC 8705 §2)', async () => {
    expect((await post(url, { client_id: 'dn' }, agent())).status).toBe(401);
  });

  it('refuses another client certificate for the registered identifier', async () => {
    expect((await post(url, { client_id: 'dns' }, agent(pki.leaves.p384))).status).toBe(401);
  });

  it('self_signed_tls_client_auth with the registered certificate (RFC 8705 §2.2)', async () => {
    const leaf = pki.leaves.selfSignedP256;
    const response = await post(url, { client_id: 'self' }, agent(leaf));
    expect(response).toEqual({
      status: 200,
      body: { client_id: 'self', method: 'self_signed_tls_client_auth', x5t: thumbprint(leaf) },
    });
    expect((await post(url, { client_id: 'self' }, agent(pki.leaves.selfSignedRsa))).status).toBe(401);
  });

  it('reports the certificate of a client_secret_post client for token binding', async () => {
    const response = await post(url, { client_id: 'post', client_secret: 'post-secret' }, agent(pki.leaves.sanUri));
    expect(response.body).toEqual({
      client_id: 'post',
      method: 'client_secret_post',
      x5t: thumbprint(pki.leaves.sanUri),
    });
  });

  it('the x5t#S256 equals openssl x509 -outform DER | openssl dgst -sha256 -binary, base64url', async () => {
    const { execFileSync } = await import('node:child_process');
    const leaf = pki.leaves.subjectDn;
    const der = execFileSync('openssl', ['x509', '-outform', 'DER'], { input: leaf.certPem });
    const digest = execFileSync('openssl', ['dgst', '-sha256', '-binary'], { input: der });
    const response = await post(url, { client_id: 'dn' }, agent(leaf));
    expect(response.body.x5t).toBe(digest.toString('base64url'));
  });
});

describe('HTTPS with configured trust anchors (RFC 8705 §7.4)', () => {
  it('refuses a certificate the TLS layer validated against a CA that is not a configured anchor', async () => {
    // The TLS server trusts both CAs; only the test root CA is a trust anchor for client auth.
    const url = await httpsServer({ trustAnchors: pki.ca.certPem }, [pki.ca.certPem, pki.untrustedCa.certPem]);
    expect((await post(url, { client_id: 'dn' }, agent(pki.leaves.untrusted))).status).toBe(401);
    expect((await post(url, { client_id: 'dn' }, agent(pki.leaves.subjectDn))).status).toBe(200);
    const leaf = pki.leaves.viaIntermediate;
    const chained = agent(undefined, { cert: leaf.certPem + pki.intermediate.certPem, key: leaf.keyPem });
    expect((await post(url, { client_id: 'dn' }, chained)).status).toBe(200);
  });
});

describe('certificates from a trusted proxy header', () => {
  let url: string;
  beforeAll(async () => {
    // Plain HTTP behind the "proxy": only 127.0.0.1 may set the nginx header.
    const server = createHttpServer(
      app({ certificates: { from: 'nginx', trustedProxies: ['127.0.0.1'], chainValidated: true } }),
    );
    servers.push(server);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  const header = () => ({ 'ssl-client-cert': encodeURIComponent(pki.leaves.subjectDn.certPem) });

  it('accepts the header from the trusted peer 127.0.0.1', async () => {
    const response = await post(url, { client_id: 'dn' }, agent(undefined, { localAddress: '127.0.0.1' }), header());
    expect(response).toEqual({
      status: 200,
      body: { client_id: 'dn', method: 'tls_client_auth', x5t: thumbprint(pki.leaves.subjectDn) },
    });
  });

  it('ignores the header from the untrusted peer 127.0.0.2', async () => {
    const dispatcher = agent(undefined, { localAddress: '127.0.0.2' });
    // The server does see the connection coming from 127.0.0.2.
    const peer = await request(`${url}/peer`, { dispatcher });
    expect(await peer.body.json()).toEqual({ peer: '127.0.0.2' });
    const response = await post(url, { client_id: 'dn' }, dispatcher, header());
    expect(response.status).toBe(401);
  });

  it('answers a malformed header from the trusted peer with 401, never a 500', async () => {
    const response = await post(url, { client_id: 'dn' }, agent(undefined, { localAddress: '127.0.0.1' }), {
      'ssl-client-cert': '%E0%A4%A',
    });
    expect(response.status).toBe(401);
  });
});
