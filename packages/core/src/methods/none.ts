/**
 * `none`: a public client (RFC 6749 §2.1) identifies itself with `client_id` only and proves
 * nothing. It is accepted only for a client *registered* with `token_endpoint_auth_method: none`
 * (the request path binds the method before any verifier runs) and only where the endpoint allows
 * the method.
 */
import type { ClientIdCredential } from '../credentials/credential.js';
import type { Verifier } from './method.js';

/** Nothing to prove: the binding to the registered method `none` was the whole check. */
export const verifyNone: Verifier<ClientIdCredential> = () => undefined;
