/**
 * The failure limiter wired into the authenticator (RFC 6749 §2.3.1: "the authorization server
 * MUST protect any endpoint utilizing it against brute force attacks").
 */
import { describe, expect, it } from 'vitest';
import { outcome as attempt } from '../../../test/helpers/outcome.js';
import {
  type ClientAuthRequest,
  type ClientMetadata,
  createClientAuthenticator,
  errorResponse,
  type FailureEvent,
  type FailureLimiter,
  memoryFailureLimiter,
  OAuthError,
} from '../src/index.js';

const ISSUER = 'https://as.example.com';
const clients: ClientMetadata[] = [
  { client_id: 'post', client_secret: 'right-secret', token_endpoint_auth_method: 'client_secret_post' },
  { client_id: 'other', client_secret: 'other-secret', token_endpoint_auth_method: 'client_secret_post' },
];

function setup(limiter: FailureLimiter) {
  const byId = new Map(clients.map((client) => [client.client_id, client]));
  const events: FailureEvent[] = [];
  const auth = createClientAuthenticator({
    issuer: ISSUER,
    getClient: (id) => byId.get(id),
    failureLimiter: limiter,
    onFailure: (event) => events.push(event),
  });
  return { auth, events };
}

function post(clientId: string, secret: string): ClientAuthRequest {
  return { headers: {}, body: { client_id: [clientId], client_secret: [secret] }, secure: true };
}

describe('failureLimiter in the authenticator (RFC 6749 §2.3.1 brute force)', () => {
  it('refuses a client_id after maxFailures with 429 invalid_client, ERR_TOO_MANY_FAILURES and Retry-After, even with the right secret', async () => {
    const { auth, events } = setup(memoryFailureLimiter({ maxFailures: 3, blockSeconds: 120 }));
    for (let i = 0; i < 3; i++) {
      const error = (await attempt(auth, post('post', `wrong-${i}`))) as OAuthError;
      expect(error.code).toBe('ERR_SECRET_MISMATCH');
    }
    const blocked = (await attempt(auth, post('post', 'right-secret'))) as OAuthError;
    expect(blocked).toBeInstanceOf(OAuthError);
    expect([blocked.status, blocked.error, blocked.code]).toEqual([429, 'invalid_client', 'ERR_TOO_MANY_FAILURES']);
    const response = errorResponse(blocked);
    expect(response.status).toBe(429);
    expect(response.headers['retry-after']).toBe('120');
    expect(response.headers['www-authenticate']).toBeUndefined();
    expect(JSON.parse(response.body)).toEqual({
      error: 'invalid_client',
      error_description: 'client authentication failed',
    });
    expect(events.at(-1)).toMatchObject({ code: 'ERR_TOO_MANY_FAILURES', status: 429, clientId: 'post' });
    // Another client is not affected.
    expect(await attempt(auth, post('other', 'other-secret'))).toBe('ok');
  });

  it('does not check the credential of a blocked client (no verification while blocked)', async () => {
    let verifications = 0;
    const auth = createClientAuthenticator({
      issuer: ISSUER,
      getClient: (id) =>
        id === 'hashed'
          ? {
              client_id: id,
              client_secrets: [{ hash: 'custom:right-secret' }],
              token_endpoint_auth_method: 'client_secret_post',
            }
          : undefined,
      secrets: {
        verifyHash: (hash, secret) => {
          verifications++;
          return hash === `custom:${secret}`;
        },
      },
      failureLimiter: { attempt: async () => 7, failed: async () => {}, succeeded: async () => {} },
    });
    const error = (await attempt(auth, post('hashed', 'right-secret'))) as OAuthError;
    expect(error.code).toBe('ERR_TOO_MANY_FAILURES');
    expect(errorResponse(error).headers['retry-after']).toBe('7');
    // The lookup (cheap) runs, to learn the registered method; the secret check never does.
    expect(verifications).toBe(0);
  });

  it('counts failures of unknown client_ids too, and a success does not erase failures (no reset: interleaved guesses stay bounded)', async () => {
    const { auth } = setup(memoryFailureLimiter({ maxFailures: 2 }));
    await attempt(auth, post('nobody', 'x'));
    expect(((await attempt(auth, post('nobody', 'x'))) as OAuthError).code).toBe('ERR_CLIENT_NOT_FOUND');
    expect(((await attempt(auth, post('nobody', 'x'))) as OAuthError).code).toBe('ERR_TOO_MANY_FAILURES');

    await attempt(auth, post('post', 'wrong'));
    expect(await attempt(auth, post('post', 'right-secret'))).toBe('ok');
    await attempt(auth, post('post', 'wrong'));
    // Two failures in the window, a success between them: blocked.
    expect(((await attempt(auth, post('post', 'right-secret'))) as OAuthError).code).toBe('ERR_TOO_MANY_FAILURES');
  });

  it('does not count invalid_request outcomes (a malformed request proves nothing about a secret)', async () => {
    const { auth } = setup(memoryFailureLimiter({ maxFailures: 1 }));
    const insecure = { ...post('post', 'wrong'), secure: false };
    expect(((await attempt(auth, insecure)) as OAuthError).code).toBe('ERR_INSECURE_TRANSPORT');
    expect(await attempt(auth, post('post', 'right-secret'))).toBe('ok');
  });

  it('fails closed: a limiter whose attempt rejects answers 503 ERR_FAILURE_LIMITER_UNAVAILABLE', async () => {
    const { auth, events } = setup({
      attempt: async () => {
        throw new Error('store down');
      },
      failed: async () => {},
      succeeded: async () => {},
    });
    const error = (await attempt(auth, post('post', 'right-secret'))) as OAuthError;
    expect([error.status, error.error, error.code]).toEqual([
      503,
      'temporarily_unavailable',
      'ERR_FAILURE_LIMITER_UNAVAILABLE',
    ]);
    expect(errorResponse(error).headers['retry-after']).toBe('1');
    expect(events.at(-1)?.code).toBe('ERR_FAILURE_LIMITER_UNAVAILABLE');
  });

  it('fails closed: a limiter that cannot record a failure answers 503', async () => {
    const { auth } = setup({
      attempt: async () => 0,
      failed: async () => {
        throw new Error('store down');
      },
      succeeded: async () => {},
    });
    expect(((await attempt(auth, post('post', 'wrong'))) as OAuthError).code).toBe('ERR_FAILURE_LIMITER_UNAVAILABLE');
  });

  it('a limiter that cannot release a success does not turn a proven client away', async () => {
    const { auth } = setup({
      attempt: async () => 0,
      failed: async () => {},
      succeeded: async () => {
        throw new Error('store down');
      },
    });
    expect(await attempt(auth, post('post', 'right-secret'))).toBe('ok');
  });

  it('refuses a failureLimiter without the three methods at setup (TypeError)', () => {
    expect(() =>
      createClientAuthenticator({
        issuer: ISSUER,
        getClient: () => undefined,
        failureLimiter: { attempt: async () => 0 } as unknown as FailureLimiter,
      }),
    ).toThrow(TypeError);
    // The interface before the reservation design (blockedFor / recordFailure / reset) is refused too.
    expect(() =>
      createClientAuthenticator({
        issuer: ISSUER,
        getClient: () => undefined,
        failureLimiter: { blockedFor: async () => 0, recordFailure: async () => {}, reset: async () => {} } as never,
      }),
    ).toThrow(/attempt, failed and succeeded/);
  });

  it('refuses a bad failureLimiterKey, or one without a failureLimiter, at setup (TypeError)', () => {
    const limiter = memoryFailureLimiter();
    expect(() =>
      createClientAuthenticator({
        issuer: ISSUER,
        getClient: () => undefined,
        failureLimiter: limiter,
        failureLimiterKey: 'address' as never,
      }),
    ).toThrow(TypeError);
    expect(() =>
      createClientAuthenticator({ issuer: ISSUER, getClient: () => undefined, failureLimiterKey: 'client' }),
    ).toThrow(/needs a failureLimiter/);
  });
});
