/**
 * `none`: a public client (RFC 6749 §2.1) identifies itself with `client_id` only and proves
 * nothing. It is accepted only for a client *registered* with `token_endpoint_auth_method: none`
 * and only where the endpoint allows the method.
 */
import { InvalidClient } from '../errors.js';
import type { MethodVerifier } from './method.js';

export const verifyNone: MethodVerifier = ({ credential }) => {
  if (credential.mechanism !== 'client_id') throw new InvalidClient('ERR_METHOD_MISMATCH');
};
