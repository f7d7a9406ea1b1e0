/**
 * `waitForReplicas`: after the `SET … NX` that records a jti, `WAIT numreplicas timeout` on the
 * connection that sent it, so that an assertion is accepted only once N replicas hold its record.
 * Redis replicates asynchronously: without it, a primary that fails before replicating a jti
 * loses it, and the promoted replica accepts the same assertion again.
 *
 * WAIT counts the replicas that acknowledged every write *of the connection it is sent on*, so it
 * must follow the SET on the same connection of the same node: a Lua script cannot call it, and a
 * MULTI cannot block on it.
 *
 * @see https://redis.io/docs/latest/commands/wait/
 */
import type { RedisSetClient, SetNxPxOptions } from './store.js';

/** Options of {@link RedisReplayStoreOptions.waitForReplicas}. */
export interface WaitForReplicasOptions {
  /** Replicas that must acknowledge the record before the assertion is accepted. At least 1. */
  replicas: number;
  /**
   * Milliseconds WAIT may block (its `timeout` argument, never 0, which would block forever). Must
   * be below the store's `timeout`, which bounds the SET and the WAIT together.
   */
  timeoutMs: number;
}

/** The replies of the SET and of the WAIT after it. */
export interface SetThenWaitReplies {
  set: unknown;
  /** WAIT's integer reply: the replicas that acknowledged (undefined when SET did not record). */
  acknowledged?: unknown;
}

/**
 * A client that can send WAIT after a SET on the same connection. `fromIoredis` provides it (one
 * pipeline); node-redis clients and clusters need nothing: the store uses their `sendCommand`.
 */
export interface SetThenWaitClient {
  setThenWait(
    key: string,
    value: string,
    options: SetNxPxOptions,
    wait: WaitForReplicasOptions,
  ): Promise<SetThenWaitReplies>;
}

/** node-redis v5 `createClient()`: `sendCommand(args)` on its one connection. */
interface NodeRedisClient {
  sendCommand(args: string[]): Promise<unknown>;
}

/** node-redis v5 `createCluster()`: `sendCommand(firstKey, isReadonly, args)` on the key's primary. */
interface NodeRedisCluster {
  sendCommand(firstKey: string, isReadonly: boolean, args: string[]): Promise<unknown>;
  readonly masters: unknown[];
}

function isSetThenWaitClient(client: object): client is SetThenWaitClient {
  return typeof (client as Partial<SetThenWaitClient>).setThenWait === 'function';
}

function isNodeRedisCluster(client: object): client is NodeRedisCluster {
  return (
    typeof (client as { sendCommand?: unknown }).sendCommand === 'function' &&
    Array.isArray((client as NodeRedisCluster).masters)
  );
}

function isNodeRedisClient(client: object): client is NodeRedisClient {
  // A pool (`createClientPool()`) would send the WAIT on another connection than the SET.
  const pool = typeof (client as { totalClients?: unknown }).totalClients === 'number';
  return !pool && typeof (client as { sendCommand?: unknown }).sendCommand === 'function';
}

const waitArguments = (wait: WaitForReplicasOptions) => ['WAIT', String(wait.replicas), String(wait.timeoutMs)];

/**
 * The SET-then-WAIT of `client`, or undefined when it has no way to send WAIT on the SET's
 * connection (a node-redis pool, an ioredis client not wrapped by `fromIoredis`, a custom client).
 */
export function setThenWaitOf(
  client: RedisSetClient,
):
  | ((key: string, value: string, options: SetNxPxOptions, wait: WaitForReplicasOptions) => Promise<SetThenWaitReplies>)
  | undefined {
  if (isSetThenWaitClient(client)) return (key, value, options, wait) => client.setThenWait(key, value, options, wait);
  if (isNodeRedisCluster(client)) {
    // Sequential: node-redis refreshes its slot map on the MOVED of the SET before the WAIT is
    // routed, so that WAIT goes to the primary that took the write. Sent together, a WAIT routed
    // by the old map could land on another node and count nothing of ours.
    return async (key, value, options, wait) => {
      const set = await client.set(key, value, options);
      if (set === null) return { set };
      return { set, acknowledged: await client.sendCommand(key, false, waitArguments(wait)) };
    };
  }
  if (isNodeRedisClient(client)) {
    // One connection, commands answered in order: the WAIT is pipelined right behind the SET.
    return async (key, value, options, wait) => {
      const [set, acknowledged] = await Promise.all([
        client.set(key, value, options),
        client.sendCommand(waitArguments(wait)),
      ]);
      return { set, acknowledged };
    };
  }
  return undefined;
}
