/**
 * Replay protection for client assertions (OpenID Connect Core §9: the `jti` "MUST only be used
 * once"; RFC 7523 §3 item 7). A {@link ReplayStore} records each (client, jti) pair atomically, and
 * only *after* the assertion's signature and claims verified, so that a forged assertion cannot
 * burn a legitimate jti.
 */

/**
 * Where used assertion identifiers are remembered until they expire. Implementations must make
 * `consume` atomic across every instance that shares the store (the Redis store uses
 * `SET key 1 PX ttl NX`).
 */
export interface ReplayStore {
  /**
   * Record that `jti` of `clientId` was used, until `expiresAt` (milliseconds since the epoch).
   * Resolves `true` the first time, `false` when the pair was already recorded. Rejects when the
   * store cannot answer; the request is then refused with a 5xx, never accepted.
   */
  consume(clientId: string, jti: string, expiresAt: number): Promise<boolean>;
}
