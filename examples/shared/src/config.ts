/**
 * The example servers' configuration, read only from environment variables (DESIGN.md §5).
 */
import { createPrivateKey, createPublicKey } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import type { AudienceMode, ClientJWK, ClientMetadata } from '@client-auth/core';
import { demoClients, demoKeyPair } from './clients.js';

export interface ExampleConfig {
  port: number;
  issuer: string;
  clients: ClientMetadata[];
  /** True when the issuer is http://localhost… or http://127.0.0.1… (local development only). */
  allowInsecureTransport: boolean;
  /** Where the clients came from, for the start-up banner. */
  clientsSource: string;
  /** `AUDIENCE`: accepted client assertion audiences; undefined for the library's default. */
  audience?: AudienceMode;
  /** `CLOCK_TOLERANCE`: seconds of clock skew allowed on assertions; undefined for the default (15). */
  clockTolerance?: number;
  /** `JWKS_URI_ALLOW`: hosts or CIDRs a client's jwks_uri may point to despite the SSRF guard. */
  jwksUriAllow: string[];
  /** Where the built-in private_key_jwt demo client's private JWK was written (demo clients only). */
  demoPrivateKeyFile?: string;
  /** REDIS_URL: record assertion jti values in this Redis (shared by instances) instead of in memory. */
  redisUrl?: string;
}

function fail(message: string): never {
  throw new Error(`configuration: ${message}`);
}

function readPort(value: string | undefined, name: string, fallback: number): number {
  if (value === undefined || value === '') return fallback;
  const port = Number(value);
  if (!Number.isInteger(port) || port < 0 || port > 65535)
    fail(`${name} must be a port number, got ${JSON.stringify(value)}`);
  return port;
}

function readClients(file: string): ClientMetadata[] {
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(file, 'utf8'));
  } catch (error) {
    fail(`CLIENTS_FILE ${file} could not be read as JSON: ${(error as Error).message}`);
  }
  if (!Array.isArray(parsed)) fail(`CLIENTS_FILE ${file} must hold a JSON array of client metadata`);
  const seen = new Set<string>();
  for (const [index, client] of parsed.entries()) {
    // RFC 7591 §2: jwks is a JWK Set, jwks_uri a URL; the core checks the rest per request.
    if (client?.jwks !== undefined && !Array.isArray(client.jwks?.keys))
      fail(`CLIENTS_FILE ${file}: entry ${index} has a jwks without a "keys" array`);
    if (client?.jwks_uri !== undefined && typeof client.jwks_uri !== 'string')
      fail(`CLIENTS_FILE ${file}: entry ${index} has a jwks_uri that is not a string`);
  }
  for (const [index, client] of parsed.entries()) {
    if (
      client === null ||
      typeof client !== 'object' ||
      typeof client.client_id !== 'string' ||
      client.client_id === ''
    ) {
      fail(`CLIENTS_FILE ${file}: entry ${index} has no client_id`);
    }
    if (seen.has(client.client_id)) fail(`CLIENTS_FILE ${file}: client_id ${client.client_id} appears twice`);
    seen.add(client.client_id);
  }
  return parsed as ClientMetadata[];
}

/** True for an http issuer on the loopback host: the only case the examples allow plain HTTP secrets. */
export function isLocalHttpIssuer(issuer: string): boolean {
  return /^http:\/\/(localhost|127\.0\.0\.1)(:\d+)?(\/|$)/i.test(issuer);
}

function readAudience(value: string | undefined): AudienceMode | undefined {
  if (value === undefined || value === '') return undefined;
  if (value !== 'compatible' && value !== 'issuer' && value !== 'issuer-string')
    fail(`AUDIENCE must be compatible, issuer or issuer-string, got ${JSON.stringify(value)}`);
  return value;
}

function readTolerance(value: string | undefined): number | undefined {
  if (value === undefined || value === '') return undefined;
  const seconds = Number(value);
  if (!Number.isFinite(seconds) || seconds < 0)
    fail(`CLOCK_TOLERANCE must be a number of seconds ≥ 0, got ${JSON.stringify(value)}`);
  return seconds;
}

/** Write the demo private JWK where the banner says, readable by this user only. */
function writeDemoKey(file: string, privateJwk: unknown): string {
  mkdirSync(dirname(file), { recursive: true, mode: 0o700 });
  writeFileSync(file, `${JSON.stringify(privateJwk, null, 2)}\n`, { mode: 0o600 });
  return file;
}

/**
 * The private_key_jwt demo client's key: read from `DEMO_KEY_FILE` when that file exists (so that
 * several example servers, or `pnpm demo`, share one key), else made at this start and written
 * there (by default to a per-port file in the temporary directory, replaced at each start).
 */
function demoKey(file: string, reuse: boolean): ClientJWK {
  if (!reuse || !existsSync(file)) {
    const { publicJwk, privateJwk } = demoKeyPair();
    writeDemoKey(file, privateJwk);
    return publicJwk;
  }
  let privateJwk: ClientJWK;
  try {
    privateJwk = JSON.parse(readFileSync(file, 'utf8')) as ClientJWK;
  } catch (error) {
    fail(`DEMO_KEY_FILE ${file} could not be read as a JWK: ${(error as Error).message}`);
  }
  const publicJwk = createPublicKey(createPrivateKey({ key: privateJwk as never, format: 'jwk' })).export({
    format: 'jwk',
  });
  return { ...publicJwk, kid: privateJwk.kid, alg: privateJwk.alg ?? 'ES256', use: 'sig' } as ClientJWK;
}

function readRedisUrl(value: string | undefined): string | undefined {
  if (value === undefined || value === '') return undefined;
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    fail('REDIS_URL must be a redis:// or rediss:// URL');
  }
  if (url.protocol !== 'redis:' && url.protocol !== 'rediss:') fail('REDIS_URL must be a redis:// or rediss:// URL');
  return value;
}

/** Read the configuration from `env` (default `process.env`). Throws with a clear message. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): ExampleConfig {
  const port = readPort(env.PORT, 'PORT', 3000);
  const issuer = (env.ISSUER && env.ISSUER !== '' ? env.ISSUER : `http://localhost:${port}`).replace(/\/$/, '');
  const file = env.CLIENTS_FILE;
  let clients: ClientMetadata[];
  let demoPrivateKeyFile: string | undefined;
  if (file) {
    clients = readClients(file);
  } else {
    demoPrivateKeyFile = env.DEMO_KEY_FILE || join(tmpdir(), 'client-auth-demo', `private-key-jwt-${port}.json`);
    clients = demoClients(demoKey(demoPrivateKeyFile, Boolean(env.DEMO_KEY_FILE)));
  }
  const audience = readAudience(env.AUDIENCE);
  const clockTolerance = readTolerance(env.CLOCK_TOLERANCE);
  const jwksUriAllow = (env.JWKS_URI_ALLOW ?? '')
    .split(',')
    .map((entry) => entry.trim())
    .filter((entry) => entry !== '');
  const redisUrl = readRedisUrl(env.REDIS_URL);
  return {
    ...(audience !== undefined ? { audience } : {}),
    ...(clockTolerance !== undefined ? { clockTolerance } : {}),
    ...(demoPrivateKeyFile !== undefined ? { demoPrivateKeyFile } : {}),
    jwksUriAllow,
    port,
    issuer,
    clients,
    allowInsecureTransport: isLocalHttpIssuer(issuer),
    clientsSource: file ? file : 'built-in demo clients',
    redisUrl,
  };
}
