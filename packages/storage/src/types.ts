import type { Readable, Writable } from 'node:stream';
import type { BackupFileWriter, TransformFactory } from './writer.js';

/** S3 settings, named after the official `--s3-*` options (spec §11). */
export interface S3Options {
  /** `--s3-region`. */
  region?: string;
  /** `--s3-profile`: the shared-config profile for credentials (default `default`). */
  profile?: string;
  /** `--s3-endpoint-override`: URL of an S3-compatible service. */
  endpointOverride?: string;
  /** `--s3-min-part-size` in MiB; by default derived from the expected file size. */
  minPartSizeMiB?: number;
  /** `--s3-max-async-uploads` (16): part uploads in flight across all files. */
  maxAsyncUploads?: number;
  /** `--s3-max-async-downloads` (32): ranged GETs in flight across all files. */
  maxAsyncDownloads?: number;
  /** `--s3-connect-timeout` in ms (1000). */
  connectTimeoutMs?: number;
  /** `--s3-log-level` (Fatal). */
  logLevel?: S3LogLevel;
  /** Attempts per request on throttling, 5xx and network errors (default 5). */
  maxAttempts?: number;
}

export type S3LogLevel = 'Off' | 'Fatal' | 'Error' | 'Warn' | 'Info' | 'Debug' | 'Trace';

/** Receives the official info/verbose lines (e.g. "Directory X does not exist, creating"). */
export type StorageLog = (level: 'info' | 'verbose', message: string) => void;

/** Where and how a backup is written. Exactly one of `directory`, `outputFile`, `estimate`. */
export interface BackupSinkOptions {
  /** `-d DIR` (local path or `s3://bucket/prefix`). */
  directory?: string;
  /** `-o PATH`; `-` is stdout. */
  outputFile?: string;
  /** `-e`: bytes go through the transforms and are dropped. */
  estimate?: boolean;
  /** File name prefix: `--output-file-prefix`, else the namespace. */
  prefix: string;
  /** `-F` in MiB (directory mode); default 250. `release()` closes files that reached it. */
  fileLimitMiB?: number;
  /** `-r`: remove existing backup files (or the output file) first. */
  removeFiles?: boolean;
  /** `--continue`: existing files are expected; numbering continues at `fileCount`. */
  resume?: { fileCount: number };
  /** Expected size of one file in bytes (single-file S3 part size, from the estimate). */
  expectedFileBytes?: number;
  /** Byte transforms applied to every file (compression, then encryption). */
  transforms?: TransformFactory;
  /** Replaces `process.stdout` for `-o -` (tests, embedding). */
  stdout?: Writable;
  s3?: S3Options;
  /** How to load `@asbkit/storage-s3` (default: dynamic import by name). */
  loadS3?: () => Promise<S3Backend>;
  log?: StorageLog;
}

/** Output files for a backup: a queue of partly filled files shared by the jobs. */
export interface BackupSink {
  readonly kind: 'directory' | 'file' | 'stdout' | 'estimate';
  /** The directory, file, URL or `-`. */
  readonly location: string;
  /** Files created so far, resumed ones included (the state file's `file_count`). */
  readonly fileCount: number;
  /** A queued partly filled file, else a new one (single-file modes wait for the one file). */
  acquire(): Promise<BackupFileWriter>;
  /** Flushes the file; closes it if it reached the file limit, else queues it for the next job. */
  release(file: BackupFileWriter): Promise<void>;
  /** Closes one file now (rotation inside a job). */
  closeFile(file: BackupFileWriter): Promise<void>;
  /**
   * Reopens a finished file for append (resume) and queues it. `expectedBytes` (the saved
   * position) must equal its size. Path as returned by `BackupFileWriter.path`.
   */
  reopen(path: string, expectedBytes?: number): Promise<void>;
  /** Files not yet closed (for the state file on interrupt). */
  openFiles(): BackupFileWriter[];
  /** Closes every queued file; fails if a job still holds one. */
  finish(): Promise<void>;
  /** Aborts every open file; none becomes visible under its final name. */
  abort(reason?: Error): Promise<void>;
}

/** Where a restore reads from. Exactly one of `directory`, `directoryList`, `inputFile`. */
export interface BackupSourceOptions {
  /** `-d DIR` (local or `s3://`). */
  directory?: string;
  /** `--directory-list A,B`: comma-separated directories. */
  directoryList?: string;
  /** `--parent-directory P`: prefix for every `--directory-list` entry. */
  parentDirectory?: string;
  /** `-i PATH`; `-` (or `-:<bytes>`) is stdin. */
  inputFile?: string;
  /** Replaces `process.stdin` for `-i -`. */
  stdin?: Readable;
  s3?: S3Options;
  loadS3?: () => Promise<S3Backend>;
  log?: StorageLog;
}

/** One backup file to read. */
export interface BackupFileEntry {
  /** Path or URL, or `-` for stdin. */
  readonly path: string;
  /** Size in bytes (for progress); undefined for stdin without `-:<bytes>`. */
  readonly size: number | undefined;
  /** A fresh readable over the raw bytes, piped through `transforms` (decryption, decompression). */
  open(options?: { transforms?: TransformFactory }): Promise<Readable>;
}

export interface BackupFileList {
  readonly kind: 'directory' | 'file' | 'stdin';
  /** In listing order: per directory (in the order given), names in `compareBackupNames` order. */
  readonly files: BackupFileEntry[];
  /** Sum of the sizes, when all are known. */
  readonly totalBytes: number | undefined;
}

export interface RemoveArtifactsOptions {
  directory?: string;
  outputFile?: string;
  prefix: string;
  s3?: S3Options;
  loadS3?: () => Promise<S3Backend>;
  log?: StorageLog;
}

/** What `@asbkit/storage-s3` provides; `@asbkit/storage` loads it on the first `s3://` path. */
export interface S3Backend {
  openS3BackupSink(options: BackupSinkOptions): Promise<BackupSink>;
  listS3BackupFiles(options: BackupSourceOptions): Promise<BackupFileList>;
  removeS3Artifacts(options: RemoveArtifactsOptions): Promise<string[]>;
}
