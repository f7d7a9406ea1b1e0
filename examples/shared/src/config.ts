/**
 * The example servers' configuration, read only from environment variables (DESIGN.md §5).
 */
import { createPrivateKey, createPublicKey } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import {
  type AudienceMode,
  CERTIFICATE_HEADER_FORMATS,
  type CertificateHeaderFormat,
  type ClientJWK,
  type ClientMetadata,
  PROFILE_NAMES,
  PROFILES,
  type ProfileName,
  type UnknownClientCost,
  validateClientMetadata,
} from '@client-auth/core';
import { readClientIdMetadataDocuments } from './client_documents.js';
import { demoClients, demoKeyPair } from './clients.js';
import { demoCertificate } from './demo-certificate.js';

/** pino's levels, most severe first, and `silent`. */
export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

function readLogLevel(value: string | undefined): LogLevel {
  if (value === undefined || value === '') return 'info';
  if (!(LOG_LEVELS as readonly string[]).includes(value)) fail(`LOG_LEVEL must be one of ${LOG_LEVELS.join(', ')}`);
  return value as LogLevel;
}

export interface ExampleConfig {
  port: number;
  issuer: string;
  clients: ClientMetadata[];
  /** True when the issuer is http://localhost… or http://127.0.0.1… (local development only). */
  allowInsecureTransport: boolean;
  /** Where the clients came from, for the start-up banner. */
  clientsSource: string;
  /** TLS_PORT, TLS_CERT, TLS_KEY, TLS_CA: the HTTPS listener for mutual TLS (PEM contents). */
  tls?: { port: number; cert: string; key: string; ca?: string };
  /**
   * TRUSTED_PROXIES: the TLS-terminating proxies whose X-Forwarded-Proto / Forwarded proto=https
   * counts as TLS for secrets (the core's `trustedProxies`), with or without CERT_HEADER.
   */
  trustedProxies?: string[];
  /** CERT_HEADER, TRUSTED_PROXIES: certificates from a TLS-terminating proxy's header. */
  certificateHeader?: { format: CertificateHeaderFormat; trustedProxies: string[] };
  /**
   * The origin of the HTTPS listener once it listens (`https://<issuer host>:<port>`), where the
   * endpoints are published as RFC 8705 `mtls_endpoint_aliases`. Set by the server start-up.
   */
  mtlsOrigin?: string;
  /**
   * `AUDIENCE`: accepted client assertion audiences; undefined for the library's secure default
   * (`issuer`: the issuer as sole value, rfc7523bis §4) or the profile's (`issuer-string` for fapi2).
   * `compatible` is the opt-in for clients that still send endpoint URLs.
   */
  audience?: AudienceMode;
  /** `CLOCK_TOLERANCE`: seconds of clock skew allowed on assertions; undefined for the default (15). */
  clockTolerance?: number;
  /** `JWKS_URI_ALLOW`: hosts or CIDRs every outbound fetch (jwks_uri, client ID metadata document) may reach despite the SSRF guard. */
  jwksUriAllow: string[];
  /** `CLIENT_ID_METADATA_DOCUMENTS=1`: https URL client_ids are resolved from their metadata documents. */
  clientIdMetadataDocuments: boolean;
  /** Where the built-in private_key_jwt demo client's private JWK was written (demo clients only). */
  demoPrivateKeyFile?: string;
  /** Where the self_signed_tls_client_auth demo client's certificate and key are (demo clients only). */
  demoCertificate?: { certFile: string; keyFile: string };
  /** REDIS_URL: record assertion jti values in this Redis (shared by instances) instead of in memory. */
  redisUrl?: string;
  /** REDIS_CLUSTER_NODES: seed nodes (`host:port`) of a Redis Cluster used as REDIS_URL is. */
  redisClusterNodes?: string[];
  /** REDIS_WAIT_REPLICAS: replicas that must acknowledge a recorded jti (WAIT) before it is accepted. */
  redisWaitReplicas?: number;
  /** PROFILE: fapi1-baseline, fapi1-advanced or fapi2. */
  profile?: ProfileName;
  /**
   * FAILURE_LIMIT: `maxFailures[/windowSeconds[/blockSeconds[/maxEntries]]]` per key (brute-force
   * limiter; in Redis with REDIS_URL, else per process; `maxEntries` bounds the in-memory one).
   */
  failureLimit?: { maxFailures: number; windowSeconds?: number; blockSeconds?: number; maxEntries?: number };
  /** FAILURE_LIMIT_KEY: what the limiter counts against, `client-address` (default) or `client`. */
  failureLimitKey?: 'client' | 'client-address';
  /**
   * REPLAY_MAX_ENTRIES, REPLAY_MAX_PER_CLIENT: bounds of the in-memory replay store (all jti, and
   * the live jti of one client); undefined for the library's defaults (100000, 10000).
   */
  replayLimits?: { maxEntries?: number; maxEntriesPerClient?: number };
  /** HASH_BUDGET: `maxConcurrentHashes[/maxQueuedHashes]`, the hash budget of the authenticator. */
  hashBudget?: { maxConcurrentHashes: number; maxQueuedHashes?: number };
  /** UNKNOWN_CLIENT_COST: `auto`, `plain` or `hash` (`secrets.unknownClientCost`). */
  unknownClientCost?: UnknownClientCost;
  /** LOG_LEVEL: the pino level of the server's log (default `info`; `silent` turns it off). */
  logLevel: LogLevel;
  /**
   * ATTESTATION_ISSUERS: the trusted Client Attesters of attest_jwt_client_auth, attester `iss` →
   * its public JWK Set, read from that JSON file; ATTESTATION_CHALLENGE_SECRET: the key of the
   * challenges served at POST /challenge (the same on every instance; default random per process).
   */
  attestation?: {
    attesters: Record<string, { jwks: { keys: Record<string, unknown>[] } }>;
    file: string;
    challengeSecret?: string;
  };
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

function readPem(env: NodeJS.ProcessEnv, name: string): string | undefined {
  const file = env[name];
  if (file === undefined || file === '') return undefined;
  try {
    return readFileSync(file, 'utf8');
  } catch (error) {
    fail(`${name} ${file} could not be read: ${(error as Error).message}`);
  }
}

function readTls(env: NodeJS.ProcessEnv): ExampleConfig['tls'] {
  if (env.TLS_PORT === undefined || env.TLS_PORT === '') return undefined;
  const port = readPort(env.TLS_PORT, 'TLS_PORT', 0);
  const cert = readPem(env, 'TLS_CERT');
  const key = readPem(env, 'TLS_KEY');
  if (cert === undefined || key === undefined) fail('TLS_PORT needs TLS_CERT and TLS_KEY (PEM files)');
  const ca = readPem(env, 'TLS_CA');
  return ca === undefined ? { port, cert, key } : { port, cert, key, ca };
}

/** TRUSTED_PROXIES: the TLS-terminating proxies in front of the server (comma list). */
function readTrustedProxies(env: NodeJS.ProcessEnv): string[] {
  return (env.TRUSTED_PROXIES ?? '')
    .split(',')
    .map((entry) => entry.trim())
    .filter((entry) => entry !== '');
}

function readCertificateHeader(env: NodeJS.ProcessEnv, trustedProxies: string[]): ExampleConfig['certificateHeader'] {
  const format = env.CERT_HEADER;
  if (format === undefined || format === '') return undefined;
  if (!CERTIFICATE_HEADER_FORMATS.includes(format as CertificateHeaderFormat)) {
    fail(`CERT_HEADER must be one of ${CERTIFICATE_HEADER_FORMATS.join(', ')}, got ${JSON.stringify(format)}`);
  }
  if (trustedProxies.length === 0) fail('CERT_HEADER needs TRUSTED_PROXIES (comma list of addresses or CIDR ranges)');
  return { format: format as CertificateHeaderFormat, trustedProxies };
}

/** The origin of the HTTPS listener: the issuer's host name on the TLS port. */
export function mtlsOrigin(issuer: string, tlsPort: number): string {
  return `https://${new URL(issuer).hostname}:${tlsPort}`;
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

/** The audience mode the authenticator will run with: `AUDIENCE`, else the profile's, else `issuer`. */
export function effectiveAudience(config: Pick<ExampleConfig, 'audience' | 'profile'>): AudienceMode {
  if (config.audience !== undefined) return config.audience;
  const rule =
    config.profile === undefined ? undefined : PROFILES[config.profile].rules.find((r) => r.id === 'audience');
  return rule?.id === 'audience' ? rule.audience : 'issuer';
}

function readTolerance(value: string | undefined): number | undefined {
  if (value === undefined || value === '') return undefined;
  const seconds = Number(value);
  if (!Number.isFinite(seconds) || seconds < 0)
    fail(`CLOCK_TOLERANCE must be a number of seconds ≥ 0, got ${JSON.stringify(value)}`);
  return seconds;
}

/**
 * `FAILURE_LIMIT`: `5`, `5/60`, `5/60/300` or `5/60/300/100000` (maxFailures, windowSeconds,
 * blockSeconds, and maxEntries of the in-memory limiter).
 */
function readFailureLimit(value: string | undefined): ExampleConfig['failureLimit'] {
  if (value === undefined || value === '') return undefined;
  const parts = value.split('/').map((part) => Number(part.trim()));
  if (parts.length > 4 || parts.some((n) => !Number.isSafeInteger(n) || n < 1)) {
    fail(
      `FAILURE_LIMIT must be maxFailures[/windowSeconds[/blockSeconds[/maxEntries]]] of positive integers, got ${JSON.stringify(value)}`,
    );
  }
  const [maxFailures, windowSeconds, blockSeconds, maxEntries] = parts as [number, number?, number?, number?];
  return {
    maxFailures,
    ...(windowSeconds !== undefined ? { windowSeconds } : {}),
    ...(blockSeconds !== undefined ? { blockSeconds } : {}),
    ...(maxEntries !== undefined ? { maxEntries } : {}),
  };
}

/** `FAILURE_LIMIT_KEY`: `client-address` (the core's default) or `client`; only with FAILURE_LIMIT. */
function readFailureLimitKey(value: string | undefined, limited: boolean): ExampleConfig['failureLimitKey'] {
  if (value === undefined || value === '') return undefined;
  if (value !== 'client' && value !== 'client-address')
    fail(`FAILURE_LIMIT_KEY must be client or client-address, got ${JSON.stringify(value)}`);
  if (!limited) fail('FAILURE_LIMIT_KEY needs FAILURE_LIMIT');
  return value;
}

function readCount(value: string | undefined, name: string): number | undefined {
  if (value === undefined || value === '') return undefined;
  const count = Number(value);
  if (!Number.isSafeInteger(count) || count < 1)
    fail(`${name} must be a positive integer, got ${JSON.stringify(value)}`);
  return count;
}

/** REPLAY_MAX_ENTRIES and REPLAY_MAX_PER_CLIENT, for the in-memory replay store only. */
function readReplayLimits(env: NodeJS.ProcessEnv, redis: string | undefined): ExampleConfig['replayLimits'] {
  const maxEntries = readCount(env.REPLAY_MAX_ENTRIES, 'REPLAY_MAX_ENTRIES');
  const maxEntriesPerClient = readCount(env.REPLAY_MAX_PER_CLIENT, 'REPLAY_MAX_PER_CLIENT');
  if (maxEntries === undefined && maxEntriesPerClient === undefined) return undefined;
  if (redis !== undefined)
    fail(`REPLAY_MAX_ENTRIES and REPLAY_MAX_PER_CLIENT apply to the in-memory store, not ${redis}`);
  if (maxEntriesPerClient !== undefined && maxEntriesPerClient > (maxEntries ?? 100_000)) {
    fail('REPLAY_MAX_PER_CLIENT must not exceed REPLAY_MAX_ENTRIES (default 100000)');
  }
  return {
    ...(maxEntries !== undefined ? { maxEntries } : {}),
    ...(maxEntriesPerClient !== undefined ? { maxEntriesPerClient } : {}),
  };
}

/** `HASH_BUDGET`: `2` or `2/32` (maxConcurrentHashes, maxQueuedHashes; the core checks the ranges). */
function readHashBudget(value: string | undefined): ExampleConfig['hashBudget'] {
  if (value === undefined || value === '') return undefined;
  const parts = value.split('/').map((part) => Number(part.trim()));
  if (parts.length > 2 || parts.some((n) => !Number.isSafeInteger(n) || n < 0)) {
    fail(`HASH_BUDGET must be maxConcurrentHashes[/maxQueuedHashes] of integers, got ${JSON.stringify(value)}`);
  }
  const [maxConcurrentHashes, maxQueuedHashes] = parts as [number, number?];
  return { maxConcurrentHashes, ...(maxQueuedHashes !== undefined ? { maxQueuedHashes } : {}) };
}

function readUnknownClientCost(value: string | undefined): UnknownClientCost | undefined {
  if (value === undefined || value === '') return undefined;
  if (value !== 'auto' && value !== 'plain' && value !== 'hash')
    fail(`UNKNOWN_CLIENT_COST must be auto, plain or hash, got ${JSON.stringify(value)}`);
  return value;
}

/**
 * `ATTESTATION_ISSUERS`: a JSON file mapping each trusted attester's `iss` to its public JWK Set
 * (`{ "https://attester.example.com": { "keys": [ … ] } }`); the core checks the keys at start.
 */
function readAttestation(env: NodeJS.ProcessEnv): ExampleConfig['attestation'] {
  const file = env.ATTESTATION_ISSUERS;
  const secret = env.ATTESTATION_CHALLENGE_SECRET;
  if (file === undefined || file === '') {
    if (secret !== undefined && secret !== '') fail('ATTESTATION_CHALLENGE_SECRET needs ATTESTATION_ISSUERS');
    return undefined;
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(file, 'utf8'));
  } catch (error) {
    fail(`ATTESTATION_ISSUERS ${file} could not be read as JSON: ${(error as Error).message}`);
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed) || Object.keys(parsed).length === 0) {
    fail(`ATTESTATION_ISSUERS ${file} must hold a JSON object mapping attester iss to a JWK Set`);
  }
  const attesters: NonNullable<ExampleConfig['attestation']>['attesters'] = {};
  for (const [iss, jwks] of Object.entries(parsed)) {
    if (jwks === null || typeof jwks !== 'object' || !Array.isArray((jwks as { keys?: unknown }).keys)) {
      fail(`ATTESTATION_ISSUERS ${file}: ${iss} must map to a JWK Set ({ "keys": [...] })`);
    }
    attesters[iss] = { jwks: jwks as { keys: Record<string, unknown>[] } };
  }
  if (secret !== undefined && secret !== '' && Buffer.byteLength(secret) < 32) {
    fail('ATTESTATION_CHALLENGE_SECRET must be at least 32 octets');
  }
  return { attesters, file, ...(secret !== undefined && secret !== '' ? { challengeSecret: secret } : {}) };
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

/** REDIS_CLUSTER_NODES: a comma list of `host:port` seed nodes. */
function readRedisClusterNodes(value: string | undefined): string[] | undefined {
  if (value === undefined || value === '') return undefined;
  const nodes = value.split(',').map((node) => node.trim());
  for (const node of nodes) {
    const match = /^(\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9.-]+):(\d{1,5})$/.exec(node);
    if (match === null || Number(match[2]) < 1 || Number(match[2]) > 65_535) {
      fail(`REDIS_CLUSTER_NODES must be a comma list of host:port, got ${JSON.stringify(node)}`);
    }
  }
  return nodes;
}

function readProfile(value: string | undefined): ProfileName | undefined {
  if (value === undefined || value === '') return undefined;
  if (!PROFILE_NAMES.includes(value as ProfileName)) {
    fail(`PROFILE must be one of ${PROFILE_NAMES.join(', ')}, got ${JSON.stringify(value)}`);
  }
  return value as ProfileName;
}

/** Whether the examples may fetch an http jwks_uri: a local issuer, unless the profile forbids it. */
export function allowHttpJwksUri(issuer: string, profile: ProfileName | undefined): boolean {
  const httpsOnly = profile !== undefined && PROFILES[profile].rules.some((rule) => rule.id === 'jwks-uri-https');
  return isLocalHttpIssuer(issuer) && !httpsOnly;
}

/**
 * RFC 7591 validation of every client (and against the profile): a CLIENTS_FILE with a bad client
 * refuses to start, listing each bad client and why; built-in demo clients the profile does not
 * allow are left out.
 */
function checkClients(
  clients: ClientMetadata[],
  source: string | undefined,
  profile: ProfileName | undefined,
  allowHttp: boolean,
): ClientMetadata[] {
  const options = { allowHttpJwksUri: allowHttp, ...(profile !== undefined ? { profile } : {}) };
  if (source === undefined) return clients.filter((client) => validateClientMetadata(client, options).valid);
  const report: string[] = [];
  for (const client of clients) {
    const { problems } = validateClientMetadata(client, options);
    for (const problem of problems)
      report.push(`  - ${client.client_id}: ${problem.field}: ${problem.error_description}`);
  }
  if (report.length > 0) fail(`CLIENTS_FILE ${source} has invalid client metadata (RFC 7591):\n${report.join('\n')}`);
  return clients;
}

/** Read the configuration from `env` (default `process.env`). Throws with a clear message. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): ExampleConfig {
  const port = readPort(env.PORT, 'PORT', 3000);
  const issuer = (env.ISSUER && env.ISSUER !== '' ? env.ISSUER : `http://localhost:${port}`).replace(/\/$/, '');
  const file = env.CLIENTS_FILE;
  const attestation = readAttestation(env);
  let clients: ClientMetadata[];
  let demoPrivateKeyFile: string | undefined;
  let demoCertificateFiles: ExampleConfig['demoCertificate'];
  if (file) {
    clients = readClients(file);
  } else {
    demoPrivateKeyFile = env.DEMO_KEY_FILE || join(tmpdir(), 'client-auth-demo', `private-key-jwt-${port}.json`);
    // DEMO_CERT_FILE / DEMO_CERT_KEY_FILE: reused when both exist, like DEMO_KEY_FILE.
    const certEnv = [env.DEMO_CERT_FILE, env.DEMO_CERT_KEY_FILE].filter((value) => value !== undefined && value !== '');
    const shared = certEnv.length === 2;
    if (certEnv.length === 1)
      fail('DEMO_CERT_FILE and DEMO_CERT_KEY_FILE go together (the certificate and its private key, PEM)');
    const { certFile, keyFile, jwk } = demoCertificate(
      (shared && env.DEMO_CERT_FILE) || join(tmpdir(), 'client-auth-demo', `self-signed-${port}.crt`),
      (shared && env.DEMO_CERT_KEY_FILE) || join(tmpdir(), 'client-auth-demo', `self-signed-${port}.key`),
      shared,
    );
    demoCertificateFiles = { certFile, keyFile };
    clients = demoClients(demoKey(demoPrivateKeyFile, Boolean(env.DEMO_KEY_FILE)), jwk, attestation !== undefined);
  }
  const audience = readAudience(env.AUDIENCE);
  const clockTolerance = readTolerance(env.CLOCK_TOLERANCE);
  const jwksUriAllow = (env.JWKS_URI_ALLOW ?? '')
    .split(',')
    .map((entry) => entry.trim())
    .filter((entry) => entry !== '');
  const redisUrl = readRedisUrl(env.REDIS_URL);
  const redisClusterNodes = readRedisClusterNodes(env.REDIS_CLUSTER_NODES);
  if (redisUrl !== undefined && redisClusterNodes !== undefined) fail('set REDIS_URL or REDIS_CLUSTER_NODES, not both');
  const redisWaitReplicas = readCount(env.REDIS_WAIT_REPLICAS, 'REDIS_WAIT_REPLICAS');
  if (redisWaitReplicas !== undefined && redisUrl === undefined && redisClusterNodes === undefined) {
    fail('REDIS_WAIT_REPLICAS needs REDIS_URL or REDIS_CLUSTER_NODES');
  }
  const profile = readProfile(env.PROFILE);
  const failureLimit = readFailureLimit(env.FAILURE_LIMIT);
  const failureLimitKey = readFailureLimitKey(env.FAILURE_LIMIT_KEY, failureLimit !== undefined);
  const replayLimits = readReplayLimits(
    env,
    redisUrl !== undefined ? 'REDIS_URL' : redisClusterNodes !== undefined ? 'REDIS_CLUSTER_NODES' : undefined,
  );
  const hashBudget = readHashBudget(env.HASH_BUDGET);
  const unknownClientCost = readUnknownClientCost(env.UNKNOWN_CLIENT_COST);
  const logLevel = readLogLevel(env.LOG_LEVEL);
  clients = checkClients(clients, file || undefined, profile, allowHttpJwksUri(issuer, profile));
  const config: ExampleConfig = {
    ...(profile !== undefined ? { profile } : {}),
    ...(failureLimit !== undefined ? { failureLimit } : {}),
    ...(failureLimitKey !== undefined ? { failureLimitKey } : {}),
    ...(replayLimits !== undefined ? { replayLimits } : {}),
    ...(hashBudget !== undefined ? { hashBudget } : {}),
    ...(unknownClientCost !== undefined ? { unknownClientCost } : {}),
    ...(audience !== undefined ? { audience } : {}),
    ...(clockTolerance !== undefined ? { clockTolerance } : {}),
    ...(demoPrivateKeyFile !== undefined ? { demoPrivateKeyFile } : {}),
    ...(attestation !== undefined ? { attestation } : {}),
    ...(demoCertificateFiles !== undefined ? { demoCertificate: demoCertificateFiles } : {}),
    jwksUriAllow,
    clientIdMetadataDocuments: readClientIdMetadataDocuments(env.CLIENT_ID_METADATA_DOCUMENTS),
    logLevel,
    port,
    issuer,
    clients,
    allowInsecureTransport: isLocalHttpIssuer(issuer),
    clientsSource: file ? file : 'built-in demo clients',
    redisUrl,
    ...(redisClusterNodes !== undefined ? { redisClusterNodes } : {}),
    ...(redisWaitReplicas !== undefined ? { redisWaitReplicas } : {}),
  };
  const tls = readTls(env);
  if (tls !== undefined) config.tls = tls;
  const trustedProxies = readTrustedProxies(env);
  if (trustedProxies.length > 0) config.trustedProxies = trustedProxies;
  const certificateHeader = readCertificateHeader(env, trustedProxies);
  if (certificateHeader !== undefined) config.certificateHeader = certificateHeader;
  return config;
}
