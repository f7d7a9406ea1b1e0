/**
 * Public types shared by every module: client metadata (RFC 7591 names), the neutral request view
 * adapters build, and the authentication result.
 */

/**
 * Client authentication methods, by their IANA "OAuth Token Endpoint Authentication Methods" names:
 * the values of a client's `token_endpoint_auth_method`.
 *
 * @example
 * ```ts
 * const method: AuthMethod = 'private_key_jwt'
 * createClientAuthenticator({ issuer, getClient, endpointMethods: { introspection: [method] } })
 * ```
 * @see https://www.iana.org/assignments/oauth-parameters/oauth-parameters.xhtml#token-endpoint-auth-method
 */
export type AuthMethod =
  | 'none'
  | 'client_secret_basic'
  | 'client_secret_post'
  | 'client_secret_jwt'
  | 'private_key_jwt'
  | 'tls_client_auth'
  | 'self_signed_tls_client_auth'
  | 'attest_jwt_client_auth';

/**
 * Every method this library implements, in the order metadata lists them (the default of
 * `methods` is {@link IMPLEMENTED_METHODS}, the same list).
 *
 * @example
 * ```ts
 * const confidential = AUTH_METHODS.filter((method) => method !== 'none')
 * createClientAuthenticator({ issuer, getClient, methods: confidential })
 * ```
 * @see https://www.iana.org/assignments/oauth-parameters/oauth-parameters.xhtml#token-endpoint-auth-method
 */
export const AUTH_METHODS: readonly AuthMethod[] = [
  'client_secret_basic',
  'client_secret_post',
  'client_secret_jwt',
  'private_key_jwt',
  'tls_client_auth',
  'self_signed_tls_client_auth',
  'attest_jwt_client_auth',
  'none',
];

/**
 * Endpoints that authenticate clients (RFC 8414 / RFC 9126 / RFC 7662 / RFC 7009 / RFC 8628 / CIBA
 * names): the `endpoint` of `authenticate()` and the keys of the per-endpoint options.
 *
 * @example
 * ```ts
 * const endpoint: EndpointName = 'revocation'
 * await auth.authenticate(request, { endpoint })
 * ```
 * @see https://www.rfc-editor.org/rfc/rfc8414#section-2
 */
export type EndpointName =
  | 'token'
  | 'pushed_authorization_request'
  | 'introspection'
  | 'revocation'
  | 'device_authorization'
  | 'backchannel_authentication';

/**
 * Every {@link EndpointName}, in the order metadata lists them.
 *
 * @example
 * ```ts
 * const route = process.env.ENDPOINT as EndpointName
 * if (!ENDPOINT_NAMES.includes(route)) throw new Error(`unknown endpoint ${route}`)
 * ```
 * @see https://www.rfc-editor.org/rfc/rfc8414#section-2
 */
export const ENDPOINT_NAMES: readonly EndpointName[] = [
  'token',
  'pushed_authorization_request',
  'introspection',
  'revocation',
  'device_authorization',
  'backchannel_authentication',
];

/**
 * One of several active secrets of a client (rotation), stored in plain text or as a hash, each
 * with its own expiry.
 *
 * @example
 * ```ts
 * const client_secrets: ClientSecretEntry[] = [
 *   { hash: await hashSecret('new-secret') },
 *   { value: 'old-secret', expires_at: 1893456000 }, // refused after this time
 * ]
 * const client = { client_id: 'rotating', token_endpoint_auth_method: 'client_secret_post', client_secrets }
 * ```
 * @see https://www.rfc-editor.org/rfc/rfc7591#section-3.2.1
 */
export type ClientSecretEntry =
  | {
      /** The secret itself. Needed for `client_secret_jwt` (the HMAC key). */
      value: string;
      /** Seconds since the epoch after which this secret is refused; absent or 0: never. */
      expires_at?: number;
    }
  | {
      /**
       * A hash of the secret: `scrypt$…` strings from {@link hashSecret} are verified built in;
       * any other format goes to the `secrets.verifyHash` option (argon2, bcrypt, …).
       */
      hash: string;
      expires_at?: number;
    };

/**
 * A JSON Web Key as registered by a client (RFC 7517), in its `jwks`: the public keys that verify
 * its `private_key_jwt` assertions (`x5c` for `self_signed_tls_client_auth`).
 *
 * @example
 * ```ts
 * const key: ClientJWK = { kty: 'EC', crv: 'P-256', kid: 'k1', alg: 'ES256', use: 'sig', x, y }
 * const client = { client_id: 'svc', token_endpoint_auth_method: 'private_key_jwt', jwks: { keys: [key] } }
 * ```
 * @see https://www.rfc-editor.org/rfc/rfc7517#section-4
 */
export interface ClientJWK {
  kty: string;
  kid?: string;
  alg?: string;
  use?: string;
  crv?: string;
  x5c?: string[];
  [member: string]: unknown;
}

/**
 * Registered client metadata, with the RFC 7591 / OpenID Connect Registration names. Only the
 * fields client authentication reads are typed; anything else the host keeps is passed through.
 *
 * @example
 * ```ts
 * const clients = new Map<string, ClientMetadata>([
 *   ['s6BhdRkqt3', { client_id: 's6BhdRkqt3', client_secret: '7Fjfp0ZBr1KtDRbnfVdmIw' }],
 *   ['svc', { client_id: 'svc', token_endpoint_auth_method: 'private_key_jwt', jwks_uri: 'https://svc.example/jwks' }],
 * ])
 * createClientAuthenticator({ issuer, getClient: (id) => clients.get(id) })
 * ```
 * @see https://www.rfc-editor.org/rfc/rfc7591#section-2
 */
export interface ClientMetadata {
  client_id: string;
  /** RFC 7591 §2: defaults to `client_secret_basic` when absent. */
  token_endpoint_auth_method?: AuthMethod | (string & {});
  token_endpoint_auth_signing_alg?: string;
  client_secret?: string;
  /** RFC 7591 §3.2.1: seconds since the epoch, 0 for never. */
  client_secret_expires_at?: number;
  /** Several active secrets (rotation); checked together with `client_secret`. */
  client_secrets?: ClientSecretEntry[];
  jwks?: { keys: ClientJWK[] };
  jwks_uri?: string;
  tls_client_auth_subject_dn?: string;
  tls_client_auth_san_dns?: string;
  tls_client_auth_san_uri?: string;
  tls_client_auth_san_ip?: string;
  tls_client_auth_san_email?: string;
  tls_client_certificate_bound_access_tokens?: boolean;
  [member: string]: unknown;
}

/**
 * Form parameters with every value kept, so that repeated parameters stay visible (and are refused
 * where a parameter must not repeat).
 *
 * @example
 * ```ts
 * const body: FormParameters = {}
 * for (const [name, value] of new URLSearchParams(await req.text())) (body[name] ??= []).push(value)
 * ```
 * @see https://www.rfc-editor.org/rfc/rfc6749#appendix-B
 */
export type FormParameters = Record<string, string[]>;

/**
 * The peer certificate as the TLS layer (or a trusted proxy) presented it: what `tls_client_auth`
 * and `self_signed_tls_client_auth` verify, and what the result's thumbprint is made of.
 *
 * @example
 * ```ts
 * const socket = req.socket as TLSSocket
 * const peer = socket.getPeerCertificate()
 * const certificate: PresentedCertificate = { der: peer.raw, chainValidated: socket.authorized, source: 'socket' }
 * ```
 * @see https://www.rfc-editor.org/rfc/rfc8705#section-2
 */
export interface PresentedCertificate {
  /** DER encoding of the end-entity certificate. */
  der: Uint8Array;
  /** Whether the TLS layer (or the trusted proxy) validated its chain. */
  chainValidated: boolean;
  /** DER of the intermediate certificates, when known. */
  chain?: Uint8Array[];
  /** Where it came from: the TLS socket, or the named proxy header format. */
  source: 'socket' | (string & {});
}

/**
 * The neutral view of an HTTP request that the core authenticates. Adapters build it; the core
 * never sees a framework object.
 *
 * @example
 * ```ts
 * const body: FormParameters = {}
 * for (const [name, value] of new URLSearchParams(await req.text())) (body[name] ??= []).push(value)
 * const request: ClientAuthRequest = {
 *   headers: Object.fromEntries(req.headers), // Fetch API: lower-case names
 *   body,
 *   secure: new URL(req.url).protocol === 'https:',
 * }
 * const { client } = await auth.authenticate(request, { endpoint: 'token' })
 * ```
 * @see https://www.rfc-editor.org/rfc/rfc6749#section-2.3
 */
export interface ClientAuthRequest {
  /** Request headers with lower-case names; a repeated header is an array. */
  headers: Record<string, string | string[] | undefined>;
  /** Form body parameters (every value kept). Empty when the request had no body. */
  body: FormParameters;
  /** Query string parameters (every value kept), to refuse credentials sent there. */
  query?: FormParameters;
  /** The peer certificate from the TLS socket, when one was presented. */
  certificate?: PresentedCertificate;
  /** Peer IP address of the connection (for trusted proxies). */
  peerAddress?: string;
  /** True when the connection to this process is TLS. */
  secure?: boolean;
}

/**
 * What a successful authentication returns: the client, the method that authenticated it, and
 * the mTLS certificate with the thumbprint to bind tokens to.
 *
 * @example
 * ```ts
 * const result: ClientAuthResult = await auth.authenticate(request, { endpoint: 'token' })
 * const cnf = result.certificate && { 'x5t#S256': result.certificate.thumbprint }
 * ```
 * @see https://www.rfc-editor.org/rfc/rfc6749#section-3.2.1
 */
export interface ClientAuthResult<Client extends ClientMetadata = ClientMetadata> {
  /** The registered metadata of the authenticated client, as `getClient` returned it. */
  client: Client;
  clientId: string;
  /** The method that authenticated the client (its registered `token_endpoint_auth_method`). */
  method: AuthMethod;
  endpoint: EndpointName;
  /** The certificate presented over mTLS, with its RFC 8705 §3.1 `x5t#S256` thumbprint. */
  certificate?: { der: Uint8Array; thumbprint: string; source: string };
  /**
   * `'compatible'` when a client assertion was accepted only because the authenticator runs with
   * `audience: 'compatible'`: its `aud` is not the issuer as sole value (rfc7523bis §4) but a
   * token or endpoint URL, or an array holding one. Absent otherwise.
   */
  audience?: 'compatible';
  /**
   * `true` when the client is described by its client ID metadata document (its `client_id` is
   * the document's https URL, `getClient` did not know it): what it may do is what that document
   * says (`grant_types`, `redirect_uris`, …). Absent for clients `getClient` returned.
   */
  clientIdMetadataDocument?: true;
  /**
   * `attest_jwt_client_auth` only: the Client Instance Key of the verified Client Attestation
   * (its `cnf.jwk`, public members only, draft-ietf-oauth-attestation-based-client-auth-10 §4),
   * to bind refresh tokens and codes to the instance (§9.3, §9.4), and its attester (`iss`, when
   * the attestation named one).
   */
  attestation?: { jwk: Readonly<Record<string, unknown>>; attester?: string };
  /**
   * `attest_jwt_client_auth` with challenges configured: a fresh challenge for the client's next
   * PoP, to send as the `OAuth-Client-Attestation-Challenge` response header
   * (draft-ietf-oauth-attestation-based-client-auth-10 §6.2). The adapters set it.
   */
  attestationChallenge?: string;
}
