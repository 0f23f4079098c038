import { spawnSync } from 'node:child_process';
import { Readable, type Transform, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { fileURLToPath } from 'node:url';

/** Absolute path of a file under the repository's `shared/fixtures/`. */
export function fixturePath(relative: string): string {
  return fileURLToPath(new URL(`../../../../../shared/fixtures/${relative}`, import.meta.url));
}

/** Small deterministic PRNG (mulberry32) so failures reproduce from the seed. */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Splits `data` into chunks of random sizes between 1 and `maxChunk` bytes. */
export function randomChunks(data: Buffer, random: () => number, maxChunk = 4096): Buffer[] {
  const chunks: Buffer[] = [];
  for (let at = 0; at < data.length; ) {
    const size = 1 + Math.floor(random() * maxChunk);
    chunks.push(data.subarray(at, at + size));
    at += size;
  }
  return chunks;
}

/** Runs `chunks` through `transforms` and returns everything that came out. */
export async function runThrough(transforms: Transform[], chunks: Iterable<Buffer>): Promise<Buffer> {
  const out: Buffer[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      out.push(chunk);
      done();
    },
  });
  await pipeline([Readable.from(chunks), ...transforms, sink]);
  return Buffer.concat(out);
}

/** Text-like data that compresses roughly like an .asb file. */
export function asbLikeData(bytes: number, random: () => number): Buffer {
  const out = Buffer.allocUnsafe(bytes);
  const head = 'Version 3.1\n# namespace test\n';
  let at = out.write(head, 'latin1');
  let n = 0;
  while (at < bytes) {
    const line = `+ k S 6 key${n}\n+ n test\n+ d ${(random() * 1e16).toString(36)}AAAA=\n- I count ${Math.floor(random() * 1e9)}\n`;
    at += out.write(line, at, 'latin1');
    n++;
  }
  return out;
}

/** True when the `zstd` command-line tool is on PATH. */
export function hasZstdCli(): boolean {
  return spawnSync('zstd', ['--version']).status === 0;
}

/**
 * Streams `totalBytes` of .asb-like text: a 1 MiB block repeated with a changing line number,
 * so that it is cheap to generate yet not a run of one byte.
 */
export async function* generatedAsbStream(totalBytes: number, seed = 1): AsyncGenerator<Buffer> {
  const block = asbLikeData(1 << 20, seededRandom(seed));
  for (let sent = 0, n = 0; sent < totalBytes; n++) {
    const chunk = Buffer.from(block.subarray(0, Math.min(block.length, totalBytes - sent)));
    chunk.write(`# ${n.toString().padStart(12, '0')}\n`, 0, 'latin1');
    sent += chunk.length;
    yield chunk;
  }
}
