import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { compress } from '@mongodb-js/zstd';
import { describe, expect, it } from 'vitest';
import { asbLikeData, hasZstdCli, randomChunks, runThrough, seededRandom } from './test/index.js';
import { asCompressedFrame, compressZstdFrame, ZstdCompressor } from './zstd-compress.js';
import { ZstdDecompressor } from './zstd-decompress.js';

const EMPTY_FRAME = Buffer.from('28b52ffd2000010000', 'hex');
const skippable = (payload: Buffer) => {
  const head = Buffer.alloc(8);
  head.writeUInt32LE(0x184d2a5e, 0);
  head.writeUInt32LE(payload.length, 4);
  return Buffer.concat([head, payload]);
};

function countFrames(data: Buffer): number {
  // frames we write are whole libzstd frames: count magics via the CLI-independent walker
  let frames = 0;
  for (let at = data.indexOf(EMPTY_FRAME.subarray(0, 4)); at >= 0; ) {
    frames++;
    at = data.indexOf(EMPTY_FRAME.subarray(0, 4), at + 4);
  }
  return frames;
}

describe('zstd round trips', () => {
  it('round-trips random and text data over random chunkings and frame sizes', async () => {
    const random = seededRandom(3);
    for (let round = 0; round < 6; round++) {
      const size = Math.floor(random() * 600_000);
      const data = round % 2 === 0 ? asbLikeData(size, random) : randomBytes(size);
      const frameBytes = 1 + Math.floor(random() * 200_000);
      const compressed = await runThrough(
        [new ZstdCompressor({ frameBytes, level: 1 + (round % 5) })],
        randomChunks(data, random, 70_000),
      );
      for (const nativeFrameLimit of [0, 100_000, undefined]) {
        const back = await runThrough(
          [new ZstdDecompressor({ nativeFrameLimit })],
          randomChunks(compressed, random, 999),
        );
        expect(back.equals(data)).toBe(true);
      }
    }
  });

  it('ends a frame at each flushFrame() and an empty stream is one empty frame', async () => {
    const compressor = new ZstdCompressor();
    const out: Buffer[] = [];
    compressor.on('data', (chunk: Buffer) => out.push(chunk));
    compressor.write(Buffer.from('Version 3.1\n'));
    await compressor.flushFrame();
    await compressor.flushFrame(); // nothing pending: no frame
    compressor.write(Buffer.from('# namespace test\n'));
    await compressor.flushFrame();
    compressor.end(Buffer.from('# first-file\n'));
    await new Promise((resolve) => compressor.on('end', resolve));
    expect(compressor.frames).toBe(3);
    const stored = Buffer.concat(out);
    expect(countFrames(stored)).toBe(3);
    const back = await runThrough([new ZstdDecompressor()], [stored]);
    expect(back.toString()).toBe('Version 3.1\n# namespace test\n# first-file\n');
    const empty = await runThrough([new ZstdCompressor()], []);
    expect(empty.equals(EMPTY_FRAME)).toBe(true);
  });

  it('passes precompressed frames through in order, after the pending plaintext', async () => {
    const random = seededRandom(5);
    const parts = [0, 1, 2, 3].map((k) => asbLikeData(50_000 + k * 30_000, random));
    const compressor = new ZstdCompressor({ frameBytes: 64 * 1024 });
    const out: Buffer[] = [];
    compressor.on('data', (chunk: Buffer) => out.push(chunk));
    compressor.write(Buffer.from('Version 3.1\n')); // pending plaintext: ends its frame first
    compressor.write(asCompressedFrame(await compressZstdFrame(parts[0]!, 3), parts[0]!.length));
    compressor.write(asCompressedFrame(await compressZstdFrame(parts[1]!, 1), parts[1]!.length));
    compressor.write(parts[2]!); // plaintext again: 64 KiB frames
    compressor.end(asCompressedFrame(await compressZstdFrame(parts[3]!), parts[3]!.length));
    await new Promise((resolve) => compressor.on('end', resolve));
    const plain = Buffer.concat([Buffer.from('Version 3.1\n'), ...parts]);
    expect(compressor.bytesIn).toBe(plain.length);
    expect(compressor.frames).toBe(1 + 2 + Math.ceil(parts[2]!.length / (64 * 1024)) + 1);
    const stored = Buffer.concat(out);
    expect(compressor.bytesOut).toBe(stored.length);
    const back = await runThrough([new ZstdDecompressor()], [stored]);
    expect(back.equals(plain)).toBe(true);
  });

  it('reads empty, skippable and checksummed frames, split at every byte', async () => {
    const a = Buffer.from('Version 3.1\n');
    const b = asbLikeData(300_000, seededRandom(1));
    const cli = hasZstdCli()
      ? spawnSync('zstd', ['-q', '-c', '--check'], { input: b }).stdout
      : await compress(b, 3);
    const stream = Buffer.concat([
      EMPTY_FRAME,
      await compress(a, 3),
      skippable(Buffer.from('ignored')),
      EMPTY_FRAME,
      skippable(Buffer.alloc(0)),
      cli,
      EMPTY_FRAME,
    ]);
    const expected = Buffer.concat([a, b]);
    for (const nativeFrameLimit of [0, undefined]) {
      const bytewise = await runThrough(
        [new ZstdDecompressor({ nativeFrameLimit })],
        randomChunks(stream, () => 0, 1),
      );
      expect(bytewise.equals(expected)).toBe(true);
      const whole = await runThrough([new ZstdDecompressor({ nativeFrameLimit })], [stream]);
      expect(whole.equals(expected)).toBe(true);
    }
  });
});

describe('zstd errors', () => {
  it('reports a truncated stream with the frame and offset', async () => {
    const frame = await compress(asbLikeData(100_000, seededRandom(2)), 3);
    const stream = Buffer.concat([frame, frame]);
    for (const cut of [frame.length + 2, frame.length + 7, stream.length - 1, 5]) {
      await expect(
        runThrough([new ZstdDecompressor({ fileName: 'f.asb' })], [stream.subarray(0, cut)]),
      ).rejects.toMatchObject({ code: 'ERR_ZSTD_TRUNCATED', file: 'f.asb' });
    }
  });

  it('reports data that is not zstd at the start and garbage between frames', async () => {
    await expect(runThrough([new ZstdDecompressor()], [Buffer.from('Version 3.1\n')])).rejects.toMatchObject({
      code: 'ERR_NOT_COMPRESSED',
    });
    await expect(runThrough([new ZstdDecompressor()], [Buffer.from('Ve')])).rejects.toMatchObject({
      code: 'ERR_NOT_COMPRESSED',
    });
    await expect(
      runThrough([new ZstdDecompressor()], [Buffer.concat([EMPTY_FRAME, Buffer.from('junkjunk')])]),
    ).rejects.toMatchObject({ code: 'ERR_ZSTD_CORRUPT', offset: EMPTY_FRAME.length });
  });

  it('reports corrupt block data on both decode paths', async () => {
    const frame = Buffer.from(await compress(asbLikeData(50_000, seededRandom(9)), 3));
    for (let i = 12; i < frame.length - 8; i += 7) frame[i] = (frame[i] as number) ^ 0x5a;
    for (const nativeFrameLimit of [0, undefined]) {
      await expect(
        runThrough([new ZstdDecompressor({ nativeFrameLimit, fileName: 'c.asb' })], [frame]),
      ).rejects.toMatchObject({
        code: expect.stringMatching(/^ERR_ZSTD_(CORRUPT|TRUNCATED)$/),
        file: 'c.asb',
      });
    }
  });

  it('refuses frames whose window exceeds the limit before allocating it', async () => {
    // window descriptor 0x88: windowLog 27 = 128 MiB; a limit of 64 MiB must refuse it
    const header = Buffer.from([0x28, 0xb5, 0x2f, 0xfd, 0x00, 0x88]);
    await expect(
      runThrough([new ZstdDecompressor({ maxWindowBytes: 64 << 20 })], [header]),
    ).rejects.toMatchObject({ code: 'ERR_ZSTD_WINDOW_TOO_LARGE', offset: 0 });
    // single-segment frame declaring 1 GiB of content
    const single = Buffer.from([0x28, 0xb5, 0x2f, 0xfd, 0xa0, 0, 0, 0, 0x40]);
    await expect(runThrough([new ZstdDecompressor()], [single])).rejects.toMatchObject({
      code: 'ERR_ZSTD_WINDOW_TOO_LARGE',
    });
  });
});

const cliTitle = hasZstdCli()
  ? 'zstd command-line interop'
  : 'zstd command-line interop — SKIPPED: the `zstd` tool is not on PATH';
describe.skipIf(!hasZstdCli())(cliTitle, () => {
  it('our multi-frame output decompresses with `zstd -d`', async () => {
    const data = asbLikeData(1_500_000, seededRandom(5));
    const ours = await runThrough([new ZstdCompressor({ frameBytes: 256 * 1024 })], [data]);
    expect(countFrames(ours)).toBeGreaterThan(4);
    const result = spawnSync('zstd', ['-d', '-q', '-c'], { input: ours, maxBuffer: 1 << 30 });
    expect(result.status).toBe(0);
    expect(result.stdout.equals(data)).toBe(true);
  });

  it('reads what `zstd` wrote from a pipe (unknown size), also with --long (16 MiB window)', async () => {
    const data = asbLikeData(2_000_000, seededRandom(6));
    for (const args of [['-3'], ['-12', '--long=24']]) {
      const cli = spawnSync('zstd', [...args, '-q', '-c'], { input: data, maxBuffer: 1 << 30 });
      expect(cli.status).toBe(0);
      const back = await runThrough(
        [new ZstdDecompressor()],
        randomChunks(cli.stdout, seededRandom(1), 65536),
      );
      expect(back.equals(data)).toBe(true);
    }
  });
});
