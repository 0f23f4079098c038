import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { Readable, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { describe, expect, it } from 'vitest';
import { generatedAsbStream, hasZstdCli } from './test/index.js';
import { ZstdDecompressor } from './zstd-decompress.js';

const MIB = 1024 * 1024;
const TOTAL = 256 * MIB;

const title = hasZstdCli() ? 'bounded memory' : 'bounded memory — SKIPPED: the `zstd` tool is not on PATH';
describe.skipIf(!hasZstdCli())(title, () => {
  it('reads a 256 MiB single-frame stream (zstd CLI from a pipe) with bounded RSS', async () => {
    const zstd = spawn('zstd', ['-3', '-q', '-c'], { stdio: ['pipe', 'pipe', 'inherit'] });
    const inputHash = createHash('sha256');
    const feeding = pipeline(
      Readable.from(generatedAsbStream(TOTAL)),
      new Writable({
        write(chunk: Buffer, _encoding, done) {
          inputHash.update(chunk);
          zstd.stdin.write(chunk, done);
        },
        final(done) {
          zstd.stdin.end(done);
        },
      }),
    );

    const decompressor = new ZstdDecompressor();
    const outputHash = createHash('sha256');
    let outBytes = 0;
    globalThis.gc?.();
    const baseline = process.memoryUsage.rss();
    let peak = baseline;
    let atQuarter = 0;
    await pipeline(
      zstd.stdout,
      decompressor,
      new Writable({
        write(chunk: Buffer, _encoding, done) {
          outputHash.update(chunk);
          outBytes += chunk.length;
          if ((outBytes & (4 * MIB - 1)) < chunk.length) {
            peak = Math.max(peak, process.memoryUsage.rss());
            if (atQuarter === 0 && outBytes >= TOTAL / 4) atQuarter = peak;
          }
          done();
        },
      }),
    );
    await feeding;

    expect(outBytes).toBe(TOTAL);
    expect(decompressor.frames).toBe(1);
    expect(outputHash.digest('hex')).toBe(inputHash.digest('hex'));
    const growthMiB = (peak - baseline) / MIB;
    const lateGrowthMiB = (peak - atQuarter) / MIB;
    console.log(
      `RSS growth decoding 256 MiB in one frame: ${growthMiB.toFixed(1)} MiB, ` +
        `of which ${lateGrowthMiB.toFixed(1)} MiB after the first 64 MiB`,
    );
    // A decoder holding the frame would grow by ≥ 256 MiB (≥ 192 MiB after the first quarter).
    // Ours holds a 2 MiB window plus one block; the rest is collectable garbage (GC timing).
    expect(growthMiB).toBeLessThan(128);
    expect(lateGrowthMiB).toBeLessThan(64);
  }, 60_000);
});
