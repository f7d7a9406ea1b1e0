/**
 * The MCP client of the walkthrough. It publishes, over https, its Client ID Metadata Document
 * (whose URL is its `client_id`) and the JWK Set that document names as `jwks_uri`, then connects
 * to an MCP server as the MCP authorization spec describes: the 401 points at the protected
 * resource metadata (RFC 9728), which names the authorization server, whose metadata (RFC 8414)
 * says `client_id_metadata_document_supported`; the client then authenticates at the token
 * endpoint with `private_key_jwt` (RFC 7523 §2.2), signed with the key whose public half it
 * publishes, and calls a tool with the token.
 */
import { randomUUID } from 'node:crypto';
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { type CryptoKey, exportJWK, generateKeyPair, type JWK, SignJWT } from 'jose';
import type { Pem } from './certificate.js';

const ASSERTION_TYPE = 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer';

export interface PublishedClient {
  /** The https URL of the document: the client's `client_id`. */
  clientId: string;
  /** The document, as served. */
  document: Record<string, unknown>;
  /** Requests the client's host answered, per path (the server should need few). */
  fetches: Map<string, number>;
  privateKey: CryptoKey;
  kid: string;
  close(): Promise<void>;
}

/** Serve the document and the JWK Set over https on `localhost` (a free port). */
export async function publishClient(tls: Pem): Promise<PublishedClient> {
  const { privateKey, publicKey } = await generateKeyPair('ES256');
  const kid = randomUUID();
  const jwk: JWK = { ...(await exportJWK(publicKey)), kid, alg: 'ES256', use: 'sig' };
  const fetches = new Map<string, number>();
  let document: Record<string, unknown> = {};
  const server: Server = createServer({ cert: tls.cert, key: tls.key }, (req, res) => {
    fetches.set(req.url ?? '', (fetches.get(req.url ?? '') ?? 0) + 1);
    const headers = { 'content-type': 'application/json', 'cache-control': 'max-age=300' };
    if (req.url === '/oauth/client-metadata.json') res.writeHead(200, headers).end(JSON.stringify(document));
    else if (req.url === '/oauth/jwks.json') res.writeHead(200, headers).end(JSON.stringify({ keys: [jwk] }));
    else res.writeHead(404).end();
  });
  await new Promise<void>((resolve) => server.listen(0, 'localhost', resolve));
  const origin = `https://localhost:${(server.address() as AddressInfo).port}`;
  const clientId = `${origin}/oauth/client-metadata.json`;
  // The document (RFC 7591 names): client_id is its own URL, exactly (CIMD §4); no secret.
  document = {
    client_id: clientId,
    client_name: 'Walkthrough MCP client',
    client_uri: origin,
    grant_types: ['client_credentials'],
    token_endpoint_auth_method: 'private_key_jwt',
    token_endpoint_auth_signing_alg: 'ES256',
    jwks_uri: `${origin}/oauth/jwks.json`,
    redirect_uris: ['http://127.0.0.1:3000/callback'],
  };
  return {
    clientId,
    document,
    fetches,
    privateKey,
    kid,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

async function getJson(url: string, init?: RequestInit): Promise<Record<string, unknown>> {
  const response = await fetch(url, init);
  if (!response.ok) throw new Error(`${url} answered ${response.status}: ${await response.text()}`);
  return (await response.json()) as Record<string, unknown>;
}

/** One step of the flow, for the walkthrough to print. */
export type Step = (message: string) => void;

/**
 * Connect to the MCP endpoint `mcpUrl` and call `whoami`: discovery, a token with
 * `private_key_jwt`, then the tool call. Returns the text the tool answered.
 */
export async function connect(mcpUrl: string, client: PublishedClient, step: Step = () => {}): Promise<string> {
  const rpc = (id: number, method: string, params?: unknown): RequestInit => ({
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ jsonrpc: '2.0', id, method, ...(params === undefined ? {} : { params }) }),
  });
  const unauthenticated = await fetch(mcpUrl, rpc(1, 'tools/list'));
  const challenge = unauthenticated.headers.get('www-authenticate') ?? '';
  const resourceMetadata = /resource_metadata="([^"]+)"/.exec(challenge)?.[1];
  if (unauthenticated.status !== 401 || resourceMetadata === undefined)
    throw new Error('expected a 401 with resource_metadata');
  step(`401 from ${mcpUrl}; protected resource metadata at ${resourceMetadata} (RFC 9728 §5.1)`);
  const resource = await getJson(resourceMetadata);
  const issuer = (resource.authorization_servers as string[])[0] as string;
  const metadata = await getJson(`${issuer}/.well-known/oauth-authorization-server`);
  if (metadata.client_id_metadata_document_supported !== true)
    throw new Error('the server does not take client ID metadata documents');
  step(`authorization server ${issuer} supports client ID metadata documents; client_id ${client.clientId}`);
  const now = Math.floor(Date.now() / 1000);
  // RFC 7523 §3 as tightened by rfc7523bis §4: aud is the issuer; iss and sub are the client_id.
  const assertion = await new SignJWT({ jti: randomUUID() })
    .setProtectedHeader({ alg: 'ES256', kid: client.kid, typ: 'client-authentication+jwt' })
    .setIssuer(client.clientId)
    .setSubject(client.clientId)
    .setAudience(issuer)
    .setIssuedAt(now)
    .setExpirationTime(now + 60)
    .sign(client.privateKey);
  const token = await getJson(metadata.token_endpoint as string, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({
      grant_type: 'client_credentials',
      client_assertion_type: ASSERTION_TYPE,
      client_assertion: assertion,
    }).toString(),
  });
  step(
    `token from ${metadata.token_endpoint as string} with private_key_jwt (${token.token_type}, ${token.expires_in} s)`,
  );
  const authorized = { headers: { authorization: `Bearer ${token.access_token as string}` } };
  const tools = await getJson(mcpUrl, {
    ...rpc(2, 'tools/list'),
    headers: { ...rpc(2, 'tools/list').headers, ...authorized.headers },
  });
  step(`tools/list: ${JSON.stringify((tools.result as { tools: { name: string }[] }).tools.map((tool) => tool.name))}`);
  const call = rpc(3, 'tools/call', { name: 'whoami', arguments: {} });
  const answer = await getJson(mcpUrl, { ...call, headers: { ...call.headers, ...authorized.headers } });
  const text = (answer.result as { content: { text: string }[] }).content[0]?.text ?? '';
  step(`tools/call whoami: ${text}`);
  return text;
}
