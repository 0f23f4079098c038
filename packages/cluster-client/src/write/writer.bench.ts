// Restore write throughput: 1,000,000 ~240-byte records through BatchWriter and the net-layer
// Cluster to a local server (in a worker thread) that acknowledges every row as fast as it can.
// Run: pnpm --filter @asbkit/cluster-client exec vitest bench --run src/write
import { createHash } from 'node:crypto';
import { Worker } from 'node:worker_threads';
import type { AsbRecord } from '@asbkit/asb-format';
import { bench, describe } from 'vitest';
import { Cluster } from '../net/cluster.js';
import { buildBatchWriteRequest } from './batch.js';
import { clusterWriteTransport } from './node-transport.js';
import type { RecordWritePolicy } from './policy.js';
import { BatchWriter } from './writer.js';

const RECORDS = Number(process.env.BENCH_RECORDS ?? 1_000_000);

// Plain JS so the worker needs no TypeScript loader. Answers info for a one-node cluster, batch
// writes with one row per record then LAST, single writes with a header.
const ACK_SERVER = `
const net = require('node:net');
const { parentPort } = require('node:worker_threads');
const bitmap = Buffer.alloc(512, 0xff).toString('base64');
const info = { node: 'BENCH00000000001', build: '8.1.2.0', features: 'batch-any;batch-index', 'partition-generation': '1',
  'peers-generation': '1', 'peers-clear-std': '1,3000,[]', replicas: 'test:0,1,' + bitmap,
  'get-config:context=service': 'batch-index-threads=4' };
function answer(sock, type, body) {
  if (type === 1) {
    const out = body.toString().split('\\n').filter(Boolean).map((c) => c + '\\t' + (info[c] ?? '') + '\\n').join('');
    const b = Buffer.alloc(8 + Buffer.byteLength(out)); b[0] = 2; b[1] = 1; b.writeUIntBE(b.length - 8, 2, 6); b.write(out, 8);
    sock.write(b); return;
  }
  const rows = body[1] & 8 ? body.readUInt32BE(27) : 0;
  const out = Buffer.alloc(8 + 22 * rows + 8 + 22);
  out[0] = 2; out[1] = 3; out.writeUIntBE(22 * rows, 2, 6);
  let off = 32;
  for (let i = 0; i < rows; i++) {
    const o = 8 + 22 * i; out[o] = 22; out.writeUInt32BE(1, o + 6); out.writeUInt32BE(body.readUInt32BE(off), o + 14);
    const nf = body.readUInt16BE(off + 34), no = body.readUInt16BE(off + 36); off += 38;
    for (let j = 0; j < nf + no; j++) off += 4 + body.readUInt32BE(off);
  }
  const l = 8 + 22 * rows; out[l] = 2; out[l + 1] = 3; out.writeUIntBE(22, l + 2, 6); out[l + 8] = 22; out[l + 11] = rows ? 1 : 0;
  sock.write(rows ? out : out.subarray(l));
}
const server = net.createServer((sock) => {
  sock.setNoDelay(true);
  let pending = Buffer.alloc(0);
  sock.on('error', () => {});
  sock.on('data', (chunk) => {
    let buf = pending.length ? Buffer.concat([pending, chunk]) : chunk; let off = 0;
    while (buf.length - off >= 8) {
      const size = buf.readUIntBE(off + 2, 6);
      if (buf.length - off < 8 + size) break;
      answer(sock, buf[off + 1], buf.subarray(off + 8, off + 8 + size)); off += 8 + size;
    }
    pending = buf.subarray(off);
  });
});
server.listen(0, '127.0.0.1', () => parentPort.postMessage(server.address().port));
parentPort.on('message', () => server.close(() => process.exit(0)));
`;

/** ~240 bytes on the wire per record: int, 95-byte string, double, 16-byte blob; key stored. */
function makeRecords(n: number): AsbRecord[] {
  const out: AsbRecord[] = [];
  for (let i = 0; i < n; i++) {
    out.push({
      kind: 'record',
      namespace: 'test',
      digest: createHash('ripemd160').update(`bench-${i}`).digest(),
      set: 'bench',
      key: { type: 1, value: i },
      generation: 1,
      voidTime: 0,
      bins: [
        { name: 'id', type: 1, value: i },
        { name: 'text', type: 3, value: Buffer.alloc(95, 97 + (i % 26)) },
        { name: 'score', type: 2, value: i / 7 },
        { name: 'raw', type: 4, value: Buffer.alloc(16, i & 0xff) },
      ],
    });
  }
  return out;
}

const policy: RecordWritePolicy = { exists: 'update', generation: 'gt', ttl: -1, sendKey: true };

describe('restore writes', () => {
  bench(
    `BatchWriter, ${RECORDS} records, batch 128, 32 in flight`,
    async () => {
      const worker = new Worker(ACK_SERVER, { eval: true });
      const port = await new Promise<number>((resolve) => worker.once('message', resolve));
      const cluster = await Cluster.connect({
        hosts: `127.0.0.1:${port}`,
        tendIntervalMs: 0,
        maxIdlePerNode: 64,
      });
      const pool = makeRecords(4096);
      let ok = 0;
      // Bytes of one batch row: the request minus proto, as_msg and batch field headers.
      const bytes = buildBatchWriteRequest([pool[0]], policy).length - 40;
      const writer = new BatchWriter(clusterWriteTransport(cluster), {
        onResult: (_r, rc) => {
          if (rc === 0) ok++;
        },
      });
      const start = process.hrtime.bigint();
      for (let i = 0; i < RECORDS; i++) {
        const record = pool[i & 4095];
        const wait = writer.write(record, policy);
        if (wait) await wait;
      }
      await writer.close();
      const seconds = Number(process.hrtime.bigint() - start) / 1e9;
      if (ok !== RECORDS) throw new Error(`only ${ok} of ${RECORDS} records acknowledged`);
      console.log(
        `restore batch writes: ${Math.round(RECORDS / seconds)} records/s, ${((RECORDS * bytes) / seconds / 1048576).toFixed(1)} MiB/s (${bytes} bytes/record on the wire)`,
      );
      cluster.close();
      worker.postMessage('stop');
    },
    { iterations: 1, warmupIterations: 0, time: 0, warmupTime: 0 },
  );
});
