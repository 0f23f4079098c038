// Decodes a 1 GiB single-frame zstd stream (the `zstd` CLI reading a generated pipe) and prints
// RSS growth as it goes: memory must plateau at a small constant, not grow with the frame.
// Run: pnpm --filter @asbkit/crypto-stream build && node bench/zstd-memory.mjs [MiB]
import { spawn } from 'node:child_process';
import { Readable, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { ZstdDecompressor } from '../dist/index.js';
import { generatedAsbStream } from '../dist/test/index.js';

const MIB = 1024 * 1024;
const total = Number(process.argv[2] ?? 1024) * MIB;
const zstd = spawn('zstd', ['-3', '-q', '-c'], { stdio: ['pipe', 'pipe', 'inherit'] });
const feeding = pipeline(Readable.from(generatedAsbStream(total)), zstd.stdin);
const decompressor = new ZstdDecompressor();
const baseline = process.memoryUsage.rss();
let peak = baseline;
let out = 0;
const started = process.hrtime.bigint();
await pipeline(
  zstd.stdout,
  decompressor,
  new Writable({
    write(chunk, _encoding, done) {
      out += chunk.length;
      if ((out & (64 * MIB - 1)) < chunk.length) {
        const rss = process.memoryUsage.rss();
        peak = Math.max(peak, rss);
        console.log(`${(out / MIB).toFixed(0)} MiB decoded, RSS +${((rss - baseline) / MIB).toFixed(1)} MiB`);
      }
      done();
    },
  }),
);
await feeding;
const seconds = Number(process.hrtime.bigint() - started) / 1e9;
console.log(
  `zstd-memory: ${(out / MIB).toFixed(0)} MiB in ${decompressor.frames} frame(s), peak RSS growth ${((peak - baseline) / MIB).toFixed(1)} MiB, ${(out / MIB / seconds).toFixed(0)} MiB/s (incl. generation + zstd CLI)`,
);
