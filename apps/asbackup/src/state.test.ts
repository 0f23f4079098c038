import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { PartitionCursors } from '@asbkit/partition-filters';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadState, saveState } from './state.js';
import { tempDir } from './test-helpers/testing.js';

let work: Awaited<ReturnType<typeof tempDir>>;
beforeAll(async () => {
  work = await tempDir();
});
afterAll(() => work.remove());

describe('state file', () => {
  it('round-trips cursors, counters and the single-file position', async () => {
    const cursors = PartitionCursors.forFilters([{ begin: 0, count: 4096 }]);
    const digest = Buffer.alloc(20, 7);
    digest.writeUInt16LE(5, 0);
    cursors.recordWritten(digest);
    cursors.markDone(3);
    const path = join(work.path, 'a.state');
    const ctr = { firstCounter: Buffer.alloc(16, 9), payloadBytes: 1234 };
    await saveState(path, {
      namespace: 'test',
      cursors,
      fileCount: 3,
      records: 10,
      bytes: 999,
      indexCount: 2,
      udfCount: 1,
      singleFile: { path: '/x.asb', fileBytes: 999, ctr },
    });
    const back = await loadState(path);
    expect(back.cursors.toFilters()).toEqual(cursors.toFilters());
    expect(back).toMatchObject({
      namespace: 'test',
      fileCount: 3,
      records: 10,
      bytes: 999,
      indexCount: 2,
      udfCount: 1,
    });
    expect(back.singleFile).toEqual({ path: '/x.asb', fileBytes: 999, ctr });
  });

  it('refuses files that are not asbkit states, naming the file', async () => {
    const path = join(work.path, 'official.state');
    await writeFile(path, Buffer.alloc(83_600));
    await expect(loadState(path)).rejects.toThrow(`Not an asbkit backup state`);
    await expect(loadState(path)).rejects.toThrow(path);
    await expect(loadState(join(work.path, 'missing'))).rejects.toThrow('ENOENT');
    const bad = join(work.path, 'bad.state');
    await writeFile(
      bad,
      JSON.stringify({ magic: 'asbkit-backup-state', version: 1, namespace: 'n', cursors: 'AAAA' }),
    );
    await expect(loadState(bad)).rejects.toThrow(/Bad fileCount in state file/);
  });
});
