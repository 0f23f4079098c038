// Real-server check, only with AEROSPIKE_HOSTS set (e.g. 127.0.0.1:3000). Writes into namespace
// AEROSPIKE_WRITE_NS (default `bar`), set `asbkit_wt`, then truncates that set.
import { createHash } from 'node:crypto';
import type { AsbRecord } from '@asbkit/asb-format';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureSindex, listSindexes, waitForSindexBuild } from '../metadata/sindex.js';
import { Cluster } from '../net/cluster.js';
import { scanPartitions } from '../scan/scan.js';
import { clusterWriteTransport } from './node-transport.js';
import { BatchWriter, writeRecord } from './writer.js';

const hosts = process.env.AEROSPIKE_HOSTS;
const ns = process.env.AEROSPIKE_WRITE_NS ?? 'bar';
const set = 'asbkit_wt';

function record(i: number): AsbRecord {
  const key = { type: 1 as const, value: i };
  const keyBytes = Buffer.alloc(9);
  keyBytes[0] = 1;
  keyBytes.writeBigInt64BE(BigInt(i), 1);
  const digest = createHash('ripemd160').update(set).update(keyBytes).digest();
  return {
    kind: 'record',
    namespace: ns,
    digest,
    set,
    key,
    generation: 3,
    voidTime: 0,
    bins: [
      { name: 'n', type: 1, value: i },
      { name: 'l', type: 20, value: Buffer.from([0x93, 0x01, 0x02, 0x03]) },
      { name: 'g', type: 23, value: Buffer.from('{"type":"Point","coordinates":[1.5,2.5]}') },
    ],
  };
}

describe.skipIf(!hosts)('real server writes', () => {
  let cluster: Cluster;
  beforeAll(async () => {
    cluster = await Cluster.connect({ hosts: hosts!, tendIntervalMs: 0 });
  });
  afterAll(async () => {
    if (!cluster) return;
    await cluster.info(`truncate:namespace=${ns};set=${set}`);
    await cluster.info(`sindex-delete:namespace=${ns};indexname=asbkit_wt_n`);
    cluster.close();
  });

  it('batch-writes, re-writes with GT (rc 3), single-writes create-only (rc 5), and reads back', async () => {
    const transport = clusterWriteTransport(cluster);
    const codes: number[] = [];
    const policy = { exists: 'update', generation: 'gt', ttl: -1, sendKey: true } as const;
    const writer = new BatchWriter(transport, { onResult: (_r, rc) => void codes.push(rc) });
    for (let i = 0; i < 300; i++) await writer.write(record(i), policy);
    await writer.close();
    expect(codes.filter((c) => c === 0)).toHaveLength(300);
    const again = await writeRecord(transport, { ...record(1), generation: 1 }, policy);
    expect(again.resultCode).toBe(3);
    const exists = await writeRecord(transport, record(2), { ...policy, exists: 'create-only' });
    expect(exists.resultCode).toBe(5);
    const back: AsbRecord[] = [];
    const partitions = Array.from({ length: 4096 }, (_, partitionId) => ({ partitionId }));
    for await (const item of scanPartitions(cluster, { namespace: ns, partitions, sets: [set] })) {
      if (item.kind === 'record') back.push(item);
    }
    expect(back).toHaveLength(300);
    const one = back.find((r) => r.digest.equals(record(7).digest))!;
    expect(one.bins.find((b) => b.name === 'l')?.value).toEqual(record(7).bins[1].value);
    expect(one.bins.find((b) => b.name === 'g')?.value).toEqual(record(7).bins[2].value);
  });

  it('creates an index, matches it, waits for its build', async () => {
    const build = await cluster.info('build');
    const index = {
      kind: 'sindex' as const,
      namespace: ns,
      set,
      name: 'asbkit_wt_n',
      indexType: 'N' as const,
      paths: [{ path: 'n', type: 'N' as const }],
    };
    expect(await ensureSindex(cluster, index, { build })).toBe('created');
    expect(await ensureSindex(cluster, index, { build })).toBe('matched');
    await waitForSindexBuild(cluster, ns, index.name, { build, maxPolls: 60 });
    expect((await listSindexes(cluster, ns)).some((i) => i.name === index.name)).toBe(true);
  });
});
