import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough, Transform } from 'node:stream';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { borrowedRawFile, openLocalRawFile } from './local-file.js';
import { StreamBackupFileWriter } from './writer.js';

let root: string;
beforeEach(async () => {
  root = await mkdtemp(join(tmpdir(), 'asbkit-writer-'));
});
afterEach(async () => {
  await rm(root, { recursive: true, force: true });
});

/** A transform that copies its input (as the compressor and encryptor do). */
const upper = () =>
  new Transform({
    transform(chunk: Buffer, _enc, done) {
      done(null, Buffer.from(chunk.toString('latin1').toUpperCase(), 'latin1'));
    },
  });

describe('StreamBackupFileWriter chunk release', () => {
  it('hands a chunk back only once a local file holds its bytes; the memory can then be reused', async () => {
    const path = join(root, 'a.asb');
    const w = new StreamBackupFileWriter(path, await openLocalRawFile(path, 'create'), { isNew: true });
    expect(w.releasesChunks).toBe(true);
    const chunk = Buffer.from('first chunk\n');
    const released: string[] = [];
    await w.write(chunk, async () => {
      released.push('first');
      chunk.fill(0x21); // reused at once: the file must already hold the bytes
    });
    await w.write(Buffer.from('second\n'), () => released.push('second'));
    await w.close();
    expect(released).toEqual(['first', 'second']);
    expect(await readFile(path, 'latin1')).toBe('first chunk\nsecond\n');
    expect(w.fileBytes).toBe(19);
  });

  it('writes big files whole while flushing them to the disk in the background', async () => {
    const path = join(root, 'big.asb');
    const w = new StreamBackupFileWriter(path, await openLocalRawFile(path, 'create'), { isNew: true });
    const mib = 1024 * 1024;
    for (let i = 0; i < 40; i++) await w.write(Buffer.alloc(mib, i));
    await w.close();
    const data = await readFile(path);
    expect(data.length).toBe(40 * mib);
    for (let i = 0; i < 40; i++) expect([data[i * mib], data[i * mib + mib - 1]]).toEqual([i, i]);
  });

  it('hands chunks back after the first transform took them', async () => {
    const path = join(root, 'b.asb');
    const w = new StreamBackupFileWriter(path, await openLocalRawFile(path, 'create'), {
      isNew: true,
      transforms: () => [upper()],
    });
    let released = 0;
    const chunk = Buffer.from('abc');
    await w.write(chunk, () => {
      released++;
      chunk.fill(0x30);
    });
    await w.close();
    expect(released).toBe(1);
    expect(await readFile(path, 'latin1')).toBe('ABC');
  });

  it('never hands back a chunk a borrowed stream may still hold', async () => {
    const out = new PassThrough({ highWaterMark: 1 });
    const w = new StreamBackupFileWriter('-', borrowedRawFile(out), { isNew: true });
    expect(w.releasesChunks).toBe(false);
    let released = 0;
    const pending = w.write(Buffer.from('xyz'), () => released++);
    out.resume();
    await pending;
    await w.close();
    expect(released).toBe(0);
  });
});
