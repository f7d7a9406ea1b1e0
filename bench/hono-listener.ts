/**
 * `getRequestListener` of the @hono/node-server major a Hono row runs on: 1 (the root
 * devDependency, the oldest major the adapter supports) or 2 (the current major, what examples/hono
 * depends on; `hono-node-server2` in the root devDependencies). Loaded
 * only by the servers that serve Hono.
 */
import type { RequestListener } from 'node:http';

export async function honoRequestListener(
  major: 1 | 2 = 1,
): Promise<(fetch: (request: Request) => Response | Promise<Response>) => RequestListener> {
  const { getRequestListener } = major === 2 ? await import('hono-node-server2') : await import('@hono/node-server');
  return (fetch) => getRequestListener(fetch) as unknown as RequestListener;
}
