import { createReadStream, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { resolveEncryptionKey } from './key.js';
import { type CompressionMode, parseEncryptionMode } from './options.js';
import { wrapReader } from './pipeline.js';
import { fixturePath } from './test/index.js';

// Files produced by the official io_proxy.c with test_key.pem (see shared/fixtures/README.md).
const cases: Array<{ file: string; plain: string; compression?: CompressionMode; encrypt?: string }> = [
  { file: 'test_backup_file.zstd.asb', plain: 'test_backup_file.asb', compression: 'zstd' },
  { file: 'test_backup_file.aes128.asb', plain: 'test_backup_file.asb', encrypt: 'aes128' },
  { file: 'test_backup_file.aes256.asb', plain: 'test_backup_file.asb', encrypt: 'aes256' },
  {
    file: 'test_backup_file.zstd-aes128.asb',
    plain: 'test_backup_file.asb',
    compression: 'zstd',
    encrypt: 'aes128',
  },
  {
    file: 'example_plain.zstd-aes256-multiframe.asb',
    plain: 'generated/example_plain.asb',
    compression: 'zstd',
    encrypt: 'aes256',
  },
];

async function readAll(path: string, options: Parameters<typeof wrapReader>[1]): Promise<Buffer> {
  const out: Buffer[] = [];
  for await (const chunk of wrapReader(createReadStream(path, { highWaterMark: 7 }), options)) {
    out.push(chunk as Buffer);
  }
  return Buffer.concat(out);
}

describe('official io_proxy.c fixtures', () => {
  for (const [c, nativeFrameLimit] of cases.flatMap((c) => [[c, 0] as const, [c, 1 << 20] as const])) {
    it(`decodes ${c.file} to ${c.plain} (native frame limit ${nativeFrameLimit})`, async () => {
      const encryption = c.encrypt
        ? await resolveEncryptionKey({
            encrypt: parseEncryptionMode(c.encrypt),
            encryptionKeyFile: fixturePath('test_key.pem'),
          })
        : undefined;
      const path = fixturePath(`generated/${c.file}`);
      const plain = await readAll(path, {
        compression: c.compression,
        encryption,
        fileName: path,
        nativeFrameLimit,
      });
      expect(plain.equals(readFileSync(fixturePath(c.plain)))).toBe(true);
    });
  }

  it('reports a wrong key as such (aes256 file, test_key2.pem)', async () => {
    const encryption = await resolveEncryptionKey({
      encrypt: 'aes256',
      encryptionKeyFile: fixturePath('test_key2.pem'),
    });
    const path = fixturePath('generated/test_backup_file.aes256.asb');
    await expect(readAll(path, { encryption, fileName: path })).rejects.toMatchObject({
      code: 'ERR_WRONG_KEY',
      file: path,
      message: expect.stringMatching(/wrong key or not encrypted with aes256\?/),
    });
    const zpath = fixturePath('generated/example_plain.zstd-aes256-multiframe.asb');
    await expect(readAll(zpath, { encryption, compression: 'zstd', fileName: zpath })).rejects.toMatchObject({
      code: 'ERR_WRONG_KEY',
    });
  });

  it('reports -z on a plain file and a missing -z on a compressed one', async () => {
    const plain = fixturePath('test_backup_file.asb');
    await expect(readAll(plain, { compression: 'zstd', fileName: plain })).rejects.toMatchObject({
      code: 'ERR_NOT_COMPRESSED',
      message: expect.stringMatching(/plain \.asb/),
    });
    const zstd = fixturePath('generated/test_backup_file.zstd.asb');
    await expect(readAll(zstd, { fileName: zstd })).rejects.toMatchObject({
      code: 'ERR_UNEXPECTED_COMPRESSION',
    });
    const encrypted = fixturePath('generated/test_backup_file.aes128.asb');
    await expect(readAll(encrypted, { fileName: encrypted })).rejects.toMatchObject({
      code: 'ERR_NOT_ASB',
    });
  });
});
