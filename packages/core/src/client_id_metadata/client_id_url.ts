/**
 * The client identifier URL (CIMD §3, "Client Identifier URL"): which client_ids are URLs, and
 * whether one may be fetched. The rules are checked on the client_id exactly as the client sent it,
 * before any network access. Sections cited as "CIMD §N" are those of
 * draft-ietf-oauth-client-id-metadata-document-02.
 */

import { MAX_CLIENT_ID_LENGTH } from '../credentials/credential.js';

/**
 * True when a client_id is a URL: it starts with an `http:` or `https:` scheme, in any case. Such
 * a client_id, unknown to `getClient`, is resolved from its document or refused as malformed; it
 * is never answered "unknown client" as an opaque name would be. CIMD §7.1: an authorization
 * server that also issues its own client_ids SHOULD make them not start with `https://`.
 */
export function isUrlClientId(clientId: string): boolean {
  return /^https?:/i.test(clientId);
}

const HTTPS = 'https://';

// CIMD §3: "MUST NOT contain single-dot or double-dot path segments"; WHATWG URL parsing reads
// "%2e" as a dot too (URL Standard §4.1, "single-dot URL path segment"), so both spellings count.
const DOT_SEGMENT = /^(?:\.|%2e){1,2}$/i;

/**
 * Why `clientId` is not a client identifier URL that may be fetched, or undefined when it is one.
 * Stricter than the draft in two ways, each so that one document has exactly one client_id:
 * - the path must name a document below the origin (`/` alone is refused as no path);
 * - the URL must be written as the fetcher requests it (its WHATWG serialisation): the draft
 *   compares client_ids by simple string comparison (RFC 3986 §6.2.1) and the authorization server
 *   must not normalise them, so a spelling that parsing would change (upper-case scheme or host,
 *   a default port, unescaped spaces or backslashes, an IPv4 address in another notation) would
 *   fetch a URL that is not the client_id. Such a client_id is refused, not normalised.
 */
export function clientIdUrlProblem(clientId: string): string | undefined {
  // The bound of every client_id (credentials/credential.ts), again for resolveClient() callers.
  if (clientId.length > MAX_CLIENT_ID_LENGTH) return `the client identifier is over ${MAX_CLIENT_ID_LENGTH} characters`;
  // CIMD §3: "MUST have an https scheme" (lower case: see above).
  if (!clientId.startsWith(HTTPS)) return 'the client identifier URL must use the https scheme (CIMD §3)';
  const rest = clientId.slice(HTTPS.length);
  const authorityEnd = rest.search(/[/?#]/);
  const authority = authorityEnd === -1 ? rest : rest.slice(0, authorityEnd);
  // CIMD §3: "MUST NOT contain a username or password".
  if (authority.includes('@')) return 'the client identifier URL must not contain a username or password (CIMD §3)';
  // CIMD §3: "MUST NOT contain a fragment component" (an empty one included).
  if (clientId.includes('#')) return 'the client identifier URL must not contain a fragment (CIMD §3)';
  const path = authorityEnd === -1 ? '' : (rest.slice(authorityEnd).split('?', 1)[0] as string);
  // CIMD §3: "MUST contain a path component".
  if (path === '' || path === '/') return 'the client identifier URL must contain a path component (CIMD §3)';
  if (path.split('/').some((segment) => DOT_SEGMENT.test(segment))) {
    return 'the client identifier URL must not contain . or .. path segments (CIMD §3)';
  }
  let url: URL;
  try {
    url = new URL(clientId);
  } catch {
    return 'the client identifier is not a valid URL (CIMD §3)';
  }
  if (url.href !== clientId) {
    return 'the client identifier URL must be written in normal form, as it is fetched (CIMD §4, RFC 3986 §6.2.1)';
  }
  return undefined;
}
