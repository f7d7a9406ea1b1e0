/**
 * One real HTTP server per framework variant, on loopback, built with that framework's adapter.
 * Every profile of the case table is mounted under `/<profile>/<endpoint>`; a route that passes
 * authentication answers `200 {client_id, method, endpoint}`.
 */
import { createServer, type RequestListener, type Server } from 'node:http';
import { createServer as createTlsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import {
  type ClientAuthenticator,
  ENDPOINT_NAMES,
  type EndpointName,
  errorResponse,
  isOAuthError,
} from '@client-auth/core';
import { clientAuthentication as expressAuthentication } from '@client-auth/express';
import { clientAuthentication as honoAuthentication } from '@client-auth/hono';
import { clientAuthentication as koaAuthentication } from '@client-auth/koa';
import { getRequestListener } from '@hono/node-server';
import { bodyParser } from '@koa/bodyparser';
import Router from '@koa/router';
import type { Express, NextFunction, Request, Response } from 'express';
import express4 from 'express4';
import express5 from 'express5';
import { Hono } from 'hono';
import { HTTPException } from 'hono/http-exception';
import { getRequestListener as getRequestListener2 } from 'hono-node-server2';
import type Koa from 'koa';
import { koaBody } from 'koa-body';
import Koa2 from 'koa2';
import Koa3 from 'koa3';

export type Framework = 'express4' | 'express5' | 'koa2' | 'koa3' | 'hono';

export interface Variant {
  name: string;
  framework: Framework;
  /** A body parser that runs before the adapter. */
  parser?: 'express.urlencoded' | '@koa/bodyparser' | 'koa-body';
  /** `'respond'`: the adapter answers errors; `'throw'`: the app's error handler does. */
  errors: 'respond' | 'throw';
  /** An async middleware runs first: the whole body has arrived (unread) when the adapter starts. */
  late?: boolean;
  /** Hono: the major of @hono/node-server that serves it (default 1). */
  nodeServer?: 1 | 2;
}

const settle = () => new Promise((resolve) => setTimeout(resolve, 5));

export const VARIANTS: Variant[] = [
  { name: 'Express 4', framework: 'express4', errors: 'respond' },
  { name: 'Express 5', framework: 'express5', errors: 'respond' },
  { name: 'Koa 2', framework: 'koa2', errors: 'respond' },
  { name: 'Koa 3', framework: 'koa3', errors: 'respond' },
  { name: 'Hono', framework: 'hono', errors: 'respond' },
  {
    name: 'Express 4 + express.urlencoded, next(err)',
    framework: 'express4',
    parser: 'express.urlencoded',
    errors: 'throw',
  },
  {
    name: 'Express 5 + express.urlencoded, next(err)',
    framework: 'express5',
    parser: 'express.urlencoded',
    errors: 'throw',
  },
  { name: 'Koa 2 + @koa/bodyparser, thrown', framework: 'koa2', parser: '@koa/bodyparser', errors: 'throw' },
  { name: 'Koa 3 + @koa/bodyparser, thrown', framework: 'koa3', parser: '@koa/bodyparser', errors: 'throw' },
  { name: 'Koa 3 + koa-body (parsed object only), thrown', framework: 'koa3', parser: 'koa-body', errors: 'throw' },
  { name: 'Hono, HTTPException', framework: 'hono', errors: 'throw' },
  { name: 'Express 4 behind an async middleware', framework: 'express4', errors: 'respond', late: true },
  { name: 'Koa 2 behind an async middleware', framework: 'koa2', errors: 'respond', late: true },
  { name: 'Hono behind an async middleware', framework: 'hono', errors: 'respond', late: true },
  { name: 'Hono on @hono/node-server 2', framework: 'hono', nodeServer: 2, errors: 'respond' },
  { name: 'Hono on @hono/node-server 2, HTTPException', framework: 'hono', nodeServer: 2, errors: 'throw' },
  {
    name: 'Hono on @hono/node-server 2 behind an async middleware',
    framework: 'hono',
    nodeServer: 2,
    errors: 'respond',
    late: true,
  },
];

export const ENDPOINT_PATHS: Record<EndpointName, string> = {
  token: 'token',
  pushed_authorization_request: 'par',
  introspection: 'introspect',
  revocation: 'revoke',
  device_authorization: 'device_authorization',
  backchannel_authentication: 'bc-authorize',
};

export interface RunningServer {
  url: string;
  /** The stable code of the last refusal the app's error handler saw (throw variants). */
  lastThrownCode: string | undefined;
  close(): Promise<void>;
}

interface Route {
  path: string;
  endpoint: EndpointName;
  authenticator: ClientAuthenticator;
}

function routes(authenticators: Record<string, ClientAuthenticator>): Route[] {
  return Object.entries(authenticators).flatMap(([profile, authenticator]) =>
    ENDPOINT_NAMES.map((endpoint) => ({ path: `/${profile}/${ENDPOINT_PATHS[endpoint]}`, endpoint, authenticator })),
  );
}

function success(
  client: { clientId: string; method: string; endpoint: string; certificate?: { thumbprint: string } } | undefined,
) {
  if (client === undefined) return { client_id: null };
  const body: Record<string, string> = { client_id: client.clientId, method: client.method, endpoint: client.endpoint };
  // RFC 8705 §3.1: the thumbprint a certificate-bound token would carry.
  if (client.certificate !== undefined) body['x5t#S256'] = client.certificate.thumbprint;
  return body;
}

/** What an app's error handler answers for an error that is not an OAuthError (a parser's 413). */
function foreignError(error: unknown): { status: number; body: string } {
  if (process.env.DEBUG_SERVERS) console.error(error);
  const status = (error as { status?: unknown }).status;
  return {
    status: typeof status === 'number' && status >= 400 && status < 600 ? status : 500,
    body: JSON.stringify({ error: 'not_oauth' }),
  };
}

function expressListener(variant: Variant, state: RunningServer, all: Route[]): RequestListener {
  const express = (variant.framework === 'express4' ? express4 : express5) as unknown as typeof import('express');
  const app: Express = express();
  if (variant.parser === 'express.urlencoded') app.use(express.urlencoded({ extended: false }));
  if (variant.late) app.use((_req, _res, next) => void settle().then(() => next()));
  for (const route of all) {
    app.post(
      route.path,
      expressAuthentication(route.authenticator, {
        endpoint: route.endpoint,
        errors: variant.errors,
      }),
      (req, res) => {
        res.json(success(req.client));
      },
    );
  }
  app.use((error: unknown, _req: Request, res: Response, _next: NextFunction) => {
    if (isOAuthError(error)) {
      state.lastThrownCode = error.code;
      const response = errorResponse(error);
      res.status(response.status).set(response.headers).end(response.body);
      return;
    }
    const response = foreignError(error);
    res.status(response.status).type('json').end(response.body);
  });
  return app as unknown as RequestListener;
}

function koaListener(variant: Variant, state: RunningServer, all: Route[]): RequestListener {
  const KoaClass = (variant.framework === 'koa2' ? Koa2 : Koa3) as unknown as typeof Koa;
  const app = new KoaClass();
  app.silent = true;
  app.use(async (ctx, next) => {
    try {
      await next();
    } catch (error) {
      if (isOAuthError(error)) {
        state.lastThrownCode = error.code;
        const response = errorResponse(error);
        ctx.status = response.status;
        ctx.set(response.headers);
        ctx.body = response.body;
        return;
      }
      const response = foreignError(error);
      ctx.status = response.status;
      ctx.type = 'json';
      ctx.body = response.body;
    }
  });
  if (variant.parser === '@koa/bodyparser') app.use(bodyParser());
  if (variant.parser === 'koa-body') app.use(koaBody());
  if (variant.late) app.use(async (_ctx, next) => settle().then(next));
  const router = new Router();
  for (const route of all) {
    router.post(
      route.path,
      koaAuthentication(route.authenticator, { endpoint: route.endpoint, errors: variant.errors }),
      (ctx) => {
        ctx.body = success(ctx.state.client);
      },
    );
  }
  app.use(router.routes());
  return app.callback();
}

function honoListener(variant: Variant, state: RunningServer, all: Route[]): RequestListener {
  const app = new Hono();
  if (variant.late) app.use(async (_c, next) => settle().then(next));
  for (const route of all) {
    app.post(
      route.path,
      honoAuthentication(route.authenticator, { endpoint: route.endpoint, errors: variant.errors }),
      (c) => c.json(success(c.get('client'))),
    );
  }
  app.onError((error, c) => {
    if (error instanceof HTTPException && isOAuthError(error.cause)) {
      state.lastThrownCode = error.cause.code;
      return error.getResponse();
    }
    const response = foreignError(error);
    return c.body(response.body, response.status as 500, { 'content-type': 'application/json' });
  });
  return variant.nodeServer === 2
    ? (getRequestListener2(app.fetch) as unknown as RequestListener)
    : getRequestListener(app.fetch);
}

/** TLS material for an HTTPS server that requests (does not require) client certificates. */
export interface ServerTls {
  cert: string;
  key: string;
  /** CAs trusted for client certificates. */
  ca: string;
}

/** Start one variant on a free loopback port (HTTPS when `tls` is given). */
export async function startServer(
  variant: Variant,
  authenticators: Record<string, ClientAuthenticator>,
  tls?: ServerTls,
): Promise<RunningServer> {
  const all = routes(authenticators);
  let server: Server | undefined;
  const state: RunningServer = {
    url: '',
    lastThrownCode: undefined,
    close: () =>
      new Promise<void>((resolve) => {
        server?.closeAllConnections();
        server?.close(() => resolve());
      }),
  };
  const listener =
    variant.framework === 'hono'
      ? honoListener(variant, state, all)
      : variant.framework.startsWith('koa')
        ? koaListener(variant, state, all)
        : expressListener(variant, state, all);
  server =
    tls === undefined
      ? createServer(listener)
      : createTlsServer({ ...tls, requestCert: true, rejectUnauthorized: false }, listener);
  await new Promise<void>((resolve) => server?.listen(0, '127.0.0.1', resolve));
  state.url = `${tls === undefined ? 'http' : 'https'}://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return state;
}
