/**
 * Client keys: the JWK Set a client registered inline (`jwks`) or by reference (`jwks_uri`,
 * RFC 7591 §2). A `jwks_uri` is fetched over https only (plain http only when explicitly allowed),
 * with a timeout, a response size cap and an SSRF guard; it is cached per client with a freshness
 * taken from `Cache-Control` within a floor and a ceiling, one fetch in flight per client, one
 * re-fetch on an unknown `kid` per cool-down, and the last good keys served for a grace period when
 * a fetch fails. Keys never come from the JWS header (`jwk`, `jku`, `x5u`, `x5c`).
 */
import { lookup as dnsLookup, type LookupAddress } from 'node:dns';
import { request as httpRequest, type IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { BlockList, isIP, type LookupFunction, connect as netConnect, type Socket } from 'node:net';
import { connect as tlsConnect } from 'node:tls';
import type { Config } from './config.js';
import { InvalidClient } from './errors.js';
import { fail as failOption } from './option_checks.js';
import { canonicalAddress, isPublicAddress, nonPublicReason } from './special_addresses.js';
import type { ClientJWK, ClientMetadata } from './types.js';

/** Where a `jwks_uri` fetch is about to connect: what the SSRF guard decides on. */
export interface JwksTarget {
  /** The client's `jwks_uri`. */
  url: URL;
  /**
   * The IP address the connection goes to (resolved from the host name, or the literal), in
   * canonical form: dotted IPv4 (an IPv4-mapped IPv6 address is given as its IPv4 address, the
   * host a dual-stack socket reaches), RFC 5952 IPv6.
   */
  address: string;
  /** 4 or 6, of `address`. */
  family: number;
}

/**
 * A fetch function for `jwks_uri` (WHATWG `fetch` shape). When given, the SSRF guard runs on the
 * addresses the host name resolves to *before* the call, and the fetch resolves the name again
 * itself: a name that answers differently the second time (DNS rebinding) escapes the guard. The
 * built-in fetcher resolves once, connects only to addresses that passed, and checks the address
 * the socket is connected to before sending a byte: prefer it unless you need a proxy.
 */
export type JwksFetch = (
  url: string,
  init: { signal: AbortSignal; headers: Record<string, string>; redirect: 'manual' },
) => Promise<Response>;

/** Options of `jwks_uri` fetching and caching (the `jwks` option of the authenticator). */
export interface JwksOptions {
  /** Fetch function. Default: a built-in `node:http`/`node:https` fetcher that pins the guarded address. */
  fetch?: JwksFetch;
  /**
   * Resolve host names (`dns.lookup` shape, as `net.connect` takes it), e.g. a caching or
   * split-horizon resolver. It is asked for every address (`all: true`); every address it answers
   * must pass the SSRF guard, or the fetch is refused. Default `dns.lookup`.
   */
  lookup?: LookupFunction;
  /** Accept `http:` `jwks_uri`s. For local development only (FAPI 2 §5.4.2: only over TLS). Default false. */
  allowHttp?: boolean;
  /**
   * Hosts or CIDRs a `jwks_uri` may point to despite the SSRF guard, e.g.
   * `['127.0.0.1', 'localhost', '10.0.0.0/8']`. A host name matches the URL's host exactly
   * (case-insensitive) and lets it reach whatever it resolves to; an address or CIDR matches the
   * address connected to (an IPv4 entry also its IPv4-mapped form, the same host), and every
   * address a name resolves to must match one or be public. Default none.
   */
  allow?: readonly string[];
  /**
   * The SSRF guard: return true to let a fetch connect to `target`. Default
   * {@link isPublicAddress}: only addresses the IANA Special-Purpose Address Registries (RFC 6890)
   * call globally reachable; loopback, private, CGNAT, link-local, ULA, documentation,
   * benchmarking, multicast, reserved and unspecified addresses are refused, and so are IPv6
   * addresses that reach IPv4 space through a translator or tunnel (IPv4-compatible, NAT64 to a
   * non-public IPv4, the local-use NAT64 prefix, 6to4, Teredo). Targets matching `allow` are let
   * through without asking it. Called for every address a host name resolves to; one refusal
   * refuses the fetch.
   */
  allowHost?: (target: JwksTarget) => boolean;
  /** Milliseconds a fetch may take, connection to last octet. Default 5000. */
  timeout?: number;
  /** Largest response body, in octets. Default 131072 (128 KiB). */
  maxBytes?: number;
  /** Seconds between two re-fetches caused by an unknown `kid` for one client. Default 30 (as jose). */
  cooldown?: number;
  /** Shortest freshness, whatever `Cache-Control` says (seconds). Default 60. */
  minFreshness?: number;
  /** Longest freshness, whatever `Cache-Control` says (seconds). Default 86400. */
  maxFreshness?: number;
  /** Freshness when the response has no `Cache-Control: max-age` (seconds, then clamped). Default 600. */
  defaultFreshness?: number;
  /** Seconds past freshness during which the last good keys are still used when a fetch fails. Default 3600. */
  gracePeriod?: number;
  /** Most clients whose keys are cached at once (the oldest entries are dropped first). Default 10000. */
  maxClients?: number;
}

/** The most keys a JWK Set may hold (inline or fetched). */
export const MAX_JWKS_KEYS = 100;
/**
 * After a failed fetch, further requests for that client wait this long before fetching again,
 * counted from when the failure was known (the end of the fetch): counted from its start, a fetch
 * that timed out after `timeout` ≥ this would be retried at once, by every request that follows.
 */
const FAILURE_BACKOFF_MS = 5_000;

interface NormalizedJwksOptions {
  fetch: JwksFetch | undefined;
  lookup: LookupFunction;
  allowHttp: boolean;
  allowHosts: ReadonlySet<string>;
  /** Allowed addresses and CIDRs, IPv4 and IPv6 kept apart (a BlockList matches IPv4 against IPv4-mapped rules). */
  allowAddresses: { v4: BlockList; v6: BlockList };
  allowHost: ((target: JwksTarget) => boolean) | undefined;
  timeout: number;
  maxBytes: number;
  cooldown: number;
  minFreshness: number;
  maxFreshness: number;
  defaultFreshness: number;
  gracePeriod: number;
  maxClients: number;
}

function fail(message: string): never {
  return failOption(`jwks.${message}`);
}

function seconds(value: unknown, name: string, fallback: number): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) fail(`${name} must be a number ≥ 0`);
  return value;
}

function positiveInteger(value: unknown, name: string, fallback: number): number {
  if (value === undefined) return fallback;
  if (!Number.isSafeInteger(value) || (value as number) < 1) fail(`${name} must be a positive integer`);
  return value as number;
}

/** Add one `allow` entry (host name, address or CIDR) to the lists. */
function addAllowed(entry: unknown, hosts: Set<string>, addresses: { v4: BlockList; v6: BlockList }): void {
  if (typeof entry !== 'string' || entry.trim() === '') fail('allow entries must be non-empty strings');
  const value = entry.trim();
  const slash = value.indexOf('/');
  if (slash !== -1) {
    const network = value.slice(0, slash);
    const prefix = Number(value.slice(slash + 1));
    const family = isIP(network);
    if (family === 0 || !Number.isInteger(prefix) || prefix < 0 || prefix > (family === 4 ? 32 : 128)) {
      fail(`allow: ${JSON.stringify(value)} is not a valid CIDR`);
    }
    if (family === 4) addresses.v4.addSubnet(network, prefix, 'ipv4');
    else addresses.v6.addSubnet(network, prefix, 'ipv6');
    return;
  }
  // An address entry is kept in the canonical form the guard compares (an IPv4-mapped one as IPv4).
  const literal = canonicalAddress(value.replace(/^\[(.*)\]$/, '$1'));
  const family = literal === undefined ? 0 : isIP(literal);
  if (family === 4) addresses.v4.addAddress(literal as string, 'ipv4');
  else if (family === 6) addresses.v6.addAddress(literal as string, 'ipv6');
  else hosts.add(value.toLowerCase());
}

/** Validate the `jwks` options. Throws `TypeError` on the first problem. */
export function normalizeJwksOptions(options: JwksOptions | undefined): NormalizedJwksOptions {
  if (options !== undefined && (options === null || typeof options !== 'object')) fail('must be an object');
  const o = options ?? {};
  if (o.fetch !== undefined && typeof o.fetch !== 'function') fail('fetch must be a function');
  if (o.allowHost !== undefined && typeof o.allowHost !== 'function') fail('allowHost must be a function');
  if (o.lookup !== undefined && typeof o.lookup !== 'function') fail('lookup must be a function');
  if (o.allowHttp !== undefined && typeof o.allowHttp !== 'boolean') fail('allowHttp must be a boolean');
  const allowHosts = new Set<string>();
  const allowAddresses = { v4: new BlockList(), v6: new BlockList() };
  if (o.allow !== undefined) {
    if (!Array.isArray(o.allow)) fail('allow must be an array of host names, addresses or CIDRs');
    for (const entry of o.allow) addAllowed(entry, allowHosts, allowAddresses);
  }
  const minFreshness = seconds(o.minFreshness, 'minFreshness', 60);
  const maxFreshness = seconds(o.maxFreshness, 'maxFreshness', 86_400);
  if (maxFreshness < minFreshness) fail('maxFreshness must not be below minFreshness');
  return {
    fetch: o.fetch,
    lookup: o.lookup ?? dnsLookup,
    allowHttp: o.allowHttp === true,
    allowHosts,
    allowAddresses,
    allowHost: o.allowHost,
    timeout: positiveInteger(o.timeout, 'timeout', 5_000),
    maxBytes: positiveInteger(o.maxBytes, 'maxBytes', 128 * 1024),
    cooldown: seconds(o.cooldown, 'cooldown', 30),
    minFreshness,
    maxFreshness,
    defaultFreshness: seconds(o.defaultFreshness, 'defaultFreshness', 600),
    gracePeriod: seconds(o.gracePeriod, 'gracePeriod', 3_600),
    maxClients: positiveInteger(o.maxClients, 'maxClients', 10_000),
  };
}

class GuardRefused extends Error {
  constructor(address: string) {
    const reason = nonPublicReason(address);
    super(`jwks_uri target ${address} refused by the SSRF guard${reason === undefined ? '' : ` (${reason})`}`);
    this.name = 'GuardRefused';
  }
}

/** True when the SSRF guard refused the fetch (possibly wrapped by `node:http` or a fetch). */
function isGuardRefusal(error: unknown): boolean {
  for (let current = error, depth = 0; current instanceof Error && depth < 4; depth += 1) {
    if (current instanceof GuardRefused) return true;
    current = current.cause;
  }
  return false;
}

/**
 * The guard's decision on one address, in canonical form (undefined when refused). An
 * IPv4-mapped address is decided, and allow-listed, as the IPv4 address it is (RFC 4291
 * §2.5.5.2); every other IPv6 address as itself, so an IPv4 allow entry never lets a translated
 * or tunnelled address through.
 */
function allowedAddress(options: NormalizedJwksOptions, url: URL, address: string): string | undefined {
  const canonical = canonicalAddress(address);
  if (canonical === undefined) return undefined;
  const family = isIP(canonical);
  if (options.allowHosts.has(url.hostname.toLowerCase())) return canonical;
  if (family === 4 && options.allowAddresses.v4.check(canonical, 'ipv4')) return canonical;
  if (family === 6 && options.allowAddresses.v6.check(canonical, 'ipv6')) return canonical;
  if (options.allowHost !== undefined) {
    return options.allowHost({ url, address: canonical, family }) === true ? canonical : undefined;
  }
  return isPublicAddress(canonical) ? canonical : undefined;
}

type LookupCallback = (error: Error | null, address: string | LookupAddress[], family?: number) => void;

/** What a resolver answered, as a list (a resolver may answer one address even when asked for all). */
function answerList(address: string | LookupAddress[] | undefined, family: number | undefined): LookupAddress[] {
  if (Array.isArray(address)) return address;
  if (typeof address !== 'string') return [];
  return [{ address, family: family ?? isIP(address) }];
}

/**
 * A `lookup` for `net.connect` that resolves every address of the name, refuses the fetch unless
 * each one passes the guard (happy eyeballs, `autoSelectFamily`, tries them all), and records the
 * ones that passed in `passed`: the connected socket must be on one of them.
 */
function guardedLookup(options: NormalizedJwksOptions, url: URL, passed: Set<string>) {
  return (hostname: string, lookupOptions: { all?: boolean }, callback: LookupCallback): void => {
    options.lookup(hostname, { ...lookupOptions, all: true }, (error, address, family) => {
      if (error) return callback(error, '');
      const answers = answerList(address, family);
      const allowed: LookupAddress[] = [];
      for (const entry of answers) {
        const canonical = allowedAddress(options, url, entry.address);
        if (canonical === undefined) return callback(new GuardRefused(entry.address), '');
        passed.add(canonical);
        allowed.push({ address: entry.address, family: isIP(entry.address) });
      }
      const first = allowed[0];
      if (first === undefined) return callback(new GuardRefused(hostname), '');
      if (lookupOptions.all === true) return callback(null, allowed);
      return callback(null, first.address, first.family);
    });
  };
}

/** The host part of a URL as a bare IP literal, or undefined for a name. */
function literalAddress(url: URL): string | undefined {
  const host = url.hostname.replace(/^\[(.*)\]$/, '$1');
  return isIP(host) === 0 ? undefined : host;
}

type ConnectionCallback = (error: Error | null, socket?: Socket) => void;

/**
 * `createConnection` for `node:http(s)`: a fresh TCP connection per fetch (a pooled socket could
 * bypass the guard) through {@link guardedLookup}; once connected, its `remoteAddress` must be one
 * that passed, or the socket is destroyed before a byte (request or TLS ClientHello) is written.
 * TLS runs on top only then, with the URL's host name for SNI and certificate checks.
 */
function guardedConnection(options: NormalizedJwksOptions, url: URL, signal: AbortSignal) {
  return (_requestOptions: unknown, done: ConnectionCallback): undefined => {
    const passed = new Set<string>();
    const literal = literalAddress(url);
    if (literal !== undefined) {
      const canonical = allowedAddress(options, url, literal);
      if (canonical === undefined) {
        done(new GuardRefused(literal));
        return undefined;
      }
      passed.add(canonical);
    }
    const secure = url.protocol === 'https:';
    const host = literal ?? url.hostname;
    const port = Number(url.port || (secure ? 443 : 80));
    const tcp = netConnect({ host, port, signal, lookup: guardedLookup(options, url, passed) as never });
    const onError = (error: Error) => done(error);
    tcp.once('error', onError);
    tcp.once('connect', () => {
      const remote = canonicalAddress(tcp.remoteAddress ?? '');
      if (remote === undefined || !passed.has(remote)) {
        tcp.destroy();
        done(new GuardRefused(tcp.remoteAddress ?? 'an unknown address'));
        return;
      }
      tcp.off('error', onError);
      if (!secure) {
        done(null, tcp);
        return;
      }
      const tls = tlsConnect({
        socket: tcp,
        host,
        ...(literal === undefined ? { servername: url.hostname } : {}),
        ALPNProtocols: ['http/1.1'],
      });
      tcp.on('error', (error) => tls.destroy(error));
      done(null, tls);
    });
    return undefined;
  };
}

interface FetchedDocument {
  status: number;
  cacheControl: string | undefined;
  body: string;
}

/** Read at most `maxBytes` of a Node response. */
function readNodeBody(response: IncomingMessage, maxBytes: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    response.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > maxBytes) {
        response.destroy(new Error('jwks_uri response exceeds the size cap'));
        return;
      }
      chunks.push(chunk);
    });
    response.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    response.on('error', reject);
    response.on('aborted', () => reject(new Error('jwks_uri response aborted')));
  });
}

/** The built-in fetcher: `node:http(s)`, the guard applied to the address actually connected to. */
function builtInFetch(options: NormalizedJwksOptions, url: URL, signal: AbortSignal): Promise<FetchedDocument> {
  const send = url.protocol === 'https:' ? httpsRequest : httpRequest;
  return new Promise<FetchedDocument>((resolve, reject) => {
    const request = send(
      url,
      {
        method: 'GET',
        headers: { accept: 'application/jwk-set+json, application/json' },
        signal,
        // No agent: the connection is made (and guarded) for this fetch only.
        createConnection: guardedConnection(options, url, signal) as never,
      },
      (response) => {
        const length = Number(response.headers['content-length']);
        if (Number.isFinite(length) && length > options.maxBytes) {
          response.destroy();
          reject(new Error('jwks_uri response exceeds the size cap'));
          return;
        }
        readNodeBody(response, options.maxBytes).then(
          (body) =>
            resolve({
              status: response.statusCode ?? 0,
              cacheControl: response.headers['cache-control'],
              body,
            }),
          reject,
        );
      },
    );
    request.on('error', reject);
    request.end();
  });
}

/** A caller-supplied fetch: guard the resolved addresses first, then read with the size cap. */
async function customFetch(
  options: NormalizedJwksOptions,
  fetch: JwksFetch,
  url: URL,
  signal: AbortSignal,
): Promise<FetchedDocument> {
  const literal = literalAddress(url);
  const addresses =
    literal !== undefined
      ? [{ address: literal, family: isIP(literal) }]
      : await new Promise<LookupAddress[]>((resolve, reject) =>
          options.lookup(url.hostname, { all: true }, (error, found, family) =>
            error ? reject(error) : resolve(answerList(found, family)),
          ),
        );
  if (addresses.length === 0) throw new GuardRefused(url.hostname);
  for (const { address } of addresses) {
    if (allowedAddress(options, url, address) === undefined) throw new GuardRefused(address);
  }
  const response = await fetch(url.href, {
    signal,
    headers: { accept: 'application/jwk-set+json, application/json' },
    redirect: 'manual',
  });
  const length = Number(response.headers.get('content-length'));
  if (Number.isFinite(length) && length > options.maxBytes) throw new Error('jwks_uri response exceeds the size cap');
  const chunks: Uint8Array[] = [];
  let size = 0;
  if (response.body !== null) {
    const reader = response.body.getReader();
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      size += value.byteLength;
      if (size > options.maxBytes) {
        await reader.cancel();
        throw new Error('jwks_uri response exceeds the size cap');
      }
      chunks.push(value);
    }
  }
  return {
    status: response.status,
    cacheControl: response.headers.get('cache-control') ?? undefined,
    body: Buffer.concat(chunks).toString('utf8'),
  };
}

/**
 * The usable keys of a JWK Set (RFC 7517 §5), or undefined when it is not one. Members that are
 * not objects with a string `kty` are skipped, as RFC 7517 §5 lets implementations ignore keys
 * they do not understand.
 */
export function jwkSetKeys(value: unknown): ClientJWK[] | undefined {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return undefined;
  const keys = (value as { keys?: unknown }).keys;
  if (!Array.isArray(keys) || keys.length > MAX_JWKS_KEYS) return undefined;
  return keys.filter(
    (key): key is ClientJWK =>
      key !== null && typeof key === 'object' && !Array.isArray(key) && typeof key.kty === 'string',
  );
}

/** Freshness in seconds from `Cache-Control` (RFC 9111 §5.2.2), clamped to the floor and ceiling. */
export function freshnessOf(cacheControl: string | undefined, options: NormalizedJwksOptions): number {
  let freshness = options.defaultFreshness;
  if (cacheControl !== undefined) {
    const directives = cacheControl.toLowerCase();
    const maxAge = /(?:^|[,\s])max-age\s*=\s*"?(\d+)"?/.exec(directives);
    if (/(?:^|[,\s])(?:no-store|no-cache)(?:$|[,\s=])/.test(directives)) freshness = 0;
    else if (maxAge !== null) freshness = Number(maxAge[1]);
  }
  return Math.min(Math.max(freshness, options.minFreshness), options.maxFreshness);
}

interface CacheEntry {
  /** The last good keys. */
  keys: ClientJWK[] | undefined;
  /** Until when (ms) the keys are fresh. */
  freshUntil: number;
  /** Until when (ms) the last good keys may stand in for a failed fetch. */
  graceUntil: number;
  /** No new fetch before this (ms) after a failure. */
  retryAfter: number;
  /** Why the last fetch failed: the SSRF guard refused the target, or anything else. */
  failure: 'ERR_JWKS_URI_REFUSED' | 'ERR_JWKS_UNAVAILABLE';
  /** When the last unknown-kid re-fetch started (ms). */
  lastRefresh: number;
  /** The fetch in flight, shared by every concurrent caller (single flight). */
  inflight: Promise<ClientJWK[]> | undefined;
}

/** Counters for observability and tests. */
export interface JwksCacheStats {
  /** Fetches started. */
  fetches: number;
  /** Fetches that failed. */
  failures: number;
}

/**
 * The per-authenticator cache of `jwks_uri` key sets. One instance lives in each authenticator's
 * configuration: no global state.
 */
export class JwksCache {
  readonly options: NormalizedJwksOptions;
  readonly #now: () => number;
  readonly #entries = new Map<string, CacheEntry>();
  readonly stats: JwksCacheStats = { fetches: 0, failures: 0 };

  constructor(options: NormalizedJwksOptions, now: () => number) {
    this.options = options;
    this.#now = now;
  }

  /** Keys of `uri` for `clientId`; `refresh` asks for a re-fetch (unknown `kid`), within the cool-down. */
  async get(clientId: string, uri: URL, refresh: boolean): Promise<ClientJWK[]> {
    const cacheKey = `${clientId}\n${uri.href}`;
    let entry = this.#entries.get(cacheKey);
    if (entry === undefined) {
      entry = {
        keys: undefined,
        freshUntil: 0,
        graceUntil: 0,
        retryAfter: 0,
        failure: 'ERR_JWKS_UNAVAILABLE',
        lastRefresh: -Infinity,
        inflight: undefined,
      };
      this.#remember(cacheKey, entry);
    }
    if (entry.inflight !== undefined) return entry.inflight;
    const now = this.#now();
    if (entry.keys !== undefined && now < entry.freshUntil) {
      // Fresh: re-fetch only for an unknown kid, and at most once per cool-down.
      if (!refresh || now - entry.lastRefresh < this.options.cooldown * 1000) return entry.keys;
      entry.lastRefresh = now;
    } else if (now < entry.retryAfter) {
      // Stale after a recent failure: do not hammer the client's server.
      if (entry.keys !== undefined && now < entry.graceUntil) return entry.keys;
      throw new InvalidClient(entry.failure);
    }
    const inflight = this.#fetch(uri, entry);
    entry.inflight = inflight;
    try {
      return await inflight;
    } finally {
      entry.inflight = undefined;
    }
  }

  #remember(cacheKey: string, entry: CacheEntry): void {
    if (this.#entries.size >= this.options.maxClients) {
      for (const [key, old] of this.#entries) {
        if (old.inflight === undefined) {
          this.#entries.delete(key);
          break;
        }
      }
    }
    this.#entries.set(cacheKey, entry);
  }

  async #fetch(uri: URL, entry: CacheEntry): Promise<ClientJWK[]> {
    this.stats.fetches += 1;
    try {
      const signal = AbortSignal.timeout(this.options.timeout);
      const fetch = this.options.fetch;
      const document =
        fetch === undefined
          ? await builtInFetch(this.options, uri, signal)
          : await customFetch(this.options, fetch, uri, signal);
      if (document.status !== 200) throw new Error(`jwks_uri answered HTTP ${document.status}`);
      const keys = jwkSetKeys(JSON.parse(document.body));
      if (keys === undefined) throw new Error('jwks_uri did not return a JWK Set');
      const now = this.#now();
      const freshness = freshnessOf(document.cacheControl, this.options) * 1000;
      entry.keys = keys;
      entry.freshUntil = now + freshness;
      entry.graceUntil = now + freshness + this.options.gracePeriod * 1000;
      entry.retryAfter = 0;
      return keys;
    } catch (cause) {
      this.stats.failures += 1;
      const now = this.#now();
      entry.retryAfter = now + FAILURE_BACKOFF_MS;
      entry.failure = isGuardRefusal(cause) ? 'ERR_JWKS_URI_REFUSED' : 'ERR_JWKS_UNAVAILABLE';
      if (entry.keys !== undefined && now < entry.graceUntil) return entry.keys;
      throw new InvalidClient(entry.failure, { cause });
    }
  }
}

/** Create the cache of one authenticator. */
export function createJwksCache(options: JwksOptions | undefined, now: () => number): JwksCache {
  return new JwksCache(normalizeJwksOptions(options), now);
}

/** The checked `jwks_uri` of a client, or an `invalid_client` for a malformed registration. */
function jwksUri(value: unknown, allowHttp: boolean): URL {
  if (typeof value !== 'string') throw new InvalidClient('ERR_CLIENT_METADATA_INVALID');
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new InvalidClient('ERR_CLIENT_METADATA_INVALID');
  }
  // FAPI 1 Part 2 §8.9, FAPI 2 §5.4.2: jwks_uri only over TLS. No credentials in the URL.
  const schemeOk = url.protocol === 'https:' || (allowHttp && url.protocol === 'http:');
  if (!schemeOk || url.username !== '' || url.password !== '') throw new InvalidClient('ERR_CLIENT_METADATA_INVALID');
  return url;
}

/** Options of {@link clientKeys}. */
export interface ClientKeysOptions {
  /**
   * Ask for a re-fetch of a `jwks_uri` (an unknown `kid`, or a certificate that matches no `x5c`).
   * Honoured at most once per cool-down per client; ignored for inline `jwks`.
   */
  refresh?: boolean;
}

/**
 * The JWKs a client registered: its inline `jwks`, or the keys at its `jwks_uri` (cached), or none.
 * Used by `private_key_jwt` and by `self_signed_tls_client_auth` (the `x5c` of registered JWKs,
 * RFC 8705 §2.2). Rejects with `invalid_client`: `ERR_CLIENT_METADATA_INVALID` for a malformed
 * registration (both `jwks` and `jwks_uri`, RFC 7591 §2), `ERR_JWKS_URI_REFUSED` when the SSRF
 * guard refused the `jwks_uri` target, `ERR_JWKS_UNAVAILABLE` when it cannot be fetched otherwise
 * (in both cases only when no good keys are within their grace period).
 *
 * @example
 * ```ts
 * const keys = await clientKeys(client, config)
 * const again = await clientKeys(client, config, { refresh: true }) // after an unknown kid
 * ```
 * @see https://www.rfc-editor.org/rfc/rfc7591#section-2
 */
export async function clientKeys(
  client: ClientMetadata,
  config: Pick<Config, 'jwksCache'>,
  options: ClientKeysOptions = {},
): Promise<ClientJWK[]> {
  return registeredKeys(client, config, options);
}

/**
 * {@link clientKeys}, answered synchronously for inline `jwks` (throws instead of rejecting), and
 * through a promise for a `jwks_uri`. For the hot path of `private_key_jwt`.
 */
export function registeredKeys(
  client: ClientMetadata,
  config: Pick<Config, 'jwksCache'>,
  options: ClientKeysOptions = {},
): ClientJWK[] | Promise<ClientJWK[]> {
  const inline = client.jwks;
  const uri = client.jwks_uri;
  // RFC 7591 §2: "The jwks_uri and jwks parameters MUST NOT both be present in the same request or response."
  if (inline !== undefined && uri !== undefined) throw new InvalidClient('ERR_CLIENT_METADATA_INVALID');
  if (inline !== undefined) {
    const keys = jwkSetKeys(inline);
    if (keys === undefined) throw new InvalidClient('ERR_CLIENT_METADATA_INVALID');
    return keys;
  }
  if (uri === undefined) return [];
  const cache = config.jwksCache;
  return cache.get(client.client_id, jwksUri(uri, cache.options.allowHttp), options.refresh === true);
}
