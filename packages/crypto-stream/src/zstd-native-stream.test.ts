import { compress } from '@mongodb-js/zstd';
import { describe, expect, it } from 'vitest';
import { asbLikeData, randomChunks, runThrough, seededRandom } from './test/index.js';
import { ZstdDecompressor } from './zstd-decompress.js';
import { createZstdReadTransforms, nodeZstd, ZstdFrameCheck } from './zstd-native-stream.js';

const EMPTY_FRAME = Buffer.from('28b52ffd2000010000', 'hex');

describe('ZstdFrameCheck', () => {
  it('passes data frames through unchanged, drops empty/skippable ones, reports errors', async () => {
    const frame = await compress(asbLikeData(40_000, seededRandom(4)), 3);
    const skippable = Buffer.from('5e2a4d180300000061626328b52ffd2000010000', 'hex');
    const stream = Buffer.concat([EMPTY_FRAME, frame, skippable, EMPTY_FRAME, frame, EMPTY_FRAME]);
    for (const max of [1, 50, 100_000]) {
      const out = await runThrough([new ZstdFrameCheck()], randomChunks(stream, seededRandom(max), max));
      expect(out.equals(Buffer.concat([frame, frame]))).toBe(true);
    }
    await expect(
      runThrough([new ZstdFrameCheck()], [stream.subarray(0, frame.length - 3)]),
    ).rejects.toMatchObject({ code: 'ERR_ZSTD_TRUNCATED' });
    await expect(
      runThrough([new ZstdFrameCheck({ fileName: 'p.asb' })], [Buffer.from('Version 3.1\n')]),
    ).rejects.toMatchObject({ code: 'ERR_NOT_COMPRESSED', file: 'p.asb' });
  });

  it('falls back to the JS-fed decoder when node:zlib is not wanted or not there', () => {
    const [only] = createZstdReadTransforms({ useNodeZlib: false });
    expect(only).toBeInstanceOf(ZstdDecompressor);
  });
});

const title = nodeZstd()
  ? 'node:zlib zstd decoder path'
  : `node:zlib zstd decoder path — SKIPPED: node ${process.version} has no zlib zstd`;
describe.skipIf(!nodeZstd())(title, () => {
  it('decodes multi-frame streams and maps errors to our codes', async () => {
    const a = asbLikeData(300_000, seededRandom(8));
    const frame = await compress(a, 3);
    const stream = Buffer.concat([EMPTY_FRAME, frame, EMPTY_FRAME, frame, EMPTY_FRAME]);
    const transforms = createZstdReadTransforms();
    expect(transforms[0]).toBeInstanceOf(ZstdFrameCheck);
    const out = await runThrough(transforms, randomChunks(stream, seededRandom(3), 4000));
    expect(out.equals(Buffer.concat([a, a]))).toBe(true);
    await expect(runThrough(createZstdReadTransforms(), [stream.subarray(0, 100)])).rejects.toMatchObject({
      code: 'ERR_ZSTD_TRUNCATED',
    });
    await expect(
      runThrough(createZstdReadTransforms(), [Buffer.from('Version 3.1\n')]),
    ).rejects.toMatchObject({ code: 'ERR_NOT_COMPRESSED' });
    const corrupt = Buffer.from(await compress(a, 3));
    for (let i = 12; i < corrupt.length - 8; i += 7) corrupt[i] = (corrupt[i] as number) ^ 0x5a;
    await expect(
      runThrough(createZstdReadTransforms({ fileName: 'c.asb' }), [corrupt]),
    ).rejects.toMatchObject({
      code: expect.stringMatching(/^ERR_ZSTD_(CORRUPT|TRUNCATED)$/),
      file: 'c.asb',
    });
  });
});
