/**
 * A `client_credentials` token request authenticated by a JWT client assertion (RFC 7521 §4.2,
 * RFC 7523 §2.2), as the end-to-end suites send it to the example servers, reduced to the status
 * and the RFC 6749 §5.2 `error`.
 */
import { json } from './http.js';

const JWT_BEARER = 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer';

/** The status and, when refused, the `error` of a token response. */
export interface TokenAnswer {
  status: number;
  error?: string;
}

/** POST `<base>/token` with `assertion`. */
export async function assertionTokenRequest(base: string, assertion: string): Promise<TokenAnswer> {
  const response = await fetch(`${base}/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({
      grant_type: 'client_credentials',
      client_assertion_type: JWT_BEARER,
      client_assertion: assertion,
    }).toString(),
  });
  const body = await json(response);
  return body.error === undefined ? { status: response.status } : { status: response.status, error: body.error };
}

/**
 * Submit `assertion` until the answer is not a 503 (a store answering slower than its timeout on a
 * loaded machine, or a shard failing over), at most `tries` times.
 */
export async function submitPast503(base: string, assertion: string, tries = 11): Promise<TokenAnswer> {
  let answer = await assertionTokenRequest(base, assertion);
  for (let attempt = 1; attempt < tries && answer.status === 503; attempt += 1) {
    answer = await assertionTokenRequest(base, assertion);
  }
  return answer;
}
