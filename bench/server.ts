/**
 * One HTTP server under test, in its own process so that its CPU time can be read apart from the
 * load generator's. Started by http.ts with `fork`; configured by the BENCH_SERVER environment
 * variable (JSON: { kind, module, factory, clients, clientsFile, honoNodeServer }); answers over IPC:
 *   → { ready: port }        once listening on 127.0.0.1 (port 0: the system picks)
 *   ← 'cpu'  → { cpu: µs }   user + system CPU time of this process so far
 */
import { createServer, type RequestListener } from 'node:http';
import type { AddressInfo } from 'node:net';
import { pathToFileURL } from 'node:url';
import type { ClientMetadata } from '@client-auth/core';
import { createExampleServer, loadConfig } from '@client-auth/example-kit';
import { ISSUER } from './fixtures.js';
import { honoRequestListener } from './hono-listener.js';

interface ServerSpec {
  kind: 'adapter' | 'inline' | 'bare' | 'alone' | 'oidc-provider';
  /**
   * For adapter: the example's app module (absolute path). For inline: the inline module. For bare
   * and alone: the framework's module of bench/bare/.
   */
  module?: string;
  /** The export of `module` that builds the listener (inline: its only function). */
  factory?: string;
  clients: ClientMetadata[];
  clientsFile: string;
  /** Hono: the major of @hono/node-server that serves the app (default 1, what examples/hono uses). */
  honoNodeServer?: 1 | 2;
}

/** Whatever the example's createApp returned, as a Node request listener. */
async function toListener(app: unknown): Promise<RequestListener> {
  if (typeof app === 'function') return app as RequestListener; // Express
  const object = app as { callback?: () => RequestListener; fetch?: (request: Request) => Response };
  if (typeof object.callback === 'function') return object.callback(); // Koa
  if (typeof object.fetch === 'function') {
    const listen = await honoRequestListener(spec.honoNodeServer); // Hono
    return listen(object.fetch.bind(object));
  }
  throw new Error('bench: createApp() returned neither an Express, a Koa nor a Hono app');
}

const spec = JSON.parse(process.env.BENCH_SERVER as string) as ServerSpec;
let listener: RequestListener;
if (spec.kind === 'adapter') {
  // The example exactly as `pnpm --dir examples/<name> start` builds it, from the environment.
  // One bench client sends every request: its quota of live jti is the whole store (the default
  // 10,000 per client would refuse part of a run's 60-s assertions, as it is meant to).
  const config = loadConfig({ PORT: '0', ISSUER, CLIENTS_FILE: spec.clientsFile, REPLAY_MAX_PER_CLIENT: '100000' });
  const { createApp } = (await import(pathToFileURL(spec.module as string).href)) as {
    createApp: (server: unknown) => unknown;
  };
  listener = await toListener(await createApp(await createExampleServer(config)));
} else if (spec.kind !== 'oidc-provider') {
  const module = (await import(pathToFileURL(spec.module as string).href)) as Record<
    string,
    (clients: ClientMetadata[], honoNodeServer?: 1 | 2) => Promise<RequestListener>
  >;
  const factory =
    spec.factory === undefined
      ? Object.values(module).find((value) => typeof value === 'function')
      : module[spec.factory];
  if (factory === undefined) throw new Error(`bench: ${spec.module} exports no ${spec.factory ?? 'factory'}`);
  listener = await factory(spec.clients, spec.honoNodeServer);
} else {
  const { oidcProviderListener } = await import('./oidc-provider.js');
  listener = oidcProviderListener(spec.clients);
}

const server = createServer({ keepAliveTimeout: 30_000 }, listener);
server.listen(0, '127.0.0.1', () => {
  process.send?.({ ready: (server.address() as AddressInfo).port });
});
process.on('message', (message) => {
  if (message === 'cpu') {
    const { user, system } = process.cpuUsage();
    process.send?.({ cpu: user + system });
  }
});
process.on('disconnect', () => process.exit(0));
