import { createHash } from 'node:crypto';
import type { AsbRecord } from '@asbkit/asb-format';
import { afterEach, expect, it } from 'vitest';
import { Cluster } from '../net/cluster.js';
import { Node } from '../net/node.js';
import { type FakeServer, startFakeServer } from './fake-server.test-helper.js';
import { clusterWriteTransport, nodeWriteTransport } from './node-transport.js';
import { BatchWriter, writeRecord } from './writer.js';

const cleanup: (() => unknown)[] = [];
afterEach(async () => {
  for (const fn of cleanup.splice(0)) await fn();
});

function record(i: number): AsbRecord {
  const digest = createHash('sha1').update(`n-${i}`).digest();
  return {
    kind: 'record',
    namespace: 'test',
    digest,
    set: 's',
    key: undefined,
    generation: 1,
    voidTime: 0,
    bins: [],
  };
}

it('writes through the net layer connection pool (batch and single)', async () => {
  const server: FakeServer = await startFakeServer({ resultOf: (row) => (row.digest[0] & 1 ? 5 : 0) });
  cleanup.push(() => server.close());
  const node = new Node('BB9', { host: '127.0.0.1', port: server.port }, '8.1.2.0', [], {
    connect: {},
    socketTimeoutMs: 5000,
    maxIdle: 4,
  });
  cleanup.push(() => node.close());
  const transport = nodeWriteTransport({
    masterNode: () => node,
    info: (c) => node.info1(c),
    socketTimeoutMs: 5000,
  });
  const codes = new Map<string, number>();
  const writer = new BatchWriter(transport, {
    batchSize: 16,
    onResult: (r, rc) => codes.set(r.digest.toString('hex'), rc),
  });
  const policy = { exists: 'create-only', generation: 'none', ttl: 0, sendKey: true } as const;
  for (let i = 0; i < 50; i++) await writer.write(record(i), policy);
  await writer.close();
  expect(server.batchRequests).toBe(4);
  expect(codes.size).toBe(50);
  for (let i = 0; i < 50; i++)
    expect(codes.get(record(i).digest.toString('hex'))).toBe(record(i).digest[0] & 1 ? 5 : 0);
  const single = await writeRecord(transport, record(1), policy);
  expect(single.resultCode).toBe(record(1).digest[0] & 1 ? 5 : 0);
});

it('writes through a connected net-layer Cluster', async () => {
  const server = await startFakeServer({});
  cleanup.push(() => server.close());
  const cluster = await Cluster.connect({ hosts: `127.0.0.1:${server.port}`, tendIntervalMs: 0 });
  cleanup.push(() => cluster.close());
  const transport = clusterWriteTransport(cluster, { socketTimeoutMs: 5000 });
  let ok = 0;
  const writer = new BatchWriter(transport, { batchSize: 7, onResult: (_r, rc) => void (rc === 0 && ok++) });
  const policy = { exists: 'update', generation: 'gt', ttl: -1, sendKey: true } as const;
  for (let i = 0; i < 20; i++) await writer.write(record(i), policy);
  await writer.close();
  expect(writer.usesBatchWrites).toBe(true);
  expect(ok).toBe(20);
  expect(server.batchRequests).toBe(3);
});
