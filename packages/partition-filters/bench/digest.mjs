// Digest, partition id and cursor bookkeeping throughput (run after `pnpm build`).
import { computeDigest, PartitionCursors, partitionIdOf } from '../dist/index.js';

function report(name, n, bytes, ms) {
  const perSec = (n * 1000) / ms;
  console.log(
    `${name}: ${Math.round(perSec)} records/s, ${((bytes * 1000) / ms / 1048576).toFixed(1)} MiB/s`,
  );
}

const N = 300_000;
const keys = Array.from({ length: 1024 }, (_, i) => ({ type: 3, value: Buffer.from(`user-key-${i}`) }));
let t = performance.now();
let bytes = 0;
const digests = [];
for (let i = 0; i < N; i++) {
  const key = keys[i & 1023];
  const d = computeDigest('demo-set', key);
  bytes += 8 + 1 + key.value.length;
  if (i < 4096) digests.push(d);
}
report('computeDigest (string keys)', N, bytes, performance.now() - t);

t = performance.now();
let sum = 0;
for (let i = 0; i < N * 10; i++) sum += partitionIdOf(digests[i & 4095]);
report('partitionIdOf', N * 10, N * 10 * 20, performance.now() - t);

const cursors = PartitionCursors.forFilters([]);
t = performance.now();
for (let i = 0; i < N * 10; i++) cursors.recordWritten(digests[i & 4095]);
report('PartitionCursors.recordWritten', N * 10, N * 10 * 20, performance.now() - t);
if (sum < 0) console.log(sum);
