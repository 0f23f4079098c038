// Runs only against a real server: AEROSPIKE_HOSTS=127.0.0.1:3000 (reads only).
import { describe, expect, it } from 'vitest';
import { Cluster } from '../net/cluster.js';
import { partitionIdOfDigest } from '../wire/record-reply.js';
import { scanPartitions } from './scan.js';

const hosts = process.env.AEROSPIKE_HOSTS;
const namespace = process.env.AEROSPIKE_NAMESPACE ?? 'test';

describe.skipIf(!hosts)('real server', () => {
  it('connects, maps partitions and scans a few partitions', async () => {
    const cluster = await Cluster.connect({ hosts: hosts!, tendIntervalMs: 0 });
    try {
      expect(cluster.nodes.length).toBeGreaterThan(0);
      expect(cluster.namespaces).toContain(namespace);
      const pids = [0, 1, 2, 3];
      const done: number[] = [];
      let records = 0;
      for await (const it of scanPartitions(cluster, {
        namespace,
        partitions: pids.map((partitionId) => ({ partitionId })),
      })) {
        if (it.kind === 'partition-done') done.push(it.partitionId);
        else {
          records++;
          expect(pids).toContain(partitionIdOfDigest(it.digest));
          expect(it.namespace).toBe(namespace);
        }
      }
      expect(done.sort()).toEqual(pids);
      expect(records).toBeGreaterThanOrEqual(0);
    } finally {
      cluster.close();
    }
  });
});
