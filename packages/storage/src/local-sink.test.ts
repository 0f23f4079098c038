import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Transform, Writable } from 'node:stream';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { listBackupFiles, openBackupSink, removeBackupArtifacts } from './dispatch.js';
import { StorageError } from './errors.js';
import { openLocalRawFile } from './local-file.js';
import { backupFileName } from './naming.js';
import { FilePool } from './pool.js';
import { StreamBackupFileWriter } from './writer.js';

let root: string;
beforeEach(async () => {
  root = await mkdtemp(join(tmpdir(), 'asbkit-storage-'));
});
afterEach(async () => {
  await rm(root, { recursive: true, force: true });
});

const ls = async (dir: string) => (await readdir(dir)).sort();
const TEN_BYTES_MIB = 10 / 1048576;

describe('directory sink', () => {
  it('creates the directory and names files <prefix>_<NNNNN>.asb', async () => {
    const dir = join(root, 'out');
    const logs: string[] = [];
    const sink = await openBackupSink({ directory: dir, prefix: 'test', log: (_l, m) => logs.push(m) });
    expect(logs[0]).toBe(`Directory ${dir} does not exist, creating`);
    const a = await sink.acquire();
    const b = await sink.acquire();
    expect(a.path).toBe(join(dir, 'test_00000.asb'));
    expect(b.path).toBe(join(dir, 'test_00001.asb'));
    expect(a.isNew).toBe(true);
    await a.write(Buffer.from('Version 3.1\n'));
    await sink.release(a);
    await sink.release(b);
    await sink.finish();
    expect(await ls(dir)).toEqual(['test_00000.asb', 'test_00001.asb']);
    expect(await readFile(join(dir, 'test_00000.asb'), 'utf8')).toBe('Version 3.1\n');
    expect(sink.fileCount).toBe(2);
  });

  it('keeps a file under a .part name until it is closed', async () => {
    const sink = await openBackupSink({ directory: root, prefix: 'ns' });
    const file = await sink.acquire();
    await file.write(Buffer.from('abc'));
    expect(await ls(root)).toEqual(['ns_00000.asb.part']);
    await sink.closeFile(file);
    expect(await ls(root)).toEqual(['ns_00000.asb']);
  });

  it('refuses a directory holding a backup, and -r clears only backup files', async () => {
    await writeFile(join(root, 'old_00000.asb'), 'x');
    await writeFile(join(root, 'old_00001.asb.part'), 'x');
    await writeFile(join(root, 'notes.txt'), 'keep me');
    await mkdir(join(root, 'sub.asb.d'));
    const refused = openBackupSink({ directory: root, prefix: 'ns' });
    await expect(refused).rejects.toThrow(
      `Directory ${root} seems to contain an existing backup; use -r to clear directory`,
    );
    await expect(refused).rejects.toMatchObject({ code: 'EXISTING_BACKUP', option: '--directory' });
    const sink = await openBackupSink({ directory: root, prefix: 'ns', removeFiles: true });
    expect(await ls(root)).toEqual(['notes.txt', 'sub.asb.d']);
    await sink.finish();
  });

  it('accepts a directory with unrelated files only', async () => {
    await writeFile(join(root, 'README'), 'x');
    const sink = await openBackupSink({ directory: root, prefix: 'ns' });
    await sink.finish();
  });

  it('hands a released, partly filled file to the next job', async () => {
    const sink = await openBackupSink({ directory: root, prefix: 'ns' });
    const first = await sink.acquire();
    await first.write(Buffer.from('job1\n'));
    await sink.release(first);
    const again = await sink.acquire();
    expect(again).toBe(first);
    await again.write(Buffer.from('job2\n'));
    await sink.release(again);
    await sink.finish();
    expect(await readFile(join(root, 'ns_00000.asb'), 'utf8')).toBe('job1\njob2\n');
  });

  it('closes a released file that reached the file limit and starts the next one', async () => {
    const sink = await openBackupSink({ directory: root, prefix: 'ns', fileLimitMiB: TEN_BYTES_MIB });
    const first = await sink.acquire();
    await first.write(Buffer.alloc(12, 1));
    await sink.release(first);
    expect(first.finished).toBe(true);
    const second = await sink.acquire();
    expect(second.path).toBe(join(root, 'ns_00001.asb'));
    await sink.release(second);
    await sink.finish();
    expect(await ls(root)).toEqual(['ns_00000.asb', 'ns_00001.asb']);
  });

  it('numbers past 99999 without losing the extension', async () => {
    // The directory sink numbers files through FilePool; start it near the 5-digit edge.
    const pool = new FilePool({
      location: root,
      firstIndex: 99999,
      fileLimitBytes: 10,
      create: async (index) => {
        const path = join(root, backupFileName('ns', index));
        return new StreamBackupFileWriter(path, await openLocalRawFile(path, 'create'), { isNew: true });
      },
    });
    for (let i = 0; i < 2; i++) {
      const f = await pool.acquire();
      await f.write(Buffer.alloc(11));
      await pool.release(f);
    }
    await pool.finish();
    expect(await ls(root)).toEqual(['ns_100000.asb', 'ns_99999.asb']);
    const listed = await listBackupFiles({ directory: root });
    expect(listed.files.map((f) => f.path)).toEqual([
      join(root, 'ns_99999.asb'),
      join(root, 'ns_100000.asb'),
    ]);
  });

  it('checks the file count on resume', async () => {
    await writeFile(join(root, 'ns_00000.asb'), 'x');
    await expect(openBackupSink({ directory: root, prefix: 'ns', resume: { fileCount: 2 } })).rejects.toThrow(
      'Expected 2 backup files, but found 1',
    );
  });

  it('reopens a finished file for append without a visible half state', async () => {
    const path = join(root, 'ns_00000.asb');
    await writeFile(path, 'Version 3.1\n');
    const sink = await openBackupSink({ directory: root, prefix: 'ns', resume: { fileCount: 1 } });
    await expect(sink.reopen(path, 5)).rejects.toThrow('Expected file pos (5) did not match file pos (12)');
    await sink.reopen(path, 12);
    expect(await ls(root)).toEqual(['ns_00000.asb.part']);
    const file = await sink.acquire();
    expect(file.isNew).toBe(false);
    expect(file.fileBytes).toBe(12);
    await file.write(Buffer.from('# more\n'));
    await sink.release(file);
    expect(sink.openFiles()).toEqual([file]);
    await sink.finish();
    expect(await readFile(path, 'utf8')).toBe('Version 3.1\n# more\n');
    expect(sink.fileCount).toBe(1);
  });

  it('abort restores a reopened file and drops a new one', async () => {
    const path = join(root, 'ns_00000.asb');
    await writeFile(path, 'old\n');
    const sink = await openBackupSink({ directory: root, prefix: 'ns', resume: { fileCount: 1 } });
    await sink.reopen(path);
    const reopened = await sink.acquire();
    await reopened.write(Buffer.from('partial'));
    const fresh = await sink.acquire();
    await fresh.write(Buffer.from('partial'));
    await sink.abort();
    expect(await ls(root)).toEqual(['ns_00000.asb']);
    expect(await readFile(path, 'utf8')).toBe('old\n');
    await expect(sink.acquire()).rejects.toThrow('already finished or aborted');
  });

  it('refuses to finish while a job holds a file', async () => {
    const sink = await openBackupSink({ directory: root, prefix: 'ns' });
    const held = await sink.acquire();
    await expect(sink.finish()).rejects.toMatchObject({ code: 'FILE_STATE' });
    await sink.release(held);
    await sink.finish();
  });

  it('rejects a bad prefix and a bad file limit', async () => {
    await expect(openBackupSink({ directory: root, prefix: 'a/b' })).rejects.toMatchObject({
      option: '--output-file-prefix',
    });
    await expect(openBackupSink({ directory: root, prefix: 'ns', fileLimitMiB: 0 })).rejects.toMatchObject({
      option: '--file-limit',
    });
    await expect(openBackupSink({ prefix: 'ns' })).rejects.toBeInstanceOf(StorageError);
  });
});

describe('single file and stdout sinks', () => {
  it('refuses to overwrite without -r and replaces with it', async () => {
    const path = join(root, 'backup.asb');
    await writeFile(path, 'old');
    await expect(openBackupSink({ outputFile: path, prefix: 'ns' })).rejects.toThrow(
      `Output file ${path} already exists; use -r to remove`,
    );
    const sink = await openBackupSink({ outputFile: path, prefix: 'ns', removeFiles: true });
    expect(await ls(root)).toEqual([]);
    const file = await sink.acquire();
    await file.write(Buffer.from('new'));
    await sink.release(file);
    await sink.finish();
    expect(await readFile(path, 'utf8')).toBe('new');
  });

  it('shares the one file between jobs, one at a time', async () => {
    const path = join(root, 'one.asb');
    const sink = await openBackupSink({ outputFile: path, prefix: 'ns' });
    const first = await sink.acquire();
    let secondGot = false;
    const second = sink.acquire().then((f) => {
      secondGot = true;
      return f;
    });
    await first.write(Buffer.from('a'));
    await new Promise((r) => setImmediate(r));
    expect(secondGot).toBe(false);
    await sink.release(first);
    expect(await second).toBe(first);
    await first.write(Buffer.from('b'));
    await sink.release(first);
    await sink.finish();
    expect(await readFile(path, 'utf8')).toBe('ab');
  });

  it('resumes a single file only at its own path', async () => {
    const path = join(root, 'one.asb');
    await writeFile(path, 'Version 3.1\n');
    const sink = await openBackupSink({ outputFile: path, prefix: 'ns', resume: { fileCount: 1 } });
    await expect(sink.reopen(join(root, 'other.asb'))).rejects.toMatchObject({ code: 'RESUME_MISMATCH' });
    await sink.reopen(path, 12);
    const file = await sink.acquire();
    await file.write(Buffer.from('x\n'));
    await sink.release(file);
    await sink.finish();
    expect(await readFile(path, 'utf8')).toBe('Version 3.1\nx\n');
  });

  it('writes to stdout with back-pressure and never ends it', async () => {
    const received: Buffer[] = [];
    const stdout = new Writable({
      highWaterMark: 4,
      write(chunk: Buffer, _enc, done) {
        received.push(chunk);
        setImmediate(done);
      },
    });
    const sink = await openBackupSink({ outputFile: '-', prefix: 'ns', stdout });
    const file = await sink.acquire();
    for (let i = 0; i < 50; i++) await file.write(Buffer.from(`line ${i}\n`));
    await sink.release(file);
    await sink.finish();
    expect(Buffer.concat(received).toString()).toBe(
      Array.from({ length: 50 }, (_, i) => `line ${i}\n`).join(''),
    );
    expect(stdout.writableEnded).toBe(false);
  });

  it('estimate mode runs the transforms and keeps nothing', async () => {
    const sink = await openBackupSink({ estimate: true, prefix: 'ns', transforms: () => [doubler()] });
    const file = await sink.acquire();
    await file.write(Buffer.from('abcd'));
    await sink.release(file);
    expect(file.bytesWritten).toBe(4);
    await sink.finish();
    expect(file.fileBytes).toBe(8);
  });
});

function doubler(): Transform {
  return new Transform({ transform: (chunk: Buffer, _e, done) => done(null, Buffer.concat([chunk, chunk])) });
}

describe('transforms', () => {
  it('counts bytes before and after the transforms', async () => {
    const sink = await openBackupSink({
      directory: root,
      prefix: 'ns',
      transforms: () => [doubler(), doubler()],
    });
    const file = await sink.acquire();
    await file.write(Buffer.from('ab'));
    await file.write(Buffer.from('c'));
    await sink.closeFile(file);
    expect(file.bytesWritten).toBe(3);
    expect(file.fileBytes).toBe(12);
    expect(await readFile(join(root, 'ns_00000.asb'), 'utf8')).toBe('ababababcccc');
  });

  it('a failing transform fails the file and leaves nothing visible', async () => {
    const failing = () => [
      new Transform({ transform: (_c, _e, done) => done(new Error('cipher exploded')) }),
    ];
    const sink = await openBackupSink({ directory: root, prefix: 'ns', transforms: failing });
    const file = await sink.acquire();
    await file.write(Buffer.from('x')).catch(() => {});
    const closing = sink.closeFile(file);
    await expect(closing).rejects.toThrow(
      `Error while writing ${join(root, 'ns_00000.asb')}: cipher exploded`,
    );
    expect(await ls(root)).toEqual([]);
  });
});

describe('remove artifacts', () => {
  it('removes backup files and the state file, and the directory when empty', async () => {
    await writeFile(join(root, 'ns_00000.asb'), 'x');
    await writeFile(join(root, 'ns_00001.asb.part'), 'x');
    await writeFile(join(root, 'ns.asb.state'), 'x');
    const removed = await removeBackupArtifacts({ directory: root, prefix: 'ns' });
    expect(removed.sort()).toEqual(
      ['ns.asb.state', 'ns_00000.asb', 'ns_00001.asb.part'].map((n) => join(root, n)),
    );
    await expect(readdir(root)).rejects.toMatchObject({ code: 'ENOENT' });
  });

  it('keeps other files and the directory', async () => {
    await writeFile(join(root, 'ns_00000.asb'), 'x');
    await writeFile(join(root, 'other.state'), 'x');
    await removeBackupArtifacts({ directory: root, prefix: 'ns' });
    expect(await ls(root)).toEqual(['other.state']);
  });

  it('removes a single output file', async () => {
    const path = join(root, 'b.asb');
    await writeFile(path, 'x');
    expect(await removeBackupArtifacts({ outputFile: path, prefix: 'ns' })).toEqual([path]);
    expect(await ls(root)).toEqual([]);
  });
});
