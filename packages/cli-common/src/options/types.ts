import type { SecretAgentConfig } from '../secret-agent/client.js';

/** A file-valued option: a path normally, the content itself when given as a secret. */
export type FileValue = { kind: 'path'; path: string } | { kind: 'content'; data: Buffer };

/** Where the encryption key comes from (`--encryption-key-file` / `--encryption-key-env`). */
export type EncryptionKeySource = { kind: 'file'; file: FileValue } | { kind: 'env'; name: string };

export type CompressMode = 'zstd';
export type EncryptMode = 'aes128' | 'aes256';
export type S3LogLevel = 'Off' | 'Fatal' | 'Error' | 'Warn' | 'Info' | 'Debug' | 'Trace';

export interface TlsOptions {
  enable: boolean;
  name?: string;
  cafile?: FileValue;
  capath?: string;
  protocols?: string;
  cipherSuite?: string;
  crlCheck: boolean;
  crlCheckAll: boolean;
  certBlacklist?: string;
  logSessionInfo: boolean;
  keyfile?: FileValue;
  /** Resolved key password (`env:`/`file:` read, prompt answered). */
  keyfilePassword?: string;
  certfile?: FileValue;
}

export interface ClusterOptions {
  /** Seed list text `h1[:tls][:port],…` (parse it with cluster-client). */
  host: string;
  port: number;
  servicesAlternate: boolean;
  user?: string;
  /** Resolved password (prompted for when needed). */
  password?: string;
  authMode: string;
  tls: TlsOptions;
}

export interface S3Options {
  region?: string;
  profile: string;
  endpointOverride?: string;
  maxAsyncDownloads: number;
  connectTimeoutMs: number;
  logLevel: S3LogLevel;
  allowSystemProxy: boolean;
}

/** A line the tool logs while parsing (deprecation warnings and the like). */
export interface ParseNotice {
  level: 'info' | 'error';
  message: string;
}

export interface CommonOptions {
  cluster: ClusterOptions;
  verbose: boolean;
  machine?: string;
  compress?: CompressMode;
  encrypt?: EncryptMode;
  encryptionKey?: EncryptionKeySource;
  socketTimeoutMs: number;
  totalTimeoutMs: number;
  maxRetries: number;
  s3: S3Options;
  /** Final agent settings (config files, then `--sa-*`). */
  secretAgent: SecretAgentConfig;
  notices: ParseNotice[];
}

export interface AsbackupOptions extends CommonOptions {
  tool: 'asbackup';
  namespace?: string;
  sets: string[];
  directory?: string;
  outputFile?: string;
  outputFilePrefix?: string;
  removeFiles: boolean;
  removeArtifacts: boolean;
  /** `--continue <state file>`. */
  continueFrom?: string;
  stateFileDst?: string;
  /** Bytes (from MiB). */
  fileLimit: number;
  recordsPerSecond: number;
  noBins: boolean;
  compact: boolean;
  /** 0 = the codec's default. */
  compressionLevel: number;
  binList?: string[];
  nodeList?: string;
  /** Effective parallelism: given, else 16 with `--node-list` (not with -e), else 1. */
  parallel: number;
  parallelGiven: boolean;
  partitionList?: string;
  afterDigest?: string;
  filterExp?: string;
  maxRecords: number;
  estimate: boolean;
  estimateSamples: number;
  /** Write bandwidth cap in bytes/s; 0 = none. */
  bandwidth: number;
  noRecords: boolean;
  noIndexes: boolean;
  noUdfs: boolean;
  /** Nanoseconds since the epoch; undefined = not given. */
  modifiedAfter?: bigint;
  modifiedBefore?: bigint;
  noTtlOnly: boolean;
  retryDelayMs: number;
  preferRacks?: string;
  /** Bytes; 0 = computed. */
  s3MinPartSize: number;
  s3MaxAsyncUploads: number;
}

export interface AsrestoreOptions extends CommonOptions {
  tool: 'asrestore';
  /** `-n A` (check) or `-n A,B` (remap), trimmed. */
  namespaceList?: string[];
  directory?: string;
  directoryList?: string[];
  parentDirectory?: string;
  inputFile?: string;
  parallel: number;
  binList?: string[];
  setList?: string[];
  unique: boolean;
  ignoreRecordError: boolean;
  replace: boolean;
  noGeneration: boolean;
  extraTtl: number;
  /** Read bandwidth cap in bytes/s; 0 = none. */
  bandwidth: number;
  /** Write transactions per second; 0 = none. */
  tps: number;
  noRecords: boolean;
  validate: boolean;
  noIndexes: boolean;
  indexesLast: boolean;
  noUdfs: boolean;
  wait: boolean;
  timeoutMs: number;
  /** Microseconds. */
  retryScaleFactorUs: number;
  disableBatchWrites: boolean;
  maxAsyncBatches: number;
  /** undefined = 128 with batch writes, 16 without (decided after connecting). */
  batchSize?: number;
  eventLoops: number;
}
