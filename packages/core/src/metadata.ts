/**
 * RFC 8414 authorization server metadata for client authentication, generated from the same
 * configuration that the verifier enforces, so that what is advertised is what is accepted.
 */
import { methodAlgorithms, SIGNING_ALGORITHMS, type SigningAlgorithm } from './algorithms.js';
import type { Config } from './config.js';
import type { EffectivePolicy } from './policy/rules.js';
import { AUTH_METHODS, type AuthMethod, ENDPOINT_NAMES, type EndpointName } from './types.js';

/**
 * The client-authentication fields of an RFC 8414 metadata document, as `auth.metadata()`
 * generates them from the configuration (so that what is advertised is what is accepted). Merge
 * them into the discovery document.
 *
 * @example
 * ```ts
 * app.get('/.well-known/oauth-authorization-server', (req, res) => {
 *   const metadata: ServerAuthMetadata = auth.metadata()
 *   res.json({ ...metadata, authorization_endpoint: 'https://as.example.com/authorize' })
 * })
 * ```
 * @see https://www.rfc-editor.org/rfc/rfc8414#section-2
 */
export interface ServerAuthMetadata {
  issuer: string;
  token_endpoint?: string;
  token_endpoint_auth_methods_supported: AuthMethod[];
  revocation_endpoint?: string;
  revocation_endpoint_auth_methods_supported: AuthMethod[];
  introspection_endpoint?: string;
  introspection_endpoint_auth_methods_supported: AuthMethod[];
  pushed_authorization_request_endpoint?: string;
  device_authorization_endpoint?: string;
  backchannel_authentication_endpoint?: string;
  /** `true` when `clientIdMetadataDocuments` is enabled (draft-ietf-oauth-client-id-metadata-document §6). */
  client_id_metadata_document_supported?: true;
  [field: string]: unknown;
}

/**
 * The methods of an endpoint in a stable order, leaving out a JWT method none of whose algorithms
 * is enabled there (it could authenticate no one).
 */
function ordered(config: Config, endpoint: EndpointName): AuthMethod[] {
  const methods = config.endpointMethods[endpoint];
  const algorithms = config.endpointAlgorithms[endpoint];
  return AUTH_METHODS.filter(
    (method) =>
      methods.has(method) &&
      (methodAlgorithms(method).length === 0 || methodAlgorithms(method).some((alg) => algorithms.has(alg))),
  );
}

const ENDPOINT_FIELDS: Record<EndpointName, string> = {
  token: 'token_endpoint',
  pushed_authorization_request: 'pushed_authorization_request_endpoint',
  introspection: 'introspection_endpoint',
  revocation: 'revocation_endpoint',
  device_authorization: 'device_authorization_endpoint',
  backchannel_authentication: 'backchannel_authentication_endpoint',
};

/** The enabled algorithms of the JWT methods of an endpoint, in a stable order. */
function signingAlgorithms(config: Config, endpoint: EndpointName): SigningAlgorithm[] {
  const methods = config.endpointMethods[endpoint];
  const usable = new Set<SigningAlgorithm>();
  for (const method of ['client_secret_jwt', 'private_key_jwt'] as const) {
    if (methods.has(method)) for (const alg of methodAlgorithms(method)) usable.add(alg);
  }
  return SIGNING_ALGORITHMS.filter((alg) => usable.has(alg) && config.endpointAlgorithms[endpoint].has(alg));
}

/**
 * Build the metadata. RFC 8414 §2 defines `*_auth_methods_supported` for the token, revocation
 * and introspection endpoints only; PAR (RFC 9126 §5), device authorization (RFC 8628 §4) and
 * CIBA define none of their own and use the token endpoint's.
 */
export function serverMetadata(config: Config): ServerAuthMetadata {
  const document: ServerAuthMetadata = {
    issuer: config.issuer,
    token_endpoint_auth_methods_supported: ordered(config, 'token'),
    revocation_endpoint_auth_methods_supported: ordered(config, 'revocation'),
    introspection_endpoint_auth_methods_supported: ordered(config, 'introspection'),
  };
  // RFC 8414 §2: *_auth_signing_alg_values_supported lists the JWS algorithms of private_key_jwt
  // and client_secret_jwt at that endpoint ("none" MUST NOT be used); omitted when neither is on.
  for (const endpoint of ['token', 'revocation', 'introspection'] as const) {
    const algorithms = signingAlgorithms(config, endpoint);
    if (algorithms.length > 0) document[`${endpoint}_endpoint_auth_signing_alg_values_supported`] = algorithms;
  }
  for (const [endpoint, field] of Object.entries(ENDPOINT_FIELDS)) {
    const url = config.endpoints[endpoint as EndpointName];
    if (url !== undefined) document[field] = url;
  }
  // RFC 8705 §5: the endpoints' mTLS aliases, under the same metadata names.
  const aliases: Record<string, string> = {};
  for (const [endpoint, field] of Object.entries(ENDPOINT_FIELDS)) {
    const url = config.mtlsEndpointAliases[endpoint as EndpointName];
    if (url !== undefined) aliases[field] = url;
  }
  if (Object.keys(aliases).length > 0) document.mtls_endpoint_aliases = aliases;
  // RFC 8705 §3.3.
  if (config.tlsClientCertificateBoundAccessTokens) document.tls_client_certificate_bound_access_tokens = true;
  // draft-ietf-oauth-client-id-metadata-document-02 §6: servers that publish RFC 8414 metadata
  // "MUST include" it to signal support.
  if (config.clientDocuments !== undefined) document.client_id_metadata_document_supported = true;
  // draft-ietf-oauth-attestation-based-client-auth-10 §8: both algorithm lists "MUST" be published
  // when the PoP JWT mechanism is used; §6.1: the challenge endpoint "MUST" be signalled.
  const attestation = config.attestation;
  if (
    attestation !== undefined &&
    ENDPOINT_NAMES.some((endpoint) => config.endpointMethods[endpoint].has('attest_jwt_client_auth'))
  ) {
    document.client_attestation_signing_alg_values_supported = [...attestation.signingAlgorithms];
    document.client_attestation_pop_signing_alg_values_supported = [...attestation.popSigningAlgorithms];
    if (attestation.challengeEndpoint !== undefined) document.challenge_endpoint = attestation.challengeEndpoint;
  }
  return document;
}

/** The policy an authenticator enforces, for documentation and operators. */
export function effectivePolicy(config: Config): EffectivePolicy {
  const methods: Record<string, AuthMethod[]> = {};
  const algorithms: Record<string, SigningAlgorithm[]> = {};
  for (const endpoint of ENDPOINT_NAMES) {
    methods[endpoint] = ordered(config, endpoint);
    algorithms[endpoint] = SIGNING_ALGORITHMS.filter((alg) => config.endpointAlgorithms[endpoint].has(alg));
  }
  return {
    profile: config.profile?.name,
    rules: (config.profile?.rules ?? []).map((rule) => ({ ...rule, overridden: config.overrides.has(rule.id) })),
    methods,
    signingAlgorithms: algorithms,
    audience: config.audience,
    clockTolerance: config.clockTolerance,
    minRsaBits: config.minimumKeySizes.rsa,
    minEcBits: config.minimumKeySizes.ec,
  };
}
