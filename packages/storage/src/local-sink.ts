import { mkdir, readdir, rmdir, stat, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import { errnoOf, ioError, StorageError } from './errors.js';
import { borrowedRawFile, nullRawFile, openLocalRawFile, sizeIfExists } from './local-file.js';
import {
  backupFileName,
  isBackupFileName,
  isPartialBackupFileName,
  isStdPath,
  stateFileName,
} from './naming.js';
import { PooledSink } from './pooled-sink.js';
import type { BackupSink, BackupSinkOptions, RemoveArtifactsOptions } from './types.js';
import { StreamBackupFileWriter } from './writer.js';

export const DEFAULT_FILE_LIMIT_MIB = 250;
const MIB = 1024 * 1024;

/** Validated `-F` in bytes. */
export function fileLimitBytes(options: Pick<BackupSinkOptions, 'fileLimitMiB'>): number {
  const mib = options.fileLimitMiB ?? DEFAULT_FILE_LIMIT_MIB;
  if (!Number.isFinite(mib) || mib <= 0) {
    throw new StorageError('BAD_OPTION', `--file-limit must be a positive number of MiB, got ${mib}`, {
      option: '--file-limit',
    });
  }
  return Math.round(mib * MIB);
}

/** Names in `dir` that a backup run owns: `.asb` files and our unfinished `.asb.part` files. */
async function backupEntries(dir: string): Promise<string[]> {
  const names = await readdir(dir);
  return names.filter((n) => isBackupFileName(n) || isPartialBackupFileName(n));
}

/** Creates the directory if missing, then applies `-r` / `--continue` / the existing-backup refusal. */
async function prepareDirectory(options: BackupSinkOptions, dir: string): Promise<void> {
  try {
    const info = await stat(dir);
    if (!info.isDirectory()) {
      throw new StorageError('BAD_PATH', `${dir} is not a directory`, { path: dir, option: '--directory' });
    }
  } catch (err) {
    if (err instanceof StorageError) throw err;
    if (errnoOf(err) !== 'ENOENT') throw ioError('opening directory', dir, err);
    options.log?.('info', `Directory ${dir} does not exist, creating`);
    try {
      await mkdir(dir, { mode: 0o775 });
    } catch (cause) {
      throw ioError('creating directory', dir, cause);
    }
  }
  const owned = await backupEntries(dir);
  if (options.resume) {
    const finished = owned.filter(isBackupFileName).length;
    if (finished !== options.resume.fileCount) {
      throw new StorageError(
        'RESUME_MISMATCH',
        `Expected ${options.resume.fileCount} backup files, but found ${finished}`,
        { path: dir },
      );
    }
  } else if (owned.length > 0) {
    if (!options.removeFiles) {
      throw new StorageError(
        'EXISTING_BACKUP',
        `Directory ${dir} seems to contain an existing backup; use -r to clear directory`,
        { path: dir, option: '--directory' },
      );
    }
    for (const name of owned) {
      const path = join(dir, name);
      try {
        await unlink(path);
      } catch (err) {
        throw ioError('removing existing backup file', path, err);
      }
    }
  }
  options.log?.('info', `Directory ${dir} prepared for backup`);
}

async function prepareOutputFile(options: BackupSinkOptions, path: string): Promise<void> {
  if (options.resume) return;
  if ((await sizeIfExists(path)) === undefined) return;
  if (!options.removeFiles) {
    throw new StorageError('OUTPUT_EXISTS', `Output file ${path} already exists; use -r to remove`, {
      path,
      option: '--output-file',
    });
  }
  try {
    await unlink(path);
  } catch (err) {
    throw ioError('removing', path, err);
  }
}

/** Local directory, single file, stdout and estimate sinks. */
export async function openLocalBackupSink(options: BackupSinkOptions): Promise<BackupSink> {
  const transforms = options.transforms;
  const reopenLocal = async (path: string, expectedBytes?: number) =>
    new StreamBackupFileWriter(path, await openLocalRawFile(path, 'append', expectedBytes), {
      isNew: false,
      transforms,
    });

  if (options.estimate) {
    return new PooledSink({
      kind: 'estimate',
      location: '/dev/null',
      create: async () => new StreamBackupFileWriter('/dev/null', nullRawFile(), { isNew: true, transforms }),
      reopen: async () => {
        throw new StorageError('BAD_OPTION', 'An estimate cannot be resumed', { option: '--estimate' });
      },
    });
  }

  if (options.directory !== undefined) {
    const dir = options.directory;
    if (dir === '') {
      throw new StorageError('BAD_PATH', 'The backup directory is empty', { option: '--directory' });
    }
    const limit = fileLimitBytes(options);
    await prepareDirectory(options, dir);
    return new PooledSink({
      kind: 'directory',
      location: dir,
      fileLimitBytes: limit,
      firstIndex: options.resume?.fileCount ?? 0,
      create: async (index) => {
        const path = join(dir, backupFileName(options.prefix, index));
        return new StreamBackupFileWriter(path, await openLocalRawFile(path, 'create'), {
          isNew: true,
          transforms,
        });
      },
      reopen: reopenLocal,
    });
  }

  if (options.outputFile !== undefined) {
    const path = options.outputFile;
    if (path === '') {
      throw new StorageError('BAD_PATH', 'The output file name is empty', { option: '--output-file' });
    }
    if (isStdPath(path)) {
      const out = options.stdout ?? process.stdout;
      const writer = (isNew: boolean) =>
        new StreamBackupFileWriter('-', borrowedRawFile(out), { isNew, transforms });
      return new PooledSink({
        kind: 'stdout',
        location: '-',
        maxFiles: 1,
        create: async () => writer(true),
        reopen: async () => writer(false),
      });
    }
    await prepareOutputFile(options, path);
    return new PooledSink({
      kind: 'file',
      location: path,
      maxFiles: 1,
      create: async (index) => {
        if (index > 0) {
          throw new StorageError('FILE_STATE', `Output file ${path} was already closed`, { path });
        }
        return new StreamBackupFileWriter(path, await openLocalRawFile(path, 'create'), {
          isNew: true,
          transforms,
        });
      },
      reopen: async (reopenPath, expectedBytes) => {
        if (reopenPath !== path) {
          throw new StorageError(
            'RESUME_MISMATCH',
            `Saved file ${reopenPath} is not the output file ${path}`,
            {
              path: reopenPath,
              option: '--output-file',
            },
          );
        }
        return reopenLocal(path, expectedBytes);
      },
    });
  }

  throw new StorageError('BAD_OPTION', 'Specify --directory, --output-file or --estimate', {
    option: '--directory',
  });
}

/**
 * `--remove-artifacts`: deletes the output file, or the backup files (`.asb`, `.asb.part`) and
 * `<prefix>.asb.state` in the directory, and the directory itself if nothing else is left.
 * Returns the removed paths.
 */
export async function removeLocalArtifacts(options: RemoveArtifactsOptions): Promise<string[]> {
  if (options.outputFile !== undefined) {
    const path = options.outputFile;
    if (isStdPath(path)) return [];
    if ((await sizeIfExists(path)) === undefined) return [];
    await unlink(path).catch((err) => {
      throw ioError('removing', path, err);
    });
    return [path];
  }
  const dir = options.directory;
  if (dir === undefined) {
    throw new StorageError('BAD_OPTION', 'Specify --directory or --output-file', { option: '--directory' });
  }
  let names: string[];
  try {
    names = await readdir(dir);
  } catch (err) {
    if (errnoOf(err) === 'ENOENT') return [];
    throw ioError('opening local directory', dir, err);
  }
  const state = stateFileName(options.prefix);
  const removed: string[] = [];
  let others = 0;
  for (const name of names) {
    if (isBackupFileName(name) || isPartialBackupFileName(name) || name === state) {
      const path = join(dir, name);
      await unlink(path).catch((err) => {
        throw ioError('removing', path, err);
      });
      removed.push(path);
    } else {
      others++;
    }
  }
  if (others === 0) {
    await rmdir(dir).catch((err) => {
      throw ioError('removing empty directory', dir, err);
    });
  }
  return removed;
}
