/**
 * THE case table: one list of requests and what must come out, run against the core directly
 * (test/core.test.ts) and through every framework adapter over real HTTP (test/frameworks.test.ts).
 *
 * How to extend it (assertions, mTLS, profiles, …):
 *
 * - A case is `{ title, request, expect }`. `title` cites the rule it checks. `request` is what goes
 *   on the wire: raw header pairs (repeats allowed, order kept), a body (string or octets; the
 *   Content-Type is form-urlencoded unless `contentType` says otherwise, `null` for none), a query
 *   string, and optionally `endpoint` and `profile`. `expect` is the status, the RFC 6749 `error`,
 *   the stable `code` (checked wherever it is observable), and on success the client and method.
 * - A request that needs per-run material (a signed client assertion whose `aud` is the token
 *   endpoint, a client certificate) is a function `(fixture) => CaseRequest | Promise<CaseRequest>`:
 *   `fixture` holds the issuer, the endpoint URLs and the keys made for this run (add yours to
 *   {@link Fixture} and build them in {@link createFixture}).
 * - New clients go in {@link createFixture}'s `clients` (RFC 7591 metadata; make keys per run).
 * - A profile is a named set of authenticator options ({@link PROFILES}); every runner mounts every
 *   profile (HTTP: under `/<profile>/<endpoint>`), so a case picks one with `profile`. Add
 *   `fapi2`, `mtls`, … there.
 * - mTLS: a case sets `request.tls = { cert, key }` (PEM, from `fixture.tls.clients`); the HTTP
 *   runners send it over HTTPS to a server that requests client certificates and trusts
 *   `fixture.tls.ca`, and the core runner builds the `certificate` from the same PEM, its
 *   `chainValidated` computed as the TLS layer would (`socket.authorized` against that CA).
 * - `only: 'http'` for what the core cannot see (body size caps live in the adapters);
 *   `whenParsed` for what differs when a body parser already ran (it answers an oversized body
 *   itself, and decodes a malformed body its own way before the adapter sees it).
 */
import { X509Certificate } from 'node:crypto';
import {
  type AuthMethod,
  type ClientAuthenticator,
  type ClientAuthenticatorOptions,
  type ClientAuthRequest,
  type ClientMetadata,
  createClientAuthenticator,
  type EndpointName,
  type ErrorCode,
  hashSecret,
  JWT_BEARER_ASSERTION_TYPE,
} from '@client-auth/core';
import { encodeFormComponent, parseForm, parseFormBody } from '@client-auth/core/adapter';
import { type CryptoKey, exportJWK, generateKeyPair, type JWTPayload, SignJWT } from 'jose';
import { createTestPki, type Issued, SUBJECT_DN } from './helpers/pki.js';
import { attestationHeaders, attestersOf, createWallet, popJwt, type Wallet } from './helpers/wallet.js';

export const ISSUER = 'https://as.example.test';

/** What an HTTP case sends. */
export interface CaseRequest {
  /** Raw header pairs, in order; a name may repeat. */
  headers?: [string, string][];
  /** The body: a string is sent as UTF-8, octets as they are. */
  body?: string | Uint8Array;
  /** Content-Type of the body. Default form-urlencoded when there is a body; `null`: send none. */
  contentType?: string | null;
  /** Send the body with chunked transfer coding (no Content-Length). */
  chunked?: boolean;
  /** The query string, without `?`. */
  query?: string;
  /** Client certificate for mTLS cases: sent over HTTPS (the runners' server trusts `fixture.tls.ca`). */
  tls?: { cert: string; key: string };
}

export interface Expected {
  status: number;
  /** RFC 6749 §5.2 error value; absent on success. */
  error?: string;
  /** Stable code, checked wherever the runner can observe it. */
  code?: ErrorCode;
  /** On success: the authenticated client and the method. */
  clientId?: string;
  method?: AuthMethod;
}

export interface Case {
  title: string;
  endpoint?: EndpointName;
  profile?: keyof typeof PROFILES;
  request: CaseRequest | ((fixture: Fixture) => CaseRequest | Promise<CaseRequest>);
  expect: Expected;
  /** `'http'`: only through the adapters (body size caps are theirs). */
  only?: 'http';
  /**
   * Expectation when a body parser ran before the adapter, where it differs (`undefined`: as
   * `expect`). Parsers answer some errors themselves and decode malformed bodies their own way.
   */
  whenParsed?: (variant: { framework: string; parser: BodyParser }) => Expected | undefined;
}

/** Body parsers the HTTP runners put before the adapter. */
export type BodyParser = 'express.urlencoded' | '@koa/bodyparser' | 'koa-body';

/**
 * A parser that decoded a malformed body itself (Express's `querystring`/`qs`, koa-body's `qs`;
 * @koa/bodyparser keeps the raw text, which the adapter parses again) hands over a mangled secret:
 * still refused, as `invalid_client`.
 */
function mangledByParser(code: ErrorCode, alsoRaw = false) {
  return ({ parser }: { parser: BodyParser }): Expected | undefined =>
    parser !== '@koa/bodyparser' || alsoRaw ? { status: 401, error: 'invalid_client', code } : undefined;
}

/** A parser that ran first applies its own size limit and answers 413 itself. */
const parserTooLarge = () => ({ status: 413 });

/** A certificate and its private key, PEM. */
export interface PemPair {
  cert: string;
  key: string;
}

/** Per-run material every runner shares. */
export interface Fixture {
  issuer: string;
  clients: ClientMetadata[];
  /** mTLS material (RFC 8705): the CA the HTTPS runners trust, their server pair, client pairs. */
  tls: { ca: string; server: PemPair; clients: Record<MtlsCertificate, PemPair> };
  /** Private keys of the `pk-client` (private_key_jwt) and the secret of `hs-client` (client_secret_jwt). */
  assertion: { keys: Record<'ES256' | 'PS256' | 'RS256' | 'EdDSA', CryptoKey>; secret: string };
  /**
   * attest_jwt_client_auth (draft-ietf-oauth-attestation-based-client-auth-10): the wallet of
   * `wallet-client` (trusted attester), a `rogue` wallet whose attester is not configured, the
   * options of the `attestation` profiles, and challenges issued as the `attestation-challenge`
   * profile's would be (same secret): `challenge()` fresh, `staleChallenge()` expired.
   */
  attestation: {
    wallet: Wallet;
    rogue: Wallet;
    options: NonNullable<ClientAuthenticatorOptions['attestation']>;
    challenge: () => string;
    staleChallenge: () => string;
  };
}

/** The client certificates of the mTLS cases. */
export type MtlsCertificate = 'subjectDn' | 'sanDns' | 'untrusted' | 'expired' | 'selfSigned' | 'otherSelfSigned';

/** Named authenticator options; every runner mounts each one. */
export const TOKEN_ENDPOINT = `${ISSUER}/token`;
const ENDPOINTS = { token: TOKEN_ENDPOINT };

export const PROFILES = {
  /** Plain HTTP on loopback in the HTTP runners: secrets over non-TLS are allowed. */
  default: { allowInsecureTransport: true, endpoints: ENDPOINTS },
  /** The opt-in for clients that send endpoint URLs as audience (RFC 7523 §3 item 3 as published). */
  compatible: { allowInsecureTransport: true, endpoints: ENDPOINTS, audience: 'compatible' },
  /** RFC 6749 §2.3.1 enforced: secrets over a plain connection are refused. */
  'https-only': {},
  /** FAPI 1.0 Part 1 (plain HTTP allowed here so that the profile, not the transport, refuses). */
  'fapi1-baseline': { profile: 'fapi1-baseline', allowInsecureTransport: true, endpoints: ENDPOINTS },
  /**
   * FAPI 1.0 Part 2, for clients that follow OpenID Connect Core §9 ("SHOULD be the URL of the
   * Token Endpoint"): the compatible audience, which FAPI 1 does not forbid, is opted into.
   */
  'fapi1-advanced': {
    profile: 'fapi1-advanced',
    allowInsecureTransport: true,
    endpoints: ENDPOINTS,
    audience: 'compatible',
  },
  /** FAPI 2.0 Security Profile. */
  fapi2: { profile: 'fapi2', allowInsecureTransport: true, endpoints: ENDPOINTS },
  /** attest_jwt_client_auth, the PoP's jti as replay protection (its `attestation` option is the fixture's). */
  attestation: { endpoints: ENDPOINTS },
  /** attest_jwt_client_auth with server-provided challenges (draft-ietf-oauth-attestation-based-client-auth-10 §6). */
  'attestation-challenge': { endpoints: ENDPOINTS },
} satisfies Record<string, Partial<ClientAuthenticatorOptions>>;

export type ProfileName = keyof typeof PROFILES;
export const PROFILE_NAMES = Object.keys(PROFILES) as ProfileName[];

/** One authenticator per profile over the fixture's clients; `extra` options come before the profile's. */
export function createAuthenticators(
  fixture: Fixture,
  extra: Partial<ClientAuthenticatorOptions> = {},
): Record<ProfileName, ClientAuthenticator> {
  const clients = new Map(fixture.clients.map((client) => [client.client_id, client]));
  return Object.fromEntries(
    PROFILE_NAMES.map((name) => [
      name,
      createClientAuthenticator({
        issuer: fixture.issuer,
        getClient: (id) => clients.get(id),
        // The suites' TLS servers have the fixture CA as their `ca`: their verdict is the one to trust.
        certificates: { from: 'socket', chainValidated: true },
        ...extra,
        ...PROFILES[name],
        ...fixtureOptions(fixture, name),
      }),
    ]),
  ) as Record<ProfileName, ClientAuthenticator>;
}

/** The per-run options of a profile (attesters are generated per run). */
function fixtureOptions(fixture: Fixture, name: ProfileName): Partial<ClientAuthenticatorOptions> {
  const { challenges, ...withoutChallenges } = fixture.attestation.options;
  if (name === 'attestation') return { attestation: withoutChallenges };
  if (name === 'attestation-challenge') return { attestation: { ...withoutChallenges, challenges } };
  return {};
}

/** The challenge secret the `attestation-challenge` profile and the fixture's issuer share. */
const CHALLENGE_SECRET = 'attestation-challenge-secret-of-this-test-run-0123456789';

/** The neutral request view of a case, as an adapter on a plain-HTTP server builds it. */
export function caseToRequest(request: CaseRequest, fixture: Fixture): ClientAuthRequest {
  const headers: ClientAuthRequest['headers'] = {};
  for (const [name, value] of request.headers ?? []) {
    const key = name.toLowerCase();
    const previous = headers[key];
    headers[key] = previous === undefined ? value : [...(Array.isArray(previous) ? previous : [previous]), value];
  }
  const contentType =
    request.body === undefined
      ? undefined
      : request.contentType === undefined
        ? 'application/x-www-form-urlencoded'
        : (request.contentType ?? undefined);
  if (contentType !== undefined) headers['content-type'] = contentType;
  const body =
    request.body === undefined
      ? Object.create(null)
      : parseFormBody(contentType, typeof request.body === 'string' ? Buffer.from(request.body) : request.body);
  const view: ClientAuthRequest = { headers, body, query: parseForm(request.query ?? ''), secure: false };
  if (request.tls !== undefined) {
    // What an adapter reads from a TLS socket whose server trusts fixture.tls.ca (`socket.authorized`).
    const leaf = new X509Certificate(request.tls.cert);
    const ca = new X509Certificate(fixture.tls.ca);
    const now = Date.now();
    const authorized =
      leaf.checkIssued(ca) &&
      leaf.verify(ca.publicKey) &&
      Date.parse(leaf.validFrom) <= now &&
      now <= Date.parse(leaf.validTo);
    view.secure = true;
    view.certificate = { der: new Uint8Array(leaf.raw), chainValidated: authorized, source: 'socket' };
  }
  return view;
}

export async function createFixture(): Promise<Fixture> {
  const past = Math.floor(Date.now() / 1000) - 3600;
  const pki = await createTestPki();
  const pair = (leaf: Issued): PemPair => ({ cert: leaf.certPem, key: leaf.keyPem });
  const selfSigned = pki.leaves.selfSignedP256;
  const algs = ['ES256', 'PS256', 'RS256', 'EdDSA'] as const;
  const pairs = await Promise.all(algs.map((alg) => generateKeyPair(alg, { extractable: true })));
  const publicJwks = await Promise.all(
    pairs.map(
      async ({ publicKey }, index) => ({ ...(await exportJWK(publicKey)), kid: algs[index] }) as { kty: string },
    ),
  );
  const keys = Object.fromEntries(
    algs.map((alg, index) => [alg, pairs[index]?.privateKey]),
  ) as Fixture['assertion']['keys'];
  const secret = `hs-${'s'.repeat(61)}`;
  const [wallet, rogue] = await Promise.all([
    createWallet('wallet-client'),
    createWallet('wallet-client', 'https://rogue-attester.example.test'),
  ]);
  const attestationOptions = {
    attesters: attestersOf(wallet),
    challenges: { secret: CHALLENGE_SECRET, endpoint: `${ISSUER}/challenge` },
  };
  // Challenges are HMACs of the shared secret: another authenticator holding it issues them as
  // the profile's own would (as a second instance behind the same issuer does).
  const issuing = (shift: number) =>
    createClientAuthenticator({
      issuer: ISSUER,
      getClient: () => undefined,
      attestation: attestationOptions,
      now: () => Date.now() + shift,
    });
  const fresh = issuing(0);
  const stale = issuing(-301_000);
  return {
    issuer: ISSUER,
    assertion: { keys, secret },
    attestation: {
      wallet,
      rogue,
      options: attestationOptions,
      challenge: () => fresh.attestationChallenge(),
      staleChallenge: () => stale.attestationChallenge(),
    },
    tls: {
      ca: pki.ca.certPem,
      server: pair(pki.server),
      clients: {
        subjectDn: pair(pki.leaves.subjectDn),
        sanDns: pair(pki.leaves.p256),
        untrusted: pair(pki.leaves.untrusted),
        expired: pair(pki.leaves.expired),
        selfSigned: pair(selfSigned),
        otherSelfSigned: pair(pki.leaves.selfSignedRsa),
      },
    },
    clients: [
      { client_id: 'pk-client', token_endpoint_auth_method: 'private_key_jwt', jwks: { keys: publicJwks } },
      { client_id: 'hs-client', token_endpoint_auth_method: 'client_secret_jwt', client_secret: secret },
      { client_id: 'mtls-dn', token_endpoint_auth_method: 'tls_client_auth', tls_client_auth_subject_dn: SUBJECT_DN },
      {
        client_id: 'mtls-dns',
        token_endpoint_auth_method: 'tls_client_auth',
        tls_client_auth_san_dns: 'p256.example.com',
      },
      {
        client_id: 'mtls-self',
        token_endpoint_auth_method: 'self_signed_tls_client_auth',
        jwks: {
          keys: [
            {
              ...(selfSigned.x509.publicKey.export({ format: 'jwk' }) as { kty: string }),
              x5c: [Buffer.from(selfSigned.der).toString('base64')],
            },
          ],
        },
      },
      { client_id: 'basic-client', client_secret: 'basic-secret', token_endpoint_auth_method: 'client_secret_basic' },
      {
        client_id: 's6BhdRkqt3',
        client_secret: '7Fjfp0ZBr1KtDRbnfVdmIw',
        token_endpoint_auth_method: 'client_secret_basic',
      },
      { client_id: 'client: ünï', client_secret: 's3cr€t +%&=/:', token_endpoint_auth_method: 'client_secret_basic' },
      { client_id: 'default-client', client_secret: 'default-secret' },
      { client_id: 'post-client', client_secret: 'post-secret', token_endpoint_auth_method: 'client_secret_post' },
      { client_id: 'public-client', token_endpoint_auth_method: 'none' },
      { client_id: 'wallet-client', token_endpoint_auth_method: 'attest_jwt_client_auth' },
      {
        client_id: 'expired-client',
        client_secret: 'expired-secret',
        client_secret_expires_at: past,
        token_endpoint_auth_method: 'client_secret_basic',
      },
      {
        client_id: 'rotating-client',
        client_secrets: [{ value: 'old-secret', expires_at: past }, { value: 'new-secret' }],
        token_endpoint_auth_method: 'client_secret_post',
      },
      {
        client_id: 'hashed-client',
        client_secrets: [{ hash: await hashSecret('hashed-secret') }],
        token_endpoint_auth_method: 'client_secret_basic',
      },
    ],
  };
}

// ── helpers to write requests ──────────────────────────────────────────────────────────────────

/** A form body from name/value pairs, encoded as RFC 6749 Appendix B says. */
export function form(...pairs: [string, string][]): string {
  return pairs.map(([name, value]) => `${encodeFormComponent(name)}=${encodeFormComponent(value)}`).join('&');
}

/** `Authorization: Basic` of a client_id and secret, each form-encoded first (RFC 6749 §2.3.1). */
export function basic(clientId: string, secret: string): [string, string] {
  const pair = `${encodeFormComponent(clientId)}:${encodeFormComponent(secret)}`;
  return ['Authorization', `Basic ${Buffer.from(pair, 'utf8').toString('base64')}`];
}

/** `Authorization: Basic` of exactly these octets (for malformed-input cases). */
export function basicRaw(decoded: string | Uint8Array): [string, string] {
  const octets = typeof decoded === 'string' ? Buffer.from(decoded, 'utf8') : Buffer.from(decoded);
  return ['Authorization', `Basic ${octets.toString('base64')}`];
}

const GRANT: [string, string] = ['grant_type', 'client_credentials'];

function ok(clientId: string, method: AuthMethod): Expected {
  return { status: 200, clientId, method };
}
function badRequest(code: ErrorCode): Expected {
  return { status: 400, error: 'invalid_request', code };
}
function unauthorized(code: ErrorCode): Expected {
  return { status: 401, error: 'invalid_client', code };
}

// ── the cases ──────────────────────────────────────────────────────────────────────────────────

/** client_secret_basic, client_secret_post and none: what must work, and what must not. */
const SECRET_METHODS: Case[] = [
  {
    title: 'client_secret_basic authenticates (RFC 6749 §2.3.1)',
    request: { headers: [basic('basic-client', 'basic-secret')], body: form(GRANT) },
    expect: ok('basic-client', 'client_secret_basic'),
  },
  {
    title: "client_secret_basic with RFC 6749 §2.3.1's example credentials",
    request: { headers: [basic('s6BhdRkqt3', '7Fjfp0ZBr1KtDRbnfVdmIw')], body: form(GRANT) },
    expect: ok('s6BhdRkqt3', 'client_secret_basic'),
  },
  {
    title: 'client_secret_basic form-decodes both parts (RFC 6749 Appendix B)',
    request: { headers: [basic('client: ünï', 's3cr€t +%&=/:')], body: form(GRANT) },
    expect: ok('client: ünï', 'client_secret_basic'),
  },
  {
    title: 'the Basic scheme name is case-insensitive (RFC 9110 §11.1)',
    request: {
      headers: [['Authorization', `bASIC ${Buffer.from('basic-client:basic-secret').toString('base64')}`]],
      body: form(GRANT),
    },
    expect: ok('basic-client', 'client_secret_basic'),
  },
  {
    title: 'client_secret_basic without a body',
    request: { headers: [basic('basic-client', 'basic-secret')] },
    expect: ok('basic-client', 'client_secret_basic'),
  },
  {
    title: 'client_secret_basic with the same client_id in the body',
    request: { headers: [basic('basic-client', 'basic-secret')], body: form(GRANT, ['client_id', 'basic-client']) },
    expect: ok('basic-client', 'client_secret_basic'),
  },
  {
    title: 'a client without token_endpoint_auth_method uses client_secret_basic (RFC 7591 §2)',
    request: { headers: [basic('default-client', 'default-secret')], body: form(GRANT) },
    expect: ok('default-client', 'client_secret_basic'),
  },
  {
    title: 'a hashed secret verifies (scrypt)',
    request: { headers: [basic('hashed-client', 'hashed-secret')], body: form(GRANT) },
    expect: ok('hashed-client', 'client_secret_basic'),
  },
  {
    title: 'client_secret_post authenticates (RFC 6749 §2.3.1)',
    request: { body: form(GRANT, ['client_id', 'post-client'], ['client_secret', 'post-secret']) },
    expect: ok('post-client', 'client_secret_post'),
  },
  {
    title: 'client_secret_post with charset=UTF-8 in the media type (RFC 6749 Appendix B)',
    request: {
      body: form(['client_id', 'post-client'], ['client_secret', 'post-secret']),
      contentType: 'Application/X-WWW-Form-URLEncoded; charset=UTF-8',
    },
    expect: ok('post-client', 'client_secret_post'),
  },
  {
    title: 'the active secret of a rotating client verifies',
    request: { body: form(['client_id', 'rotating-client'], ['client_secret', 'new-secret']) },
    expect: ok('rotating-client', 'client_secret_post'),
  },
  {
    title: 'none: a public client names itself with client_id (RFC 6749 §2.1)',
    request: { body: form(GRANT, ['client_id', 'public-client']) },
    expect: ok('public-client', 'none'),
  },
  {
    title: 'an empty parameter is treated as omitted (RFC 6749 §3.2)',
    request: { body: form(GRANT, ['client_id', 'public-client'], ['client_secret', '']) },
    expect: ok('public-client', 'none'),
  },
  {
    title: 'client_secret_basic at the introspection endpoint (RFC 7662 §2.1)',
    endpoint: 'introspection',
    request: { headers: [basic('basic-client', 'basic-secret')], body: form(['token', 'x']) },
    expect: ok('basic-client', 'client_secret_basic'),
  },
  {
    title: 'none is not a secret: allowed over plain HTTP even where secrets are not (RFC 6749 §2.3.1)',
    profile: 'https-only',
    request: { body: form(GRANT, ['client_id', 'public-client']) },
    expect: ok('public-client', 'none'),
  },
  // failures
  {
    title: 'no client authentication at all is invalid_client (RFC 6749 §5.2)',
    request: { body: form(GRANT) },
    expect: unauthorized('ERR_NO_CLIENT_AUTHENTICATION'),
  },
  {
    title: 'a wrong Basic secret is invalid_client with a Basic challenge (RFC 6749 §5.2)',
    request: { headers: [basic('basic-client', 'wrong')], body: form(GRANT) },
    expect: unauthorized('ERR_SECRET_MISMATCH'),
  },
  {
    title: 'an unknown client is invalid_client (RFC 6749 §5.2)',
    request: { headers: [basic('nobody', 'basic-secret')], body: form(GRANT) },
    expect: unauthorized('ERR_CLIENT_NOT_FOUND'),
  },
  {
    title: 'a wrong client_secret_post secret is invalid_client (RFC 6749 §5.2)',
    request: { body: form(['client_id', 'post-client'], ['client_secret', 'post-secreT']) },
    expect: unauthorized('ERR_SECRET_MISMATCH'),
  },
  {
    title: 'an unknown public client is invalid_client (RFC 6749 §5.2)',
    request: { body: form(['client_id', 'nobody']) },
    expect: unauthorized('ERR_CLIENT_NOT_FOUND'),
  },
  {
    title: 'the registered method binds: a basic client sending post is refused (RFC 6749 §2.3)',
    request: { body: form(['client_id', 'basic-client'], ['client_secret', 'basic-secret']) },
    expect: unauthorized('ERR_METHOD_MISMATCH'),
  },
  {
    title: 'the registered method binds: a post client sending basic is refused (RFC 6749 §2.3)',
    request: { headers: [basic('post-client', 'post-secret')], body: form(GRANT) },
    expect: unauthorized('ERR_METHOD_MISMATCH'),
  },
  {
    title: 'a confidential client sending only its client_id is refused (RFC 6749 §3.2.1)',
    request: { body: form(GRANT, ['client_id', 'basic-client']) },
    expect: unauthorized('ERR_NO_CLIENT_AUTHENTICATION'),
  },
  {
    title: 'a public client sending a secret is refused (registered method none binds)',
    request: { body: form(['client_id', 'public-client'], ['client_secret', 'anything']) },
    expect: unauthorized('ERR_METHOD_MISMATCH'),
  },
  {
    title: 'an expired secret is refused (RFC 7591 §3.2.1 client_secret_expires_at)',
    request: { headers: [basic('expired-client', 'expired-secret')], body: form(GRANT) },
    expect: unauthorized('ERR_SECRET_EXPIRED'),
  },
  {
    title: 'a rotated-out secret past its expiry is refused',
    request: { body: form(['client_id', 'rotating-client'], ['client_secret', 'old-secret']) },
    expect: unauthorized('ERR_SECRET_EXPIRED'),
  },
  {
    title: 'Basic and client_secret together are two mechanisms (RFC 6749 §2.3)',
    request: {
      headers: [basic('basic-client', 'basic-secret')],
      body: form(['client_id', 'basic-client'], ['client_secret', 'basic-secret']),
    },
    expect: badRequest('ERR_MULTIPLE_MECHANISMS'),
  },
  {
    title: 'Basic with an empty password and client_secret in the body are two mechanisms (RFC 6749 §2.3)',
    request: {
      headers: [basicRaw('basic-client:')],
      body: form(['client_id', 'basic-client'], ['client_secret', 'basic-secret']),
    },
    expect: badRequest('ERR_MULTIPLE_MECHANISMS'),
  },
  {
    title: 'a body client_id that differs from the Basic one is refused (RFC 6749 §2.3.1)',
    request: { headers: [basic('basic-client', 'basic-secret')], body: form(['client_id', 'post-client']) },
    expect: unauthorized('ERR_CLIENT_ID_MISMATCH'),
  },
  {
    title: 'client_secret without client_id is invalid_request (RFC 6749 §2.3.1)',
    request: { body: form(['client_secret', 'post-secret']) },
    expect: badRequest('ERR_PARAMETER_MALFORMED'),
  },
  {
    title: 'a repeated client_secret is invalid_request (RFC 6749 §3.2)',
    request: {
      body: form(['client_id', 'post-client'], ['client_secret', 'post-secret'], ['client_secret', 'post-secret']),
    },
    expect: badRequest('ERR_PARAMETER_REPEATED'),
  },
  {
    title: 'a repeated client_id is invalid_request (RFC 6749 §3.2)',
    request: { body: form(['client_id', 'public-client'], ['client_id', 'public-client']) },
    expect: badRequest('ERR_PARAMETER_REPEATED'),
  },
  {
    title: 'secrets over a plain connection are refused (RFC 6749 §2.3.1 MUST require TLS)',
    profile: 'https-only',
    request: { headers: [basic('basic-client', 'basic-secret')], body: form(GRANT) },
    expect: badRequest('ERR_INSECURE_TRANSPORT'),
  },
];

/** Issue 2, "Bad input": a clear RFC 6749 error, never a 500 and never an accepted request. */
const BAD_INPUT: Case[] = [
  {
    title: 'garbage Authorization header is invalid_request',
    request: { headers: [['Authorization', '@@@ ###']], body: form(GRANT) },
    expect: badRequest('ERR_BASIC_MALFORMED'),
  },
  {
    title: 'a bare "Basic" without credentials is invalid_request (RFC 7617 §2)',
    request: { headers: [['Authorization', 'Basic']], body: form(GRANT) },
    expect: badRequest('ERR_BASIC_MALFORMED'),
  },
  {
    title: 'a huge Authorization header is invalid_request',
    request: { headers: [['Authorization', `Basic ${'QUFB'.repeat(2600)}`]], body: form(GRANT) },
    expect: badRequest('ERR_AUTHORIZATION_HEADER_TOO_LARGE'),
  },
  {
    title: 'a repeated Authorization header is invalid_request (RFC 6749 §2.3)',
    request: { headers: [basic('basic-client', 'basic-secret'), basic('basic-client', 'basic-secret')] },
    expect: badRequest('ERR_AUTHORIZATION_HEADER_REPEATED'),
  },
  {
    title: 'a wrong scheme (Bearer) is invalid_client with a Basic challenge (RFC 6749 §5.2)',
    request: { headers: [['Authorization', 'Bearer abc.def.ghi']], body: form(GRANT) },
    expect: unauthorized('ERR_UNSUPPORTED_AUTHORIZATION_SCHEME'),
  },
  {
    title: 'a wrong scheme (Digest) is invalid_client (RFC 6749 §5.2)',
    request: { headers: [['Authorization', 'Digest username="basic-client"']], body: form(GRANT) },
    expect: unauthorized('ERR_UNSUPPORTED_AUTHORIZATION_SCHEME'),
  },
  {
    title: 'bad base64 is invalid_request (RFC 4648 §4)',
    request: { headers: [['Authorization', 'Basic !!!!']], body: form(GRANT) },
    expect: badRequest('ERR_BASIC_MALFORMED'),
  },
  {
    title: 'base64 without its padding is invalid_request (RFC 4648 §4)',
    request: { headers: [['Authorization', 'Basic YWJjOmQ']], body: form(GRANT) },
    expect: badRequest('ERR_BASIC_MALFORMED'),
  },
  {
    title: 'base64url instead of base64 is invalid_request (RFC 7617 §2)',
    request: { headers: [['Authorization', `Basic ${Buffer.from('basic-client:?>?>').toString('base64url')}`]] },
    expect: badRequest('ERR_BASIC_MALFORMED'),
  },
  {
    title: 'Basic credentials without a colon are invalid_request (RFC 7617 §2)',
    request: { headers: [basicRaw('basic-client')], body: form(GRANT) },
    expect: badRequest('ERR_BASIC_MALFORMED'),
  },
  {
    title: 'an empty client_id in Basic is invalid_request',
    request: { headers: [basicRaw(':basic-secret')], body: form(GRANT) },
    expect: badRequest('ERR_BASIC_MALFORMED'),
  },
  {
    title: 'an empty Basic secret is invalid_client (RFC 6749 §2.3.1)',
    request: { headers: [basicRaw('basic-client:')], body: form(GRANT) },
    expect: unauthorized('ERR_SECRET_EMPTY'),
  },
  {
    title: 'bad percent escapes in Basic are invalid_request (RFC 6749 Appendix B)',
    request: { headers: [basicRaw('basic-client:%zz')], body: form(GRANT) },
    expect: badRequest('ERR_BASIC_MALFORMED'),
  },
  {
    title: 'bad percent escapes in the body are invalid_request (RFC 6749 Appendix B)',
    request: { body: 'client_id=post-client&client_secret=%zz' },
    expect: badRequest('ERR_BODY_MALFORMED'),
    whenParsed: mangledByParser('ERR_SECRET_MISMATCH'),
  },
  {
    title: 'NUL in Basic credentials is invalid_request (RFC 7617 §2 no control characters)',
    request: { headers: [basicRaw('basic-client:basic\u0000secret')], body: form(GRANT) },
    expect: badRequest('ERR_BASIC_MALFORMED'),
  },
  {
    title: 'a control character form-encoded in Basic is invalid_request (RFC 7617 §2)',
    request: { headers: [basicRaw('basic-client:basic%01secret')], body: form(GRANT) },
    expect: badRequest('ERR_BASIC_MALFORMED'),
  },
  {
    title: 'NUL in client_secret is invalid_request',
    request: { body: 'client_id=post-client&client_secret=post%00secret' },
    expect: badRequest('ERR_PARAMETER_MALFORMED'),
  },
  {
    title: 'a control character in client_id is invalid_request',
    request: { body: 'client_id=public%0Aclient' },
    expect: badRequest('ERR_PARAMETER_MALFORMED'),
  },
  {
    title: 'invalid UTF-8 in Basic credentials is invalid_request (RFC 7617 §2.1)',
    request: { headers: [basicRaw(new Uint8Array([0x62, 0x3a, 0xff, 0xfe]))], body: form(GRANT) },
    expect: badRequest('ERR_BASIC_MALFORMED'),
  },
  {
    title: 'percent-encoded invalid UTF-8 in Basic is invalid_request (RFC 6749 Appendix B)',
    request: { headers: [basicRaw('basic-client:%FF%FE')], body: form(GRANT) },
    expect: badRequest('ERR_BASIC_MALFORMED'),
  },
  {
    title: 'percent-encoded invalid UTF-8 in the body is invalid_request (RFC 6749 Appendix B)',
    request: { body: 'client_id=post-client&client_secret=%FF%FE' },
    expect: badRequest('ERR_BODY_MALFORMED'),
    whenParsed: mangledByParser('ERR_SECRET_MISMATCH'),
  },
  {
    title: 'raw invalid UTF-8 octets in the body are invalid_request (RFC 6749 Appendix B)',
    request: {
      body: new Uint8Array([...Buffer.from('client_id=post-client&client_secret=post'), 0xff, 0xfe]),
    },
    expect: badRequest('ERR_BODY_MALFORMED'),
    // Every parser decodes the octets to text (U+FFFD) before the adapter sees them.
    whenParsed: mangledByParser('ERR_SECRET_MISMATCH', true),
  },
  {
    title: 'a client_id longer than 1024 characters is invalid_request',
    request: { body: form(['client_id', 'a'.repeat(2000)]) },
    expect: badRequest('ERR_PARAMETER_MALFORMED'),
  },
  {
    title: 'a JSON body is invalid_request (RFC 6749 §2.3.1: form-encoded body only)',
    request: {
      body: JSON.stringify({ client_id: 'post-client', client_secret: 'post-secret' }),
      contentType: 'application/json',
    },
    expect: badRequest('ERR_UNSUPPORTED_CONTENT_TYPE'),
  },
  {
    title: 'a multipart body is invalid_request (RFC 6749 Appendix B)',
    request: {
      body: [
        '--XyZ',
        'Content-Disposition: form-data; name="client_id"',
        '',
        'post-client',
        '--XyZ',
        'Content-Disposition: form-data; name="client_secret"',
        '',
        'post-secret',
        '--XyZ--',
        '',
      ].join('\r\n'),
      contentType: 'multipart/form-data; boundary=XyZ',
    },
    expect: badRequest('ERR_UNSUPPORTED_CONTENT_TYPE'),
  },
  {
    title: 'a text/plain body is invalid_request',
    request: { body: 'client_id=post-client&client_secret=post-secret', contentType: 'text/plain' },
    expect: badRequest('ERR_UNSUPPORTED_CONTENT_TYPE'),
  },
  {
    title: 'a form body in another charset is invalid_request (RFC 6749 Appendix B: UTF-8)',
    request: {
      body: 'client_id=post-client&client_secret=post-secret',
      contentType: 'application/x-www-form-urlencoded; charset=ISO-8859-1',
    },
    expect: badRequest('ERR_UNSUPPORTED_CONTENT_TYPE'),
    // body-parser 1 refuses the charset itself, with 415.
    whenParsed: ({ framework }) => (framework === 'express4' ? { status: 415 } : undefined),
  },
  {
    title: 'a form body without a Content-Type is invalid_request',
    request: { body: 'client_id=post-client&client_secret=post-secret', contentType: null },
    expect: badRequest('ERR_UNSUPPORTED_CONTENT_TYPE'),
  },
  {
    title: 'an oversized body is refused with 413 invalid_request',
    only: 'http',
    request: { body: form(['client_id', 'public-client'], ['padding', 'x'.repeat(200 * 1024)]) },
    expect: { status: 413, error: 'invalid_request', code: 'ERR_BODY_TOO_LARGE' },
    whenParsed: parserTooLarge,
  },
  {
    title: 'an oversized chunked body is refused with 413 invalid_request',
    only: 'http',
    request: { body: form(['client_id', 'public-client'], ['padding', 'x'.repeat(200 * 1024)]), chunked: true },
    expect: { status: 413, error: 'invalid_request', code: 'ERR_BODY_TOO_LARGE' },
    whenParsed: parserTooLarge,
  },
  {
    title: 'client_secret in the query string is invalid_request (RFC 6749 §2.3.1 MUST NOT)',
    request: { query: 'client_id=post-client&client_secret=post-secret', body: form(GRANT) },
    expect: badRequest('ERR_CREDENTIALS_IN_QUERY'),
  },
  {
    title: 'a query-string secret is refused even beside valid Basic credentials (RFC 6749 §2.3.1)',
    request: { query: 'client_secret=x', headers: [basic('basic-client', 'basic-secret')], body: form(GRANT) },
    expect: badRequest('ERR_CREDENTIALS_IN_QUERY'),
  },
  {
    title: 'a client assertion in the query string is invalid_request (RFC 6749 §2.3.1)',
    request: { query: 'client_assertion=a.b.c', body: form(['client_id', 'public-client']) },
    expect: badRequest('ERR_CREDENTIALS_IN_QUERY'),
  },
  {
    title: 'a client_id in the query string authenticates nobody (RFC 6749 §2.3.1: body only)',
    request: { query: 'client_id=public-client', body: form(GRANT) },
    expect: unauthorized('ERR_NO_CLIENT_AUTHENTICATION'),
  },
];

// ── mutual TLS (RFC 8705) ──────────────────────────────────────────────────────────────────────

const token = (clientId: string) => form(['grant_type', 'client_credentials'], ['client_id', clientId]);

const MTLS: Case[] = [
  {
    title: 'tls_client_auth: the registered subject DN over a validated chain (RFC 8705 §2.1)',
    request: (fixture) => ({ tls: fixture.tls.clients.subjectDn, body: token('mtls-dn') }),
    expect: { status: 200, clientId: 'mtls-dn', method: 'tls_client_auth' },
  },
  {
    title: 'tls_client_auth: the registered SAN dNSName, EC P-256 certificate (RFC 8705 §2.1.2)',
    request: (fixture) => ({ tls: fixture.tls.clients.sanDns, body: token('mtls-dns') }),
    expect: { status: 200, clientId: 'mtls-dns', method: 'tls_client_auth' },
  },
  {
    title: 'tls_client_auth: another certificate than the registered SAN is invalid_client (RFC 8705 §2)',
    request: (fixture) => ({ tls: fixture.tls.clients.subjectDn, body: token('mtls-dns') }),
    expect: { status: 401, error: 'invalid_client', code: 'ERR_MTLS_SAN_MISMATCH' },
  },
  {
    title: 'tls_client_auth: a chain the TLS layer did not validate is invalid_client (RFC 8705 §2.1)',
    request: (fixture) => ({ tls: fixture.tls.clients.untrusted, body: token('mtls-dn') }),
    expect: { status: 401, error: 'invalid_client', code: 'ERR_MTLS_CHAIN_NOT_VALIDATED' },
  },
  {
    title: 'tls_client_auth: an expired certificate is invalid_client',
    request: (fixture) => ({ tls: fixture.tls.clients.expired, body: token('mtls-dn') }),
    expect: { status: 401, error: 'invalid_client', code: 'ERR_MTLS_CHAIN_NOT_VALIDATED' },
  },
  {
    title: 'tls_client_auth: no certificate is invalid_client (RFC 8705 §2)',
    request: { body: token('mtls-dn') },
    expect: { status: 401, error: 'invalid_client', code: 'ERR_MTLS_CERTIFICATE_MISSING' },
  },
  {
    title: 'tls_client_auth: a client_secret instead is invalid_client (the registered method binds)',
    request: (fixture) => ({
      tls: fixture.tls.clients.subjectDn,
      body: form(['client_id', 'mtls-dn'], ['client_secret', 'x']),
    }),
    expect: { status: 401, error: 'invalid_client', code: 'ERR_METHOD_MISMATCH' },
  },
  {
    title: 'self_signed_tls_client_auth: the certificate registered as x5c[0] (RFC 8705 §2.2)',
    request: (fixture) => ({ tls: fixture.tls.clients.selfSigned, body: token('mtls-self') }),
    expect: { status: 200, clientId: 'mtls-self', method: 'self_signed_tls_client_auth' },
  },
  {
    title: 'self_signed_tls_client_auth: another self-signed certificate is invalid_client (RFC 8705 §2.2)',
    request: (fixture) => ({ tls: fixture.tls.clients.otherSelfSigned, body: token('mtls-self') }),
    expect: { status: 401, error: 'invalid_client', code: 'ERR_MTLS_SELF_SIGNED_MISMATCH' },
  },
  {
    title: 'a certificate alongside client_secret_post is reported, not a second mechanism (RFC 8705 §3)',
    request: (fixture) => ({
      tls: fixture.tls.clients.subjectDn,
      body: form(['client_id', 'post-client'], ['client_secret', 'post-secret']),
    }),
    expect: { status: 200, clientId: 'post-client', method: 'client_secret_post' },
  },
];

// ── client assertions (RFC 7523) and the FAPI profiles ─────────────────────────────────────────

/** A client assertion request body: the JWT signed now (fresh jti per request). */
async function assertionBody(
  fixture: Fixture,
  alg: 'ES256' | 'PS256' | 'RS256' | 'EdDSA' | 'HS256',
  claims: JWTPayload = {},
) {
  const now = Math.floor(Date.now() / 1000);
  const clientId = alg === 'HS256' ? 'hs-client' : 'pk-client';
  const key = alg === 'HS256' ? new TextEncoder().encode(fixture.assertion.secret) : fixture.assertion.keys[alg];
  const jwt = await new SignJWT({ jti: crypto.randomUUID(), ...claims })
    .setProtectedHeader(alg === 'HS256' ? { alg } : { alg, kid: alg })
    .setIssuer(clientId)
    .setSubject(clientId)
    .setAudience((claims.aud as string | string[] | undefined) ?? fixture.issuer)
    .setIssuedAt((claims.iat as number | undefined) ?? now)
    .setExpirationTime(((claims.iat as number | undefined) ?? now) + 60)
    .sign(key);
  return form(
    ['grant_type', 'client_credentials'],
    ['client_assertion_type', JWT_BEARER_ASSERTION_TYPE],
    ['client_assertion', jwt],
  );
}

const basicHeader = (id: string, secret: string): [string, string] => [
  'authorization',
  `Basic ${Buffer.from(`${encodeFormComponent(id)}:${encodeFormComponent(secret)}`).toString('base64')}`,
];

const ASSERTIONS: Case[] = [
  {
    title: 'private_key_jwt with ES256 (RFC 7523 §2.2)',
    request: async (fixture) => ({ body: await assertionBody(fixture, 'ES256') }),
    expect: { status: 200, clientId: 'pk-client', method: 'private_key_jwt' },
  },
  {
    title: 'client_secret_jwt with HS256 (OpenID Connect Core §9)',
    request: async (fixture) => ({ body: await assertionBody(fixture, 'HS256') }),
    expect: { status: 200, clientId: 'hs-client', method: 'client_secret_jwt' },
  },
  {
    title: 'private_key_jwt: aud as the token endpoint URL is accepted in compatible mode (RFC 7523 §3 item 3)',
    profile: 'compatible',
    request: async (fixture) => ({ body: await assertionBody(fixture, 'ES256', { aud: TOKEN_ENDPOINT }) }),
    expect: { status: 200, clientId: 'pk-client', method: 'private_key_jwt' },
  },
  {
    title: 'private_key_jwt: [attacker, issuer] as aud is accepted in compatible mode (RFC 7523 §3 item 3)',
    profile: 'compatible',
    request: async (fixture) => ({
      body: await assertionBody(fixture, 'ES256', { aud: ['https://attacker.example', fixture.issuer] }),
    }),
    expect: { status: 200, clientId: 'pk-client', method: 'private_key_jwt' },
  },
  {
    title:
      'private_key_jwt: aud as the token endpoint URL is refused by default (rfc7523bis-11 §4: "MUST NOT be used")',
    request: async (fixture) => ({ body: await assertionBody(fixture, 'ES256', { aud: TOKEN_ENDPOINT }) }),
    expect: { status: 401, error: 'invalid_client', code: 'ERR_ASSERTION_AUD_MISMATCH' },
  },
  {
    title: 'private_key_jwt: [attacker, issuer] as aud is refused by default (rfc7523bis-11 §4: issuer as sole value)',
    request: async (fixture) => ({
      body: await assertionBody(fixture, 'ES256', { aud: ['https://attacker.example', fixture.issuer] }),
    }),
    expect: { status: 401, error: 'invalid_client', code: 'ERR_ASSERTION_AUD_MISMATCH' },
  },
  {
    title: 'private_key_jwt: [issuer] as aud is accepted by default (rfc7523bis Document History -03)',
    request: async (fixture) => ({ body: await assertionBody(fixture, 'ES256', { aud: [fixture.issuer] }) }),
    expect: { status: 200, clientId: 'pk-client', method: 'private_key_jwt' },
  },
  {
    title: 'private_key_jwt: an assertion signed for another issuer is invalid_client (RFC 7523 §3 item 3)',
    request: async (fixture) => ({ body: await assertionBody(fixture, 'ES256', { aud: 'https://other.example' }) }),
    expect: { status: 401, error: 'invalid_client', code: 'ERR_ASSERTION_AUD_MISMATCH' },
  },
  {
    title: 'FAPI 1 Baseline: client_secret_basic is refused (FAPI 1.0 Part 1 §5.2.2-4)',
    profile: 'fapi1-baseline',
    request: {
      headers: [basicHeader('basic-client', 'basic-secret')],
      body: form(['grant_type', 'client_credentials']),
    },
    expect: { status: 401, error: 'invalid_client', code: 'ERR_METHOD_NOT_ALLOWED' },
  },
  {
    title: 'FAPI 1 Baseline: client_secret_jwt is allowed (FAPI 1.0 Part 1 §5.2.2-4)',
    profile: 'fapi1-baseline',
    request: async (fixture) => ({ body: await assertionBody(fixture, 'HS256') }),
    expect: { status: 200, clientId: 'hs-client', method: 'client_secret_jwt' },
  },
  {
    title: 'FAPI 1 Advanced: RS256 is refused with exactly invalid_client (FAPI 1.0 Part 2 §8.6)',
    profile: 'fapi1-advanced',
    request: async (fixture) => ({ body: await assertionBody(fixture, 'RS256') }),
    expect: { status: 401, error: 'invalid_client', code: 'ERR_ASSERTION_ALG_NOT_ALLOWED' },
  },
  {
    title: 'FAPI 1 Advanced: PS256 with aud as the token endpoint is accepted (FAPI 1.0 Part 2 §8.6, §5.2.2-8)',
    profile: 'fapi1-advanced',
    request: async (fixture) => ({ body: await assertionBody(fixture, 'PS256', { aud: TOKEN_ENDPOINT }) }),
    expect: { status: 200, clientId: 'pk-client', method: 'private_key_jwt' },
  },
  {
    title: 'FAPI 1 Advanced: client_secret_jwt is refused (FAPI 1.0 Part 2 §5.2.2-14)',
    profile: 'fapi1-advanced',
    request: async (fixture) => ({ body: await assertionBody(fixture, 'HS256') }),
    expect: { status: 401, error: 'invalid_client', code: 'ERR_METHOD_NOT_ALLOWED' },
  },
  {
    title: 'FAPI 2: client_secret_basic is refused (FAPI 2.0 §5.3.2.1-6)',
    profile: 'fapi2',
    request: {
      headers: [basicHeader('basic-client', 'basic-secret')],
      body: form(['grant_type', 'client_credentials']),
    },
    expect: { status: 401, error: 'invalid_client', code: 'ERR_METHOD_NOT_ALLOWED' },
  },
  {
    title: 'FAPI 2: a public client is refused (FAPI 2.0 §5.3.2.1-3)',
    profile: 'fapi2',
    request: { body: form(['client_id', 'public-client'], ['grant_type', 'client_credentials']) },
    expect: { status: 401, error: 'invalid_client', code: 'ERR_METHOD_NOT_ALLOWED' },
  },
  {
    title: 'FAPI 2: EdDSA with aud as the issuer string is accepted (FAPI 2.0 §5.4.1, §5.3.2.1-8)',
    profile: 'fapi2',
    request: async (fixture) => ({ body: await assertionBody(fixture, 'EdDSA') }),
    expect: { status: 200, clientId: 'pk-client', method: 'private_key_jwt' },
  },
  {
    title: 'FAPI 2: RS256 is refused with exactly invalid_client (FAPI 2.0 §5.4.1)',
    profile: 'fapi2',
    request: async (fixture) => ({ body: await assertionBody(fixture, 'RS256') }),
    expect: { status: 401, error: 'invalid_client', code: 'ERR_ASSERTION_ALG_NOT_ALLOWED' },
  },
  {
    title: 'FAPI 2: aud as the token endpoint URL is refused (FAPI 2.0 §5.3.2.1-8)',
    profile: 'fapi2',
    request: async (fixture) => ({ body: await assertionBody(fixture, 'ES256', { aud: TOKEN_ENDPOINT }) }),
    expect: { status: 401, error: 'invalid_client', code: 'ERR_ASSERTION_AUD_MISMATCH' },
  },
  {
    title: 'FAPI 2: an iat 8 seconds ahead is accepted (FAPI 2.0 §5.3.2.1-13)',
    profile: 'fapi2',
    request: async (fixture) => ({
      body: await assertionBody(fixture, 'ES256', { iat: Math.floor(Date.now() / 1000) + 8 }),
    }),
    expect: { status: 200, clientId: 'pk-client', method: 'private_key_jwt' },
  },
  {
    title: 'FAPI 2: an iat 62 seconds ahead is refused (FAPI 2.0 §5.3.2.1-13)',
    profile: 'fapi2',
    request: async (fixture) => ({
      body: await assertionBody(fixture, 'ES256', { iat: Math.floor(Date.now() / 1000) + 62 }),
    }),
    expect: { status: 401, error: 'invalid_client', code: 'ERR_ASSERTION_IAT_IN_FUTURE' },
  },
];

/** Headers of the fixture wallet for the issuer audience, with overrides. */
function walletHeaders(
  fixture: Fixture,
  options: Parameters<typeof attestationHeaders>[2] = {},
  wallet: Wallet = fixture.attestation.wallet,
): Promise<[string, string][]> {
  return attestationHeaders(wallet, fixture.issuer, options);
}

const ATTESTED = ok('wallet-client', 'attest_jwt_client_auth');
const A = 'draft-ietf-oauth-attestation-based-client-auth-10';

/** attest_jwt_client_auth: what must work and every forged or malformed part. */
const ATTESTATION: Case[] = [
  {
    title: `a wallet authenticates with a Client Attestation and its PoP at the token endpoint (${A} §7.1, §7.2, §7.5)`,
    profile: 'attestation',
    request: async (fixture) => ({ headers: await walletHeaders(fixture), body: form(GRANT) }),
    expect: ATTESTED,
  },
  {
    title: `a wallet authenticates at the PAR endpoint (${A} §7.5; RFC 9126 §2)`,
    profile: 'attestation',
    endpoint: 'pushed_authorization_request',
    request: async (fixture) => ({
      headers: await walletHeaders(fixture),
      body: form(['response_type', 'code'], ['client_id', 'wallet-client']),
    }),
    expect: ATTESTED,
  },
  {
    title: `a body client_id equal to the attestation's sub is accepted (${A} §7.5)`,
    profile: 'attestation',
    request: async (fixture) => ({
      headers: await walletHeaders(fixture),
      body: form(GRANT, ['client_id', 'wallet-client']),
    }),
    expect: ATTESTED,
  },
  {
    title: `a PoP carrying a fresh server-provided challenge is accepted (${A} §6.1, §7.2 item 5)`,
    profile: 'attestation-challenge',
    request: async (fixture) => ({
      headers: await walletHeaders(fixture, { pop: { challenge: fixture.attestation.challenge() } }),
      body: form(GRANT),
    }),
    expect: ATTESTED,
  },
  {
    title: `the attestation without its PoP header is refused (${A} §7.2 item 1)`,
    profile: 'attestation',
    request: async (fixture) => ({
      headers: (await walletHeaders(fixture)).slice(0, 1),
      body: form(GRANT),
    }),
    expect: badRequest('ERR_ATTESTATION_HEADER_MISSING'),
  },
  {
    title: `a repeated OAuth-Client-Attestation header is refused (${A} §7.1 item 1: precisely one)`,
    profile: 'attestation',
    request: async (fixture) => {
      const headers = await walletHeaders(fixture);
      return { headers: [headers[0], ...headers] as [string, string][], body: form(GRANT) };
    },
    expect: badRequest('ERR_ATTESTATION_HEADER_REPEATED'),
  },
  {
    title: `a repeated OAuth-Client-Attestation-PoP header is refused (${A} §7.2 item 1: precisely one)`,
    profile: 'attestation',
    request: async (fixture) => {
      const headers = await walletHeaders(fixture);
      return {
        headers: [
          ...headers,
          ['oauth-client-attestation-pop', await popJwt(fixture.attestation.wallet, fixture.issuer)],
        ],
        body: form(GRANT),
      };
    },
    expect: badRequest('ERR_ATTESTATION_HEADER_REPEATED'),
  },
  {
    title: `the attestation headers beside client_secret are two mechanisms (RFC 6749 §2.3; ${A} §7.5)`,
    profile: 'attestation',
    request: async (fixture) => ({
      headers: await walletHeaders(fixture),
      body: form(GRANT, ['client_id', 'wallet-client'], ['client_secret', 'x']),
    }),
    expect: badRequest('ERR_MULTIPLE_MECHANISMS'),
  },
  {
    title: `the attestation headers beside Basic are two mechanisms (RFC 6749 §2.3; ${A} §7.5)`,
    profile: 'attestation',
    request: async (fixture) => ({
      headers: [...(await walletHeaders(fixture)), basic('basic-client', 'basic-secret')],
      body: form(GRANT),
    }),
    expect: badRequest('ERR_MULTIPLE_MECHANISMS'),
  },
  {
    title: `an oversized OAuth-Client-Attestation header is refused before decoding (${A} §9.5)`,
    profile: 'attestation',
    request: async (fixture) => {
      const [, pop] = await walletHeaders(fixture);
      return {
        headers: [['OAuth-Client-Attestation', `${'a'.repeat(9000)}.b.c`], pop] as [string, string][],
        body: form(GRANT),
      };
    },
    expect: badRequest('ERR_ATTESTATION_HEADER_TOO_LARGE'),
  },
  {
    title: `an attestation that is not a compact JWS is refused (${A} §4; RFC 7519 §7.2)`,
    profile: 'attestation',
    request: async (fixture) => {
      const [, pop] = await walletHeaders(fixture);
      return { headers: [['OAuth-Client-Attestation', 'not-a-jwt'], pop] as [string, string][], body: form(GRANT) };
    },
    expect: unauthorized('ERR_ATTESTATION_MALFORMED'),
  },
  {
    title: `an attestation from an attester that is not configured is refused (${A} §7.1 item 4)`,
    profile: 'attestation',
    request: async (fixture) => ({
      headers: await walletHeaders(fixture, {}, fixture.attestation.rogue),
      body: form(GRANT),
    }),
    expect: unauthorized('ERR_ATTESTATION_ISSUER_UNTRUSTED'),
  },
  {
    title: `an attestation naming a trusted attester but signed by another key is refused (${A} §7.1 item 4)`,
    profile: 'attestation',
    request: async (fixture) => ({
      headers: await walletHeaders(fixture, {
        attestation: { signingKey: fixture.attestation.rogue.attester.privateKey },
      }),
      body: form(GRANT),
    }),
    expect: unauthorized('ERR_ATTESTATION_SIGNATURE_INVALID'),
  },
  {
    title: `an attestation bringing its own key in its header (jwk) is refused (${A} §7.1 item 4; RFC 8725 §3.10)`,
    profile: 'attestation',
    request: async (fixture) => {
      const { rogue } = fixture.attestation;
      return {
        headers: await walletHeaders(fixture, {
          attestation: {
            signingKey: rogue.attester.privateKey,
            header: { jwk: rogue.attester.publicJwk, kid: undefined },
          },
        }),
        body: form(GRANT),
      };
    },
    expect: unauthorized('ERR_ATTESTATION_KEY_IN_HEADER'),
  },
  {
    title: `an attestation typed JWT instead of oauth-client-attestation+jwt is refused (${A} §4; RFC 8725 §3.11)`,
    profile: 'attestation',
    request: async (fixture) => ({
      headers: await walletHeaders(fixture, { attestation: { header: { typ: 'JWT' } } }),
      body: form(GRANT),
    }),
    expect: unauthorized('ERR_ATTESTATION_TYP_INVALID'),
  },
  {
    title: `a PoP typed as the attestation is refused (${A} §5.1)`,
    profile: 'attestation',
    request: async (fixture) => ({
      headers: await walletHeaders(fixture, { pop: { header: { typ: 'oauth-client-attestation+jwt' } } }),
      body: form(GRANT),
    }),
    expect: unauthorized('ERR_ATTESTATION_POP_TYP_INVALID'),
  },
  {
    title: `a body client_id other than the attestation's sub is refused (${A} §7.1 item 7, §7.5)`,
    profile: 'attestation',
    request: async (fixture) => ({
      headers: await walletHeaders(fixture),
      body: form(GRANT, ['client_id', 'public-client']),
    }),
    expect: unauthorized('ERR_CLIENT_ID_MISMATCH'),
  },
  {
    title: `an attestation whose sub is a client registered for another method is refused (RFC 6749 §2.3.2; ${A} §4)`,
    profile: 'attestation',
    request: async (fixture) => ({
      headers: await walletHeaders(fixture, { attestation: { claims: { sub: 'pk-client' } } }),
      body: form(GRANT),
    }),
    expect: unauthorized('ERR_METHOD_MISMATCH'),
  },
  {
    title: `an attestation whose sub names no client is refused (${A} §4; RFC 6749 §5.2)`,
    profile: 'attestation',
    request: async (fixture) => ({
      headers: await walletHeaders(fixture, { attestation: { claims: { sub: 'no-such-wallet' } } }),
      body: form(GRANT),
    }),
    expect: unauthorized('ERR_CLIENT_NOT_FOUND'),
  },
  {
    title: `an expired attestation is use_fresh_attestation (${A} §4, §7.4)`,
    profile: 'attestation',
    request: async (fixture) => {
      const now = Math.floor(Date.now() / 1000);
      return {
        headers: await walletHeaders(fixture, { attestation: { claims: { iat: now - 7200, exp: now - 3600 } } }),
        body: form(GRANT),
      };
    },
    expect: { status: 400, error: 'use_fresh_attestation', code: 'ERR_ATTESTATION_EXPIRED' },
  },
  {
    title: `an attestation without exp is refused (${A} §4: exp REQUIRED)`,
    profile: 'attestation',
    request: async (fixture) => ({
      headers: await walletHeaders(fixture, { attestation: { claims: { exp: undefined } } }),
      body: form(GRANT),
    }),
    expect: unauthorized('ERR_ATTESTATION_CLAIMS_INVALID'),
  },
  {
    title: `a cnf.jwk with private parts is refused (${A} §7.1 item 5)`,
    profile: 'attestation',
    request: async (fixture) => {
      const { wallet } = fixture.attestation;
      const { exportJWK } = await import('jose');
      const privateJwk = await exportJWK(wallet.instance.privateKey);
      return {
        headers: await walletHeaders(fixture, { attestation: { claims: { cnf: { jwk: privateJwk } } } }),
        body: form(GRANT),
      };
    },
    expect: unauthorized('ERR_ATTESTATION_CNF_PRIVATE_KEY'),
  },
  {
    title: `a cnf.jwk RSA key of 1024 bits is refused (${A} §7.1; RFC 7518 §3.3)`,
    profile: 'attestation',
    request: async (fixture) => {
      const { generateKeyPairSync } = await import('node:crypto');
      const weak = generateKeyPairSync('rsa', { modulusLength: 1024 }).publicKey.export({ format: 'jwk' });
      return {
        headers: await walletHeaders(fixture, { attestation: { claims: { cnf: { jwk: weak } } } }),
        body: form(GRANT),
      };
    },
    expect: unauthorized('ERR_ATTESTATION_CNF_KEY_TOO_WEAK'),
  },
  {
    title: `a PoP not signed by the cnf.jwk of the attestation is refused (${A} §5.1 rule 3, §7.2 item 4)`,
    profile: 'attestation',
    request: async (fixture) => ({
      headers: await walletHeaders(fixture, { pop: { signingKey: fixture.attestation.rogue.instance.privateKey } }),
      body: form(GRANT),
    }),
    expect: unauthorized('ERR_ATTESTATION_POP_SIGNATURE_INVALID'),
  },
  {
    title: `a PoP MACed with HS256 is refused: asymmetric only (${A} §5.1 rule 2)`,
    profile: 'attestation',
    request: async (fixture) => {
      const { SignJWT } = await import('jose');
      const pop = await new SignJWT({ aud: fixture.issuer, jti: 'hs-pop', iat: Math.floor(Date.now() / 1000) })
        .setProtectedHeader({ alg: 'HS256', typ: 'oauth-client-attestation-pop+jwt' })
        .sign(new Uint8Array(32));
      const [attestation] = await walletHeaders(fixture);
      return { headers: [attestation, ['OAuth-Client-Attestation-PoP', pop]] as [string, string][], body: form(GRANT) };
    },
    expect: unauthorized('ERR_ATTESTATION_POP_ALG_NOT_ALLOWED'),
  },
  {
    title: `a PoP for another audience is refused (${A} §5.1, §7.2 item 7)`,
    profile: 'attestation',
    request: async (fixture) => ({
      headers: await walletHeaders(fixture, { pop: { claims: { aud: 'https://other-as.example.test' } } }),
      body: form(GRANT),
    }),
    expect: unauthorized('ERR_ATTESTATION_POP_AUD_MISMATCH'),
  },
  {
    title: `a PoP whose aud is the token endpoint URL, not the issuer, is refused (${A} §7.2 item 7)`,
    profile: 'attestation',
    request: async (fixture) => ({
      headers: await walletHeaders(fixture, { pop: { claims: { aud: TOKEN_ENDPOINT } } }),
      body: form(GRANT),
    }),
    expect: unauthorized('ERR_ATTESTATION_POP_AUD_MISMATCH'),
  },
  {
    title: `a PoP without jti is refused (${A} §5.1: jti REQUIRED)`,
    profile: 'attestation',
    request: async (fixture) => ({
      headers: await walletHeaders(fixture, { pop: { claims: { jti: undefined } } }),
      body: form(GRANT),
    }),
    expect: unauthorized('ERR_ATTESTATION_POP_JTI_MISSING'),
  },
  {
    title: `a PoP issued two minutes ago is outside the iat window (${A} §7.2 item 6, §9.7)`,
    profile: 'attestation',
    request: async (fixture) => ({
      headers: await walletHeaders(fixture, { pop: { claims: { iat: Math.floor(Date.now() / 1000) - 120 } } }),
      body: form(GRANT),
    }),
    expect: unauthorized('ERR_ATTESTATION_POP_STALE'),
  },
  {
    title: `without the challenge this server offers, the PoP is use_attestation_challenge (${A} §6.1, §7.4)`,
    profile: 'attestation-challenge',
    request: async (fixture) => ({ headers: await walletHeaders(fixture), body: form(GRANT) }),
    expect: { status: 400, error: 'use_attestation_challenge', code: 'ERR_ATTESTATION_CHALLENGE_MISSING' },
  },
  {
    title: `a challenge this server did not issue is use_attestation_challenge (${A} §7.2 item 5, §7.4)`,
    profile: 'attestation-challenge',
    request: async (fixture) => ({
      headers: await walletHeaders(fixture, { pop: { challenge: 'AYjcyMzY3ZDhiNmJkNTZ' } }),
      body: form(GRANT),
    }),
    expect: { status: 400, error: 'use_attestation_challenge', code: 'ERR_ATTESTATION_CHALLENGE_INVALID' },
  },
  {
    title: `an expired challenge is use_attestation_challenge (${A} §6, §7.4, §12.1)`,
    profile: 'attestation-challenge',
    request: async (fixture) => ({
      headers: await walletHeaders(fixture, { pop: { challenge: fixture.attestation.staleChallenge() } }),
      body: form(GRANT),
    }),
    expect: { status: 400, error: 'use_attestation_challenge', code: 'ERR_ATTESTATION_CHALLENGE_EXPIRED' },
  },
];

export const CASES: Case[] = [...SECRET_METHODS, ...BAD_INPUT, ...MTLS, ...ASSERTIONS, ...ATTESTATION];
