/**
 * What the bare-framework pairs share (issue 16): the core configured the ordinary way for the
 * adapter side, and the body read by hand for the bare side. Both sides answer an authenticated
 * `POST /revoke` with the same empty 200; nothing else runs on either side (no router unless the
 * framework routes on both, no example machinery, no revocation work).
 */
import type { IncomingMessage } from 'node:http';
import {
  type ClientAuthenticator,
  type ClientMetadata,
  createClientAuthenticator,
  memoryReplayStore,
} from '@client-auth/core';
import { ISSUER, ONE_CLIENT_STORE } from '../fixtures.js';
import { BadRequest } from '../inline/checks.js';

/**
 * The authenticator of an adapter-alone server: the issuer, a `Map` lookup of the same clients,
 * plain HTTP allowed (loopback, as the examples allow it for a local issuer: RFC 6749 §2.3.1 asks
 * for TLS otherwise) and the memory replay store, sized so that one bench client may fill it.
 */
export function benchAuthenticator(clients: readonly ClientMetadata[]): ClientAuthenticator {
  const registered = new Map(clients.map((client) => [client.client_id, client]));
  return createClientAuthenticator({
    issuer: ISSUER,
    getClient: (clientId) => registered.get(clientId),
    allowInsecureTransport: true,
    replayStore: memoryReplayStore(ONE_CLIENT_STORE),
  });
}

/** The largest body a bare route reads (the adapters' default cap). */
const BODY_LIMIT = 65_536;

/** The body of a Node request, read by hand: the chunks, a cap, then the text as URLSearchParams. */
export function readParams(req: IncomingMessage): Promise<URLSearchParams> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > BODY_LIMIT) reject(new BadRequest('too large'));
      else chunks.push(chunk);
    });
    req.on('end', () => resolve(new URLSearchParams(Buffer.concat(chunks).toString('utf8'))));
    req.on('error', reject);
  });
}
