/**
 * RFC 8414 authorization server metadata for client authentication, generated from the same
 * configuration that the verifier enforces, so that what is advertised is what is accepted.
 */
import { methodAlgorithms, SIGNING_ALGORITHMS, type SigningAlgorithm } from './algorithms.js';
import type { Config } from './config.js';
import { AUTH_METHODS, type AuthMethod, type EndpointName } from './types.js';

/** The client-authentication fields of an RFC 8414 metadata document. */
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
  [field: string]: unknown;
}

function ordered(methods: ReadonlySet<AuthMethod>): AuthMethod[] {
  return AUTH_METHODS.filter((method) => methods.has(method));
}

const ENDPOINT_FIELDS: Record<EndpointName, string> = {
  token: 'token_endpoint',
  pushed_authorization_request: 'pushed_authorization_request_endpoint',
  introspection: 'introspection_endpoint',
  revocation: 'revocation_endpoint',
  device_authorization: 'device_authorization_endpoint',
  backchannel_authentication: 'backchannel_authentication_endpoint',
};

/** The enabled algorithms of the JWT methods among `methods`, in a stable order. */
function signingAlgorithms(config: Config, methods: ReadonlySet<AuthMethod>): SigningAlgorithm[] {
  const usable = new Set<SigningAlgorithm>();
  for (const method of ['client_secret_jwt', 'private_key_jwt'] as const) {
    if (methods.has(method)) for (const alg of methodAlgorithms(method)) usable.add(alg);
  }
  return SIGNING_ALGORITHMS.filter((alg) => usable.has(alg) && config.signingAlgorithms.has(alg));
}

/**
 * Build the metadata. RFC 8414 §2 defines `*_auth_methods_supported` for the token, revocation
 * and introspection endpoints only; PAR (RFC 9126 §5), device authorization (RFC 8628 §4) and
 * CIBA define none of their own and use the token endpoint's.
 */
export function serverMetadata(config: Config): ServerAuthMetadata {
  const document: ServerAuthMetadata = {
    issuer: config.issuer,
    token_endpoint_auth_methods_supported: ordered(config.endpointMethods.token),
    revocation_endpoint_auth_methods_supported: ordered(config.endpointMethods.revocation),
    introspection_endpoint_auth_methods_supported: ordered(config.endpointMethods.introspection),
  };
  // RFC 8414 §2: *_auth_signing_alg_values_supported lists the JWS algorithms of private_key_jwt
  // and client_secret_jwt at that endpoint ("none" MUST NOT be used); omitted when neither is on.
  for (const endpoint of ['token', 'revocation', 'introspection'] as const) {
    const algorithms = signingAlgorithms(config, config.endpointMethods[endpoint]);
    if (algorithms.length > 0) document[`${endpoint}_endpoint_auth_signing_alg_values_supported`] = algorithms;
  }
  for (const [endpoint, field] of Object.entries(ENDPOINT_FIELDS)) {
    const url = config.endpoints[endpoint as EndpointName];
    if (url !== undefined) document[field] = url;
  }
  return document;
}
