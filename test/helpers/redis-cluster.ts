/**
 * A real Redis Cluster for the test suites: three primaries and three replicas of `redis-server`
 * on 127.0.0.1, joined by `redis-cli --cluster create … --cluster-replicas 1`, no persistence.
 * Each suite passes a base port of its own (six consecutive ports; the cluster bus uses port +
 * 10000), so that suites running in parallel never share a cluster. Without `redis-server` and
 * `redis-cli` the cluster suites are skipped, with one line saying why.
 */
import { run } from './example-server.js';
import { eventually, findOnPath, OwnRedisServer, redisServerBinary } from './redis.js';

const redisCli = findOnPath('redis-cli');

/** Why cluster suites are skipped, or undefined when they run. */
export const noClusterReason: string | undefined =
  redisServerBinary === undefined || redisCli === undefined
    ? 'redis-server and redis-cli are not both on PATH: the Redis Cluster suites start a cluster of their own (apt-get install redis-server)'
    : undefined;

/** One line of `CLUSTER NODES`. */
export interface ClusterNode {
  id: string;
  port: number;
  role: 'master' | 'replica';
  /** The primary's id, for a replica. */
  masterId?: string;
  failed: boolean;
  /** Slot ranges served, for a primary. */
  slots: Array<[number, number]>;
}

/** A failover that stays short: a node is failed after 1 s without an answer. */
const NODE_TIMEOUT_MS = 1000;

export class OwnRedisCluster {
  readonly nodes: OwnRedisServer[];

  private constructor(nodes: OwnRedisServer[]) {
    this.nodes = nodes;
  }

  /** `host:port,…` of every node, for `REDIS_CLUSTER_NODES`. */
  get seeds(): string {
    return this.nodes.map((node) => `127.0.0.1:${node.port}`).join(',');
  }

  /** Start six nodes on `basePort` … `basePort + 5`, create the cluster and wait until it is healthy. */
  static async start(basePort: number): Promise<OwnRedisCluster> {
    const nodes: OwnRedisServer[] = [];
    const cluster = new OwnRedisCluster(nodes);
    try {
      for (let i = 0; i < 6; i += 1) {
        const port = basePort + i;
        const args = ['--cluster-enabled', 'yes', '--cluster-config-file', `nodes-${port}.conf`];
        args.push('--cluster-node-timeout', String(NODE_TIMEOUT_MS), '--maxmemory-policy', 'noeviction');
        nodes.push(await OwnRedisServer.startOn(port, args));
      }
      const addresses = nodes.map((node) => `127.0.0.1:${node.port}`);
      const created = await run(redisCli as string, [
        '--cluster',
        'create',
        ...addresses,
        '--cluster-replicas',
        '1',
        '--cluster-yes',
      ]);
      if (created.code !== 0) throw new Error(`redis-cli --cluster create failed:\n${created.stdout}${created.stderr}`);
      if (!(await cluster.healthy(30_000))) throw new Error('the cluster did not become healthy within 30 s');
      return cluster;
    } catch (error) {
      await cluster.close();
      throw error;
    }
  }

  /** One command through redis-cli on `port`; its raw output, trimmed. */
  async command(port: number, ...args: string[]): Promise<string> {
    const result = await run(redisCli as string, ['-p', String(port), ...args]);
    if (result.code !== 0) throw new Error(`redis-cli -p ${port} ${args.join(' ')}: ${result.stderr}`);
    return result.stdout.trim();
  }

  /** The node that answers on `port`. */
  node(port: number): OwnRedisServer {
    const node = this.nodes.find((candidate) => candidate.port === port);
    if (node === undefined) throw new Error(`no node on port ${port}`);
    return node;
  }

  /** A node that is running and not paused. */
  #answering(): OwnRedisServer {
    const node = this.nodes.find((candidate) => candidate.running && !candidate.paused);
    if (node === undefined) throw new Error('no node is running');
    return node;
  }

  /** The topology as a running node sees it. */
  async topology(): Promise<ClusterNode[]> {
    const text = await this.command(this.#answering().port, 'CLUSTER', 'NODES');
    return text.split('\n').map((line) => {
      const [id = '', address = '', flags = '', masterId = '-', , , , , ...slots] = line.trim().split(' ');
      const port = Number(address.split('@')[0]?.split(':')[1]);
      const role = flags.includes('master') ? 'master' : 'replica';
      const ranges = slots
        .filter((slot) => !slot.startsWith('['))
        .map((slot): [number, number] => {
          const [from, to] = slot.split('-').map(Number);
          return [from as number, to ?? (from as number)];
        });
      return {
        id,
        port,
        role,
        ...(role === 'replica' ? { masterId } : {}),
        // `fail?` (suspected by this node) counts too: it will not serve.
        failed: flags.includes('fail'),
        slots: ranges,
      };
    });
  }

  /** The slot of `key` (CLUSTER KEYSLOT). */
  async keySlot(key: string): Promise<number> {
    return Number(await this.command(this.#answering().port, 'CLUSTER', 'KEYSLOT', key));
  }

  /** The primary serving `key`, and its replica. */
  async shardOf(key: string): Promise<{ primary: ClusterNode; replica: ClusterNode }> {
    const slot = await this.keySlot(key);
    const topology = await this.topology();
    const primary = topology.find(
      (node) => node.role === 'master' && !node.failed && node.slots.some(([from, to]) => slot >= from && slot <= to),
    );
    const replica = topology.find((node) => node.role === 'replica' && node.masterId === primary?.id && !node.failed);
    if (primary === undefined || replica === undefined) throw new Error(`no healthy shard serves slot ${slot}`);
    return { primary, replica };
  }

  /**
   * True once every running node says `cluster_state:ok`, three primaries serve all slots, and
   * every primary has a replica whose link is up (so WAIT 1 can be satisfied).
   */
  async healthy(ms = 20_000): Promise<boolean> {
    return eventually(async () => {
      try {
        for (const node of this.nodes) {
          if (!node.running || node.paused) continue;
          const info = await this.command(node.port, 'CLUSTER', 'INFO');
          if (!info.includes('cluster_state:ok')) return false;
        }
        const topology = await this.topology();
        const primaries = topology.filter((node) => node.role === 'master' && node.slots.length > 0 && !node.failed);
        if (primaries.length !== 3) return false;
        for (const primary of primaries) {
          const replica = topology.find((node) => node.masterId === primary.id && !node.failed);
          if (replica === undefined || !this.node(replica.port).running || this.node(replica.port).paused) return false;
          const replication = await this.command(replica.port, 'INFO', 'replication');
          if (!replication.includes('master_link_status:up')) return false;
        }
        return true;
      } catch {
        return false;
      }
    }, ms);
  }

  /** Stop every node and remove their directories. */
  async close(): Promise<void> {
    await Promise.all(this.nodes.map((node) => node.close()));
  }
}
