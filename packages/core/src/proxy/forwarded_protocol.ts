/**
 * The protocol a TLS-terminating proxy says the client spoke: `X-Forwarded-Proto` (the de-facto
 * header of nginx, HAProxy, AWS ALB and Kubernetes ingresses) or RFC 7239 `Forwarded: proto=`.
 * Believed only from a peer in the top-level `trustedProxies` (RFC 7239 §8.1: the header can be
 * set by anyone; only a proxy the server trusts may vouch for it), and only when every hop it
 * lists says `https`: a secret that crossed one hop in clear was not sent over TLS (RFC 6749
 * §2.3.1), so one `http` among the values, or the two headers disagreeing, is "not TLS".
 */
import type { ClientAuthRequest } from '../types.js';

/** Longest forwarding header read (sum of values); a longer one is not believed. */
export const MAX_FORWARDED_HEADER_LENGTH = 4096;

/** The comma-separated values of a header; none (so: "not TLS") for one over the length cap. */
function values(header: string | string[] | undefined): string[] | undefined {
  if (header === undefined) return undefined;
  const joined = Array.isArray(header) ? header.join(',') : header;
  return joined.length > MAX_FORWARDED_HEADER_LENGTH ? [] : joined.split(',');
}

/** `X-Forwarded-Proto`: one scheme per hop, comma-separated. */
function forwardedProtoHops(header: string | string[] | undefined): string[] | undefined {
  return values(header)?.map((hop) => hop.trim().toLowerCase());
}

/**
 * RFC 7239 §4: `Forwarded: for=…;proto=https, for=…;proto=https`, one forwarded-element per hop;
 * §5.4 `proto` is a URI scheme, as a token or a quoted-string. An element without `proto` says
 * nothing and makes the whole header unusable here (one hop unaccounted for).
 */
function forwardedHops(header: string | string[] | undefined): string[] | undefined {
  const elements = values(header);
  if (elements === undefined) return undefined;
  const hops: string[] = [];
  for (const element of elements) {
    let proto: string | undefined;
    for (const pair of element.split(';')) {
      const equals = pair.indexOf('=');
      if (equals === -1) continue;
      if (pair.slice(0, equals).trim().toLowerCase() !== 'proto') continue;
      proto = pair
        .slice(equals + 1)
        .trim()
        .replace(/^"(.*)"$/, '$1')
        .toLowerCase();
    }
    hops.push(proto ?? '');
  }
  return hops;
}

/**
 * True when the forwarding headers of `request` say that every hop was https. The caller has
 * checked that the peer is a trusted proxy.
 */
export function forwardedOverTls(request: ClientAuthRequest): boolean {
  const proto = forwardedProtoHops(request.headers['x-forwarded-proto']);
  const forwarded = forwardedHops(request.headers.forwarded);
  if (proto === undefined && forwarded === undefined) return false;
  for (const hops of [proto, forwarded]) {
    if (hops !== undefined && (hops.length === 0 || hops.some((hop) => hop !== 'https'))) return false;
  }
  return true;
}
