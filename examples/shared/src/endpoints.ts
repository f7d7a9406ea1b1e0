/**
 * The example authorization server, framework-free: the authenticator configured from the
 * environment, the token service, and what each endpoint answers once the client is known
 * (endpoint_answers.ts). The Express, Koa and Hono apps write their routes literally and call these.
 */
import {
  type ClientAuthenticator,
  type ClientAuthenticatorOptions,
  createClientAuthenticator,
  type EndpointName,
  memoryFailureLimiter,
  memoryReplayStore,
} from '@client-auth/core';
import { clientDocumentOptions } from './client_documents.js';
import { allowHttpJwksUri, type ExampleConfig } from './config.js';
import { EndpointAnswers } from './endpoint_answers.js';
import { ExampleLog } from './log.js';
import { createRedisStores, redisTarget } from './replay.js';
import { TokenService } from './tokens.js';

export interface ExampleServer {
  config: ExampleConfig;
  /** The operator log (pino, LOG_LEVEL). */
  log: ExampleLog;
  authenticator: ClientAuthenticator;
  tokens: TokenService;
  /** What each endpoint answers once the adapter authenticated the client. */
  answers: EndpointAnswers;
}

/**
 * The paths every app serves (DESIGN §5), for the endpoint URLs the core publishes in its metadata
 * and accepts as assertion audiences, on the issuer and on the mTLS origin.
 */
const PATHS: Record<EndpointName, string> = {
  token: '/token',
  pushed_authorization_request: '/par',
  introspection: '/introspect',
  revocation: '/revoke',
  device_authorization: '/device_authorization',
  backchannel_authentication: '/bc-authorize',
};

/** The endpoint URLs at `origin`. */
function endpointUrls(origin: string): Record<EndpointName, string> {
  return Object.fromEntries(Object.entries(PATHS).map(([endpoint, path]) => [endpoint, `${origin}${path}`])) as Record<
    EndpointName,
    string
  >;
}

/**
 * RFC 8705 options from the environment: `TLS_CA` is the trust-anchor bundle of tls_client_auth
 * (and the HTTPS listener's `ca`), `CERT_HEADER` a proxy that validated the chain. With neither,
 * the core leaves tls_client_auth off by itself (RFC 8705 §7.4: the listener would otherwise vouch
 * for any certificate of Node's public roots).
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
  }
  if (config.mtlsOrigin !== undefined) options.mtlsEndpointAliases = endpointUrls(config.mtlsOrigin);
  return options;
}

/** Build the authenticator, the token service and the endpoint answers from a configuration. */
export async function createExampleServer(
  config: ExampleConfig,
  telemetry?: ClientAuthenticatorOptions['telemetry'],
): Promise<ExampleServer> {
  const log = new ExampleLog(config.logLevel);
  const clients = new Map(config.clients.map((client) => [client.client_id, client]));
  const endpoints = endpointUrls(config.issuer);
  const redis = redisTarget(config);
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
    // ATTESTATION_ISSUERS: attest_jwt_client_auth with these attesters, and challenges served at
    // POST /challenge (draft-ietf-oauth-attestation-based-client-auth-10 §6.1), single-use through
    // the replay store (Redis with REDIS_URL or REDIS_CLUSTER_NODES).
    ...(config.attestation === undefined
      ? {}
      : {
          attestation: {
            attesters: config.attestation.attesters,
            challenges: {
              endpoint: `${config.issuer}/challenge`,
              ...(config.attestation.challengeSecret === undefined
                ? {}
                : { secret: config.attestation.challengeSecret }),
            },
          },
        }),
    // REDIS_URL or REDIS_CLUSTER_NODES: jti replay records (and FAILURE_LIMIT counts) shared by
    // every instance; REDIS_WAIT_REPLICAS: replicas that must hold a record before it counts.
    ...(redis === undefined
      ? {}
      : await createRedisStores(redis, config.redisWaitReplicas, config.failureLimit, log.logger)),
  });
  const tokens = await TokenService.create(config.issuer);

  const answers = await EndpointAnswers.create(config.issuer, authenticator, tokens);
  return { config, log, authenticator, tokens, answers };
}
