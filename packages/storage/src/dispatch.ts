import { readFile, stat } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { errnoOf, StorageError } from './errors.js';
import { openLocalBackupSink, removeLocalArtifacts } from './local-sink.js';
import { directoryListPaths, fileListOf, listLocalDirectory, listLocalInputFile } from './local-source.js';
import { isS3Url, isStdPath, stateFileName } from './naming.js';
import type {
  BackupFileEntry,
  BackupFileList,
  BackupSink,
  BackupSinkOptions,
  BackupSourceOptions,
  RemoveArtifactsOptions,
  S3Backend,
} from './types.js';

const S3_PACKAGE = '@asbkit/storage-s3';

/**
 * Finds `@asbkit/storage-s3` from the main script (the CLI that installed it), for package
 * managers that do not let this package see its siblings (pnpm).
 */
async function importFromMainScript(packageName: string): Promise<S3Backend | undefined> {
  const main = process.argv[1];
  if (!main) return undefined;
  let manifestPath: string;
  try {
    manifestPath = createRequire(resolve(main)).resolve(`${packageName}/package.json`);
  } catch {
    return undefined;
  }
  const manifest = JSON.parse(await readFile(manifestPath, 'utf8')) as {
    exports?: { '.'?: { import?: string } };
  };
  const entry = manifest.exports?.['.']?.import;
  if (!entry) return undefined;
  return checkBackend(await import(pathToFileURL(join(dirname(manifestPath), entry)).href), manifestPath);
}

function checkBackend(loaded: Partial<S3Backend>, where: string): S3Backend {
  for (const name of ['openS3BackupSink', 'listS3BackupFiles', 'removeS3Artifacts'] as const) {
    if (typeof loaded[name] !== 'function') {
      throw new StorageError(
        'S3_NOT_INSTALLED',
        `The S3 backend at ${where} does not export ${name} (stale build?)`,
        {
          path: where,
        },
      );
    }
  }
  return loaded as S3Backend;
}

/**
 * Loads `@asbkit/storage-s3` by name, else from the main script's dependencies. The specifier
 * is a variable so bundlers and the type checker leave it alone: the AWS SDK is only loaded
 * when an `s3://` path is used.
 */
export async function importS3Backend(packageName: string = S3_PACKAGE): Promise<S3Backend> {
  const specifier: string = packageName;
  try {
    return checkBackend(await import(specifier), specifier);
  } catch (err) {
    if (errnoOf(err) === 'ERR_MODULE_NOT_FOUND' && String((err as Error).message).includes(packageName)) {
      const found = await importFromMainScript(packageName);
      if (found) return found;
      throw new StorageError(
        'S3_NOT_INSTALLED',
        `s3:// paths need the package ${packageName}; install it next to @asbkit/storage (npm install ${packageName}) or pass loadS3`,
        { cause: err },
      );
    }
    throw err;
  }
}

function s3Backend(options: { loadS3?: () => Promise<S3Backend> }): Promise<S3Backend> {
  return options.loadS3 ? options.loadS3() : importS3Backend();
}

function checkPrefix(prefix: string): void {
  if (prefix === '' || prefix.includes('/') || prefix.includes('\0')) {
    throw new StorageError('BAD_OPTION', `Invalid file name prefix "${prefix}" (empty or contains "/")`, {
      option: '--output-file-prefix',
    });
  }
}

/** Opens the backup output described by the options (local, stdout, estimate or `s3://`). */
export async function openBackupSink(options: BackupSinkOptions): Promise<BackupSink> {
  const targets = [options.directory, options.outputFile, options.estimate ? true : undefined];
  if (targets.filter((t) => t !== undefined).length !== 1) {
    throw new StorageError('BAD_OPTION', 'Specify exactly one of --directory, --output-file, --estimate', {
      option: '--directory',
    });
  }
  checkPrefix(options.prefix);
  const target = options.directory ?? options.outputFile;
  if (target !== undefined && isS3Url(target)) return (await s3Backend(options)).openS3BackupSink(options);
  return openLocalBackupSink(options);
}

/** Lists the restore inputs described by the options, in a stable order, with sizes. */
export async function listBackupFiles(options: BackupSourceOptions): Promise<BackupFileList> {
  const given = [options.directory, options.directoryList, options.inputFile].filter((t) => t !== undefined);
  if (given.length !== 1) {
    throw new StorageError(
      'BAD_OPTION',
      'Specify exactly one of --directory, --directory-list, --input-file',
      {
        option: '--directory',
      },
    );
  }
  if (options.parentDirectory !== undefined && options.directoryList === undefined) {
    throw new StorageError('BAD_OPTION', '--parent-directory needs --directory-list', {
      option: '--parent-directory',
    });
  }
  if (options.inputFile !== undefined) {
    if (isS3Url(options.inputFile)) return (await s3Backend(options)).listS3BackupFiles(options);
    return listLocalInputFile(options.inputFile, options.stdin);
  }
  const dirs = options.directoryList !== undefined ? directoryListPaths(options) : [options.directory!];
  const files: BackupFileEntry[] = [];
  for (const dir of dirs) {
    const found = isS3Url(dir)
      ? (
          await (
            await s3Backend(options)
          ).listS3BackupFiles({ ...options, directoryList: undefined, directory: dir })
        ).files
      : await listLocalDirectory(dir);
    options.log?.('info', `Found ${found.length} backup file(s) in ${dir}`);
    files.push(...found);
  }
  if (files.length === 0) {
    throw new StorageError('NO_BACKUP_FILES', `No backup files found in ${dirs.join(', ')}`, {
      path: dirs[0],
      option: options.directoryList !== undefined ? '--directory-list' : '--directory',
    });
  }
  return fileListOf('directory', files);
}

/** `--remove-artifacts`: removes the output file or the directory's backup files; returns them. */
export async function removeBackupArtifacts(options: RemoveArtifactsOptions): Promise<string[]> {
  const target = options.directory ?? options.outputFile;
  if (target === undefined || (options.directory !== undefined && options.outputFile !== undefined)) {
    throw new StorageError('BAD_OPTION', 'Specify exactly one of --directory, --output-file', {
      option: '--directory',
    });
  }
  checkPrefix(options.prefix);
  if (isS3Url(target)) return (await s3Backend(options)).removeS3Artifacts(options);
  return removeLocalArtifacts(options);
}

/**
 * Where the backup state file goes (spec §4.1). `prefix` is `--output-file-prefix` or the
 * namespace; `cwd` defaults to `process.cwd()`.
 */
export async function resolveStateFilePath(options: {
  directory?: string;
  outputFile?: string;
  stateFileDst?: string;
  prefix: string;
  cwd?: string;
}): Promise<string> {
  const cwd = options.cwd ?? process.cwd();
  const name = stateFileName(options.prefix);
  const dst = options.stateFileDst;
  if (dst !== undefined) {
    if (isS3Url(dst)) {
      const dir = options.directory;
      if (dir !== undefined && isS3Url(dir) && dir.replace(/\/+$/, '') === dst.replace(/\/+$/, '')) {
        throw new StorageError('BAD_OPTION', '--state-file-dst may not be the same as the S3 --directory', {
          option: '--state-file-dst',
        });
      }
      return dst;
    }
    try {
      if ((await stat(dst)).isDirectory()) return join(dst, name);
    } catch (err) {
      if (errnoOf(err) !== 'ENOENT') throw err;
    }
    return dst;
  }
  if (options.directory !== undefined) {
    return isS3Url(options.directory) ? join(cwd, name) : join(options.directory, name);
  }
  const out = options.outputFile;
  if (out === undefined) {
    throw new StorageError('BAD_OPTION', 'A state file needs --directory or --output-file', {
      option: '--state-file-dst',
    });
  }
  if (isStdPath(out) || isS3Url(out)) return join(cwd, name);
  return `${out}.state`;
}
