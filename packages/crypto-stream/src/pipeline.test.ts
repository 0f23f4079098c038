import { randomBytes } from 'node:crypto';
import { PassThrough, Readable, Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { rawEncryptionKey } from './key.js';
import type { CompressionMode } from './options.js';
import {
  createReadTransforms,
  createWriteTransforms,
  type WriteLayerOptions,
  wrapReader,
  wrapWriter,
} from './pipeline.js';
import { asbLikeData, randomChunks, runThrough, seededRandom } from './test/index.js';

const key128 = rawEncryptionKey(randomBytes(16));
const key256 = rawEncryptionKey(randomBytes(32));
const modes: Array<{ name: string; compression?: CompressionMode; encryption?: typeof key128 }> = [
  { name: 'plain' },
  { name: 'zstd', compression: 'zstd' },
  { name: 'aes128', encryption: key128 },
  { name: 'aes256', encryption: key256 },
  { name: 'zstd+aes128', compression: 'zstd', encryption: key128 },
  { name: 'zstd+aes256', compression: 'zstd', encryption: key256 },
];

class MemorySink extends Writable {
  readonly chunks: Buffer[] = [];
  override _write(chunk: Buffer, _encoding: BufferEncoding, done: (error?: Error) => void): void {
    this.chunks.push(chunk);
    done();
  }
  bytes(): Buffer {
    return Buffer.concat(this.chunks);
  }
}

async function readBack(stored: Buffer, mode: (typeof modes)[number]): Promise<Buffer> {
  const out: Buffer[] = [];
  const source = Readable.from(randomChunks(stored, seededRandom(stored.length), 3000));
  for await (const chunk of wrapReader(source, { ...mode, fileName: 'mem.asb' })) out.push(chunk);
  return Buffer.concat(out);
}

describe('write/read layers', () => {
  for (const mode of modes) {
    it(`round-trips ${mode.name} over random data and chunkings`, async () => {
      const random = seededRandom(mode.name.length * 31);
      for (let round = 0; round < 3; round++) {
        const data = Buffer.concat([
          asbLikeData(Math.floor(random() * 300_000) + 8, random),
          randomBytes(Math.floor(random() * 50_000)),
        ]);
        const write = createWriteTransforms({ ...mode, frameBytes: 65_536 });
        const stored = await runThrough(write.transforms, randomChunks(data, random, 20_000));
        if (mode.encryption) expect(stored.length).toBeGreaterThanOrEqual(16);
        if (!mode.compression && !mode.encryption) expect(stored.equals(data)).toBe(true);
        const back = await runThrough(
          createReadTransforms({ ...mode }),
          randomChunks(stored, random, 10_000),
        );
        expect(back.equals(data)).toBe(true);
      }
    });
  }

  for (const mode of modes) {
    it(`${mode.name}: a checkpointed file can be appended to by a resumed writer`, async () => {
      const random = seededRandom(99);
      const part1 = asbLikeData(180_000, random);
      const part2 = randomBytes(70_000);
      const options: WriteLayerOptions = { ...mode, frameBytes: 50_000 };

      const sink1 = new MemorySink();
      const writer1 = wrapWriter(sink1, options);
      for (const chunk of randomChunks(part1, random, 9000)) writer1.input.write(chunk);
      const state = await writer1.checkpoint();
      // the state describes exactly the bytes the sink has received
      expect(state.plainBytes).toBe(part1.length);
      expect(state.fileBytes).toBe(sink1.bytes().length);
      writer1.abort(); // an interrupted backup: nothing more is written to this file
      const onDisk = sink1.bytes();

      const sink2 = new MemorySink();
      const writer2 = wrapWriter(sink2, { ...options, resume: state });
      writer2.input.end(part2);
      await writer2.done;
      const final = writer2.state();
      expect(final.plainBytes).toBe(part1.length + part2.length);
      const file = Buffer.concat([onDisk, sink2.bytes()]);
      expect(final.fileBytes).toBe(file.length);
      expect((await readBack(file, mode)).equals(Buffer.concat([part1, part2]))).toBe(true);
    });
  }

  it('reports a wrong key for every encrypted mode', async () => {
    for (const mode of modes.filter((m) => m.encryption)) {
      const write = createWriteTransforms(mode);
      const stored = await runThrough(write.transforms, [asbLikeData(10_000, seededRandom(1))]);
      const wrong = rawEncryptionKey(randomBytes(mode.encryption?.key.length ?? 16));
      await expect(readBack(stored, { ...mode, encryption: wrong })).rejects.toMatchObject({
        code: 'ERR_WRONG_KEY',
        message: expect.stringContaining(`wrong key or not encrypted with ${wrong.mode}?`),
      });
    }
  });

  it('passes a source through untouched without layers', () => {
    const source = new PassThrough();
    expect(wrapReader(source, { checkAsbHeader: false })).toBe(source);
  });
});
