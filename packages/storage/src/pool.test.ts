import { describe, expect, it } from 'vitest';
import { FilePool } from './pool.js';
import type { BackupFileWriter } from './writer.js';

/** A writer that only counts, to test the pool's bookkeeping. */
function fakeWriter(path: string, log: string[]): BackupFileWriter & { grow(n: number): void } {
  let bytes = 0;
  let finished = false;
  return {
    path,
    isNew: true,
    releasesChunks: false,
    get bytesWritten() {
      return bytes;
    },
    get fileBytes() {
      return bytes;
    },
    get finished() {
      return finished;
    },
    grow(n: number) {
      bytes += n;
    },
    async write(chunk: Buffer) {
      bytes += chunk.length;
    },
    async flush() {
      log.push(`flush ${path}`);
    },
    async close() {
      finished = true;
      log.push(`close ${path}`);
    },
    async abort() {
      finished = true;
      log.push(`abort ${path}`);
    },
  };
}

describe('FilePool', () => {
  it('reuses released files in order and closes full ones', async () => {
    const log: string[] = [];
    const pool = new FilePool({
      location: 'x',
      fileLimitBytes: 10,
      create: async (i) => fakeWriter(`f${i}`, log),
    });
    const a = await pool.acquire();
    const b = await pool.acquire();
    await pool.release(b);
    await pool.release(a);
    expect(await pool.acquire()).toBe(b);
    (a as ReturnType<typeof fakeWriter>).grow(5);
    expect(await pool.acquire()).toBe(a);
    (b as ReturnType<typeof fakeWriter>).grow(10);
    await pool.release(b);
    expect(b.finished).toBe(true);
    await pool.release(a);
    expect(pool.openFiles()).toEqual([a]);
    await pool.finish();
    expect(log).toEqual(['flush f1', 'flush f0', 'flush f1', 'close f1', 'flush f0', 'close f0']);
    expect(pool.fileCount).toBe(2);
  });

  it('makes jobs wait for a single file, and abort releases the waiters', async () => {
    const log: string[] = [];
    const pool = new FilePool({
      location: 'one',
      maxFiles: 1,
      create: async (i) => fakeWriter(`f${i}`, log),
    });
    const only = await pool.acquire();
    const waiting = pool.acquire();
    await pool.release(only);
    expect(await waiting).toBe(only);
    const stuck = pool.acquire();
    await pool.abort(new Error('stop'));
    await expect(stuck).rejects.toThrow('stop');
    expect(log).toContain('abort f0');
  });

  it('refuses files it did not hand out', async () => {
    const pool = new FilePool({ location: 'x', create: async (i) => fakeWriter(`f${i}`, []) });
    await expect(pool.release(fakeWriter('stranger', []))).rejects.toThrow('stranger does not belong to x');
  });
});
