/**
 * Behind a TLS-terminating proxy (issue 15 §1): RFC 6749 §2.3.1 requires TLS for secrets; a
 * trusted proxy's `X-Forwarded-Proto: https` or RFC 7239 `Forwarded: proto=https` says the client
 * spoke TLS to it. Believed only from a peer in `trustedProxies`, and only when every hop says https.
 */
import { describe, expect, it } from 'vitest';
import { type ClientAuthRequest, createClientAuthenticator, isOAuthError } from '../src/index.js';

const SECRET = 'a-secret-of-some-length';
const auth = createClientAuthenticator({
  issuer: 'https://as.example.com',
  getClient: (id) =>
    id === 'c'
      ? { client_id: 'c', client_secret: SECRET, token_endpoint_auth_method: 'client_secret_post' }
      : undefined,
  trustedProxies: ['10.0.0.0/8', '2001:db8::1'],
});

/** A client_secret_post request that reached the server over plain HTTP, from `peer`. */
function plain(peer: string, headers: Record<string, string | string[]> = {}): ClientAuthRequest {
  return { headers, body: { client_id: ['c'], client_secret: [SECRET] }, secure: false, peerAddress: peer };
}

async function outcome(request: ClientAuthRequest): Promise<string> {
  try {
    await auth.authenticate(request, { endpoint: 'token' });
    return 'ok';
  } catch (error) {
    if (isOAuthError(error)) return error.code;
    throw error;
  }
}

describe('the forwarded protocol of a trusted TLS-terminating proxy (RFC 6749 §2.3.1, RFC 7239 §5.4)', () => {
  it('accepts a secret over plain HTTP from a trusted proxy that says https (X-Forwarded-Proto or Forwarded)', async () => {
    expect(await outcome(plain('10.1.2.3', { 'x-forwarded-proto': 'https' }))).toBe('ok');
    expect(await outcome(plain('10.1.2.3', { 'x-forwarded-proto': 'HTTPS' }))).toBe('ok');
    expect(await outcome(plain('10.1.2.3', { forwarded: 'for=192.0.2.60;proto=https;by=10.1.2.3' }))).toBe('ok');
    expect(await outcome(plain('10.1.2.3', { forwarded: 'for="[2001:db8::9]";proto="https"' }))).toBe('ok');
    // A dual-stack socket reports an IPv4 peer IPv4-mapped (RFC 4291 §2.5.5.2).
    expect(await outcome(plain('::ffff:10.1.2.3', { 'x-forwarded-proto': 'https' }))).toBe('ok');
    expect(await outcome(plain('2001:db8::1', { 'x-forwarded-proto': 'https, https' }))).toBe('ok');
  });

  it('ignores the headers from any other peer (RFC 7239 §8.1: anyone can send them)', async () => {
    for (const peer of ['192.0.2.1', '11.0.0.1', '2001:db8::2', '::1']) {
      expect(await outcome(plain(peer, { 'x-forwarded-proto': 'https' })), peer).toBe('ERR_INSECURE_TRANSPORT');
      expect(await outcome(plain(peer, { forwarded: 'proto=https' })), peer).toBe('ERR_INSECURE_TRANSPORT');
    }
    const noPeer: ClientAuthRequest = { ...plain('10.1.2.3', { 'x-forwarded-proto': 'https' }) };
    delete noPeer.peerAddress;
    expect(await outcome(noPeer)).toBe('ERR_INSECURE_TRANSPORT');
  });

  it('refuses when a hop was not https, the headers disagree, a hop is unaccounted for, or a header is oversized', async () => {
    const refused: Record<string, string | string[]>[] = [
      {},
      { 'x-forwarded-proto': 'http' },
      { 'x-forwarded-proto': 'https, http' },
      { 'x-forwarded-proto': ['https', 'http'] },
      { 'x-forwarded-proto': '' },
      { forwarded: 'proto=http' },
      { forwarded: 'for=192.0.2.60;proto=https, for=10.0.0.7' },
      { forwarded: 'for=192.0.2.60' },
      { 'x-forwarded-proto': 'https', forwarded: 'proto=http' },
      { 'x-forwarded-proto': `https${', https'.repeat(1000)}` },
      { 'x-forwarded-ssl': 'on' },
    ];
    for (const headers of refused) {
      expect(await outcome(plain('10.1.2.3', headers)), JSON.stringify(headers).slice(0, 80)).toBe(
        'ERR_INSECURE_TRANSPORT',
      );
    }
  });

  it('changes nothing for a request that came over TLS, or a wrong secret through the proxy', async () => {
    expect(await outcome({ ...plain('192.0.2.1'), secure: true })).toBe('ok');
    const wrong = plain('10.1.2.3', { 'x-forwarded-proto': 'https' });
    wrong.body = { client_id: ['c'], client_secret: ['wrong'] };
    expect(await outcome(wrong)).toBe('ERR_SECRET_MISMATCH');
  });

  it('checks trustedProxies at setup (TypeError naming the option)', () => {
    const base = { issuer: 'https://as.example.com', getClient: () => undefined };
    expect(() => createClientAuthenticator({ ...base, trustedProxies: [] })).toThrow(
      /trustedProxies must be a non-empty/,
    );
    expect(() => createClientAuthenticator({ ...base, trustedProxies: ['10.0.0.0/33'] })).toThrow(
      /^client-auth: trustedProxies: invalid prefix length/,
    );
    expect(() => createClientAuthenticator({ ...base, trustedProxies: ['proxy.internal'] })).toThrow(
      /trustedProxies: invalid entry/,
    );
  });
});
