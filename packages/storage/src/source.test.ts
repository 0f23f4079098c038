import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough, Transform } from 'node:stream';
import { text } from 'node:stream/consumers';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  importS3Backend,
  listBackupFiles,
  openBackupSink,
  removeBackupArtifacts,
  resolveStateFilePath,
} from './dispatch.js';
import { joinParent } from './local-source.js';
import type { S3Backend } from './types.js';

let root: string;
beforeEach(async () => {
  root = await mkdtemp(join(tmpdir(), 'asbkit-source-'));
});
afterEach(async () => {
  await rm(root, { recursive: true, force: true });
});

describe('restore sources', () => {
  it('lists only .asb files, in name order, with sizes', async () => {
    for (const [name, body] of [
      ['ns_00010.asb', '10'],
      ['ns_00002.asb', '2'],
      ['ns_100000.asb', 'big'],
      ['.asb', 'no'],
      ['ns_00003.asb.part', 'no'],
      ['notes.txt', 'no'],
    ]) {
      await writeFile(join(root, name!), body!);
    }
    await mkdir(join(root, 'nested.asb'));
    const list = await listBackupFiles({ directory: root });
    expect(list.kind).toBe('directory');
    expect(list.files.map((f) => [f.path, f.size])).toEqual([
      [join(root, 'ns_00002.asb'), 1],
      [join(root, 'ns_00010.asb'), 2],
      [join(root, 'ns_100000.asb'), 3],
    ]);
    expect(list.totalBytes).toBe(6);
    expect(await text(await list.files[2]!.open())).toBe('big');
  });

  it('concatenates --directory-list entries under --parent-directory', async () => {
    await mkdir(join(root, 'b'));
    await mkdir(join(root, 'a'));
    await writeFile(join(root, 'b', 'x_00000.asb'), 'b0');
    await writeFile(join(root, 'a', 'x_00000.asb'), 'a0');
    const list = await listBackupFiles({ directoryList: 'b,a', parentDirectory: root });
    expect(list.files.map((f) => f.path)).toEqual([
      join(root, 'b', 'x_00000.asb'),
      join(root, 'a', 'x_00000.asb'),
    ]);
    expect(joinParent('/p/', 'd')).toBe('/p/d');
    expect(joinParent('/p', 'd')).toBe('/p/d');
    await expect(listBackupFiles({ directoryList: 'a,,b', parentDirectory: root })).rejects.toMatchObject({
      option: '--directory-list',
    });
  });

  it('fails clearly on a missing or empty directory', async () => {
    const missing = join(root, 'nope');
    await expect(listBackupFiles({ directory: missing })).rejects.toThrow(
      `Directory ${missing} does not exist`,
    );
    await expect(listBackupFiles({ directory: root })).rejects.toMatchObject({
      code: 'NO_BACKUP_FILES',
      message: `No backup files found in ${root}`,
    });
  });

  it('opens a single input file, through read transforms', async () => {
    const path = join(root, 'one.asb');
    await writeFile(path, 'hello');
    const list = await listBackupFiles({ inputFile: path });
    expect(list).toMatchObject({ kind: 'file', totalBytes: 5 });
    const upper = () => [
      new Transform({
        transform: (c: Buffer, _e, done) => done(null, Buffer.from(c.toString().toUpperCase())),
      }),
    ];
    expect(await text(await list.files[0]!.open({ transforms: upper }))).toBe('HELLO');
    await expect(listBackupFiles({ inputFile: join(root, 'missing.asb') })).rejects.toMatchObject({
      code: 'INPUT_MISSING',
      option: '--input-file',
    });
    await expect(listBackupFiles({ inputFile: root })).rejects.toMatchObject({ code: 'BAD_PATH' });
  });

  it('reads stdin once, with the size given as -:<bytes>', async () => {
    const stdin = new PassThrough();
    stdin.end('Version 3.1\n');
    const list = await listBackupFiles({ inputFile: '-:12', stdin });
    expect(list).toMatchObject({ kind: 'stdin', totalBytes: 12 });
    expect(await text(await list.files[0]!.open())).toBe('Version 3.1\n');
    await expect(list.files[0]!.open()).rejects.toThrow('stdin can only be read once');
    const unsized = await listBackupFiles({ inputFile: '-', stdin: new PassThrough() });
    expect(unsized.totalBytes).toBeUndefined();
    await expect(listBackupFiles({ inputFile: '-:12x', stdin })).rejects.toMatchObject({
      option: '--input-file',
    });
  });

  it('rejects conflicting inputs', async () => {
    await expect(listBackupFiles({ directory: root, inputFile: 'x' })).rejects.toMatchObject({
      code: 'BAD_OPTION',
    });
    await expect(listBackupFiles({ directory: root, parentDirectory: root })).rejects.toMatchObject({
      option: '--parent-directory',
    });
  });
});

describe('s3:// dispatch', () => {
  it('says clearly when @asbkit/storage-s3 is not installed', async () => {
    // A name nobody installed: neither this package nor the main script can see it.
    const saved = process.argv[1];
    process.argv[1] = join(root, 'main.js');
    try {
      const missing = importS3Backend('@asbkit/storage-s3-not-installed');
      await expect(missing).rejects.toMatchObject({ code: 'S3_NOT_INSTALLED' });
      await expect(missing).rejects.toThrow(
        /s3:\/\/ paths need the package @asbkit\/storage-s3-not-installed; install it/,
      );
    } finally {
      process.argv[1] = saved!;
    }
  });

  it('finds storage-s3 through the main script when it is not visible from here', async () => {
    const app = join(root, 'app');
    const pkg = join(app, 'node_modules', '@asbkit', 'storage-s3');
    await mkdir(pkg, { recursive: true });
    await writeFile(join(app, 'main.js'), '');
    await writeFile(
      join(pkg, 'package.json'),
      JSON.stringify({
        name: '@asbkit/storage-s3',
        type: 'module',
        exports: { '.': { import: './entry.js' }, './package.json': './package.json' },
      }),
    );
    await writeFile(
      join(pkg, 'entry.js'),
      'export const listS3BackupFiles = async () => ({ fake: true });\n' +
        'export const openS3BackupSink = async () => {};\nexport const removeS3Artifacts = async () => [];\n',
    );
    const saved = process.argv[1];
    process.argv[1] = join(app, 'main.js');
    try {
      const found = await importS3Backend();
      expect(await found.listS3BackupFiles({})).toMatchObject({ fake: true });
    } finally {
      process.argv[1] = saved!;
    }
  });

  it('hands s3:// paths to the loaded backend, local ones never', async () => {
    const calls: string[] = [];
    const backend: S3Backend = {
      openS3BackupSink: async (o) => {
        calls.push(`sink ${o.directory ?? o.outputFile}`);
        throw new Error('fake sink');
      },
      listS3BackupFiles: async (o) => {
        calls.push(`list ${o.directory ?? o.inputFile}`);
        return { kind: 'directory', files: [], totalBytes: 0 };
      },
      removeS3Artifacts: async (o) => {
        calls.push(`remove ${o.directory}`);
        return [];
      },
    };
    const loadS3 = async () => backend;
    await mkdir(join(root, 'local'));
    await writeFile(join(root, 'local', 'a.asb'), 'a');
    await expect(openBackupSink({ outputFile: 's3://b/k.asb', prefix: 'ns', loadS3 })).rejects.toThrow(
      'fake sink',
    );
    const list = await listBackupFiles({ directoryList: `s3://b/one,${join(root, 'local')}`, loadS3 });
    expect(list.files).toHaveLength(1);
    await removeBackupArtifacts({ directory: 's3://b/dir', prefix: 'ns', loadS3 });
    expect(calls).toEqual(['sink s3://b/k.asb', 'list s3://b/one', 'remove s3://b/dir']);
  });

  it('never loads the AWS SDK or storage-s3 statically', async () => {
    const dir = new URL('.', import.meta.url);
    const sources = (await readdir(dir)).filter((n) => n.endsWith('.ts') && !n.endsWith('.test.ts'));
    expect(sources.length).toBeGreaterThan(5);
    for (const name of sources) {
      const code = await readFile(new URL(name, dir), 'utf8');
      expect(code, name).not.toMatch(
        /from '@aws-sdk|from '@asbkit\/storage-s3'|import\('@asbkit\/storage-s3'\)/,
      );
    }
    const pkg = JSON.parse(await readFile(new URL('../package.json', import.meta.url), 'utf8'));
    expect(Object.keys(pkg.dependencies ?? {})).not.toContain('@aws-sdk/client-s3');
  });
});

describe('state file path (spec 4.1)', () => {
  it('follows the official table', async () => {
    const cwd = '/work/here';
    expect(await resolveStateFilePath({ directory: '/bk', prefix: 'test', cwd })).toBe('/bk/test.asb.state');
    expect(await resolveStateFilePath({ directory: 's3://b/p', prefix: 'test', cwd })).toBe(
      '/work/here/test.asb.state',
    );
    expect(await resolveStateFilePath({ outputFile: '/x/b.asb', prefix: 'test', cwd })).toBe(
      '/x/b.asb.state',
    );
    expect(await resolveStateFilePath({ outputFile: '-', prefix: 'test', cwd })).toBe(
      '/work/here/test.asb.state',
    );
    expect(await resolveStateFilePath({ directory: '/bk', stateFileDst: root, prefix: 'p', cwd })).toBe(
      join(root, 'p.asb.state'),
    );
    expect(
      await resolveStateFilePath({ directory: '/bk', stateFileDst: join(root, 's'), prefix: 'p', cwd }),
    ).toBe(join(root, 's'));
    expect(
      await resolveStateFilePath({ directory: 's3://b/p', stateFileDst: 's3://b/st', prefix: 'p' }),
    ).toBe('s3://b/st');
    await expect(
      resolveStateFilePath({ directory: 's3://b/p/', stateFileDst: 's3://b/p', prefix: 'p' }),
    ).rejects.toMatchObject({ option: '--state-file-dst' });
  });
});
