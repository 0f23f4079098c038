import { afterEach, describe, expect, it } from 'vitest';
import { FakeNode, startFakeCluster } from '../test/fake-server.js';
import { Cluster } from './cluster.js';

let nodes: FakeNode[] = [];
const clusters: Cluster[] = [];
afterEach(async () => {
  for (const c of clusters.splice(0)) c.close();
  for (const n of nodes.splice(0)) await n.stop();
});

async function connect(hosts: string, extra: Partial<Parameters<typeof Cluster.connect>[0]> = {}) {
  const c = await Cluster.connect({ hosts, tendIntervalMs: 0, ...extra });
  clusters.push(c);
  return c;
}

describe('Cluster', () => {
  it('finds every node from one seed and maps each partition to its master', async () => {
    nodes = await startFakeCluster(3, { namespaces: { test: [], bar: [] } });
    const cluster = await connect(nodes[0].host);
    expect(cluster.nodes.map((n) => n.name).sort()).toEqual(['FAKE0', 'FAKE1', 'FAKE2']);
    expect(cluster.namespaces.sort()).toEqual(['bar', 'test']);
    for (const pid of [0, 1, 2, 3, 4095]) expect(cluster.masterNode('test', pid).name).toBe(`FAKE${pid % 3}`);
    const n0 = cluster.nodeByName('FAKE0')!;
    expect(n0.build).toBe('8.1.2.0');
    expect(n0.hasFeature('pquery')).toBe(true);
    expect(n0.address).toEqual({ host: '127.0.0.1', port: nodes[0].port });
    expect(() => cluster.masterNode('nope', 1)).toThrow(/namespace nope not found/);
    const mine = cluster.masterPartitions('test', cluster.nodeByName('FAKE1')!);
    expect(mine).toHaveLength(1365);
    expect(mine.slice(0, 3)).toEqual([1, 4, 7]);
  });

  it('asks for alternate peer addresses with servicesAlternate', async () => {
    nodes = await startFakeCluster(2, { namespaces: { test: [] } });
    const cluster = await connect(nodes[0].host, { servicesAlternate: true });
    expect(cluster.nodes).toHaveLength(2);
    expect(nodes[0].infoLog).toContain('peers-clear-alt');
    expect(nodes[0].infoLog).not.toContain('peers-clear-std');
  });

  it('answers info on one node or all nodes', async () => {
    nodes = await startFakeCluster(2, {
      namespaces: { test: [] },
      info: { sets: 'ns=test:set=a:objects=1;' },
    });
    const cluster = await connect(`${nodes[1].host}`);
    expect(await cluster.info('sets')).toBe('ns=test:set=a:objects=1;');
    const all = await cluster.infoAll('node');
    expect([...all.values()].sort()).toEqual(['FAKE0', 'FAKE1']);
    expect(await cluster.info('node', cluster.nodeByName('FAKE0'))).toBe('FAKE0');
  });

  it('reloads the partition map when partition-generation changes', async () => {
    nodes = await startFakeCluster(2, { namespaces: { test: [] } });
    const cluster = await connect(nodes[0].host);
    expect(cluster.masterNode('test', 1).name).toBe('FAKE1');
    // partition 1 moves to FAKE0
    nodes[1].masters.delete(1);
    nodes[0].masters.add(1);
    await cluster.refresh();
    expect(cluster.masterNode('test', 1).name).toBe('FAKE1'); // generations unchanged: map kept
    nodes[0].partitionGeneration++;
    nodes[1].partitionGeneration++;
    await cluster.refresh();
    expect(cluster.masterNode('test', 1).name).toBe('FAKE0');
  });

  it('drops a node that stops answering and discovers a new peer', async () => {
    nodes = await startFakeCluster(2, { namespaces: { test: [] } });
    const cluster = await connect(nodes[0].host);
    const extra = await FakeNode.start({ name: 'FAKE9', namespaces: { test: [] }, masterPartitions: [] });
    nodes.push(extra);
    nodes[0].peers.push(extra);
    nodes[0].peersGeneration++;
    await cluster.refresh();
    expect(cluster.nodes.map((n) => n.name).sort()).toEqual(['FAKE0', 'FAKE1', 'FAKE9']);
    await nodes[1].stop();
    nodes.splice(1, 1);
    // One or two missed tends (a busy node) keep the node and its partitions...
    await cluster.refresh();
    await cluster.refresh();
    expect(cluster.nodeByName('FAKE1')).toBeDefined();
    expect(cluster.masterNode('test', 1).name).toBe('FAKE1');
    // ...the third drops it, and its partitions have no master until the cluster says so.
    await cluster.refresh();
    expect(cluster.nodeByName('FAKE1')).toBeUndefined();
    expect(() => cluster.masterNode('test', 1)).toThrow(/no master node for partition 1 of namespace test/);
  });

  it('reports every seed that failed', async () => {
    const n = await FakeNode.start({ name: 'X' });
    const port = n.port;
    await n.stop();
    await expect(connect(`127.0.0.1:${port},127.0.0.1:1`, { connectTimeoutMs: 2000 })).rejects.toThrow(
      new RegExp(`could not connect to any seed host: .*127.0.0.1:(${port}|1)`),
    );
  });

  it('retries an info request after a dropped connection', async () => {
    nodes = [await FakeNode.start({ name: 'R', namespaces: { test: [] } })];
    const cluster = await connect(nodes[0].host);
    nodes[0].faults.dropRequests = 2;
    expect(await cluster.info('node')).toBe('R');
    nodes[0].faults.dropRequests = 3;
    await expect(cluster.info('node')).rejects.toMatchObject({ code: 'CONNECTION' });
  });

  it('uses the default port for seeds without one', async () => {
    nodes = [await FakeNode.start({ name: 'P', namespaces: { test: [] } })];
    const cluster = await connect('127.0.0.1', { port: nodes[0].port });
    expect(cluster.nodes[0].name).toBe('P');
  });
});
