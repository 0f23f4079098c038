// Integration: restore the official full backup into the emulator (2 nodes) with BatchWriter, read
// it back with the partition scan, and compare record by record. Then the same records again with
// single writes, expecting the official "fresher" outcome.
import { createReadStream } from 'node:fs';
import { type AsbRecord, CITRUSLEAF_EPOCH, decodeAsb } from '@asbkit/asb-format';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
// Test-only reach into the emulator's sources: it depends on this package, not the other way round.
import { type Emulator, startEmulator } from '../../../../tooling/aerospike-emulator/src/index.js';
import { Cluster } from '../net/cluster.js';
import { scanPartitions } from '../scan/scan.js';
import { clusterWriteTransport } from './node-transport.js';
import type { RecordWritePolicy } from './policy.js';
import { BatchWriter } from './writer.js';

const backup = new URL(
  '../../../../../shared/fixtures/official-backups/full/test_00000.asb',
  import.meta.url,
);

/** The default restore policy: update, generation GT, key sent when stored, TTL from the void time. */
function policyOf(record: AsbRecord): RecordWritePolicy {
  const now = Math.floor(Date.now() / 1000) - CITRUSLEAF_EPOCH;
  const ttl = record.voidTime === 0 ? -1 : Math.max(1, record.voidTime - now);
  return { exists: 'update', generation: 'gt', ttl, sendKey: record.key !== undefined };
}

const comparable = (r: AsbRecord) => ({
  digest: r.digest.toString('hex'),
  set: r.set,
  key: r.key,
  bins: [...r.bins].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0)),
});

describe('restore into the emulator', () => {
  let emulator: Emulator;
  let cluster: Cluster;
  const records: AsbRecord[] = [];

  beforeAll(async () => {
    for await (const entry of decodeAsb(createReadStream(backup), { fileName: 'test_00000.asb' })) {
      if (entry.kind === 'record') records.push({ ...entry, namespace: 'bar' });
    }
    emulator = await startEmulator({ namespaces: ['test', 'bar'], nodes: 2, log: () => {} });
    cluster = await Cluster.connect({ hosts: emulator.hosts, tendIntervalMs: 0 });
  });

  afterAll(async () => {
    cluster?.close();
    await emulator?.stop();
  });

  it('writes all 163 records with batch writes and reads them back equal', async () => {
    expect(records).toHaveLength(163);
    const codes = new Map<number, number>();
    const writer = new BatchWriter(clusterWriteTransport(cluster), {
      onResult: (_r, rc) => void codes.set(rc, (codes.get(rc) ?? 0) + 1),
    });
    for (const record of records) await writer.write(record, policyOf(record));
    await writer.close();
    expect(writer.usesBatchWrites).toBe(true);
    expect(Object.fromEntries(codes)).toEqual({ 0: 163 });

    const back: AsbRecord[] = [];
    const partitions = Array.from({ length: 4096 }, (_, partitionId) => ({ partitionId }));
    for await (const item of scanPartitions(cluster, { namespace: 'bar', partitions })) {
      if (item.kind === 'record') back.push(item);
    }
    const byDigest = (a: { digest: string }, b: { digest: string }) => (a.digest < b.digest ? -1 : 1);
    expect(back.map(comparable).sort(byDigest)).toEqual(records.map(comparable).sort(byDigest));
  });

  it('restores again with single writes: only the fresher backup record applies', async () => {
    const codes = new Map<number, number>();
    const writer = new BatchWriter(clusterWriteTransport(cluster), {
      mode: 'single',
      onResult: (_r, rc) => void codes.set(rc, (codes.get(rc) ?? 0) + 1),
    });
    for (const record of records) await writer.write(record, policyOf(record));
    await writer.close();
    const fresher = records.filter((r) => r.generation > 1).length;
    expect(Object.fromEntries(codes)).toEqual({ 0: fresher, 3: 163 - fresher });
  });
});
