import { describe, expect, it } from 'vitest';
import { encodeFormComponent } from '../src/adapter.js';
import { type ClientAuthRequest, OAuthError, parseCredentials } from '../src/index.js';

const b64 = (text: string) => Buffer.from(text, 'utf8').toString('base64');
const basic = (id: string, secret: string) =>
  `Basic ${b64(`${encodeFormComponent(id)}:${encodeFormComponent(secret)}`)}`;

function request(parts: Partial<ClientAuthRequest> = {}): ClientAuthRequest {
  return { headers: {}, body: {}, secure: true, ...parts };
}

function refused(req: ClientAuthRequest, options = {}): OAuthError {
  try {
    parseCredentials(req, options);
  } catch (error) {
    expect(error).toBeInstanceOf(OAuthError);
    return error as OAuthError;
  }
  throw new Error('expected the request to be refused');
}

describe('Basic credentials (RFC 6749 §2.3.1, RFC 7617 §2)', () => {
  it('decodes the RFC 6749 §2.3.1 example credentials', () => {
    const credential = parseCredentials(
      request({ headers: { authorization: basic('s6BhdRkqt3', '7Fjfp0ZBr1KtDRbnfVdmIw') } }),
    );
    expect(credential).toEqual({
      mechanism: 'client_secret_basic',
      clientId: 's6BhdRkqt3',
      secret: '7Fjfp0ZBr1KtDRbnfVdmIw',
    });
  });

  it('form-decodes each part after base64 (Appendix B: "+" is a space, %XX is UTF-8)', () => {
    const header = `Basic ${b64('my+client%3Aid:p%C3%A4ss+word%2B')}`;
    expect(parseCredentials(request({ headers: { authorization: header } }))).toMatchObject({
      clientId: 'my client:id',
      secret: 'päss word+',
    });
  });

  it('splits at the first colon: the password may contain ":" (RFC 7617 §2)', () => {
    const header = `Basic ${b64('id:se:cret')}`;
    expect(parseCredentials(request({ headers: { authorization: header } }))).toMatchObject({
      clientId: 'id',
      secret: 'se:cret',
    });
  });

  it('treats the auth-scheme case-insensitively (RFC 9110 §11.1)', () => {
    for (const scheme of ['basic', 'BASIC', 'bAsIc']) {
      const header = `${scheme} ${b64('id:secret')}`;
      expect(parseCredentials(request({ headers: { authorization: header } }))).toMatchObject({ clientId: 'id' });
    }
  });

  it.each([
    ['bad base64', `Basic ${b64('id:secret')}!`],
    [
      'base64url instead of base64 (RFC 4648 §4)',
      `Basic ${b64('id:s>>?~secret').replace(/\+/g, '-').replace(/\//g, '_')}`,
    ],
    ['missing padding', `Basic ${b64('id:secre').replace(/=+$/, '')}`],
    ['a missing colon', `Basic ${b64('idsecret')}`],
    ['an empty token', 'Basic '],
    ['no token at all', 'Basic'],
    ['a bad percent escape', `Basic ${b64('id%ZZ:secret')}`],
    ['a truncated percent escape', `Basic ${b64('id:secret%4')}`],
    ['invalid UTF-8 after base64', `Basic ${Buffer.from([0x69, 0x64, 0x3a, 0xff, 0xfe]).toString('base64')}`],
    ['invalid UTF-8 after percent-decoding', `Basic ${b64('id:%C3%28')}`],
    ['a NUL character (RFC 7617 §2)', `Basic ${b64('id:sec\u0000ret')}`],
    ['an escaped NUL character (RFC 7617 §2)', `Basic ${b64('id:sec%00ret')}`],
    ['an escaped control character in the user-id (RFC 7617 §2)', `Basic ${b64('i%0Ad:secret')}`],
    ['an empty client_id', `Basic ${b64(':secret')}`],
    ['garbage', 'Basic ....'],
    ['two tokens', `Basic ${b64('a:b')} ${b64('c:d')}`],
  ])('answers invalid_request for %s', (_title, header) => {
    expect(refused(request({ headers: { authorization: header } }))).toMatchObject({
      error: 'invalid_request',
      status: 400,
      code: 'ERR_BASIC_MALFORMED',
    });
  });

  it('answers invalid_client for an empty secret', () => {
    expect(refused(request({ headers: { authorization: `Basic ${b64('id:')}` } }))).toMatchObject({
      error: 'invalid_client',
      code: 'ERR_SECRET_EMPTY',
    });
  });

  it('answers invalid_client for another scheme: an unsupported authentication method (RFC 6749 §5.2)', () => {
    for (const header of ['Bearer abc', 'Digest username="a"', 'DPoP abc']) {
      expect(refused(request({ headers: { authorization: header } }))).toMatchObject({
        error: 'invalid_client',
        code: 'ERR_UNSUPPORTED_AUTHORIZATION_SCHEME',
      });
    }
  });

  it('refuses a repeated Authorization header', () => {
    const header = basic('id', 'secret');
    expect(refused(request({ headers: { authorization: [header, header] } }))).toMatchObject({
      code: 'ERR_AUTHORIZATION_HEADER_REPEATED',
    });
  });

  it('refuses a huge Authorization header before decoding it', () => {
    const header = `Basic ${'A'.repeat(9000)}`;
    expect(refused(request({ headers: { authorization: header } }))).toMatchObject({
      error: 'invalid_request',
      code: 'ERR_AUTHORIZATION_HEADER_TOO_LARGE',
    });
  });

  it('offers the unencoded reading only when opted in (curl -u, Authlib)', () => {
    const header = `Basic ${b64('client:a+b%zz')}`;
    expect(refused(request({ headers: { authorization: header } }))).toMatchObject({ code: 'ERR_BASIC_MALFORMED' });
    expect(
      parseCredentials(request({ headers: { authorization: header } }), { acceptUnencodedBasic: true }),
    ).toMatchObject({
      clientId: 'client',
      secret: 'a+b%zz',
    });
    const decodable = `Basic ${b64('client:a+b')}`;
    expect(
      parseCredentials(request({ headers: { authorization: decodable } }), { acceptUnencodedBasic: true }),
    ).toEqual({
      mechanism: 'client_secret_basic',
      clientId: 'client',
      secret: 'a b',
      unencoded: { clientId: 'client', secret: 'a+b' },
    });
  });
});

describe('one mechanism per request (RFC 6749 §2.3)', () => {
  it('refuses Basic together with client_secret in the body (RFC 6749 §2.3, §5.2)', () => {
    const req = request({ headers: { authorization: basic('a', 'b') }, body: { client_secret: ['b'] } });
    expect(refused(req)).toMatchObject({ error: 'invalid_request', code: 'ERR_MULTIPLE_MECHANISMS' });
  });

  it('refuses Basic together with a client assertion', () => {
    const req = request({
      headers: { authorization: basic('a', 'b') },
      body: {
        client_assertion: ['x.y.z'],
        client_assertion_type: ['urn:ietf:params:oauth:client-assertion-type:jwt-bearer'],
      },
    });
    expect(refused(req)).toMatchObject({ code: 'ERR_MULTIPLE_MECHANISMS' });
  });

  it('refuses client_secret together with a client assertion', () => {
    const req = request({
      body: {
        client_id: ['a'],
        client_secret: ['b'],
        client_assertion: ['x.y.z'],
        client_assertion_type: ['urn:ietf:params:oauth:client-assertion-type:jwt-bearer'],
      },
    });
    expect(refused(req)).toMatchObject({ code: 'ERR_MULTIPLE_MECHANISMS' });
  });

  it('rejects a body client_id that differs from the Basic one (FAPI 1 Part 1 §5.2.2-19)', () => {
    const req = request({ headers: { authorization: basic('a', 'b') }, body: { client_id: ['other'] } });
    expect(refused(req)).toMatchObject({ error: 'invalid_client', code: 'ERR_CLIENT_ID_MISMATCH' });
    const same = request({ headers: { authorization: basic('a', 'b') }, body: { client_id: ['a'] } });
    expect(parseCredentials(same)).toMatchObject({ mechanism: 'client_secret_basic', clientId: 'a' });
  });
});

describe('body parameters (RFC 6749 §2.3.1, §3.2)', () => {
  it('reads client_id and client_secret from the body', () => {
    expect(parseCredentials(request({ body: { client_id: ['a'], client_secret: ['b'] } }))).toEqual({
      mechanism: 'client_secret_post',
      clientId: 'a',
      secret: 'b',
    });
  });

  it('rejects repeated authentication parameters (RFC 6749 §3.2)', () => {
    for (const name of ['client_id', 'client_secret', 'client_assertion', 'client_assertion_type']) {
      const body = { client_id: ['a'], [name]: ['x', 'y'] };
      expect(refused(request({ body }))).toMatchObject({ error: 'invalid_request', code: 'ERR_PARAMETER_REPEATED' });
    }
  });

  it('treats empty parameters as omitted (RFC 6749 §3.2)', () => {
    expect(parseCredentials(request({ body: { client_id: ['a'], client_secret: [''] } }))).toEqual({
      mechanism: 'client_id',
      clientId: 'a',
    });
    expect(refused(request({ body: { client_id: [''] } }))).toMatchObject({ code: 'ERR_NO_CLIENT_AUTHENTICATION' });
  });

  it('refuses credentials in the query string (RFC 6749 §2.3.1: MUST NOT be included in the request URI)', () => {
    for (const name of ['client_secret', 'client_assertion', 'client_assertion_type']) {
      const req = request({ body: { client_id: ['a'] }, query: { [name]: ['x'] } });
      expect(refused(req)).toMatchObject({ error: 'invalid_request', code: 'ERR_CREDENTIALS_IN_QUERY' });
    }
  });

  it('requires client_id with client_secret (RFC 6749 §2.3.1)', () => {
    expect(refused(request({ body: { client_secret: ['b'] } }))).toMatchObject({ error: 'invalid_request' });
  });

  it('refuses control characters in client_id and client_secret', () => {
    expect(refused(request({ body: { client_id: ['a\u0000'], client_secret: ['b'] } }))).toMatchObject({
      error: 'invalid_request',
    });
    expect(refused(request({ body: { client_id: ['a'], client_secret: ['b\u0007'] } }))).toMatchObject({
      error: 'invalid_request',
    });
  });

  it('refuses an oversized client_id before any lookup', () => {
    expect(refused(request({ body: { client_id: ['a'.repeat(2000)] } }))).toMatchObject({ error: 'invalid_request' });
  });

  it('answers invalid_client when nothing identifies a client (RFC 6749 §5.2)', () => {
    expect(refused(request())).toMatchObject({
      error: 'invalid_client',
      status: 401,
      code: 'ERR_NO_CLIENT_AUTHENTICATION',
    });
  });

  it('needs both client_assertion and client_assertion_type (RFC 7521 §4.2)', () => {
    expect(refused(request({ body: { client_assertion: ['a.b.c'] } }))).toMatchObject({
      code: 'ERR_ASSERTION_TYPE_MISSING',
    });
    expect(refused(request({ body: { client_assertion_type: ['urn:x'] } }))).toMatchObject({
      code: 'ERR_ASSERTION_MISSING',
    });
  });
});
