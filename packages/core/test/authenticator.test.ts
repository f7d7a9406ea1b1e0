import { describe, expect, it, vi } from 'vitest';
import { encodeFormComponent } from '../src/adapter.js';
import {
  type ClientAuthenticatorOptions,
  type ClientAuthRequest,
  type ClientMetadata,
  createClientAuthenticator,
  errorResponse,
  type FailureEvent,
  hashSecret,
  OAuthError,
} from '../src/index.js';

const ISSUER = 'https://as.example.com';
const b64 = (text: string) => Buffer.from(text, 'utf8').toString('base64');
const basic = (id: string, secret: string) =>
  `Basic ${b64(`${encodeFormComponent(id)}:${encodeFormComponent(secret)}`)}`;
const now = Math.floor(Date.now() / 1000);

const clients: ClientMetadata[] = [
  { client_id: 's6BhdRkqt3', client_secret: '7Fjfp0ZBr1KtDRbnfVdmIw' }, // default method: client_secret_basic
  { client_id: 'post', client_secret: 'post-secret', token_endpoint_auth_method: 'client_secret_post' },
  { client_id: 'public', token_endpoint_auth_method: 'none' },
  { client_id: 'expired', client_secret: 'old', client_secret_expires_at: now - 10 },
  { client_id: 'future', client_secret: 'fresh', client_secret_expires_at: now + 3600 },
  { client_id: 'never', client_secret: 'never-expires', client_secret_expires_at: 0 },
  {
    client_id: 'rotating',
    client_secrets: [
      { value: 'old-secret', expires_at: now - 1 },
      { value: 'current-secret' },
      { value: 'next-secret', expires_at: now + 86400 },
    ],
  },
  { client_id: 'hashed', client_secrets: [{ hash: await hashSecret('hashed-secret', { ln: 10 }) }] },
  { client_id: 'custom-hash', client_secrets: [{ hash: 'sha256:' }] },
  { client_id: 'space client', client_secret: 'p ss:w+rd' },
  { client_id: 'no-secret' },
  { client_id: 'weird-method', token_endpoint_auth_method: 'magic' },
];

function authenticator(options: Partial<ClientAuthenticatorOptions> = {}) {
  const byId = new Map(clients.map((client) => [client.client_id, client]));
  return createClientAuthenticator({ issuer: ISSUER, getClient: (id) => byId.get(id), ...options });
}

function req(parts: Partial<ClientAuthRequest>): ClientAuthRequest {
  return { headers: {}, body: {}, secure: true, ...parts };
}

async function refused(promise: Promise<unknown>): Promise<OAuthError> {
  try {
    await promise;
  } catch (error) {
    expect(error).toBeInstanceOf(OAuthError);
    return error as OAuthError;
  }
  throw new Error('expected authentication to be refused');
}

const token = { endpoint: 'token' } as const;

describe('client_secret_basic (RFC 6749 §2.3.1)', () => {
  it('authenticates the RFC 6749 §2.3.1 example client, registered method defaulting to client_secret_basic (RFC 7591 §2)', async () => {
    const result = await authenticator().authenticate(
      req({ headers: { authorization: basic('s6BhdRkqt3', '7Fjfp0ZBr1KtDRbnfVdmIw') } }),
      token,
    );
    expect(result).toMatchObject({ clientId: 's6BhdRkqt3', method: 'client_secret_basic', endpoint: 'token' });
    expect(result.client.client_id).toBe('s6BhdRkqt3');
    expect(result.certificate).toBeUndefined();
  });

  it('authenticates credentials with reserved characters form-encoded (Appendix B)', async () => {
    const result = await authenticator().authenticate(
      req({ headers: { authorization: basic('space client', 'p ss:w+rd') } }),
      token,
    );
    expect(result.clientId).toBe('space client');
  });

  it('answers 401 invalid_client with a Basic challenge for a wrong secret (RFC 6749 §5.2, RFC 9110 §15.5.2)', async () => {
    const error = await refused(
      authenticator().authenticate(req({ headers: { authorization: basic('s6BhdRkqt3', 'wrong') } }), token),
    );
    expect(error).toMatchObject({ error: 'invalid_client', status: 401, code: 'ERR_SECRET_MISMATCH' });
    const response = errorResponse(error);
    expect(response.status).toBe(401);
    expect(response.headers['www-authenticate']).toBe(`Basic realm="${ISSUER}"`);
    expect(response.headers['cache-control']).toBe('no-store');
    expect(JSON.parse(response.body)).toEqual({
      error: 'invalid_client',
      error_description: 'client authentication failed',
    });
  });

  it('answers the same generic text for an unknown client as for a wrong secret', async () => {
    const unknown = await refused(
      authenticator().authenticate(req({ headers: { authorization: basic('nobody', 'x') } }), token),
    );
    const wrong = await refused(
      authenticator().authenticate(req({ headers: { authorization: basic('s6BhdRkqt3', 'x') } }), token),
    );
    expect(unknown.code).toBe('ERR_CLIENT_NOT_FOUND');
    expect(errorResponse(unknown)).toEqual(errorResponse(wrong));
  });

  it('refuses client_secret_basic over a plain connection unless allowed (RFC 6749 §2.3.1 MUST require TLS)', async () => {
    const request = req({ headers: { authorization: basic('s6BhdRkqt3', '7Fjfp0ZBr1KtDRbnfVdmIw') }, secure: false });
    const error = await refused(authenticator().authenticate(request, token));
    expect(error).toMatchObject({ error: 'invalid_request', code: 'ERR_INSECURE_TRANSPORT' });
    const allowed = await authenticator({ allowInsecureTransport: true }).authenticate(request, token);
    expect(allowed.clientId).toBe('s6BhdRkqt3');
  });

  it('accepts unencoded Basic credentials only when opted in (curl -u, Authlib)', async () => {
    const raw = `Basic ${b64('space client:p ss:w+rd')}`;
    const strict = await refused(authenticator().authenticate(req({ headers: { authorization: raw } }), token));
    expect(strict.error).toBe('invalid_client');
    const lenient = await authenticator({ basic: { acceptUnencoded: true } }).authenticate(
      req({ headers: { authorization: raw } }),
      token,
    );
    expect(lenient.clientId).toBe('space client');
  });
});

describe('client_secret_post (RFC 6749 §2.3.1, OIDC Core §9)', () => {
  it('authenticates with client_id and client_secret in the body', async () => {
    const result = await authenticator().authenticate(
      req({ body: { client_id: ['post'], client_secret: ['post-secret'] } }),
      token,
    );
    expect(result).toMatchObject({ clientId: 'post', method: 'client_secret_post' });
  });

  it('refuses a wrong secret', async () => {
    const error = await refused(
      authenticator().authenticate(req({ body: { client_id: ['post'], client_secret: ['nope'] } }), token),
    );
    expect(error).toMatchObject({ error: 'invalid_client', code: 'ERR_SECRET_MISMATCH' });
  });

  it('refuses client_secret_post over a plain connection (RFC 6749 §2.3.1)', async () => {
    const error = await refused(
      authenticator().authenticate(
        req({ body: { client_id: ['post'], client_secret: ['post-secret'] }, secure: false }),
        token,
      ),
    );
    expect(error.code).toBe('ERR_INSECURE_TRANSPORT');
  });
});

describe('the registered method binds (RFC 6749 §2.3.2, RFC 7591 §2)', () => {
  it('refuses Basic for a client registered for client_secret_post', async () => {
    const error = await refused(
      authenticator().authenticate(req({ headers: { authorization: basic('post', 'post-secret') } }), token),
    );
    expect(error).toMatchObject({ error: 'invalid_client', code: 'ERR_METHOD_MISMATCH' });
  });

  it('refuses the body for a client registered for client_secret_basic', async () => {
    const error = await refused(
      authenticator().authenticate(
        req({ body: { client_id: ['s6BhdRkqt3'], client_secret: ['7Fjfp0ZBr1KtDRbnfVdmIw'] } }),
        token,
      ),
    );
    expect(error).toMatchObject({ error: 'invalid_client', code: 'ERR_METHOD_MISMATCH' });
  });

  it('refuses a confidential client that sends only its client_id (RFC 6749 §3.2.1)', async () => {
    const error = await refused(authenticator().authenticate(req({ body: { client_id: ['post'] } }), token));
    expect(error).toMatchObject({ error: 'invalid_client', code: 'ERR_NO_CLIENT_AUTHENTICATION' });
  });

  it('refuses a secret presented by a public client: included authentication must verify (RFC 6749 §3.2.1)', async () => {
    const error = await refused(
      authenticator().authenticate(req({ body: { client_id: ['public'], client_secret: ['x'] } }), token),
    );
    expect(error).toMatchObject({ error: 'invalid_client', code: 'ERR_METHOD_MISMATCH' });
  });

  it('refuses a client whose registered method is unknown', async () => {
    const error = await refused(authenticator().authenticate(req({ body: { client_id: ['weird-method'] } }), token));
    expect(error).toMatchObject({ error: 'invalid_client', code: 'ERR_CLIENT_METADATA_INVALID' });
  });

  it('refuses a method the endpoint does not allow', async () => {
    const auth = authenticator({ endpointMethods: { introspection: ['client_secret_basic'] } });
    const request = req({ body: { client_id: ['post'], client_secret: ['post-secret'] } });
    expect((await auth.authenticate(request, token)).clientId).toBe('post');
    const error = await refused(auth.authenticate(request, { endpoint: 'introspection' }));
    expect(error).toMatchObject({ error: 'invalid_client', code: 'ERR_METHOD_NOT_ALLOWED' });
  });
});

describe('none (RFC 6749 §2.1 public clients)', () => {
  it('identifies a public client by client_id alone', async () => {
    const result = await authenticator().authenticate(req({ body: { client_id: ['public'] }, secure: false }), token);
    expect(result).toMatchObject({ clientId: 'public', method: 'none' });
  });

  it('refuses none when the methods option leaves it out', async () => {
    const auth = authenticator({ methods: ['client_secret_basic', 'client_secret_post'] });
    const error = await refused(auth.authenticate(req({ body: { client_id: ['public'] } }), token));
    expect(error.code).toBe('ERR_METHOD_NOT_ALLOWED');
  });

  it('refuses an unknown client_id', async () => {
    const error = await refused(authenticator().authenticate(req({ body: { client_id: ['nobody'] } }), token));
    expect(error).toMatchObject({ error: 'invalid_client', code: 'ERR_CLIENT_NOT_FOUND' });
  });
});

describe('secrets: expiry, rotation, hashes (RFC 7591 §3.2.1)', () => {
  const post = (id: string, secret: string) => req({ headers: { authorization: basic(id, secret) } });

  it('refuses a secret past client_secret_expires_at, with its own code', async () => {
    const error = await refused(authenticator().authenticate(post('expired', 'old'), token));
    expect(error).toMatchObject({ error: 'invalid_client', code: 'ERR_SECRET_EXPIRED' });
  });

  it('accepts a secret before client_secret_expires_at, and 0 as never', async () => {
    expect((await authenticator().authenticate(post('future', 'fresh'), token)).clientId).toBe('future');
    expect((await authenticator().authenticate(post('never', 'never-expires'), token)).clientId).toBe('never');
  });

  it('accepts every active secret of a rotating client and refuses the expired one', async () => {
    const auth = authenticator();
    expect((await auth.authenticate(post('rotating', 'current-secret'), token)).clientId).toBe('rotating');
    expect((await auth.authenticate(post('rotating', 'next-secret'), token)).clientId).toBe('rotating');
    expect((await refused(auth.authenticate(post('rotating', 'old-secret'), token))).code).toBe('ERR_SECRET_EXPIRED');
    expect((await refused(auth.authenticate(post('rotating', 'other'), token))).code).toBe('ERR_SECRET_MISMATCH');
  });

  it('verifies scrypt hashes made by hashSecret()', async () => {
    const auth = authenticator();
    expect((await auth.authenticate(post('hashed', 'hashed-secret'), token)).clientId).toBe('hashed');
    expect((await refused(auth.authenticate(post('hashed', 'hashed-secreT'), token))).code).toBe('ERR_SECRET_MISMATCH');
  });

  it('verifies other hash formats through secrets.verifyHash (argon2, bcrypt, …)', async () => {
    const { createHash } = await import('node:crypto');
    const verifyHash = vi.fn(
      (hash: string, secret: string) => hash === `sha256:${createHash('sha256').update(secret).digest('hex')}`,
    );
    const hashed = `sha256:${createHash('sha256').update('abc').digest('hex')}`;
    const local = new Map([['h', { client_id: 'h', client_secrets: [{ hash: hashed }] }]]);
    const auth = createClientAuthenticator({
      issuer: ISSUER,
      getClient: (id) => local.get(id),
      secrets: { verifyHash },
    });
    expect((await auth.authenticate(post('h', 'abc'), token)).clientId).toBe('h');
    expect((await refused(auth.authenticate(post('h', 'abd'), token))).code).toBe('ERR_SECRET_MISMATCH');
    expect(verifyHash).toHaveBeenCalledTimes(2);
  });

  it('refuses a hash it cannot verify when no verifyHash is configured', async () => {
    expect((await refused(authenticator().authenticate(post('custom-hash', 'x'), token))).code).toBe(
      'ERR_SECRET_MISMATCH',
    );
  });

  it('refuses a secret-method client that has no secret registered', async () => {
    expect((await refused(authenticator().authenticate(post('no-secret', 'x'), token))).code).toBe(
      'ERR_CLIENT_METADATA_INVALID',
    );
  });
});

describe('failures of the host', () => {
  it('answers 500 server_error when getClient throws, never invalid_client', async () => {
    const auth = createClientAuthenticator({
      issuer: ISSUER,
      getClient: () => {
        throw new Error('database down');
      },
    });
    const error = await refused(auth.authenticate(req({ headers: { authorization: basic('a', 'b') } }), token));
    expect(error).toMatchObject({ error: 'server_error', status: 500, code: 'ERR_CLIENT_LOOKUP_FAILED' });
    expect(errorResponse(error).body).not.toContain('database');
  });

  it('answers 500 when getClient returns another client than asked', async () => {
    const auth = createClientAuthenticator({
      issuer: ISSUER,
      getClient: () => ({ client_id: 'other', client_secret: 'b' }),
    });
    const error = await refused(auth.authenticate(req({ headers: { authorization: basic('a', 'b') } }), token));
    expect(error).toMatchObject({ status: 500, code: 'ERR_CLIENT_LOOKUP_FAILED' });
  });

  it('turns a non-OAuth error into a bare 500 response', () => {
    const response = errorResponse(new Error('secret detail'));
    expect(response.status).toBe(500);
    expect(response.body).not.toContain('secret detail');
  });
});

describe('events for operators', () => {
  it('reports the precise code, the client and the method on failure, and nothing secret', async () => {
    const events: FailureEvent[] = [];
    const auth = authenticator({ onFailure: (event) => events.push(event) });
    await refused(
      auth.authenticate(req({ headers: { authorization: basic('s6BhdRkqt3', 'wrong-secret-value') } }), token),
    );
    expect(events).toEqual([
      {
        code: 'ERR_SECRET_MISMATCH',
        error: 'invalid_client',
        status: 401,
        endpoint: 'token',
        clientId: 's6BhdRkqt3',
        method: 'client_secret_basic',
      },
    ]);
    expect(JSON.stringify(events)).not.toContain('wrong-secret-value');
  });

  it('reports successes, and a throwing observer does not change the outcome', async () => {
    const seen: unknown[] = [];
    const auth = authenticator({
      onAuthenticated: (event) => {
        seen.push(event);
        throw new Error('observer bug');
      },
    });
    const result = await auth.authenticate(
      req({ headers: { authorization: basic('s6BhdRkqt3', '7Fjfp0ZBr1KtDRbnfVdmIw') } }),
      token,
    );
    expect(result.clientId).toBe('s6BhdRkqt3');
    expect(seen).toEqual([{ clientId: 's6BhdRkqt3', method: 'client_secret_basic', endpoint: 'token' }]);
  });
});

describe('options are checked once, at setup', () => {
  it.each([
    ['no issuer', { issuer: undefined }],
    ['a relative issuer', { issuer: '/as' }],
    ['an issuer with a query (RFC 8414 §2)', { issuer: 'https://as.example.com/?x=1' }],
    ['an ftp issuer', { issuer: 'ftp://as.example.com' }],
    ['no getClient', { getClient: undefined }],
    ['an unknown method', { methods: ['client_secret_magic'] }],
    ['an empty method list', { methods: [] }],
    ['an unknown endpoint', { endpoints: { authorize: 'https://as.example.com/authorize' } }],
    ['a bad endpoint URL', { endpoints: { token: 'not a url' } }],
    [
      'an endpoint method not enabled',
      { methods: ['client_secret_basic'], endpointMethods: { token: ['client_secret_post'] } },
    ],
    ['a non-boolean allowInsecureTransport', { allowInsecureTransport: 'yes' }],
    ['a non-function hook', { onFailure: 'log' }],
  ])('throws TypeError for %s', (_title, override) => {
    expect(() => authenticator(override as Partial<ClientAuthenticatorOptions>)).toThrow(TypeError);
  });

  it('throws TypeError for an unknown endpoint at call time: a programmer error, not a client one', async () => {
    await expect(authenticator().authenticate(req({}), { endpoint: 'authorize' as 'token' })).rejects.toThrow(
      TypeError,
    );
  });

  it('never mutates the options object', () => {
    const options = {
      issuer: ISSUER,
      getClient: () => undefined,
      methods: ['client_secret_basic', 'none'] as const,
      endpoints: { token: `${ISSUER}/token` },
      endpointMethods: { revocation: ['client_secret_basic'] as const },
    };
    const copy = structuredClone({ ...options, getClient: undefined });
    createClientAuthenticator({
      ...options,
      methods: [...options.methods],
      endpointMethods: { revocation: ['client_secret_basic'] },
    });
    createClientAuthenticator(options as unknown as ClientAuthenticatorOptions);
    expect({ ...options, getClient: undefined }).toEqual(copy);
    expect(Object.isFrozen(options)).toBe(false);
  });
});

describe('metadata (RFC 8414 §2)', () => {
  it('lists the enabled methods per endpoint', () => {
    const auth = authenticator({
      endpoints: { token: `${ISSUER}/token`, revocation: `${ISSUER}/revoke` },
      endpointMethods: { introspection: ['client_secret_basic'] },
      certificates: { from: 'socket', chainValidated: true },
    });
    const metadata = auth.metadata();
    expect(metadata.issuer).toBe(ISSUER);
    expect(metadata.token_endpoint).toBe(`${ISSUER}/token`);
    expect(metadata.revocation_endpoint).toBe(`${ISSUER}/revoke`);
    expect(metadata.token_endpoint_auth_methods_supported).toEqual([
      'client_secret_basic',
      'client_secret_post',
      'client_secret_jwt',
      'private_key_jwt',
      'tls_client_auth',
      'self_signed_tls_client_auth',
      'none',
    ]);
    expect(metadata.introspection_endpoint_auth_methods_supported).toEqual(['client_secret_basic']);
  });
});

describe('the synchronous path and its caches (bench/README.md)', () => {
  const basicReq = (id: string, secret: string) => req({ headers: { authorization: basic(id, secret) } });

  it('sees a client_secret, its expiry and a rotated entry changed in place on the same client object (RFC 7591 §3.2.1)', async () => {
    const client: ClientMetadata = { client_id: 'mutable', client_secret: 'first-secret' };
    const rotating = { value: 'entry-one' };
    const rotated: ClientMetadata = { client_id: 'rotated', client_secrets: [rotating] };
    const byId = new Map([
      ['mutable', client],
      ['rotated', rotated],
    ]);
    const auth = createClientAuthenticator({ issuer: ISSUER, getClient: (id) => byId.get(id) });
    expect((await auth.authenticate(basicReq('mutable', 'first-secret'), token)).clientId).toBe('mutable');
    client.client_secret = 'second-secret';
    expect((await refused(auth.authenticate(basicReq('mutable', 'first-secret'), token))).code).toBe(
      'ERR_SECRET_MISMATCH',
    );
    expect((await auth.authenticate(basicReq('mutable', 'second-secret'), token)).clientId).toBe('mutable');
    client.client_secret_expires_at = now - 1;
    expect((await refused(auth.authenticate(basicReq('mutable', 'second-secret'), token))).code).toBe(
      'ERR_SECRET_EXPIRED',
    );

    expect((await auth.authenticate(basicReq('rotated', 'entry-one'), token)).clientId).toBe('rotated');
    rotating.value = 'entry-two';
    expect((await refused(auth.authenticate(basicReq('rotated', 'entry-one'), token))).code).toBe(
      'ERR_SECRET_MISMATCH',
    );
    expect((await auth.authenticate(basicReq('rotated', 'entry-two'), token)).clientId).toBe('rotated');
  });

  it('compares UTF-8 octets of cached secrets: a longer or multi-octet near miss is refused', async () => {
    const byId = new Map([['utf8', { client_id: 'utf8', client_secret: 'pä€s-𝄞-secret' }]]);
    const auth = createClientAuthenticator({ issuer: ISSUER, getClient: (id) => byId.get(id) });
    for (let round = 0; round < 2; round++) {
      expect((await auth.authenticate(basicReq('utf8', 'pä€s-𝄞-secret'), token)).clientId).toBe('utf8');
      for (const wrong of ['pä€s-𝄞-secreT', 'pä€s-𝄞-secret!', 'pä€s-𝄞-secre', 'pa€s-𝄞-secret', 'pä€s-𝄞-secret𝄞']) {
        expect((await refused(auth.authenticate(basicReq('utf8', wrong), token))).code).toBe('ERR_SECRET_MISMATCH');
      }
    }
  });

  it('answers the same with a client store that is synchronous, asynchronous, or hands out fresh objects', async () => {
    const registered = { client_id: 'store', client_secret: 'store-secret' };
    const stores: ClientAuthenticatorOptions['getClient'][] = [
      (id) => (id === 'store' ? registered : undefined),
      async (id) => (id === 'store' ? registered : undefined),
      (id) => (id === 'store' ? { ...registered } : undefined),
      (id) => Promise.resolve(id === 'store' ? { ...registered } : null),
    ];
    for (const getClient of stores) {
      const events: string[] = [];
      const auth = createClientAuthenticator({
        issuer: ISSUER,
        getClient,
        onAuthenticated: (event) => events.push(`ok ${event.clientId}`),
        onFailure: (event) => events.push(`${event.code} ${event.clientId}`),
      });
      expect((await auth.authenticate(basicReq('store', 'store-secret'), token)).method).toBe('client_secret_basic');
      expect((await refused(auth.authenticate(basicReq('store', 'wrong'), token))).code).toBe('ERR_SECRET_MISMATCH');
      expect((await refused(auth.authenticate(basicReq('nobody', 'store-secret'), token))).code).toBe(
        'ERR_CLIENT_NOT_FOUND',
      );
      expect(events).toEqual(['ok store', 'ERR_SECRET_MISMATCH store', 'ERR_CLIENT_NOT_FOUND nobody']);
    }
  });

  it('turns a client store that throws synchronously into a 500, like one that rejects', async () => {
    for (const getClient of [
      () => {
        throw new Error('db down');
      },
      () => Promise.reject(new Error('db down')),
    ]) {
      const auth = createClientAuthenticator({ issuer: ISSUER, getClient });
      const error = await refused(auth.authenticate(basicReq('store', 'store-secret'), token));
      expect(error).toMatchObject({ status: 500, code: 'ERR_CLIENT_LOOKUP_FAILED' });
    }
  });

  it('rejects (never throws synchronously) for an unknown endpoint or a malformed request', async () => {
    const auth = authenticator();
    const unknown = auth.authenticate(basicReq('post', 'x'), { endpoint: 'nope' as never });
    await expect(unknown).rejects.toThrow(TypeError);
    const malformed = auth.authenticate(req({ headers: { authorization: 'Basic %%%' } }), token);
    await expect(malformed).rejects.toMatchObject({ status: 400, code: 'ERR_BASIC_MALFORMED' });
  });
});
