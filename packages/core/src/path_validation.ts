/**
 * Compatibility re-exports for the issue-14 merge: path validation now lives in
 * `x509/path_validation.ts`. Delete this file once `methods/tls_client_auth.ts` imports from there.
 */
export {
  createPathValidator,
  MAX_PARSED_CERTIFICATES,
  MAX_PATH_DEPTH,
  MAX_PATH_INTERMEDIATES,
  type PathFailure,
  type PathValidator,
} from './x509/path_validation.js';
