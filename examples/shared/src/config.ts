/**
 * The example servers' configuration, read only from environment variables (DESIGN.md §5).
 */
import { readFileSync } from 'node:fs';
import { CERTIFICATE_HEADER_FORMATS, type CertificateHeaderFormat, type ClientMetadata } from '@client-auth/core';
import { demoClients } from './clients.js';

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
  /** CERT_HEADER, TRUSTED_PROXIES: certificates from a TLS-terminating proxy's header. */
  certificateHeader?: { format: CertificateHeaderFormat; trustedProxies: string[] };
  /**
   * The origin of the HTTPS listener once it listens (`https://<issuer host>:<port>`), where the
   * endpoints are published as RFC 8705 `mtls_endpoint_aliases`. Set by the server start-up.
   */
  mtlsOrigin?: string;
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

function readCertificateHeader(env: NodeJS.ProcessEnv): ExampleConfig['certificateHeader'] {
  const format = env.CERT_HEADER;
  if (format === undefined || format === '') return undefined;
  if (!CERTIFICATE_HEADER_FORMATS.includes(format as CertificateHeaderFormat)) {
    fail(`CERT_HEADER must be one of ${CERTIFICATE_HEADER_FORMATS.join(', ')}, got ${JSON.stringify(format)}`);
  }
  const trustedProxies = (env.TRUSTED_PROXIES ?? '')
    .split(',')
    .map((entry) => entry.trim())
    .filter((entry) => entry !== '');
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
  const clients = file ? readClients(file) : demoClients();
  const redisUrl = readRedisUrl(env.REDIS_URL);
  const config: ExampleConfig = {
    port,
    issuer,
    clients,
    allowInsecureTransport: isLocalHttpIssuer(issuer),
    clientsSource: file ? file : 'built-in demo clients',
    redisUrl,
  };
  const tls = readTls(env);
  if (tls !== undefined) config.tls = tls;
  const certificateHeader = readCertificateHeader(env);
  if (certificateHeader !== undefined) config.certificateHeader = certificateHeader;
  return config;
}
