import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  type ConfigAssignment,
  loadConfigFiles,
  type SecretFetcher,
  SYSTEM_CONFIG_FILE,
  splitEmbeddedPort,
  USER_CONFIG_FILE,
} from '../config/astools.js';
import { EarlyExit, UsageError } from '../errors.js';
import { type PromptStreams, promptHidden } from '../prompt.js';
import {
  defaultSecretAgentConfig,
  isSecretRef,
  fetchSecret as realFetchSecret,
  type SecretAgentConfig,
  SecretAgentError,
  secretToString,
} from '../secret-agent/client.js';
import {
  BIN_NAME_MAX,
  INT32_MAX,
  INT32_MIN,
  INT64_MAX,
  NAMESPACE_MAX,
  parseBackupNice,
  parseBackupSetList,
  parseDateTime,
  parseIntInRange,
  parseRestoreNice,
  parseTrimmedList,
  SET_NAME_MAX,
  UINT32_MAX,
} from '../values.js';
import { getopt, HELP_HINT, type Occurrence } from './getopt.js';
import { formatHelp, formatVersion } from './help.js';
import { type OptionSpec, optionTable, type ToolName } from './table.js';
import type { AsbackupOptions, AsrestoreOptions, CommonOptions, FileValue, S3LogLevel } from './types.js';

export interface ParseContext {
  /** Environment (default `process.env`): HOME, encryption-key env vars, `env:` passwords. */
  env?: Record<string, string | undefined>;
  /** Default config files; default `/etc/aerospike/astools.conf` and `$HOME/.aerospike/astools.conf`. */
  defaultConfigFiles?: readonly string[];
  /** Password prompt (default: no-echo prompt on `stdin`/`stderr`). */
  prompt?: (question: string) => Promise<string>;
  /** Terminal for the default prompt (default: process.stdin / process.stderr). */
  stdin?: PromptStreams['stdin'];
  stderr?: PromptStreams['stderr'];
  /** Whether stdin is a terminal (default: `stdin.isTTY`); decides echo-less raw mode. */
  isTTY?: boolean;
  /** Secret fetcher (default: the real client). */
  fetchSecret?: SecretFetcher;
  /** "Now" for `HH:MM:SS` times. */
  now?: Date;
  /** Version printed by `--version`. */
  version?: string;
}

/** A value assigned to an option, from the command line or a config file. */
interface Assigned {
  spec: OptionSpec;
  /** Flag state for no-argument options. */
  flag?: boolean;
  /** Argument text (resolved secret text when `secret` is set). */
  text?: string;
  secret?: Buffer;
  /** Optional-argument option given without a value: prompt later. */
  bare?: boolean;
}

type Setter<O> = (o: O, a: Assigned, ctx: Required<Pick<ParseContext, 'env' | 'now'>>) => void;

const fail = (message: string, option: string, detailLines: string[] = []) =>
  new UsageError(message, { option, detailLines });

function intIn(a: Assigned, min: bigint, max: bigint, message: string): number {
  const v = parseIntInRange(a.text ?? '', min, max);
  if (v === undefined) throw fail(`${message} ${a.text}`, a.spec.name);
  return v;
}

function fileValue(a: Assigned): FileValue {
  if (a.secret) {
    const nul = a.secret.indexOf(0);
    return { kind: 'content', data: nul < 0 ? a.secret : a.secret.subarray(0, nul) };
  }
  return { kind: 'path', path: a.text ?? '' };
}

const S3_LEVELS: readonly S3LogLevel[] = ['Off', 'Fatal', 'Error', 'Warn', 'Info', 'Debug', 'Trace'];

const COMMON_SETTERS: Record<
  string,
  Setter<CommonOptions & { keySources: number; promptPassword: boolean; promptKeyPassword: boolean }>
> = {
  host: (o, a) => {
    o.cluster.host = a.text ?? '';
  },
  port: (o, a) => {
    o.cluster.port = intIn(a, 1n, 65535n, 'Invalid port value');
  },
  'services-alternate': (o, a) => {
    o.cluster.servicesAlternate = a.flag ?? true;
  },
  user: (o, a) => {
    o.cluster.user = a.text;
  },
  password: (o, a) => {
    o.promptPassword = a.bare === true;
    o.cluster.password = a.bare ? undefined : a.text;
  },
  auth: (o, a) => {
    o.cluster.authMode = a.text ?? '';
  },
  'tls-enable': (o, a) => {
    o.cluster.tls.enable = a.flag ?? true;
  },
  'tls-encrypt-only': () => {},
  'tls-name': (o, a) => {
    o.cluster.tls.name = a.text;
  },
  'tls-cafile': (o, a) => {
    o.cluster.tls.cafile = fileValue(a);
  },
  'tls-capath': (o, a) => {
    o.cluster.tls.capath = a.text;
  },
  'tls-protocols': (o, a) => {
    o.cluster.tls.protocols = a.text;
  },
  'tls-cipher-suite': (o, a) => {
    o.cluster.tls.cipherSuite = a.text;
  },
  'tls-crl-check': (o, a) => {
    o.cluster.tls.crlCheck = a.flag ?? true;
  },
  'tls-crl-check-all': (o, a) => {
    o.cluster.tls.crlCheckAll = a.flag ?? true;
  },
  'tls-cert-blacklist': (o, a) => {
    o.cluster.tls.certBlacklist = a.text;
    o.notices.push({
      level: 'info',
      message:
        'Warning: --tls-cert-blacklist is deprecated and will be removed in the next release. Use a crl instead',
    });
  },
  'tls-log-session-info': (o, a) => {
    o.cluster.tls.logSessionInfo = a.flag ?? true;
  },
  'tls-keyfile': (o, a) => {
    o.cluster.tls.keyfile = fileValue(a);
  },
  'tls-keyfile-password': (o, a) => {
    o.promptKeyPassword = a.bare === true;
    o.cluster.tls.keyfilePassword = a.bare ? undefined : a.text;
  },
  'tls-certfile': (o, a) => {
    o.cluster.tls.certfile = fileValue(a);
  },
  verbose: (o, a) => {
    o.verbose = a.flag ?? true;
  },
  machine: (o, a) => {
    o.machine = a.text;
  },
  compress: (o, a) => {
    if (a.text !== 'zstd') throw fail(`Invalid compression type "${a.text}"`, 'compress');
    o.compress = 'zstd';
  },
  encrypt: (o, a) => {
    if (a.text !== 'aes128' && a.text !== 'aes256')
      throw fail(`Invalid encryption type "${a.text}"`, 'encrypt');
    o.encrypt = a.text;
  },
  'encryption-key-file': (o, a) => {
    if (o.keySources++ > 0)
      throw fail('Cannot specify both encryption-key-file and encryption-key-env', a.spec.name);
    o.encryptionKey = { kind: 'file', file: fileValue(a) };
  },
  'encryption-key-env': (o, a) => {
    if (o.keySources++ > 0)
      throw fail('Cannot specify both encryption-key-file and encryption-key-env', a.spec.name);
    o.encryptionKey = { kind: 'env', name: a.text ?? '' };
  },
  'socket-timeout': (o, a) => {
    o.socketTimeoutMs = intIn(a, 0n, UINT32_MAX, 'Invalid socket timeout value');
  },
  'total-timeout': (o, a) => {
    o.totalTimeoutMs = intIn(a, 0n, UINT32_MAX, 'Invalid total timeout value');
  },
  'max-retries': (o, a) => {
    o.maxRetries = intIn(a, 0n, UINT32_MAX, 'Invalid max retries value');
  },
  's3-region': (o, a) => {
    o.s3.region = a.text;
  },
  's3-profile': (o, a) => {
    o.s3.profile = a.text ?? '';
  },
  's3-endpoint-override': (o, a) => {
    o.s3.endpointOverride = a.text;
  },
  's3-max-async-downloads': (o, a) => {
    o.s3.maxAsyncDownloads = intIn(a, 1n, UINT32_MAX, 'Invalid S3 max async downloads value');
  },
  's3-connect-timeout': (o, a) => {
    o.s3.connectTimeoutMs = intIn(a, 0n, UINT32_MAX, 'Invalid S3 connect timeout value');
  },
  's3-log-level': (o, a) => {
    const level = S3_LEVELS.find((l) => l.toLowerCase() === (a.text ?? '').toLowerCase());
    if (!level) throw fail(`Invalid S3 log level "${a.text}"`, 's3-log-level');
    o.s3.logLevel = level;
  },
  's3-allow-system-proxy': (o, a) => {
    o.s3.allowSystemProxy = a.flag ?? true;
  },
};

type BackupState = AsbackupOptions & {
  keySources: number;
  promptPassword: boolean;
  promptKeyPassword: boolean;
};
type RestoreState = AsrestoreOptions & {
  keySources: number;
  promptPassword: boolean;
  promptKeyPassword: boolean;
  niceText?: string;
  nsText?: string;
  binText?: string;
  setText?: string;
};

const BACKUP_SETTERS: Record<string, Setter<BackupState>> = {
  namespace: (o, a) => {
    o.namespace = a.text;
  },
  set: (o, a) => {
    o.sets = parseBackupSetList(a.text ?? '');
  },
  directory: (o, a) => {
    o.directory = a.text;
  },
  'output-file': (o, a) => {
    o.outputFile = a.text;
  },
  'output-file-prefix': (o, a) => {
    o.outputFilePrefix = a.text;
  },
  'remove-files': (o, a) => {
    o.removeFiles = a.flag ?? true;
  },
  'remove-artifacts': (o, a) => {
    o.removeArtifacts = a.flag ?? true;
  },
  continue: (o, a) => {
    o.continueFrom = a.text;
  },
  'state-file-dst': (o, a) => {
    o.stateFileDst = a.text;
  },
  'file-limit': (o, a) => {
    o.fileLimit = intIn(a, 1n, INT64_MAX / 1048576n, 'Invalid file limit value') * 1048576;
  },
  'records-per-second': (o, a) => {
    o.recordsPerSecond = intIn(a, 0n, UINT32_MAX, 'Invalid records-per-second value');
  },
  'no-bins': (o, a) => {
    o.noBins = a.flag ?? true;
  },
  compact: (o, a) => {
    o.compact = a.flag ?? true;
  },
  'compression-level': (o, a) => {
    o.compressionLevel = intIn(a, INT32_MIN, INT32_MAX, 'Invalid compression-level value');
  },
  'bin-list': (o, a) => {
    o.binList = parseTrimmedList('bin', BIN_NAME_MAX, a.text ?? '', 'bin-list');
  },
  'node-list': (o, a) => {
    o.nodeList = a.text;
  },
  parallel: (o, a) => {
    o.parallel = intIn(a, 1n, 100n, 'Invalid parallelism value');
    o.parallelGiven = true;
  },
  'partition-list': (o, a) => {
    o.partitionList = a.text;
  },
  'after-digest': (o, a) => {
    o.afterDigest = a.text;
  },
  'filter-exp': (o, a) => {
    o.filterExp = a.text;
  },
  'max-records': (o, a) => {
    o.maxRecords = intIn(a, 0n, BigInt(Number.MAX_SAFE_INTEGER), 'Invalid max-records value');
  },
  estimate: (o, a) => {
    o.estimate = a.flag ?? true;
  },
  'estimate-samples': (o, a) => {
    o.estimateSamples = intIn(a, 1n, UINT32_MAX, 'Invalid estimate-samples value');
  },
  nice: (o, a) => {
    o.bandwidth = parseBackupNice(a.text ?? '');
  },
  'no-records': (o, a) => {
    o.noRecords = a.flag ?? true;
  },
  'no-indexes': (o, a) => {
    o.noIndexes = a.flag ?? true;
  },
  'no-udfs': (o, a) => {
    o.noUdfs = a.flag ?? true;
  },
  'modified-after': (o, a, c) => {
    o.modifiedAfter = parseDateTime(a.text ?? '', c.now);
  },
  'modified-before': (o, a, c) => {
    o.modifiedBefore = parseDateTime(a.text ?? '', c.now);
  },
  'no-ttl-only': (o, a) => {
    o.noTtlOnly = a.flag ?? true;
  },
  'retry-delay': (o, a) => {
    o.retryDelayMs = intIn(a, 0n, UINT32_MAX, 'Invalid retry delay value');
  },
  'prefer-racks': (o, a) => {
    o.preferRacks = a.text;
  },
  's3-min-part-size': (o, a) => {
    o.s3MinPartSize = intIn(a, 1n, INT64_MAX / 1048576n, 'Invalid S3 min part size value') * 1048576;
  },
  's3-max-async-uploads': (o, a) => {
    o.s3MaxAsyncUploads = intIn(a, 1n, UINT32_MAX, 'Invalid S3 max async uploads value');
  },
};

const RESTORE_SETTERS: Record<string, Setter<RestoreState>> = {
  namespace: (o, a) => {
    o.nsText = a.text;
  },
  directory: (o, a) => {
    o.directory = a.text;
  },
  'directory-list': (o, a) => {
    o.directoryList = (a.text ?? '').split(',');
  },
  'parent-directory': (o, a) => {
    o.parentDirectory = a.text;
  },
  'input-file': (o, a) => {
    o.inputFile = a.text;
  },
  parallel: (o, a) => {
    o.parallel = intIn(a, 1n, 4096n, 'Invalid threads value');
  },
  threads: (o, a) => {
    o.notices.push({
      level: 'error',
      message: "WARNING: '--threads' option is deprecated, use `--parallel` instead",
    });
    o.parallel = intIn(a, 1n, 4096n, 'Invalid threads value');
  },
  'bin-list': (o, a) => {
    o.binText = a.text;
  },
  'set-list': (o, a) => {
    o.setText = a.text;
  },
  unique: (o, a) => {
    o.unique = a.flag ?? true;
  },
  'ignore-record-error': (o, a) => {
    o.ignoreRecordError = a.flag ?? true;
  },
  replace: (o, a) => {
    o.replace = a.flag ?? true;
  },
  'no-generation': (o, a) => {
    o.noGeneration = a.flag ?? true;
  },
  'extra-ttl': (o, a) => {
    o.extraTtl = intIn(a, 0n, INT32_MAX, 'Invalid extra-ttl value');
  },
  nice: (o, a) => {
    o.niceText = a.text;
  },
  bandwidth: (o, a) => {
    o.bandwidth =
      intIn(a, 1n, BigInt(Number.MAX_SAFE_INTEGER) / 1048576n, 'Invalid bandwidth value') * 1048576;
  },
  tps: (o, a) => {
    o.tps = intIn(a, 0n, UINT32_MAX, 'Invalid TPS value');
  },
  'no-records': (o, a) => {
    o.noRecords = a.flag ?? true;
  },
  validate: (o, a) => {
    o.validate = a.flag ?? true;
  },
  'no-indexes': (o, a) => {
    o.noIndexes = a.flag ?? true;
  },
  'indexes-last': (o, a) => {
    o.indexesLast = a.flag ?? true;
  },
  'no-udfs': (o, a) => {
    o.noUdfs = a.flag ?? true;
  },
  wait: (o, a) => {
    o.wait = a.flag ?? true;
  },
  timeout: (o, a) => {
    o.timeoutMs = intIn(a, 0n, UINT32_MAX, 'Invalid timeout value');
  },
  'max-retries': (o, a) => {
    o.maxRetries = intIn(a, 0n, INT64_MAX, 'Invalid max retries value');
  },
  'retry-scale-factor': (o, a) => {
    o.retryScaleFactorUs = intIn(a, 0n, INT64_MAX, 'Invalid retry delay value');
  },
  'retry-delay': (o) => {
    o.notices.push({
      level: 'error',
      message:
        'Warning: `--sleep-between-retries` and `--retry-delay` are deprecated and has no effect, use `--retry-scale-factor` to configure the amount to back off when retrying transactions.',
    });
  },
  'disable-batch-writes': (o, a) => {
    o.disableBatchWrites = a.flag ?? true;
  },
  'max-async-batches': (o, a) => {
    o.maxAsyncBatches = intIn(a, 0n, UINT32_MAX, 'Invalid max-async-batches value');
  },
  'batch-size': (o, a) => {
    o.batchSize = intIn(a, 0n, UINT32_MAX, 'Invalid batch-size value');
  },
  'event-loops': (o, a) => {
    o.eventLoops = intIn(a, 0n, UINT32_MAX, 'Invalid event-loops value');
  },
};

function commonDefaults(): CommonOptions & {
  keySources: number;
  promptPassword: boolean;
  promptKeyPassword: boolean;
} {
  return {
    cluster: {
      host: '127.0.0.1',
      port: 3000,
      servicesAlternate: false,
      authMode: 'INTERNAL',
      tls: { enable: false, crlCheck: false, crlCheckAll: false, logSessionInfo: false },
    },
    verbose: false,
    socketTimeoutMs: 10_000,
    totalTimeoutMs: 0,
    maxRetries: 5,
    s3: {
      profile: 'default',
      maxAsyncDownloads: 32,
      connectTimeoutMs: 1000,
      logLevel: 'Fatal',
      allowSystemProxy: false,
    },
    secretAgent: defaultSecretAgentConfig(),
    notices: [],
    keySources: 0,
    promptPassword: false,
    promptKeyPassword: false,
  };
}

/** Parses asbackup's argv (without node and script) into validated options. */
/**
 * asrestore's C option string has `-z` compress and `-y` encrypt (as asbackup), but its docs
 * swap them. The two take disjoint values, so the documented spelling is routed by its value:
 * `-y zstd` compresses and `-z aes128|aes256` encrypts, and both spellings work.
 */
function routeRestoreCryptoFlags(occurrences: Occurrence[], table: readonly OptionSpec[]): void {
  const byName = (name: string) => table.find((s) => s.name === name)!;
  for (const occ of occurrences) {
    if (occ.spelled === '-y' && occ.value === 'zstd') occ.spec = byName('compress');
    else if (occ.spelled === '-z' && (occ.value === 'aes128' || occ.value === 'aes256'))
      occ.spec = byName('encrypt');
  }
}

export async function parseAsbackupArgs(
  argv: readonly string[],
  ctx: ParseContext = {},
): Promise<AsbackupOptions> {
  const state: BackupState = {
    ...commonDefaults(),
    tool: 'asbackup',
    sets: [],
    removeFiles: false,
    removeArtifacts: false,
    fileLimit: 250 * 1048576,
    recordsPerSecond: 0,
    noBins: false,
    compact: false,
    compressionLevel: 0,
    parallel: 1,
    parallelGiven: false,
    maxRecords: 0,
    estimate: false,
    estimateSamples: 10_000,
    bandwidth: 0,
    noRecords: false,
    noIndexes: false,
    noUdfs: false,
    noTtlOnly: false,
    retryDelayMs: 0,
    s3MinPartSize: 0,
    s3MaxAsyncUploads: 16,
  };
  await parseInto('asbackup', argv, ctx, state, BACKUP_SETTERS);
  validateBackup(state);
  if (!state.parallelGiven && state.nodeList !== undefined && !state.estimate) state.parallel = 16;
  return finish(state, ctx);
}

/** Parses asrestore's argv (without node and script) into validated options. */
export async function parseAsrestoreArgs(
  argv: readonly string[],
  ctx: ParseContext = {},
): Promise<AsrestoreOptions> {
  const state: RestoreState = {
    ...commonDefaults(),
    tool: 'asrestore',
    parallel: 20,
    unique: false,
    ignoreRecordError: false,
    replace: false,
    noGeneration: false,
    extraTtl: 0,
    bandwidth: 0,
    tps: 0,
    noRecords: false,
    validate: false,
    noIndexes: false,
    indexesLast: false,
    noUdfs: false,
    wait: false,
    timeoutMs: 10_000,
    retryScaleFactorUs: 150_000,
    disableBatchWrites: false,
    maxAsyncBatches: 32,
    eventLoops: 1,
  };
  await parseInto('asrestore', argv, ctx, state, RESTORE_SETTERS);
  validateRestore(state);
  const { niceText, nsText, binText, setText, ...rest } = state;
  return finish(rest as RestoreState, ctx);
}

async function finish<
  O extends CommonOptions & { keySources: number; promptPassword: boolean; promptKeyPassword: boolean },
>(state: O, ctx: ParseContext): Promise<Omit<O, 'keySources' | 'promptPassword' | 'promptKeyPassword'>> {
  const env = ctx.env ?? process.env;
  const prompt =
    ctx.prompt ??
    ((q: string) => promptHidden(q, { stdin: ctx.stdin, stderr: ctx.stderr, isTTY: ctx.isTTY }));
  const tls = state.cluster.tls;
  // The official tools prompt when a user is set without a password (or -P has no value).
  if (state.cluster.user !== undefined && state.cluster.password === undefined) {
    state.cluster.password = await prompt('Enter Password: ');
  }
  if (state.promptKeyPassword && tls.keyfile) {
    tls.keyfilePassword = await prompt('Enter TLS-Keyfile Password: ');
  } else if (tls.keyfilePassword !== undefined && tls.keyfile?.kind === 'path') {
    tls.keyfilePassword = readTlsKeyPassword(tls.keyfilePassword, env);
  }
  const { keySources, promptPassword, promptKeyPassword, ...options } = state;
  return options;
}

/** `env:VAR`, `file:PATH` (first line) or the literal text, as for `--tls-keyfile-password`. */
export function readTlsKeyPassword(value: string, env: Record<string, string | undefined>): string {
  const option = 'tls-keyfile-password';
  if (value.startsWith('env:')) {
    const name = value.slice(4);
    const v = env[name];
    if (v === undefined) throw fail(`missing TLS key password environment variable ${name}`, option);
    if (v === '') throw fail(`empty TLS key password environment variable ${name}`, option);
    return v;
  }
  if (value.startsWith('file:')) {
    const path = value.slice(5);
    let text: string;
    try {
      text = readFileSync(path, 'utf8');
    } catch {
      throw fail(`missing TLS key password file ${path}`, option);
    }
    const first = text.split(/[\r\n]/, 1)[0];
    if (first === '') throw fail(`empty TLS key password file ${path}`, option);
    return first;
  }
  return value;
}

async function parseInto<O extends CommonOptions>(
  tool: ToolName,
  argv: readonly string[],
  ctx: ParseContext,
  state: O,
  toolSetters: Record<string, Setter<O>>,
): Promise<void> {
  const table = optionTable(tool);
  const env = ctx.env ?? process.env;
  const now = ctx.now ?? new Date();
  const fetch = ctx.fetchSecret ?? realFetchSecret;
  const { occurrences, positionals } = getopt(argv, table, tool);
  if (tool === 'asrestore') routeRestoreCryptoFlags(occurrences, table);

  // Pass 1: help and version win over everything.
  for (const occ of occurrences) {
    if (occ.spec.name === 'version') throw new EarlyExit(formatVersion(tool, ctx.version));
    if (occ.spec.name === 'help') throw new EarlyExit(formatHelp(tool));
  }

  // Pass 2: configuration files.
  let configFile: string | undefined;
  let onlyConfig = false;
  let readConfig = true;
  let instance: string | undefined;
  for (const occ of occurrences) {
    switch (occ.spec.name) {
      case 'config-file':
        configFile = occ.value;
        break;
      case 'only-config-file':
        configFile = occ.value;
        onlyConfig = true;
        break;
      case 'no-config-file':
        readConfig = false;
        break;
      case 'instance':
        instance = occ.value;
        break;
    }
  }
  const agent: SecretAgentConfig = defaultSecretAgentConfig();
  let assignments: ConfigAssignment[] = [];
  if (!readConfig) {
    if (onlyConfig) {
      throw new UsageError(
        '--no-config-file and only-config-file are mutually exclusive option. Please enable only one.',
        {
          option: 'no-config-file',
        },
      );
    }
  } else {
    const home = env.HOME ?? '';
    const defaults = ctx.defaultConfigFiles ?? [SYSTEM_CONFIG_FILE, join(home, USER_CONFIG_FILE)];
    const files = onlyConfig ? [configFile as string] : [...defaults, ...(configFile ? [configFile] : [])];
    assignments = await loadConfigFiles(files, { tool, instance, agent, fetchSecret: fetch });
  }

  const setterFor = (spec: OptionSpec): Setter<O> | undefined =>
    toolSetters[spec.name] ?? (COMMON_SETTERS as unknown as Record<string, Setter<O>>)[spec.name];
  const setCtx = { env, now };

  for (const a of assignments) {
    const name = a.spec?.name ?? a.key;
    const setter = a.spec ? setterFor(a.spec) : toolSetters[a.key];
    if (!setter) throw new Error(`internal: no setter for ${name}`);
    const assigned: Assigned = {
      spec: a.spec ?? { name: a.key, arg: 'required', group: 'tool', toml: 'int', help: '' },
      ...(typeof a.value === 'boolean' ? { flag: a.value } : { text: a.value }),
      secret: a.secret,
    };
    try {
      setter(state, assigned, setCtx);
    } catch (e) {
      if (!(e instanceof UsageError)) throw e;
      throw new UsageError(
        `Parse error \`Invalid parameter value for \`${a.key}\` in \`${a.section}\` section\` in file [${a.level}:${a.file}]`,
        {
          file: a.file,
          line: a.line,
          option: name,
          raw: true,
          // The inner message quotes the value: leave it out when the value is a secret.
          detailLines: a.secret ? [] : [...e.detailLines, e.message],
          code: 'CONFIG',
        },
      );
    }
  }

  // Pass 3: --sa-* on the command line (they only affect command-line secrets).
  let cliPort = false;
  for (const occ of occurrences) {
    switch (occ.spec.name) {
      case 'sa-address':
        agent.address = occ.value ?? '';
        break;
      case 'sa-port':
        agent.port = occ.value;
        cliPort = true;
        break;
      case 'sa-timeout': {
        const v = parseIntInRange(occ.value ?? '', 0n, INT32_MAX);
        if (v === undefined) throw fail(`Invalid secret agent timeout value ${occ.value}`, 'sa-timeout');
        agent.timeoutMs = v;
        break;
      }
      case 'sa-cafile':
        try {
          agent.caPem = readFileSync(occ.value ?? '');
        } catch {
          throw fail(`Invalid secret agent cafile ${occ.value}`, 'sa-cafile');
        }
        break;
    }
  }
  const split = splitEmbeddedPort(agent.address);
  if (split && !cliPort) {
    agent.address = split.host;
    agent.port = split.port;
  }
  state.secretAgent = agent;

  // Pass 4: command-line values in argv order, secrets resolved with the final agent settings.
  for (const occ of occurrences) {
    if (occ.spec.group === 'config-file' || occ.spec.group === 'secret-agent' || occ.spec.group === 'general')
      continue;
    const setter = setterFor(occ.spec);
    if (!setter) throw new Error(`internal: no setter for ${occ.spec.name}`);
    const assigned = await resolveOccurrence(occ, agent, fetch);
    try {
      setter(state, assigned, setCtx);
    } catch (e) {
      // The official tools would print the fetched value here; name the reference instead.
      if (e instanceof UsageError && assigned.secret && occ.value)
        throw redact(e, assigned.text ?? '', occ.value);
      throw e;
    }
  }
  if (positionals.length > 0) {
    throw new UsageError(`Unexpected trailing argument ${positionals[0]}`, { hint: HELP_HINT });
  }
}

/** The same error with the last occurrence of `secretText` in each line replaced by `ref`. */
function redact(e: UsageError, secretText: string, ref: string): UsageError {
  const hide = (line: string) => {
    const i = secretText === '' ? -1 : line.lastIndexOf(secretText);
    return i < 0 ? line : line.slice(0, i) + ref + line.slice(i + secretText.length);
  };
  return new UsageError(hide(e.message), {
    option: e.option,
    code: e.code,
    detailLines: e.detailLines.map(hide),
    raw: e.raw,
    hint: e.hint,
  });
}

async function resolveOccurrence(
  occ: Occurrence,
  agent: SecretAgentConfig,
  fetch: SecretFetcher,
): Promise<Assigned> {
  if (occ.spec.arg === 'none') return { spec: occ.spec, flag: true };
  if (occ.value === undefined) return { spec: occ.spec, bare: true };
  if (occ.spec.noSecret || !isSecretRef(occ.value)) return { spec: occ.spec, text: occ.value };
  let secret: Buffer;
  try {
    secret = await fetch(agent, occ.value);
  } catch (e) {
    if (!(e instanceof SecretAgentError)) throw e;
    throw new UsageError(e.message, {
      option: occ.spec.name,
      detailLines: e.details.map((d) => `secret-agent: ${d}`),
      code: 'SECRET_AGENT',
    });
  }
  return { spec: occ.spec, text: secretToString(secret), secret };
}

function validateBackup(o: BackupState): void {
  const v = (message: string) => new UsageError(message, { code: 'VALIDATION' });
  if ((o.namespace === undefined || o.namespace === '') && !o.removeArtifacts)
    throw v('Please specify a namespace (-n option)');
  if (o.sets.length > 1 && o.filterExp !== undefined)
    throw v('Multi-set backup and filter-exp are mutually exclusive');
  if (
    o.filterExp !== undefined &&
    ((o.modifiedAfter ?? 0n) > 0n || (o.modifiedBefore ?? 0n) > 0n || o.noTtlOnly)
  ) {
    throw v('--filter-exp is mutually exclusive with --modified-after, --modified-before, and --no-ttl-only');
  }
  if (o.compress === undefined && o.compressionLevel !== 0)
    throw v('Cannot set compression level without compression enabled');
  if ((o.encryptionKey !== undefined) !== (o.encrypt !== undefined)) {
    throw v('Must specify both encryption mode and a private key file/environment variable');
  }
  const outputs = [o.directory !== undefined, o.outputFile !== undefined, o.estimate].filter(Boolean).length;
  if (outputs > 1)
    throw v('Invalid options: --directory, --output-file, and --estimate are mutually exclusive.');
  if (outputs === 0)
    throw v('Please specify a directory (-d), an output file (-o), or make an estimate (-e).');
  if (o.estimate && o.noRecords) throw v('Invalid options: -e and -R are mutually exclusive.');
  if (o.estimate && o.parallelGiven) throw v("Estimate cannot be parallelized, don't set --parallel.");
  if (o.partitionList !== undefined && o.afterDigest !== undefined)
    throw v('after-digest and partition-list arguments are mutually exclusive');
  if (o.nodeList !== undefined && (o.partitionList !== undefined || o.afterDigest !== undefined)) {
    throw v('node-list is mutually exclusive with after-digest and partition-list');
  }
  if (o.continueFrom !== undefined && o.estimate)
    throw v('--continue and --estimate arguments are mutually exclusive');
  if (o.continueFrom !== undefined && o.removeFiles)
    throw v('--continue and --remove-files arguments are mutually exclusive');
  if (o.continueFrom !== undefined && o.removeArtifacts)
    throw v('--continue and --remove-artifacts arguments are mutually exclusive');
  if (o.estimate && o.removeArtifacts)
    throw v('--estimate and --remove-artifacts arguments are mutually exclusive');
  if (o.s3MinPartSize !== 0 && (o.s3MinPartSize < 5 * 1048576 || o.s3MinPartSize > 5120 * 1048576)) {
    throw v('S3 minimum part size must be between 5 MB and 5 GB (5120 MB)');
  }
  if (o.estimate) {
    if (
      o.filterExp !== undefined ||
      o.nodeList !== undefined ||
      o.modifiedAfter !== undefined ||
      o.modifiedBefore !== undefined ||
      o.noTtlOnly ||
      o.afterDigest !== undefined ||
      o.partitionList !== undefined
    ) {
      o.notices.push({
        level: 'info',
        message:
          'Warning: using estimate with any of the following will ignore their effects when calculating estimated time/storage: filter-exp, node-list, modified-after, modified-before, no-ttl-only, after-digest, partition-list',
      });
    }
    if (o.maxRecords > 0) {
      o.notices.push({
        level: 'info',
        message:
          'Warning: max-records is ignored with --estimate, use --estimate-samples to limit the number of backup samples taken (default is 10,000)',
      });
    }
  }
}

function validateRestore(o: RestoreState): void {
  const v = (message: string, detailLines: string[] = []) =>
    new UsageError(message, { code: 'VALIDATION', detailLines });
  if (o.directory === undefined && o.inputFile === undefined && o.directoryList === undefined) {
    throw v(
      'Invalid options: please specify a directory (-d option), directory list (--directory-list option), or an input file (-i option).',
    );
  }
  if (o.parentDirectory !== undefined && o.directoryList === undefined) {
    throw v(
      'Invalid options: --parent-directory should always be used with, and only applies to --directory-list.',
    );
  }
  if (o.directory !== undefined && o.inputFile !== undefined)
    throw v('Invalid options: --directory and --input-file are mutually exclusive.');
  if (o.unique && (o.replace || o.noGeneration)) {
    throw v('Invalid options: --unique is mutually exclusive with --replace and --no-generation.');
  }
  if (o.directory !== undefined && o.directoryList !== undefined)
    throw v('Invalid options: --directory and --directory-list are mutually exclusive.');
  if (o.inputFile !== undefined && o.directoryList !== undefined)
    throw v('Invalid options: --input-file and --directory-list are mutually exclusive.');
  if ((o.encryptionKey !== undefined) !== (o.encrypt !== undefined)) {
    throw v('Must specify both encryption mode and a private key file/environment variable');
  }
  if (o.niceText !== undefined) {
    const nice = parseRestoreNice(o.niceText);
    o.bandwidth = nice.bandwidth;
    o.tps = nice.tps;
  }
  if (o.nsText !== undefined) {
    o.namespaceList = parseTrimmedList('namespace', NAMESPACE_MAX, o.nsText, 'namespace');
    if (o.namespaceList.length > 2) throw v('Invalid namespace option');
  }
  if (o.binText !== undefined) o.binList = parseTrimmedList('bin', BIN_NAME_MAX, o.binText, 'bin-list');
  if (o.setText !== undefined) o.setList = parseTrimmedList('set', SET_NAME_MAX, o.setText, 'set-list');
  if (o.parentDirectory !== undefined && o.directoryList) {
    const parent = o.parentDirectory;
    // Plain concatenation like the C tool (path.join would mangle s3:// URLs).
    const sep = parent.endsWith('/') ? '' : '/';
    o.directoryList = o.directoryList.map((d) => `${parent}${sep}${d}`);
  }
}
