// The independent oracle (DESIGN.md decision 1), only with AEROSPIKE_HOSTS set: the official
// `aerospike` npm client writes a varied data set, our partition scan reads it as raw particles,
// our batch writer writes those particles into another namespace, and the official client reads
// both copies back. Every bin must come back equal, including lists, maps, GeoJSON, integral
// doubles and 64-bit integers the official client could only have written, not faked.
import { createRequire } from 'node:module';
import type { AsbRecord } from '@asbkit/asb-format';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Cluster } from './net/cluster.js';
import { scanPartitionBatches } from './scan/scan.js';
import { clusterWriteTransport } from './write/node-transport.js';
import { BatchWriter } from './write/writer.js';

const hosts = process.env.AEROSPIKE_HOSTS;
const sourceNs = process.env.AEROSPIKE_NAMESPACE ?? 'test';
const targetNs = process.env.AEROSPIKE_WRITE_NS ?? 'bar';
const set = 'asbkit_oracle';
const require = createRequire(import.meta.url);

// biome-ignore lint/suspicious/noExplicitAny: the official client ships loose typings
type Any = any;

function dataSet(Aerospike: Any): Array<{ key: string | number; bins: Record<string, unknown> }> {
  const rows: Array<{ key: string | number; bins: Record<string, unknown> }> = [];
  for (let i = 0; i < 60; i++) {
    rows.push({
      key: i % 2 === 0 ? i : `key-${i}`,
      bins: {
        i: i * 1000 - 7,
        big: 2 ** 53 + 2 * i,
        neg: -(2 ** 62),
        s: `text ${i}\nwith LF\tand tab ✓`,
        empty: '',
        b: Buffer.from([0, 10, 32, 92, i]),
        d: new Aerospike.Double(i % 3 === 0 ? 2.0 : i / 7),
        l: [1, 'two', [3, 4], { five: 5 }, Buffer.from([6])],
        m: { a: 1, b: 'x', c: [1, 2], 7: 'int key' },
        g: new Aerospike.GeoJSON({ type: 'Point', coordinates: [i / 10, 1.5] }),
        'odd name': 'bin with a space',
      },
    });
  }
  return rows;
}

describe.skipIf(!hosts)('official client oracle (real server)', () => {
  let Aerospike: Any;
  let client: Any;
  let cluster: Cluster;

  beforeAll(async () => {
    Aerospike = require('aerospike');
    client = await Aerospike.connect({
      hosts: hosts!,
      policies: { write: { key: Aerospike.policy.key.SEND } },
    });
    cluster = await Cluster.connect({ hosts: hosts!, tendIntervalMs: 0 });
    await cluster.info(`truncate:namespace=${sourceNs};set=${set}`);
    await cluster.info(`truncate:namespace=${targetNs};set=${set}`);
    for (const row of dataSet(Aerospike)) {
      await client.put(new Aerospike.Key(sourceNs, set, row.key), row.bins);
    }
  }, 60_000);

  afterAll(async () => {
    if (cluster) {
      await cluster.info(`truncate:namespace=${sourceNs};set=${set}`);
      await cluster.info(`truncate:namespace=${targetNs};set=${set}`);
      cluster.close();
    }
    if (client) await client.close();
  });

  it('scans raw particles, writes them back, and the official client reads equal records', async () => {
    const scanned: AsbRecord[] = [];
    const partitions = Array.from({ length: 4096 }, (_, partitionId) => ({ partitionId }));
    for await (const batch of scanPartitionBatches(cluster, {
      namespace: sourceNs,
      sets: [set],
      partitions,
    })) {
      for (const item of batch) if (item.kind === 'record') scanned.push(item);
    }
    expect(scanned.length).toBe(60);
    for (const r of scanned) expect(r.key).toBeDefined();

    const failures: string[] = [];
    const writer = new BatchWriter(clusterWriteTransport(cluster, { socketTimeoutMs: 10_000 }), {
      onResult: (record, rc) => {
        if (rc !== 0) failures.push(`${record.digest.toString('hex')}: rc ${rc}`);
      },
    });
    for (const r of scanned) {
      await writer.write(
        { ...r, namespace: targetNs },
        { exists: 'update', generation: 'none', ttl: 0xffffffff, sendKey: true },
      );
    }
    await writer.close();
    expect(failures).toEqual([]);

    const rows = dataSet(Aerospike);
    for (const row of rows) {
      const original = await client.get(new Aerospike.Key(sourceNs, set, row.key));
      const copy = await client.get(new Aerospike.Key(targetNs, set, row.key));
      expect(copy.bins).toEqual(original.bins);
      expect(copy.key.key ?? row.key).toEqual(row.key);
    }
    // The integral double must have stayed a FLOAT particle through the raw path.
    const two = scanned.find((r) => r.key?.value === 0);
    expect(two?.bins.find((b) => b.name === 'd')).toMatchObject({ type: 2, value: 2 });
  }, 60_000);
});
