// Write and read throughput of each layer combination over 64 MiB of .asb-like text.
// Run: pnpm --filter @asbkit/crypto-stream bench   (builds dist first)
// Prints wall-clock MiB/s and MiB per CPU-second (all threads: libzstd runs on the libuv pool).
import { randomBytes } from 'node:crypto';
import { Readable, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createReadTransforms, createWriteTransforms, nodeZstd, rawEncryptionKey } from '../dist/index.js';
import { asbLikeData, seededRandom } from '../dist/test/index.js';

const MIB = 1024 * 1024;
const SIZE = Number(process.env.BENCH_MIB ?? 64) * MIB;
const CHUNK = 64 * 1024;
const data = asbLikeData(SIZE, seededRandom(1));
const key128 = rawEncryptionKey(randomBytes(16));
const key256 = rawEncryptionKey(randomBytes(32));

function chunksOf(buffer) {
  const out = [];
  for (let at = 0; at < buffer.length; at += CHUNK) out.push(buffer.subarray(at, at + CHUNK));
  return out;
}

async function run(transforms, input) {
  const out = [];
  const wall = process.hrtime.bigint();
  const cpu = process.cpuUsage();
  await pipeline(
    Readable.from(chunksOf(input)),
    ...transforms,
    new Writable({
      write(chunk, _encoding, done) {
        out.push(chunk);
        done();
      },
    }),
  );
  const seconds = Number(process.hrtime.bigint() - wall) / 1e9;
  const used = process.cpuUsage(cpu);
  return { output: Buffer.concat(out), seconds, cpuSeconds: (used.user + used.system) / 1e6 };
}

function report(name, r) {
  const mib = SIZE / MIB;
  console.log(`${name}: ${(mib / r.seconds).toFixed(0)} MiB/s, ${(mib / r.cpuSeconds).toFixed(0)} MiB/CPU-s`);
}

// warm up the JIT and the thread pool so the first mode is not penalised
await run(createWriteTransforms({ encryption: key128 }).transforms, data.subarray(0, 8 * MIB));

const zstdReader = nodeZstd() ? 'node:zlib streaming decoder' : 'native whole frames';
const modes = [
  ['aes128', { encryption: key128 }],
  ['aes256', { encryption: key256 }],
  ['zstd-3', { compression: 'zstd', level: 3 }],
  ['zstd-3+aes256', { compression: 'zstd', level: 3, encryption: key256 }],
];
for (const [name, options] of modes) {
  const written = await run(createWriteTransforms(options).transforms, data);
  report(`write ${name}`, written);
  const read = await run(createReadTransforms(options), written.output);
  if (!read.output.equals(data)) throw new Error(`${name}: read back differs`);
  report(`read ${name}${options.compression ? ` (${zstdReader})` : ''}`, read);
  if (options.compression) {
    // the path for big single-frame files (C tool) when node:zlib has no zstd: fzstd, streamed
    const streamed = await run(
      createReadTransforms({ ...options, nativeFrameLimit: 0, useNodeZlib: false }),
      written.output,
    );
    if (!streamed.output.equals(data)) throw new Error(`${name}: streamed read differs`);
    report(`read ${name} (fzstd streaming decoder)`, streamed);
  }
}
console.log(`(${SIZE / MIB} MiB of .asb-like text, ${CHUNK / 1024} KiB chunks, node ${process.version})`);
