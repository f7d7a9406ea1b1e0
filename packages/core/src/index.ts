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
export type { ClientIdMetadataDocumentOptions } from './client_id_metadata/options.js';
export { ClientIdMetadataDocumentProblems } from './client_id_metadata/problems.js';
export {
  type ClientMetadataProblem,
  type ClientMetadataValidation,
  type ValidateClientMetadataOptions,
  validateClientMetadata,
} from './client_metadata.js';
export {
  JWT_BEARER_ASSERTION_TYPE,
  MAX_ASSERTION_LENGTH,
} from './credentials/assertion.js';
export {
  ATTESTATION_CHALLENGE_HEADER,
  ATTESTATION_HEADER,
  ATTESTATION_POP_HEADER,
  MAX_ATTESTATION_HEADER_LENGTH,
} from './credentials/attestation.js';
export { MAX_AUTHORIZATION_HEADER } from './credentials/basic.js';
export { MAX_CLIENT_ID_LENGTH, type PresentedCredential } from './credentials/credential.js';
export { parseCredentials } from './credentials/parse.js';
export {
  AttestationRefused,
  ERRORS,
  type ErrorCode,
  type ErrorCodeOf,
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
export { embeddedIPv4, isPublicAddress } from './ip/special_addresses.js';
export type { JwksFetch } from './jwks/guarded_fetch.js';
export { MAX_JWKS_KEYS } from './jwks/key_set.js';
export type { JwksOptions } from './jwks/options.js';
export type { JwksTarget } from './jwks/ssrf_guard.js';
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
export type {
  AttestationChallengeOptions,
  AttestationOptions,
  AttesterOptions,
} from './methods/attestation/options.js';
export { MAX_JTI_LENGTH } from './methods/client_assertion/claims.js';
export { MAX_KEY_CANDIDATES } from './methods/client_assertion/keys.js';
export { TLS_CLIENT_AUTH_IDENTIFIERS } from './methods/tls_client_auth.js';
export type { MinimumKeySizes, MtlsOptions } from './mtls_config.js';
export {
  type AuthenticatedEvent,
  type ClientAuthenticatorOptions,
  type FailureEvent,
  IMPLEMENTED_METHODS,
} from './options.js';
export {
  type AudienceMode,
  PROFILE_NAMES,
  PROFILES,
  type Profile,
  type ProfileName,
  type ProfileRule,
  type RuleId,
} from './policy/profiles.js';
export { type EffectivePolicy, profileAllowsMethod } from './policy/rules.js';
export {
  CERTIFICATE_HEADER_FORMATS,
  type CertificateHeaderFormat,
  DEFAULT_CERTIFICATE_HEADERS,
  type DecodedCertificate,
  decodeCertificateHeader,
  MAX_CERTIFICATE_CHAIN,
  MAX_CERTIFICATE_HEADER_LENGTH,
} from './proxy/certificate_headers.js';
export type { CertificateSourceOptions } from './proxy/certificate_source.js';
export { type MemoryReplayStoreOptions, memoryReplayStore, type ReplayStore } from './replay.js';
export { basicChallenge, type ErrorResponse, type ErrorResponseOptions, errorResponse } from './response.js';
export { MAX_RSA_BITS, MAX_RSA_EXPONENT_BITS } from './rsa_keys.js';
export { constantTimeEqual, MAX_ENCODED_SECRETS } from './secrets/compare.js';
export { hashSecret, type VerifyHash, verifySecretHash } from './secrets/hash.js';
export type { UnknownClientCost } from './secrets/unknown_client.js';
export type { AuthenticationOutcome, AuthenticationTelemetry } from './telemetry.js';
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
export { type ParsedCertificate, parseCertificate, x5tS256 } from './x509/certificate.js';
export type { CertificateKey } from './x509/certificate_key.js';
export {
  type AttributeTypeAndValue,
  type DistinguishedName,
  MAX_DN_LENGTH,
  parseDistinguishedName,
  type RelativeDistinguishedName,
} from './x509/distinguished_name.js';
export { distinguishedNameMatch } from './x509/name_match.js';
export { MAX_PARSED_CERTIFICATES, MAX_PATH_DEPTH, MAX_PATH_INTERMEDIATES } from './x509/path_validation.js';
