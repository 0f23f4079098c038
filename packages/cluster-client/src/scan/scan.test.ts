import type { AsbRecord } from '@asbkit/asb-format';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Cluster } from '../net/cluster.js';
import { type FakeNode, startFakeCluster } from '../test/fake-server.js';
import { makeRecords } from '../test/records.js';
import { backupFilter } from '../wire/expression.js';
import { partitionIdOfDigest, RecordReplyDecoder, type RecordReplyItem } from '../wire/record-reply.js';
import { type ScanItem, type ScanJob, scanPartitionRawBatches, scanPartitions } from './scan.js';

let nodes: FakeNode[] = [];
const clusters: Cluster[] = [];
afterEach(async () => {
  for (const c of clusters.splice(0)) c.close();
  for (const n of nodes.splice(0)) await n.stop();
});

const ALL = Array.from({ length: 4096 }, (_, i) => ({ partitionId: i }));

async function setup(n: number, records: AsbRecord[], recordsPerProto = 50) {
  nodes = await startFakeCluster(n, { namespaces: { test: records }, recordsPerProto });
  const cluster = await Cluster.connect({ hosts: nodes[0].host, tendIntervalMs: 0 });
  clusters.push(cluster);
  return cluster;
}

/** Which scan the tests run: decoded records, or raw batches decoded here. */
let mode: 'decoded' | 'raw' = 'decoded';

async function collect(cluster: Cluster, job: ScanJob) {
  const records: AsbRecord[] = [];
  const done: number[] = [];
  if (mode === 'raw') {
    for await (const batch of scanPartitionRawBatches(cluster, job)) {
      for (const it of batch) {
        if (it.kind === 'partition-done') {
          done.push(it.partitionId);
          continue;
        }
        const out: RecordReplyItem[] = [];
        new RecordReplyDecoder().decode(it.body, out);
        const found = out.filter((x): x is AsbRecord => x.kind === 'record');
        expect(found).toHaveLength(it.count);
        records.push(...found);
      }
    }
    return { records, done };
  }
  for await (const it of scanPartitions(cluster, job)) {
    if (it.kind === 'record') records.push(it);
    else done.push(it.partitionId);
  }
  return { records, done };
}

const keyOf = (r: AsbRecord) => Number(r.key!.value);

describe.each(['decoded', 'raw'] as const)('scanPartitions (%s)', (m) => {
  beforeEach(() => {
    mode = m;
  });

  it('scans all partitions across nodes, each node getting only its master partitions', async () => {
    const data = makeRecords(3000);
    const cluster = await setup(3, data);
    const { records, done } = await collect(cluster, { namespace: 'test', partitions: ALL });
    expect(records.map(keyOf).sort((a, b) => a - b)).toEqual(data.map(keyOf));
    expect(done.sort((a, b) => a - b)).toEqual(ALL.map((p) => p.partitionId));
    for (const [i, n] of nodes.entries()) {
      expect(n.queries).toHaveLength(1);
      expect(n.queries[0].pids.every((p) => p % 3 === i)).toBe(true);
      expect(n.queries[0].pids).toHaveLength(ALL.filter((p) => p.partitionId % 3 === i).length);
    }
    const r = records.find((x) => keyOf(x) === 7)!;
    expect(r).toEqual(data[7]);
  });

  it('sends set, bins, no-bins, filters and max-records as asbackup does', async () => {
    const cluster = await setup(1, makeRecords(100));
    await collect(cluster, {
      namespace: 'test',
      partitions: [{ partitionId: 5 }],
      sets: ['demo'],
      binNames: ['n'],
    });
    await collect(cluster, {
      namespace: 'test',
      partitions: [{ partitionId: 5 }],
      sets: ['a', 'b'],
      noBins: true,
      noTtlOnly: true,
    });
    const q = nodes[0].queries;
    expect(q[0]).toMatchObject({ set: 'demo', binNames: ['n'], filter: undefined, info1: 1 });
    expect(q[1]).toMatchObject({ set: undefined, binNames: [], info1: 0x21 });
    expect(q[1].filter).toEqual(backupFilter({ sets: ['a', 'b'], noTtlOnly: true }));
    expect(q[1].filter!.subarray(0, 2).toString('hex')).toBe('9310'); // AND(set OR, no-ttl)
  });

  it('resumes from afterDigest and reports partition completion', async () => {
    const data = makeRecords(2000);
    const cluster = await setup(1, data);
    const pid = partitionIdOfDigest(data[0].digest);
    const inPart = data
      .filter((r) => partitionIdOfDigest(r.digest) === pid)
      .sort((a, b) => Buffer.compare(b.digest, a.digest));
    expect(inPart.length).toBeGreaterThan(0);
    const { records, done } = await collect(cluster, {
      namespace: 'test',
      partitions: [{ partitionId: pid, afterDigest: inPart[0].digest }],
    });
    expect(records.map(keyOf)).toEqual(inPart.slice(1).map(keyOf));
    expect(done).toEqual([pid]);
    expect(nodes[0].queries[0]).toMatchObject({ pids: [], digests: [inPart[0].digest] });
  });

  it('retries unavailable partitions on the new master from their last digest', async () => {
    const data = makeRecords(3000);
    const cluster = await setup(2, data);
    const moved = 1; // mastered by FAKE1, reported unavailable, then moves to FAKE0
    nodes[1].faults.unavailable = [moved];
    nodes[1].masters.delete(moved);
    nodes[0].masters.add(moved);
    nodes[0].partitionGeneration++;
    const retries: number[][] = [];
    const { records, done } = await collect(cluster, {
      namespace: 'test',
      partitions: ALL,
      onRetry: (r) => retries.push(r.partitions),
    });
    expect(retries).toEqual([[moved]]);
    expect(records.map(keyOf).sort((a, b) => a - b)).toEqual(data.map(keyOf));
    expect(new Set(done).size).toBe(4096);
    expect(nodes[0].queries.at(-1)!.pids).toEqual([moved]);
  });

  it('resumes after a dropped connection without duplicates', async () => {
    const data = makeRecords(1500);
    const cluster = await setup(1, data, 10);
    nodes[0].faults.dropAfterRecords = 333;
    const { records, done } = await collect(cluster, { namespace: 'test', partitions: ALL });
    const keys = records.map(keyOf);
    expect(new Set(keys).size).toBe(keys.length);
    expect(keys.sort((a, b) => a - b)).toEqual(data.map(keyOf));
    expect(done).toHaveLength(4096);
    expect(nodes[0].queries).toHaveLength(2);
    expect(nodes[0].queries[1].digests.length).toBeGreaterThan(0);
  });

  it('fails with the partitions left after max retries, and on a fatal server answer', async () => {
    const cluster = await setup(1, makeRecords(10));
    nodes[0].masters.delete(9);
    nodes[0].partitionGeneration++; // the map still says node 0
    await expect(
      collect(cluster, { namespace: 'test', partitions: [{ partitionId: 9 }], maxRetries: 2 }),
    ).rejects.toMatchObject({
      code: 'SCAN_FAILED',
      partitions: [9],
    });
    nodes[0].faults.refuseWith = 4;
    await expect(collect(cluster, { namespace: 'test', partitions: [{ partitionId: 3 }] })).rejects.toThrow(
      /PARAMETER_ERROR \(4\)/,
    );
    await expect(collect(cluster, { namespace: 'nope', partitions: [{ partitionId: 3 }] })).rejects.toThrow(
      /namespace nope does not exist/,
    );
  });

  it('refuses nodes without partition queries with a clear not-implemented error', async () => {
    nodes = await startFakeCluster(1, { namespaces: { test: [] }, info: { features: 'pscans;peers' } });
    const cluster = await Cluster.connect({ hosts: nodes[0].host, tendIntervalMs: 0 });
    clusters.push(cluster);
    await expect(collect(cluster, { namespace: 'test', partitions: [{ partitionId: 1 }] })).rejects.toThrow(
      /not implemented: scans of FAKE0 .* without partition queries/,
    );
  });

  it('times out a silent node and retries', async () => {
    const cluster = await setup(1, makeRecords(10));
    nodes[0].faults.silent = true;
    await expect(
      collect(cluster, {
        namespace: 'test',
        partitions: [{ partitionId: 3 }],
        socketTimeoutMs: 50,
        maxRetries: 1,
      }),
    ).rejects.toThrow(/no reply for 50 ms/);
    expect(nodes[0].queries).toHaveLength(2);
  });

  it('stops at max records', async () => {
    const cluster = await setup(2, makeRecords(1000));
    const { records, done } = await collect(cluster, { namespace: 'test', partitions: ALL, maxRecords: 101 });
    expect(records).toHaveLength(101);
    expect(done).toEqual([]);
    expect(nodes.map((n) => n.queries[0].maxRecords)).toEqual([51n, 50n]);
  });

  it('applies back-pressure: a consumer that stops reading stops the server', async () => {
    const data = makeRecords(40_000, 'test', 'demo', 1000);
    const cluster = await setup(1, data, 20);
    const it = scanPartitions(cluster, { namespace: 'test', partitions: ALL })[Symbol.asyncIterator]();
    const first: ScanItem[] = [];
    for (let i = 0; i < 10; i++) first.push((await it.next()).value as ScanItem);
    // let the server run until it cannot write any more
    let last = -1;
    while (last !== nodes[0].bytesSent) {
      last = nodes[0].bytesSent;
      await new Promise((r) => setTimeout(r, 30));
    }
    const total = data.length * 1000;
    expect(nodes[0].bytesSent).toBeLessThan(total / 2);
    await it.return?.(undefined);
    expect(first.every((x) => x.kind === 'record')).toBe(true);
  });
});
