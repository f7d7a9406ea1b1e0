/**
 * The two headers of attestation-based client authentication
 * (draft-ietf-oauth-attestation-based-client-auth-10 §4, §5.1), read as one credential: the
 * `OAuth-Client-Attestation` (a JWT signed by the Client Attester) and the
 * `OAuth-Client-Attestation-PoP` (a JWT signed by the Client Instance Key). Nothing is verified
 * here: the envelope is checked, the JOSE headers and claims decoded, and the client named by the
 * attestation's `sub` found; methods/attestation/ verifies them.
 */
import { type ErrorCodeOf, InvalidClient, InvalidRequest } from '../errors.js';
import type { ClientAuthRequest, ClientAuthResult } from '../types.js';
import { COMPACT_JWS, decodeSegment, isPlainObject } from './assertion.js';
import { type AttestationCredential, CONTROL_CHARACTERS, MAX_CLIENT_ID_LENGTH } from './credential.js';

/**
 * Longest `OAuth-Client-Attestation` or `OAuth-Client-Attestation-PoP` value accepted, checked
 * before any decoding: 8 KiB each (draft-ietf-oauth-attestation-based-client-auth-10 §9.5: web
 * servers commonly allow 8 kB of headers or more). A longer one is `invalid_request`
 * `ERR_ATTESTATION_HEADER_TOO_LARGE`.
 *
 * @example
 * ```ts
 * if (attestation.length > MAX_ATTESTATION_HEADER_LENGTH) throw new Error('the AS will refuse this attestation')
 * ```
 * @see https://datatracker.ietf.org/doc/html/draft-ietf-oauth-attestation-based-client-auth-10#section-9.5
 */
export const MAX_ATTESTATION_HEADER_LENGTH = 8 * 1024;

/**
 * The request header of the Client Attestation JWT, lower-case as the neutral request view holds
 * header names (RFC 9110 §5.1: field names are case-insensitive).
 *
 * @example
 * ```ts
 * const request: ClientAuthRequest = { headers: { [ATTESTATION_HEADER]: attestation, [ATTESTATION_POP_HEADER]: pop }, body: {} }
 * ```
 * @see https://datatracker.ietf.org/doc/html/draft-ietf-oauth-attestation-based-client-auth-10#section-4
 */
export const ATTESTATION_HEADER = 'oauth-client-attestation';

/**
 * The request header of the Client Attestation PoP JWT, lower-case (see {@link ATTESTATION_HEADER}).
 *
 * @example
 * ```ts
 * await fetch(tokenEndpoint, { method: 'POST', headers: { [ATTESTATION_HEADER]: attestation, [ATTESTATION_POP_HEADER]: pop }, body })
 * ```
 * @see https://datatracker.ietf.org/doc/html/draft-ietf-oauth-attestation-based-client-auth-10#section-5.1
 */
export const ATTESTATION_POP_HEADER = 'oauth-client-attestation-pop';

/**
 * The response header of a fresh challenge (draft-ietf-oauth-attestation-based-client-auth-10
 * §6.2): the adapters set it from {@link ClientAuthResult.attestationChallenge}, and
 * `errorResponse` from a `use_attestation_challenge` refusal.
 *
 * @example
 * ```ts
 * if (result.attestationChallenge !== undefined) res.setHeader(ATTESTATION_CHALLENGE_HEADER, result.attestationChallenge)
 * ```
 * @see https://datatracker.ietf.org/doc/html/draft-ietf-oauth-attestation-based-client-auth-10#section-6.2
 */
export const ATTESTATION_CHALLENGE_HEADER = 'oauth-client-attestation-challenge';

const WIRE_NAMES = {
  [ATTESTATION_HEADER]: 'OAuth-Client-Attestation',
  [ATTESTATION_POP_HEADER]: 'OAuth-Client-Attestation-PoP',
} as const;

/**
 * The one value of an attestation header, or `undefined` when it is absent. §7.1 item 1 and §7.2
 * item 1: "precisely one" header each. A repeated header reaches the core as an array (the
 * adapters keep every raw value) or, through a Fetch API `Headers`, joined with ", ": a JWT has
 * no comma, so either is a repetition.
 */
function singleHeader(request: ClientAuthRequest, name: keyof typeof WIRE_NAMES): string | undefined {
  let value = request.headers[name];
  if (value === undefined) return undefined;
  if (Array.isArray(value)) {
    if (value.length !== 1) repeated(name);
    value = value[0] as string;
  }
  if (value.length > MAX_ATTESTATION_HEADER_LENGTH) {
    throw new InvalidRequest('ERR_ATTESTATION_HEADER_TOO_LARGE', `the ${WIRE_NAMES[name]} header is too large`);
  }
  if (value.includes(',')) repeated(name);
  return value;
}

function repeated(name: keyof typeof WIRE_NAMES): never {
  throw new InvalidRequest('ERR_ATTESTATION_HEADER_REPEATED', `the ${WIRE_NAMES[name]} header must not be repeated`);
}

/** True when the request carries either attestation header (then it is this mechanism). */
export function hasAttestationHeaders(request: ClientAuthRequest): boolean {
  return request.headers[ATTESTATION_HEADER] !== undefined || request.headers[ATTESTATION_POP_HEADER] !== undefined;
}

function fail(code: ErrorCodeOf<'InvalidClient'>, cause?: unknown): never {
  throw new InvalidClient(code, cause === undefined ? undefined : { cause });
}

/** A compact JWS's header and payload, decoded (not verified); `malformed` when it is not one. */
function decodeJws(
  jws: string,
  malformed: 'ERR_ATTESTATION_MALFORMED' | 'ERR_ATTESTATION_POP_MALFORMED',
): { header: Record<string, unknown>; payload: Record<string, unknown> } {
  // RFC 7519 §7.2: a JWS in compact serialization; a JWE or an unsecured JWS is not one.
  if (!COMPACT_JWS.test(jws)) fail(malformed);
  const [headerPart, payloadPart] = jws.split('.', 2) as [string, string];
  let header: unknown;
  let payload: unknown;
  try {
    header = decodeSegment(headerPart);
    payload = decodeSegment(payloadPart);
  } catch (cause) {
    fail(malformed, cause);
  }
  // RFC 7519 §7.2 items 4 and 10: the JOSE header and the claims set are JSON objects.
  if (!isPlainObject(header) || !isPlainObject(payload)) fail(malformed);
  return { header, payload };
}

/**
 * The attestation credential of a request that carries either header, or `undefined` when it
 * carries neither. Both are required together (`invalid_request`); the client is the one the
 * attestation's `sub` names (§4: "MUST specify client_id value of the OAuth Client"), and a body
 * `client_id` must be the same (§7.1 item 7, §7.5: "MUST verify").
 */
export function parseAttestation(
  request: ClientAuthRequest,
  bodyClientId: string | undefined,
): AttestationCredential | undefined {
  const attestation = singleHeader(request, ATTESTATION_HEADER);
  const pop = singleHeader(request, ATTESTATION_POP_HEADER);
  if (attestation === undefined && pop === undefined) return undefined;
  if (attestation === undefined || pop === undefined) {
    // §7.2: the PoP JWT is this method's proof of possession (the DPoP-combined mode is not offered).
    throw new InvalidRequest(
      'ERR_ATTESTATION_HEADER_MISSING',
      'OAuth-Client-Attestation and OAuth-Client-Attestation-PoP must be sent together',
    );
  }
  const decoded = decodeJws(attestation, 'ERR_ATTESTATION_MALFORMED');
  const popDecoded = decodeJws(pop, 'ERR_ATTESTATION_POP_MALFORMED');
  const sub = decoded.payload.sub;
  // §4: sub is REQUIRED.
  if (typeof sub !== 'string' || sub === '' || sub.length > MAX_CLIENT_ID_LENGTH || CONTROL_CHARACTERS.test(sub)) {
    fail('ERR_ATTESTATION_CLAIMS_INVALID');
  }
  // §7.5: "If the token request contains a client_id parameter ... the Authorization Server MUST
  // verify that the value of this parameter is the same as the client_id value in the sub claim".
  if (bodyClientId !== undefined && bodyClientId !== sub) fail('ERR_CLIENT_ID_MISMATCH');
  return {
    mechanism: 'attestation',
    clientId: sub,
    attestation,
    attestationHeader: decoded.header,
    attestationClaims: decoded.payload,
    pop,
    popHeader: popDecoded.header,
    popClaims: popDecoded.payload,
  };
}
