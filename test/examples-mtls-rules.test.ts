/**
 * RFC 5280 path validation for `tls_client_auth` through every example server (issue 13 §1), from
 * outside like a user: the server runs as a child process configured by environment variables
 * (TLS_PORT, TLS_CERT, TLS_KEY, TLS_CA, CERT_HEADER, TRUSTED_PROXIES, CLIENTS_FILE), and curl
 * presents each certificate of the rule table (test/helpers/pki-rules.ts)
 *
 * (a) over real mutual TLS: OpenSSL's verdict (`socket.authorized`) and the check against TLS_CA
 *     must both pass;
 * (b) through the RFC 9440 `Client-Cert`/`Client-Cert-Chain` headers from the trusted proxy
 *     127.0.0.2: the chain is validated in the process against TLS_CA.
 *
 * Every refusal must be 401 invalid_client with the generic description (the precise code is
 * asserted in packages/core/test/tls_client_auth.test.ts), every control a 200.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Agent, request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { curlJson as curl, freePort, type RunningExample, startExample } from './helpers/example-server.js';
import { createTestPki, type PkiFiles, type TestPki } from './helpers/pki.js';
import { createRuleCases, RULES, type RuleCase, writeRuleFiles } from './helpers/pki-rules.js';

let pki: TestPki;
let files: PkiFiles;
let cases: RuleCase[];
let ruleFiles: Map<string, { cert: string; key: string }>;
let clientsFile: string;
/** The mutual-TLS origin of the example under test (set by each describe). */
let httpsOrigin: string;
const running: RunningExample[] = [];

const rule = (name: string) => cases.find((candidate) => candidate.name === name) as RuleCase;
const REFUSED = { status: 401, body: { error: 'invalid_client', error_description: 'client authentication failed' } };
const TOKEN = ['-d', 'grant_type=client_credentials'];

/**
 * curl's OpenSSL refuses to load a SHA-1 certificate as its own at security level 1 ("ca md too
 * weak") whatever `--ciphers` says; Node's client lowers the level for itself (`@SECLEVEL=0`), so
 * that the server's refusal is what is tested.
 */
async function sha1Client({ leaf, client }: RuleCase): Promise<{ status: number; body: unknown }> {
  const agent = new Agent({
    connect: { ca: pki.ca.certPem, cert: leaf.certPem, key: leaf.keyPem, ciphers: 'DEFAULT:@SECLEVEL=0' },
  });
  try {
    const response = await request(`${httpsOrigin}/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: `client_id=${client.client_id}&grant_type=client_credentials`,
      dispatcher: agent,
    });
    return { status: response.statusCode, body: await response.body.json() };
  } finally {
    await agent.close();
  }
}

beforeAll(async () => {
  pki = await createTestPki();
  files = pki.writeFiles();
  cases = await createRuleCases(pki);
  ruleFiles = writeRuleFiles(files.dir, cases);
  clientsFile = join(files.dir, 'rule-clients.json');
  writeFileSync(clientsFile, JSON.stringify(cases.map((candidate) => candidate.client)));
});

afterAll(async () => {
  await Promise.all(running.map((example) => example.stop()));
});

describe.each(['express', 'koa', 'hono'] as const)('examples/%s: tls_client_auth path validation', (name) => {
  let https: string;
  let http: string;
  beforeAll(async () => {
    const tlsPort = await freePort();
    const example = await startExample(name, {
      TLS_PORT: String(tlsPort),
      TLS_CERT: files.serverCert,
      TLS_KEY: files.serverKey,
      TLS_CA: files.caCert,
      CERT_HEADER: 'rfc9440',
      // Only this peer is the proxy: the mutual-TLS connections come from 127.0.0.1 or ::1.
      TRUSTED_PROXIES: '127.0.0.2',
      CLIENTS_FILE: clientsFile,
    });
    running.push(example);
    https = `https://localhost:${tlsPort}`;
    httpsOrigin = https;
    http = example.url;
  });

  it.each(RULES)('(a) over mutual TLS: $title', async ({ name: ruleName }) => {
    const { client, code } = rule(ruleName);
    const { cert, key } = ruleFiles.get(ruleName) as { cert: string; key: string };
    const response =
      ruleName === 'sha1'
        ? await sha1Client(rule(ruleName))
        : await curl([
            '--cacert',
            files.caCert,
            '--cert',
            cert,
            '--key',
            key,
            '-d',
            `client_id=${client.client_id}`,
            ...TOKEN,
            `${https}/token`,
          ]);
    if (code === undefined) expect(response.status).toBe(200);
    else expect(response).toEqual(REFUSED);
  });

  it.each(RULES)('(b) RFC 9440 headers from the trusted proxy: $title', async ({ name: ruleName }) => {
    const { client, code, leaf, chain } = rule(ruleName);
    const sf = (der: Uint8Array) => `:${Buffer.from(der).toString('base64')}:`;
    const headers = ['-H', `Client-Cert: ${sf(leaf.der)}`];
    if (chain.length > 0) headers.push('-H', `Client-Cert-Chain: ${chain.map((link) => sf(link.der)).join(', ')}`);
    const response = await curl([
      '--interface',
      '127.0.0.2',
      ...headers,
      '-d',
      `client_id=${client.client_id}`,
      ...TOKEN,
      `${http}/token`,
    ]);
    if (code === undefined) expect(response.status).toBe(200);
    else expect(response).toEqual(REFUSED);
  });
});
