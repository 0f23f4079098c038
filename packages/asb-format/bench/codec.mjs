// Codec throughput on one core: 1,000,000 records like `+ k I`, a set, 4 bins (int, 54-byte
// string, double, 32-byte blob), ~240 bytes each. Run after a build: `pnpm bench`.
import { AsbDecoder, AsbEncoder, decodeAsbBatches, validateAsb } from '../dist/index.js';

const N = Number(process.env.BENCH_RECORDS ?? 1_000_000);
const CHUNK = 64 * 1024;

function makeRecords(n) {
  const recs = new Array(n);
  let seed = 12345;
  const rnd = () => {
    seed = (seed * 1103515245 + 12345) >>> 0;
    return seed;
  };
  for (let i = 0; i < n; i++) {
    const digest = Buffer.allocUnsafe(20);
    for (let j = 0; j < 20; j += 4) digest.writeUInt32LE(rnd(), j);
    const blob = Buffer.allocUnsafe(32);
    for (let j = 0; j < 32; j += 4) blob.writeUInt32LE(rnd(), j);
    const str = Buffer.from(
      `user-${i.toString().padStart(10, '0')}-${'abcdefghijklmnopqrstuvwxyz0123456789'.slice(0, 38)}`,
    );
    recs[i] = {
      kind: 'record',
      namespace: 'test',
      digest,
      set: 'demo',
      key: { type: 1, value: i },
      generation: 1 + (i % 7),
      voidTime: 500_000_000 + (i % 100_000),
      bins: [
        { name: 'count', type: 1, value: rnd() - 2_000_000_000 },
        { name: 'label', type: 3, value: str.subarray(0, 54) },
        { name: 'score', type: 2, value: rnd() / 65536.123 },
        { name: 'raw', type: 4, value: blob },
      ],
    };
  }
  return recs;
}

// The machine is shared, so rates use this process's CPU time (one thread); wall time is shown too.
let cpu0 = process.cpuUsage();
let wall0 = performance.now();
function start() {
  cpu0 = process.cpuUsage();
  wall0 = performance.now();
}
function report(name, records, bytes) {
  const c = process.cpuUsage(cpu0);
  const s = (c.user + c.system) / 1e6;
  const wall = performance.now() - wall0;
  console.log(
    `${name}: ${Math.round(records / s).toLocaleString('en-US')} records/s, ${(bytes / 1048576 / s).toFixed(1)} MiB/s ` +
      `(cpu ${(s * 1000).toFixed(0)} ms, wall ${wall.toFixed(0)} ms)`,
  );
}

// Records arrive one by one in a real backup and die young; a rotating pool of distinct records
// models that without making the benchmark measure the GC of a million live objects.
const POOL = 4096;
const recs = makeRecords(POOL);

// encode
let chunks = [];
let bytes = 0;
for (let round = 0; round < 2; round++) {
  chunks = [];
  bytes = 0;
  start();
  const enc = new AsbEncoder();
  enc.writeHeader({ namespace: 'test', firstFile: true });
  for (let i = 0; i < N; i++) {
    enc.writeRecord(recs[i & (POOL - 1)]);
    if (enc.length >= CHUNK) {
      const c = enc.takeChunk();
      bytes += c.length;
      chunks.push(c);
    }
  }
  const c = enc.takeChunk();
  bytes += c.length;
  chunks.push(c);
  if (round === 1) report('encode', N, bytes);
}
console.log(`file: ${(bytes / 1048576).toFixed(1)} MiB, ${(bytes / N).toFixed(1)} bytes/record`);

// decode (sync core, 64 KiB chunks)
for (let round = 0; round < 2; round++) {
  start();
  const dec = new AsbDecoder();
  let n = 0;
  for (const c of chunks) {
    dec.push(c);
    for (let e = dec.next(); e !== undefined; e = dec.next()) n++;
  }
  dec.end();
  for (let e = dec.next(); e !== undefined; e = dec.next()) n++;
  if (n !== N + 1) throw new Error(`decoded ${n} entries`);
  if (round === 1) report('decode (AsbDecoder)', N, bytes);
}

{
  start();
  let n = 0;
  for await (const batch of decodeAsbBatches(chunks)) n += batch.length;
  if (n !== N + 1) throw new Error(`decoded ${n} entries`);
  report('decode (decodeAsbBatches)', N, bytes);
}
{
  start();
  const summary = await validateAsb(chunks);
  if (summary.records !== N) throw new Error('validate count');
  report('validate', N, bytes);
}
