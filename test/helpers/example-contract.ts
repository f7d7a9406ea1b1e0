/**
 * The public contract of the example servers (DESIGN.md §5), one suite for all three: start
 * examples/<name> as a user does, then get a token with each method with curl (the banner's own
 * lines) and drive every endpoint over HTTP. Running the same suite on each example is what keeps
 * them behaving alike.
 */
import { createRemoteJWKSet, jwtVerify } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RunningExample, run, startExample } from './example-server.js';
import { json } from './http.js';

const FORM = 'application/x-www-form-urlencoded';

export function describeExampleContract(name: 'express' | 'koa' | 'hono'): void {
  describe(`examples/${name} (DESIGN.md §5 contract)`, () => {
    let server: RunningExample;
    let issuer: string;

    beforeAll(async () => {
      server = await startExample(name);
      issuer = `http://localhost:${server.port}`;
    });
    afterAll(async () => {
      await server?.stop();
    });

    /** The curl lines the banner prints, run as printed (they target ISSUER = localhost). */
    function bannerCommands(): Map<string, string[]> {
      const commands = new Map<string, string[]>();
      const lines = server.output().split('\n');
      for (const [index, line] of lines.entries()) {
        const method = /^# (client_secret_basic|client_secret_post|none)\b/.exec(line)?.[1];
        const command = lines[index + 1];
        if (method !== undefined && command?.startsWith('curl ')) {
          // The banner quotes with single quotes for a shell; split it the way a shell would here.
          const args = [...command.slice(5).matchAll(/'([^']*)'|(\S+)/g)].map((m) => m[1] ?? m[2] ?? '');
          commands.set(method, args);
        }
      }
      return commands;
    }

    /** A banner curl line, run as printed: the HTTP status and the JSON body. */
    async function runBannerLine(method: string): Promise<{ status: string; body: Record<string, unknown> }> {
      const args = bannerCommands().get(method);
      expect(args, `banner has a curl line for ${method}:\n${server.output()}`).toBeDefined();
      const result = await run('curl', ['-s', '-w', '\n%{http_code}', ...(args as string[])]);
      const [body, status] = result.stdout.trimEnd().split(/\n(?=\d{3}$)/);
      return { status: status as string, body: JSON.parse(body as string) };
    }

    for (const method of ['client_secret_basic', 'client_secret_post']) {
      it(`gets an RFC 9068 access token with ${method}, using the curl line the banner prints`, async () => {
        const { status, body: token } = await runBannerLine(method);
        expect(status).toBe('200');
        expect(token.token_type).toBe('Bearer');
        const jwks = createRemoteJWKSet(new URL(`${server.url}/jwks`));
        const { payload, protectedHeader } = await jwtVerify(token.access_token as string, jwks, { issuer });
        expect(protectedHeader.typ).toBe('at+jwt');
        expect(typeof payload.client_id).toBe('string');
      });
    }

    it('pushes an authorization request with none, using the curl line the banner prints (RFC 9126 §2)', async () => {
      const { status, body } = await runBannerLine('none');
      expect(status).toBe('201');
      expect(body.request_uri).toMatch(/^urn:ietf:params:oauth:request_uri:/);
    });

    it('refuses the client_credentials grant to a public client: unauthorized_client (RFC 6749 §4.4, §5.2)', async () => {
      const response = await fetch(`${server.url}/token`, {
        method: 'POST',
        headers: { 'content-type': FORM },
        body: 'grant_type=client_credentials&client_id=demo-public',
      });
      expect(response.status).toBe(400);
      expect(await json(response)).toEqual({
        error: 'unauthorized_client',
        error_description: 'public clients may not use the client_credentials grant',
      });
    });

    it("does not let a public client introspect, nor a client see another client's token (RFC 7662 §2.1, §2.2, §4)", async () => {
      const basic = (id: string, secret: string) => `Basic ${Buffer.from(`${id}:${secret}`).toString('base64')}`;
      const post = (path: string, body: string, headers: Record<string, string> = {}) =>
        fetch(`${server.url}${path}`, { method: 'POST', headers: { 'content-type': FORM, ...headers }, body });
      const token = await json(
        await post('/token', 'grant_type=client_credentials', {
          authorization: basic('demo-basic', 'demo-basic-secret'),
        }),
      );
      const byPublic = await post('/introspect', `client_id=demo-public&token=${token.access_token}`);
      expect(byPublic.status).toBe(400);
      expect((await json(byPublic)).error).toBe('unauthorized_client');
      const byOther = await post('/introspect', `token=${token.access_token}`, {
        authorization: basic('s6BhdRkqt3', '7Fjfp0ZBr1KtDRbnfVdmIw'),
      });
      expect(byOther.status).toBe(200);
      expect(await json(byOther)).toEqual({ active: false });
      const byOwner = await post('/introspect', `token=${token.access_token}`, {
        authorization: basic('demo-basic', 'demo-basic-secret'),
      });
      expect(await json(byOwner)).toMatchObject({ active: true, client_id: 'demo-basic' });
    });

    it('serves RFC 8414 metadata generated by the core', async () => {
      const response = await fetch(`${server.url}/.well-known/oauth-authorization-server`);
      expect(response.status).toBe(200);
      const metadata = await json(response);
      expect(metadata.issuer).toBe(issuer);
      expect(metadata.token_endpoint_auth_methods_supported).toEqual(
        expect.arrayContaining(['client_secret_basic', 'client_secret_post', 'none']),
      );
    });

    it('authenticates the client on every endpoint (RFC 7662, RFC 7009, RFC 9126, RFC 8628, CIBA)', async () => {
      const auth = { authorization: `Basic ${Buffer.from('demo-basic:demo-basic-secret').toString('base64')}` };
      const post = (path: string, body: string, headers: Record<string, string> = auth) =>
        fetch(`${server.url}${path}`, { method: 'POST', headers: { 'content-type': FORM, ...headers }, body });

      const token = await json(await post('/token', 'grant_type=client_credentials&scope=read'));
      const active = await json(await post('/introspect', `token=${token.access_token}`));
      expect(active).toMatchObject({ active: true, client_id: 'demo-basic', scope: 'read' });
      expect((await post('/revoke', `token=${token.access_token}`)).status).toBe(200);
      expect(await json(await post('/introspect', `token=${token.access_token}`))).toEqual({ active: false });

      const par = await post('/par', 'response_type=code&redirect_uri=https%3A%2F%2Fclient.example%2Fcb');
      expect(par.status).toBe(201);
      expect(await json(par)).toMatchObject({
        request_uri: expect.stringMatching(/^urn:ietf:params:oauth:request_uri:/),
      });
      expect(await json(await post('/device_authorization', ''))).toMatchObject({ device_code: expect.any(String) });
      expect(await json(await post('/bc-authorize', 'login_hint=alice'))).toMatchObject({
        auth_req_id: expect.any(String),
      });

      for (const path of ['/token', '/introspect', '/revoke', '/par', '/device_authorization', '/bc-authorize']) {
        const refused = await post(path, 'token=x&grant_type=client_credentials', {});
        expect(refused.status, path).toBe(401);
      }
    });

    it('answers errors as RFC 6749 JSON with a Basic challenge (RFC 6749 §5.2)', async () => {
      const response = await fetch(`${server.url}/token`, {
        method: 'POST',
        headers: { 'content-type': FORM },
        body: 'grant_type=client_credentials&client_id=demo-post&client_secret=wrong',
      });
      expect(response.status).toBe(401);
      expect(response.headers.get('content-type')).toMatch(/^application\/json/);
      expect(response.headers.get('cache-control')).toBe('no-store');
      expect(response.headers.get('www-authenticate')).toBe(`Basic realm="${issuer}"`);
      expect(await json(response)).toEqual({
        error: 'invalid_client',
        error_description: 'client authentication failed',
      });
    });

    it('refuses a second mechanism with invalid_request (RFC 6749 §2.3)', async () => {
      const response = await fetch(`${server.url}/token`, {
        method: 'POST',
        headers: {
          'content-type': FORM,
          authorization: `Basic ${Buffer.from('demo-basic:demo-basic-secret').toString('base64')}`,
        },
        body: 'grant_type=client_credentials&client_id=demo-basic&client_secret=demo-basic-secret',
      });
      expect(response.status).toBe(400);
      expect((await json(response)).error).toBe('invalid_request');
    });

    it('answers an unsupported grant type after authenticating (RFC 6749 §5.2)', async () => {
      const response = await fetch(`${server.url}/token`, {
        method: 'POST',
        headers: { 'content-type': FORM },
        body: 'grant_type=password&client_id=demo-public',
      });
      expect(response.status).toBe(400);
      expect((await json(response)).error).toBe('unsupported_grant_type');
    });
  });
}
