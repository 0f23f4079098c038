// Scan decode throughput: a local fake node streams pre-built partition-query replies
// (~240-byte records, 100 per proto) as fast as the socket takes them; we time the scan.
// Run after `pnpm build`: node bench/scan.bench.mjs [records]
import { Cluster, scanPartitionBatches, scanPartitions } from '../dist/index.js';
import { encodeHeaderOnly, encodeRecord, FakeNode, makeRecords } from '../dist/test/index.js';
import { encodeProto, Info3, RecordReplyDecoder } from '../dist/wire/index.js';

const TOTAL = Number(process.argv[2] ?? 1_000_000);
const PER_PROTO = 100;
const sample = makeRecords(1000, 'test', 'demo', 108);
const protos = [];
for (let i = 0; i < sample.length; i += PER_PROTO) {
  protos.push(encodeProto(3, Buffer.concat(sample.slice(i, i + PER_PROTO).map((r) => encodeRecord(r)))));
}
const recordBytes = protos.reduce((n, p) => n + p.length, 0) / sample.length;
const last = encodeProto(3, encodeHeaderOnly(0, Info3.LAST));

const node = await FakeNode.start({
  name: 'BENCH',
  namespaces: { test: [] },
  queryHandler: async (socket) => {
    let sent = 0;
    let i = 0;
    while (sent < TOTAL) {
      const p = protos[i++ % protos.length];
      sent += PER_PROTO;
      if (!socket.write(p)) await new Promise((r) => socket.once('drain', r));
    }
    socket.write(last);
  },
});
const cluster = await Cluster.connect({ hosts: node.host, tendIntervalMs: 0 });
const partitions = Array.from({ length: 4096 }, (_, i) => ({ partitionId: i }));

async function run(name, iterate) {
  const t0 = process.hrtime.bigint();
  const c0 = process.cpuUsage();
  const n = await iterate();
  const s = Number(process.hrtime.bigint() - t0) / 1e9;
  const cpu = process.cpuUsage(c0);
  // CPU time per record is steadier than wall time on a shared machine (the fake server's
  // writes run in this process too and are included).
  const cpuUs = (cpu.user + cpu.system) / n;
  if (n !== TOTAL) throw new Error(`${name}: got ${n} records, expected ${TOTAL}`);
  console.log(
    `${name}: ${Math.round(n / s).toLocaleString('en')} records/s, ${((n * recordBytes) / s / 1048576).toFixed(1)} MiB/s (${n} records of ~${Math.round(recordBytes)} B in ${s.toFixed(2)} s, ${cpuUs.toFixed(2)} µs CPU/record)`,
  );
}

await run('decode only (no socket)', async () => {
  const decoder = new RecordReplyDecoder();
  const out = [];
  const bodies = protos.map((p) => p.subarray(8));
  let n = 0;
  for (let i = 0; n < TOTAL; i++) {
    out.length = 0;
    decoder.decode(bodies[i % bodies.length], out);
    n += out.length;
  }
  return n;
});
await run('scan (per item)', async () => {
  let n = 0;
  for await (const it of scanPartitions(cluster, { namespace: 'test', partitions }))
    if (it.kind === 'record') n++;
  return n;
});
await run('scan (batches)', async () => {
  let n = 0;
  for await (const batch of scanPartitionBatches(cluster, { namespace: 'test', partitions })) {
    for (const it of batch) if (it.kind === 'record') n++;
  }
  return n;
});
cluster.close();
await node.stop();
