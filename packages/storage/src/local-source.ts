import { createReadStream } from 'node:fs';
import { readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { type Readable, Transform } from 'node:stream';
import { errnoOf, ioError, StorageError } from './errors.js';
import { compareBackupNames, isBackupFileName } from './naming.js';
import type { BackupFileEntry, BackupFileList, BackupSourceOptions } from './types.js';
import type { TransformFactory } from './writer.js';

/** Pipes `source` through fresh transforms; errors anywhere surface on the returned stream. */
export function throughTransforms(source: Readable, transforms?: TransformFactory): Readable {
  const chain = transforms?.() ?? [];
  let out: Readable = source;
  for (const t of chain) {
    out.on('error', (err) => t.destroy(err));
    out = out.pipe(t);
  }
  return out;
}

function localEntry(path: string, size: number): BackupFileEntry {
  return {
    path,
    size,
    async open(options) {
      const stream = createReadStream(path);
      await new Promise<void>((resolve, reject) => {
        stream.once('open', () => resolve());
        stream.once('error', (err) => reject(ioError('opening backup file', path, err)));
      });
      return throughTransforms(stream, options?.transforms);
    },
  };
}

/** `.asb` files of one directory in `compareBackupNames` order (C uses readdir order). */
export async function listLocalDirectory(dir: string): Promise<BackupFileEntry[]> {
  let names: string[];
  try {
    names = await readdir(dir);
  } catch (err) {
    if (errnoOf(err) === 'ENOENT') {
      throw new StorageError('DIRECTORY_MISSING', `Directory ${dir} does not exist`, {
        path: dir,
        option: '--directory',
      });
    }
    throw ioError('opening directory', dir, err);
  }
  const entries: BackupFileEntry[] = [];
  for (const name of names.filter(isBackupFileName).sort(compareBackupNames)) {
    const path = join(dir, name);
    let info: Awaited<ReturnType<typeof stat>>;
    try {
      info = await stat(path);
    } catch (err) {
      throw ioError('getting stats of file', path, err);
    }
    if (info.isFile()) entries.push(localEntry(path, info.size));
  }
  return entries;
}

/** `--parent-directory P` + entry, adding `/` only when P does not end with one (as C does). */
export function joinParent(parent: string | undefined, entry: string): string {
  if (parent === undefined || parent === '') return entry;
  return parent.endsWith('/') ? parent + entry : `${parent}/${entry}`;
}

/** Splits `--directory-list` and applies `--parent-directory`. */
export function directoryListPaths(
  options: Pick<BackupSourceOptions, 'directoryList' | 'parentDirectory'>,
): string[] {
  const list = options.directoryList ?? '';
  const items = list.split(',');
  if (list === '' || items.some((d) => d === '')) {
    throw new StorageError('BAD_OPTION', `--directory-list has an empty entry: "${list}"`, {
      option: '--directory-list',
    });
  }
  return items.map((d) => joinParent(options.parentDirectory, d));
}

/** Parses `-i -` / `-i -:<bytes>`; undefined when the path is not stdin. */
export function parseStdinPath(path: string): { size: number | undefined } | undefined {
  if (path === '-') return { size: undefined };
  if (!path.startsWith('-:')) return undefined;
  const text = path.slice(2);
  if (!/^\d+$/.test(text)) {
    throw new StorageError('BAD_OPTION', `Invalid stdin size in --input-file ${path}: expected -:<bytes>`, {
      option: '--input-file',
    });
  }
  return { size: Number(text) };
}

/** stdin can be opened once; a second open() is an error, not an empty stream. */
function stdinEntry(input: Readable, size: number | undefined): BackupFileEntry {
  let opened = false;
  return {
    path: '-',
    size,
    async open(options) {
      if (opened) throw new StorageError('FILE_STATE', 'stdin can only be read once', { path: '-' });
      opened = true;
      // A pass-through keeps the caller from ending or destroying process.stdin itself.
      const head = new Transform({ transform: (chunk, _enc, done) => done(null, chunk) });
      input.on('error', (err) => head.destroy(err));
      input.pipe(head);
      return throughTransforms(head, options?.transforms);
    },
  };
}

export function fileListOf(kind: BackupFileList['kind'], files: BackupFileEntry[]): BackupFileList {
  const known = files.every((f) => f.size !== undefined);
  return { kind, files, totalBytes: known ? files.reduce((sum, f) => sum + f.size!, 0) : undefined };
}

/** `-i PATH` (local) or `-i -` / `-i -:<bytes>` (stdin). */
export async function listLocalInputFile(path: string, stdin: Readable | undefined): Promise<BackupFileList> {
  const std = parseStdinPath(path);
  if (std) return fileListOf('stdin', [stdinEntry(stdin ?? process.stdin, std.size)]);
  if (path === '') {
    throw new StorageError('BAD_PATH', 'The input file name is empty', { option: '--input-file' });
  }
  let info: Awaited<ReturnType<typeof stat>>;
  try {
    info = await stat(path);
  } catch (err) {
    if (errnoOf(err) === 'ENOENT') {
      throw new StorageError('INPUT_MISSING', `Input file ${path} does not exist`, {
        path,
        option: '--input-file',
      });
    }
    throw ioError('opening input file', path, err);
  }
  if (!info.isFile()) {
    throw new StorageError('BAD_PATH', `Input file ${path} is not a regular file`, {
      path,
      option: '--input-file',
    });
  }
  return fileListOf('file', [localEntry(path, info.size)]);
}
