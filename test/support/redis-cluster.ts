/**
 * A local Redis Cluster of three masters for tests, from the plain `redis-server` binary (Debian's
 * package; no redis-cli needed): three private servers with cluster mode on, each on free ports
 * (client and cluster bus), the 16384 slots split between them (CLUSTER ADDSLOTSRANGE), joined
 * with CLUSTER MEET, and ready when every node says cluster_state:ok and knows the others.
 * Nothing is saved; stop() ends the processes and removes their directories.
 */
import { Redis } from 'ioredis';
import { type PrivateRedis, freePort, startPrivateRedis } from '../../src/startup/private-redis.js';

const SLOTS = 16384;
const READY_TIMEOUT_MS = 20_000;

export interface LocalCluster {
  /** 'host:port' of every master. */
  nodes: string[];
  stop(): Promise<void>;
}

interface Node {
  server: PrivateRedis;
  port: number;
  busPort: number;
}

export async function startLocalCluster(masters = 3): Promise<LocalCluster> {
  const nodes: Node[] = [];
  const stop = async (): Promise<void> => {
    await Promise.all(nodes.map((n) => n.server.stop()));
  };
  try {
    for (let i = 0; i < masters; i++) nodes.push(await startNode(i));
    await onEach(nodes, (redis, i) => setUp(redis, i, masters));
    await meet(nodes);
    await waitUntilOk(nodes);
  } catch (e) {
    await stop();
    throw e;
  }
  return { nodes: nodes.map((n) => `127.0.0.1:${n.port}`), stop };
}

/** One node; the bus port is chosen here, as port + 10000 may be no port at all. */
async function startNode(i: number): Promise<Node> {
  const busPort = await freePort();
  const args = [
    '--cluster-enabled',
    'yes',
    '--cluster-config-file',
    `nodes-${i}.conf`,
    '--cluster-port',
    String(busPort),
  ];
  const server = await startPrivateRedis('redis-server', args);
  return { server, port: Number(new URL(server.url).port), busPort };
}

/** Runs `each` on a connection to every node, in turn; the connections are closed after. */
async function onEach(nodes: Node[], each: (redis: Redis, i: number) => Promise<unknown>): Promise<void> {
  for (const [i, n] of nodes.entries()) {
    const redis = new Redis(n.server.url, { lazyConnect: true, maxRetriesPerRequest: 0 });
    try {
      await redis.connect();
      await each(redis, i);
    } finally {
      redis.disconnect();
    }
  }
}

/**
 * Node i of n: its share of the slots, and its own config epoch (what redis-cli --cluster create
 * does too), so that no two masters start with the same epoch.
 */
async function setUp(redis: Redis, i: number, n: number): Promise<void> {
  const first = Math.floor((SLOTS * i) / n);
  const last = Math.floor((SLOTS * (i + 1)) / n) - 1;
  await redis.call('CLUSTER', 'ADDSLOTSRANGE', first, last);
  await redis.call('CLUSTER', 'SET-CONFIG-EPOCH', i + 1);
}

/** The first node meets the others (with their bus ports); gossip does the rest. */
async function meet(nodes: Node[]): Promise<void> {
  await onEach(nodes.slice(0, 1), async (redis) => {
    for (const other of nodes.slice(1)) await redis.call('CLUSTER', 'MEET', '127.0.0.1', other.port, other.busPort);
  });
}

async function waitUntilOk(nodes: Node[]): Promise<void> {
  const deadline = Date.now() + READY_TIMEOUT_MS;
  for (;;) {
    const infos: string[] = [];
    await onEach(nodes, async (redis) => infos.push(String(await redis.call('CLUSTER', 'INFO'))));
    if (infos.every((i) => /cluster_state:ok/.test(i) && new RegExp(`cluster_known_nodes:${nodes.length}\\b`).test(i)))
      return;
    if (Date.now() > deadline)
      throw new Error(`redis cluster: not ok within ${READY_TIMEOUT_MS} ms:\n${infos.join('\n')}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}
