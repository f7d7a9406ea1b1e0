/**
 * The example authorization server, framework-free: which routes exist, which endpoint each one
 * authenticates for, and what each answers once the client is known. The Express, Koa and Hono
 * examples only wire these routes to their framework and the adapter.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import {
  type ClientAuthenticator,
  type ClientAuthenticatorOptions,
  type ClientAuthResult,
  createClientAuthenticator,
  type EndpointName,
  IMPLEMENTED_METHODS,
  memoryFailureLimiter,
  memoryReplayStore,
  PROFILES,
  profileAllowsMethod,
} from '@client-auth/core';
import { clientDocumentOptions, registeredForGrant } from './client_documents.js';
import { allowHttpJwksUri, type ExampleConfig } from './config.js';
import { ExampleLog } from './log.js';
import { createRedisStores } from './replay.js';
import { TokenService } from './tokens.js';

export interface ExampleResponse {
  status: number;
  headers: Record<string, string>;
  body: string;
}

/** The parsed form body, as the framework left it after the adapter ran. */
export type FormBody = Record<string, unknown>;

export interface ExampleRoute {
  method: 'GET' | 'POST';
  path: string;
  /** The endpoint the adapter authenticates for; absent for public documents. */
  endpoint?: EndpointName;
  handle(auth: ClientAuthResult | undefined, body: FormBody): Promise<ExampleResponse>;
}

export interface ExampleServer {
  config: ExampleConfig;
  /** The operator log (pino, LOG_LEVEL). */
  log: ExampleLog;
  authenticator: ClientAuthenticator;
  tokens: TokenService;
  routes: ExampleRoute[];
}

const PATHS: Record<EndpointName, string> = {
  token: '/token',
  pushed_authorization_request: '/par',
  introspection: '/introspect',
  revocation: '/revoke',
  device_authorization: '/device_authorization',
  backchannel_authentication: '/bc-authorize',
};

function json(status: number, body: unknown, extra: Record<string, string> = {}): ExampleResponse {
  return {
    status,
    headers: { 'content-type': 'application/json', 'cache-control': 'no-store', pragma: 'no-cache', ...extra },
    body: JSON.stringify(body),
  };
}

function oauthError(status: number, error: string, description: string): ExampleResponse {
  return json(status, { error, error_description: description });
}

/** One string value of a form parameter; repeated or non-string values are refused by the caller. */
function param(body: FormBody, name: string): string | undefined | null {
  const value = body[name];
  if (value === undefined || value === '') return undefined;
  return typeof value === 'string' ? value : null;
}

function required(body: FormBody, name: string): string | ExampleResponse {
  const value = param(body, name);
  if (value === null) return oauthError(400, 'invalid_request', `the ${name} parameter must not be repeated`);
  if (value === undefined) return oauthError(400, 'invalid_request', `the ${name} parameter is required`);
  return value;
}

/** A client registered with `none` (RFC 6749 §2.1: a public client, which cannot authenticate). */
function isPublic(auth: ClientAuthResult | undefined): boolean {
  return auth === undefined || auth.method === 'none';
}

function id(): string {
  return randomBytes(24).toString('base64url');
}

/**
 * RFC 8705 options from the environment. `TLS_CA` is the trust-anchor bundle of tls_client_auth;
 * without it (and without a proxy header) tls_client_auth stays off, since the TLS layer would
 * otherwise validate client certificates against every public CA (RFC 8705 §7.2).
 */
function mtlsOptions(config: ExampleConfig): Partial<ClientAuthenticatorOptions> {
  // The tokens carry cnf.x5t#S256 whenever a certificate was presented (tokens.ts).
  const options: Partial<ClientAuthenticatorOptions> = {
    tlsClientCertificateBoundAccessTokens: config.tls !== undefined || config.certificateHeader !== undefined,
  };
  if (config.tls?.ca !== undefined) options.trustAnchors = config.tls.ca;
  if (config.certificateHeader !== undefined) {
    // The proxy is configured to verify client certificates (nginx `ssl_verify_client on`, …);
    // with TLS_CA the chain is checked here as well.
    options.certificates = {
      from: config.certificateHeader.format,
      trustedProxies: config.certificateHeader.trustedProxies,
      chainValidated: true,
    };
  } else if (config.tls?.ca === undefined) {
    const profile = config.profile === undefined ? undefined : PROFILES[config.profile];
    options.methods = IMPLEMENTED_METHODS.filter(
      (method) => method !== 'tls_client_auth' && profileAllowsMethod(profile, method),
    );
  }
  if (config.mtlsOrigin !== undefined) {
    options.mtlsEndpointAliases = Object.fromEntries(
      Object.entries(PATHS).map(([endpoint, path]) => [endpoint, `${config.mtlsOrigin}${path}`]),
    );
  }
  return options;
}

/** Build the authenticator, the token service and the routes from a configuration. */
export async function createExampleServer(
  config: ExampleConfig,
  telemetry?: ClientAuthenticatorOptions['telemetry'],
): Promise<ExampleServer> {
  const log = new ExampleLog(config.logLevel);
  const clients = new Map(config.clients.map((client) => [client.client_id, client]));
  const endpoints = Object.fromEntries(
    Object.entries(PATHS).map(([endpoint, path]) => [endpoint, `${config.issuer}${path}`]),
  ) as Record<EndpointName, string>;
  const authenticator = createClientAuthenticator({
    issuer: config.issuer,
    getClient: (clientId) => clients.get(clientId),
    endpoints,
    allowInsecureTransport: config.allowInsecureTransport,
    // TRUSTED_PROXIES: behind nginx, an ALB or an ingress, the proxy's https counts as TLS.
    ...(config.trustedProxies === undefined ? {} : { trustedProxies: config.trustedProxies }),
    ...(config.audience !== undefined ? { audience: config.audience } : {}),
    onAuthenticated: log.authenticated,
    onFailure: log.refusal,
    ...(telemetry === undefined ? {} : { telemetry }),
    ...(config.clockTolerance !== undefined ? { clockTolerance: config.clockTolerance } : {}),
    // http jwks_uris only where secrets may travel over http too: a local-development issuer
    // (and never under a profile that requires TLS for jwks_uri).
    jwks: { allow: config.jwksUriAllow, allowHttp: allowHttpJwksUri(config.issuer, config.profile) },
    ...(config.profile !== undefined ? { profile: config.profile } : {}),
    // CLIENT_ID_METADATA_DOCUMENTS=1: https URL client_ids from their documents (client_documents.ts).
    ...clientDocumentOptions(config.clientIdMetadataDocuments),
    ...mtlsOptions(config),
    ...(config.failureLimit === undefined ? {} : { failureLimiter: memoryFailureLimiter(config.failureLimit) }),
    ...(config.failureLimitKey === undefined ? {} : { failureLimiterKey: config.failureLimitKey }),
    // REPLAY_MAX_ENTRIES, REPLAY_MAX_PER_CLIENT: the bounds of the in-memory jti store.
    ...(config.replayLimits === undefined ? {} : { replayStore: memoryReplayStore(config.replayLimits) }),
    // HASH_BUDGET, UNKNOWN_CLIENT_COST: how many hash verifications at once and waiting (503
    // beyond), and what an unknown client_id costs (docs/SECURITY.md).
    secrets: {
      ...config.hashBudget,
      ...(config.unknownClientCost !== undefined ? { unknownClientCost: config.unknownClientCost } : {}),
    },
    // REDIS_URL: jti replay records (and FAILURE_LIMIT counts) shared by every instance.
    ...(config.redisUrl === undefined ? {} : await createRedisStores(config.redisUrl, config.failureLimit, log.logger)),
  });
  const tokens = await TokenService.create(config.issuer);

  const routes: ExampleRoute[] = [
    {
      method: 'POST',
      path: PATHS.token,
      endpoint: 'token',
      async handle(auth, body) {
        const grantType = required(body, 'grant_type');
        if (typeof grantType !== 'string') return grantType;
        if (grantType !== 'client_credentials') {
          return oauthError(400, 'unsupported_grant_type', 'this example server issues client_credentials tokens only');
        }
        // RFC 6749 §4.4: "The client credentials grant type MUST only be used by confidential clients."
        if (isPublic(auth)) {
          return oauthError(400, 'unauthorized_client', 'public clients may not use the client_credentials grant');
        }
        if (!registeredForGrant(auth, grantType)) {
          return oauthError(
            400,
            'unauthorized_client',
            'the client is not registered for the client_credentials grant',
          );
        }
        const scope = param(body, 'scope');
        if (scope === null) return oauthError(400, 'invalid_request', 'the scope parameter must not be repeated');
        return json(200, await tokens.issue(auth as ClientAuthResult, scope));
      },
    },
    {
      method: 'POST',
      path: PATHS.introspection,
      endpoint: 'introspection',
      async handle(auth, body) {
        // RFC 7662 §2.1, §4: the caller must be authorized to introspect; a public client proves
        // nothing about itself, so it may not.
        if (isPublic(auth)) return oauthError(400, 'unauthorized_client', 'public clients may not introspect tokens');
        const token = required(body, 'token');
        if (typeof token !== 'string') return token;
        const info = await tokens.introspect(token);
        // RFC 7662 §2.2: a token the caller is not allowed to introspect (here: another client's)
        // is reported as inactive, so that introspection cannot be used to scan for tokens.
        if (info.active && info.client_id !== (auth as ClientAuthResult).clientId) return json(200, { active: false });
        return json(200, info);
      },
    },
    {
      method: 'POST',
      path: PATHS.revocation,
      endpoint: 'revocation',
      async handle(auth, body) {
        const token = required(body, 'token');
        if (typeof token !== 'string') return token;
        await tokens.revoke(token, (auth as ClientAuthResult).clientId);
        return { status: 200, headers: { 'cache-control': 'no-store' }, body: '' };
      },
    },
    {
      method: 'POST',
      path: PATHS.pushed_authorization_request,
      endpoint: 'pushed_authorization_request',
      async handle() {
        // RFC 9126 §2.2: 201 with request_uri and expires_in.
        return json(201, { request_uri: `urn:ietf:params:oauth:request_uri:${id()}`, expires_in: 60 });
      },
    },
    {
      method: 'POST',
      path: PATHS.device_authorization,
      endpoint: 'device_authorization',
      async handle() {
        // RFC 8628 §3.2.
        const userCode = randomBytes(4).toString('hex').toUpperCase();
        return json(200, {
          device_code: id(),
          user_code: `${userCode.slice(0, 4)}-${userCode.slice(4)}`,
          verification_uri: `${config.issuer}/device`,
          expires_in: 600,
          interval: 5,
        });
      },
    },
    {
      method: 'POST',
      path: PATHS.backchannel_authentication,
      endpoint: 'backchannel_authentication',
      async handle() {
        // CIBA Core §7.3.
        return json(200, { auth_req_id: randomUUID(), expires_in: 120, interval: 5 });
      },
    },
    {
      method: 'GET',
      path: '/.well-known/oauth-authorization-server',
      async handle() {
        return json(
          200,
          {
            ...authenticator.metadata(),
            grant_types_supported: ['client_credentials'],
            jwks_uri: `${config.issuer}/jwks`,
          },
          { 'cache-control': 'public, max-age=60' },
        );
      },
    },
    {
      method: 'GET',
      path: '/jwks',
      async handle() {
        return json(200, await tokens.jwks(), { 'cache-control': 'public, max-age=300' });
      },
    },
  ];

  return { config, log, authenticator, tokens, routes };
}
