export { type AdapterOptions, type AdapterOptionsInput, normalizeAdapterOptions } from './adapter.js';
export {
  ASYMMETRIC_ALGORITHMS,
  HMAC_ALGORITHMS,
  SIGNING_ALGORITHMS,
  type SigningAlgorithm,
} from './algorithms.js';
export {
  type AuthenticateOptions,
  type ClientAuthenticator,
  certificateThumbprint,
  createClientAuthenticator,
  type SecretStats,
} from './authenticator.js';
export {
  type AttributeTypeAndValue,
  type CertificateKey,
  type DistinguishedName,
  distinguishedNameMatch,
  MAX_DN_LENGTH,
  type ParsedCertificate,
  parseCertificate,
  parseDistinguishedName,
  type RelativeDistinguishedName,
  x5tS256,
} from './certificates.js';
export {
  type ClientMetadataProblem,
  type ClientMetadataValidation,
  type ValidateClientMetadataOptions,
  validateClientMetadata,
} from './client_metadata.js';
export {
  type AudienceMode,
  type AuthenticatedEvent,
  type ClientAuthenticatorOptions,
  type FailureEvent,
  IMPLEMENTED_METHODS,
} from './config.js';
export { JWT_BEARER_ASSERTION_TYPE, MAX_ASSERTION_LENGTH } from './credentials/assertion.js';
export { MAX_AUTHORIZATION_HEADER } from './credentials/basic.js';
export { MAX_CLIENT_ID_LENGTH, type PresentedCredential } from './credentials/credential.js';
export { parseCredentials } from './credentials/parse.js';
export {
  type ErrorCode,
  INVALID_CLIENT_DESCRIPTION,
  InvalidClient,
  InvalidRequest,
  isOAuthError,
  OAuthError,
  type OAuthErrorOptions,
  type OAuthErrorValue,
  ServerError,
  TemporarilyUnavailable,
} from './errors.js';
export {
  DEFAULT_BODY_LIMIT,
  DEFAULT_BODY_TIMEOUT,
  decodeFormComponent,
  encodeFormComponent,
  formFromParsedBody,
  formToObject,
  isFormContentType,
  parseForm,
  parseFormBody,
} from './form.js';
export { type JwksFetch, type JwksOptions, type JwksTarget, MAX_JWKS_KEYS } from './keys.js';
export {
  FAILURE_LIMITER_IPV6_PREFIX,
  type FailureKeyInput,
  type FailureLimiter,
  type FailureLimiterKey,
  failureAddressScope,
  failureLimiterKey,
  MAX_FAILURE_LIMITER_KEY_LENGTH,
} from './limiter.js';
export { type MemoryFailureLimiterOptions, memoryFailureLimiter } from './memory_limiter.js';
export type { ServerAuthMetadata } from './metadata.js';
export { MAX_JTI_LENGTH } from './methods/client_assertion/claims.js';
export { MAX_KEY_CANDIDATES } from './methods/client_assertion/keys.js';
export { TLS_CLIENT_AUTH_IDENTIFIERS } from './methods/tls_client_auth.js';
export type { MinimumKeySizes, MtlsOptions } from './mtls_config.js';
export { MAX_PARSED_CERTIFICATES, MAX_PATH_DEPTH, MAX_PATH_INTERMEDIATES } from './path_validation.js';
export {
  type EffectivePolicy,
  PROFILE_NAMES,
  PROFILES,
  type Profile,
  type ProfileName,
  type ProfileRule,
  profileAllowsMethod,
  type RuleId,
} from './policy.js';
export {
  CERTIFICATE_HEADER_FORMATS,
  type CertificateHeaderFormat,
  type CertificateSourceOptions,
  DEFAULT_CERTIFICATE_HEADERS,
  type DecodedCertificate,
  decodeCertificateHeader,
  MAX_CERTIFICATE_CHAIN,
  MAX_CERTIFICATE_HEADER_LENGTH,
} from './proxy.js';
export { type MemoryReplayStoreOptions, memoryReplayStore, type ReplayStore } from './replay.js';
export { basicChallenge, type ErrorResponse, type ErrorResponseOptions, errorResponse } from './response.js';
export { MAX_RSA_BITS, MAX_RSA_EXPONENT_BITS } from './rsa_keys.js';
export { constantTimeEqual, MAX_ENCODED_SECRETS } from './secrets/compare.js';
export { hashSecret, type VerifyHash, verifySecretHash } from './secrets/hash.js';
export type { UnknownClientCost } from './secrets/unknown_client.js';
export { embeddedIPv4, isPublicAddress } from './special_addresses.js';
export {
  AUTH_METHODS,
  type AuthMethod,
  type ClientAuthRequest,
  type ClientAuthResult,
  type ClientJWK,
  type ClientMetadata,
  type ClientSecretEntry,
  ENDPOINT_NAMES,
  type EndpointName,
  type FormParameters,
  type PresentedCertificate,
} from './types.js';
