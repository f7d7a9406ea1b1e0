/**
 * The one credential a request presents (RFC 6749 §2.3), as the credentials step parses it: a
 * discriminated union on `mechanism`, so that each verifier is typed by exactly the credential it
 * accepts. Nothing here is verified yet.
 */
import { InvalidRequest } from '../errors.js';

/**
 * Longest `client_id` accepted (octets of its UTF-16 length), so that lookups stay bounded. A
 * longer one is refused before `getClient` is called.
 *
 * @example
 * ```ts
 * // registration: issue no client_id the token endpoint would refuse
 * if (clientId.length > MAX_CLIENT_ID_LENGTH) throw new Error('client_id too long')
 * ```
 * @see https://www.rfc-editor.org/rfc/rfc6749#section-2.2
 */
export const MAX_CLIENT_ID_LENGTH = 1024;

// RFC 7617 §2: user-id and password MUST NOT contain control characters; nor may a client_id.
// biome-ignore lint/suspicious/noControlCharactersInRegex: the point is to find them
export const CONTROL_CHARACTERS = /[\u0000-\u001f\u007f]/;

/** A client_id / secret pair as decoded from a Basic header. */
export interface BasicPair {
  clientId: string;
  secret: string;
}

/** `client_secret_basic`: the pair of an `Authorization: Basic` header (RFC 6749 §2.3.1). */
export interface BasicCredential {
  mechanism: 'client_secret_basic';
  clientId: string;
  secret: string;
  /** The pair read without form-decoding, when `basic.acceptUnencoded` is on and it differs. */
  unencoded?: BasicPair;
}

/** `client_secret_post`: `client_id` and `client_secret` in the body (RFC 6749 §2.3.1). */
export interface PostCredential {
  mechanism: 'client_secret_post';
  clientId: string;
  secret: string;
}

/** A shared secret presented as such (Basic or body). */
export type SecretCredential = BasicCredential | PostCredential;

/**
 * A JWT client assertion (RFC 7523 §2.2) with its envelope parsed: one compact JWS whose JOSE
 * header is a JSON object. Its signature and claims are checked by the verifier, with the keys of
 * the client it names.
 */
export interface AssertionCredential {
  mechanism: 'client_assertion';
  /** The compact JWS. */
  assertion: string;
  assertionType: string;
  /** The decoded JOSE header (RFC 7515 §4), unchecked beyond being a JSON object. */
  header: Readonly<Record<string, unknown>>;
  /**
   * The client the request names: the body `client_id`, else the (unverified) `sub`, else `iss`
   * (RFC 7523 §3 items 1 and 2); the registered keys then verify it.
   */
  clientId: string;
  /** The body `client_id`, when sent (RFC 7521 §4.2: it "MUST identify the same client"). */
  bodyClientId?: string;
}

/**
 * `attest_jwt_client_auth`: a Client Attestation and its PoP, from the `OAuth-Client-Attestation`
 * and `OAuth-Client-Attestation-PoP` headers (draft-ietf-oauth-attestation-based-client-auth-10
 * §4, §5.1), decoded but not verified.
 */
export interface AttestationCredential {
  mechanism: 'attestation';
  /** The attestation's (unverified) `sub`: the client_id (§4). */
  clientId: string;
  /** The Client Attestation JWT, compact. */
  attestation: string;
  attestationHeader: Readonly<Record<string, unknown>>;
  attestationClaims: Readonly<Record<string, unknown>>;
  /** The Client Attestation PoP JWT, compact. */
  pop: string;
  popHeader: Readonly<Record<string, unknown>>;
  popClaims: Readonly<Record<string, unknown>>;
}

/** Only a `client_id`: `none`, or a certificate method (the certificate is not a credential here). */
export interface ClientIdCredential {
  mechanism: 'client_id';
  clientId: string;
}

/**
 * The one credential a request presents, as {@link parseCredentials} returns it: a union on
 * `mechanism` (`client_secret_basic`, `client_secret_post`, `client_assertion`, `attestation` or
 * `client_id`).
 * Nothing in it is verified yet.
 *
 * @example
 * ```ts
 * const credential: PresentedCredential = parseCredentials(request)
 * if (credential.mechanism === 'client_assertion') console.log(credential.clientId, credential.header.alg)
 * ```
 * @see https://www.rfc-editor.org/rfc/rfc6749#section-2.3
 */
export type PresentedCredential = SecretCredential | AssertionCredential | AttestationCredential | ClientIdCredential;

/** A client_id from the request: bounded in length and free of control characters. */
export function checkClientId(clientId: string, code: 'ERR_PARAMETER_MALFORMED' | 'ERR_BASIC_MALFORMED'): void {
  if (clientId.length > MAX_CLIENT_ID_LENGTH || CONTROL_CHARACTERS.test(clientId)) {
    throw new InvalidRequest(code, 'the client identifier is malformed');
  }
}
