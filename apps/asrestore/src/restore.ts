// The restore run: check every input file, restore UDFs and indexes, stream the records into
// batch writes with the official write policies, and report the official counters.
//
// No partial damage: unless reading stdin, every file is parsed completely (a checking pass
// that builds no records) before the first write, so a corrupt file stops the restore with its
// file, line and column and nothing of it — or of any other file — is written. Stdin cannot be
// read twice; there a record is sent only once it parsed completely, and the run stops at the
// first bad entity (records before it may already be written, as with the official tool).

import type { Readable } from 'node:stream';
import { setTimeout as sleepMs } from 'node:timers/promises';
import {
  type AsbDecodeOptions,
  type AsbEntry,
  AsbParseError,
  decodeAsbBatches,
  type SecondaryIndex,
  type UdfModule,
} from '@asbkit/asb-format';
import { type AsrestoreOptions, type Logger, MachineWriter, ProgressBar } from '@asbkit/cli-common';
import {
  BatchWriter,
  type Cluster,
  type EncodedRows,
  ensureSindex,
  groupFailureSize,
  nodeWriteTransport,
  putUdf,
  resultCodeName,
  rowIdentity,
  type WriteRecord,
  waitForSindexBuild,
  waitForUdfs,
} from '@asbkit/cluster-client';
import type { EncryptionKey } from '@asbkit/crypto-stream';
import { type BackupFileEntry, type BackupFileList, isS3Url } from '@asbkit/storage';
import {
  classifyCallResult,
  classifyRecordResult,
  fatalCallMessage,
  RestoreCounters,
  RestoreThrottle,
  RestoreWritePolicy,
  RetrySchedule,
} from '@asbkit/write-policy';
import { connectCluster } from './cluster.js';
import { describeError, RestoreError } from './errors.js';
import { inputDescription, isStdinInput, listInputs, loadKey, openInput } from './inputs.js';
import { forEachLimited } from './pool.js';
import { ProgressReporter } from './progress.js';
import { type RowEncoderConfig, type RowSource, RowSourcePool } from './rows.js';
import { type FileScan, scanFile, scanFileSplit } from './scan.js';

export interface RestoreContext {
  options: AsrestoreOptions;
  logger: Logger;
  stderr: { write(s: string): unknown; isTTY?: boolean };
  env: Record<string, string | undefined>;
  stdin?: Readable;
  signal?: AbortSignal;
  /** Wall clock in ms since the Unix epoch (TTL computation). */
  nowMs: () => number;
  /** Pauses of the metadata polls (index re-checks, --wait); injectable for tests. */
  sleep?: (ms: number) => Promise<void>;
}

/** Thrown after the failure has been logged. */
export class Reported extends Error {
  constructor() {
    super('reported');
  }
}

function decodeOptions(o: AsrestoreOptions, fileName: string): AsbDecodeOptions {
  const ns = o.namespaceList;
  return {
    fileName,
    nsRemap: ns && ns.length > 0 ? { from: ns[0] as string, to: ns[1] } : undefined,
    binList: o.binList,
  };
}

function recordWhere(record: Pick<WriteRecord, 'digest' | 'set'>): string {
  return `digest ${record.digest.toString('base64')}${record.set ? `, set ${record.set}` : ''}`;
}

/** Logs a parse error the official way (message, then the file and line). */
function logParseError(logger: Logger, err: unknown, path: string): void {
  logger.error(describeError(err));
  if (err instanceof AsbParseError)
    logger.error(`Error while parsing backup file ${path} (line ${err.line})`);
}

/** `--validate`: parse everything, connect to nothing. */
export async function runValidate(ctx: RestoreContext): Promise<number> {
  const { options: o, logger } = ctx;
  const input = inputDescription(o);
  logger.info(`Starting validation of ${input}`);
  const key = await loadKey(o, ctx.env);
  const list = await listInputs(o, ctx.stdin);
  if (list.kind === 'directory') logger.info(`Found ${list.files.length} backup file(s) in ${input}`);
  logger.info('Validating backup files');
  const counters = new RestoreCounters();
  const progress = new ProgressReporter({ counters, logger, totalBytes: list.totalBytes });
  progress.start();
  let ok = true;
  try {
    // One file at a time so the first bad file (in listing order) is the one reported.
    for (const file of list.files) {
      if (ctx.signal?.aborted) throw new RestoreError('INTERRUPTED', '### Validation interrupted ###');
      logger.info(`Validating ${file.path}`);
      const opened = await openInput(file, o, key);
      if (file.path !== '-') logger.info(`Opened backup file ${file.path}`);
      let raw = 0;
      try {
        const scan = await scanFile(opened.stream, { fileName: file.path }, () => {
          counters.bytesRead += opened.counter.bytes - raw;
          raw = opened.counter.bytes;
        });
        counters.recordsRead += scan.records;
        counters.indexes += scan.indexes.length;
        counters.udfs += scan.udfs.length;
        counters.bytesRead += opened.counter.bytes - raw;
      } catch (err) {
        logParseError(logger, err, file.path);
        ok = false;
        break;
      } finally {
        opened.stream.destroy();
      }
    }
  } finally {
    progress.finish();
  }
  if (!ok) return 1;
  logger.info('Finished validating backup file(s)');
  logger.info(
    `Validated ${list.files.length} backup file(s): ${counters.recordsRead} record(s), ${counters.indexes} secondary index(es), ` +
      `${counters.udfs} UDF file(s), ${counters.bytesRead} byte(s)`,
  );
  return 0;
}

/** Everything one restore run shares. */
class RestoreRun {
  readonly counters = new RestoreCounters();
  readonly policy: RestoreWritePolicy;
  readonly throttle: RestoreThrottle | undefined;
  readonly setList: Set<string> | undefined;
  error: unknown;
  skippedIndexes = 0;
  matchedIndexes = 0;
  mismatchedIndexes = 0;
  /** Indexes to create after the records (-L, or met on stdin with -L). */
  readonly lateIndexes: SecondaryIndex[] = [];
  /** Created or matched indexes, for --wait. */
  readonly restoredIndexes: SecondaryIndex[] = [];
  readonly udfNames: string[] = [];
  writer!: BatchWriter;
  progress!: ProgressReporter;
  /** Row encoders (worker threads) of the record path; see rows.ts. */
  rowSources: RowSourcePool | undefined;
  /** Whether files go through the row path (batch writes, no -N limits); set before the records. */
  useRows = false;

  constructor(
    readonly ctx: RestoreContext,
    readonly cluster: Cluster,
    readonly key: EncryptionKey | undefined,
  ) {
    const o = ctx.options;
    this.policy = new RestoreWritePolicy({
      unique: o.unique,
      replace: o.replace,
      noGeneration: o.noGeneration,
      extraTtl: o.extraTtl,
    });
    // The official limiter only runs when both -N values are set.
    this.throttle =
      o.bandwidth > 0 && o.tps > 0 ? new RestoreThrottle(o.bandwidth / 1048576, o.tps) : undefined;
    this.setList = o.setList ? new Set(o.setList) : undefined;
  }

  get options(): AsrestoreOptions {
    return this.ctx.options;
  }
  get logger(): Logger {
    return this.ctx.logger;
  }
  get failed(): boolean {
    return this.error !== undefined;
  }

  private stopNow!: () => void;
  /** Settles when the run fails or is interrupted (to cut throttle waits short). */
  readonly stopped = new Promise<void>((resolve) => {
    this.stopNow = resolve;
  });

  fail(err: unknown): void {
    this.error ??= err;
    this.stopNow();
  }

  /** Waits for `p`, or less if the run stops meanwhile. */
  untilStopped(p: Promise<void>): Promise<void> {
    return Promise.race([p, this.stopped]);
  }

  private sleep(ms: number): Promise<void> {
    return this.ctx.sleep ? this.ctx.sleep(ms) : sleepMs(ms);
  }

  private get build(): string {
    return this.cluster.nodes[0]?.build ?? '8.0.0.0';
  }

  createWriter(): BatchWriter {
    const o = this.options;
    const timeoutMs = o.totalTimeoutMs > 0 ? o.totalTimeoutMs : o.timeoutMs;
    const socketTimeoutMs = o.socketTimeoutMs > 0 ? o.socketTimeoutMs : o.totalTimeoutMs;
    const cluster = this.cluster;
    const transport = nodeWriteTransport({
      masterNode: (namespace, partitionId) => cluster.masterNode(namespace, partitionId),
      info: (command) => cluster.info(command),
      socketTimeoutMs,
    });
    this.writer = new BatchWriter(transport, {
      batchSize: o.batchSize,
      maxAsyncBatches: o.maxAsyncBatches,
      mode: o.disableBatchWrites ? 'single' : 'auto',
      timeoutMs,
      onResult: (record, code) => this.onRecordResult(code, record),
      onRowResult: (rows, i, code) => this.onRecordResult(code, undefined, rows, i),
      reuseRequestBuffers: true,
      onGroupError: async (f) => {
        if (this.failed) return 'drop';
        const kind = this.writer.usesBatchWrites === false ? 'key-put' : 'batch-write';
        if (
          f.error === undefined &&
          f.resultCode !== undefined &&
          classifyCallResult(f.resultCode) !== 'retry'
        ) {
          throw new RestoreError('WRITE', fatalCallMessage(f.resultCode, resultCodeName(f.resultCode)));
        }
        const schedule = new RetrySchedule(o.retryScaleFactorUs, o.maxRetries);
        schedule.attempts = f.attempt - 1;
        const delayUs = schedule.nextDelayMicros();
        const why = f.error ? f.error.message : `code ${f.resultCode} (${resultCodeName(f.resultCode ?? 0)})`;
        if (delayUs === undefined) {
          throw new RestoreError('WRITE', `Max ${kind} retries exceeded (${o.maxRetries}): ${why}`);
        }
        this.counters.retries++;
        this.logger.verbose(`Retrying ${groupFailureSize(f)} record(s) in ${delayUs / 1000} ms after ${why}`);
        if (delayUs > 0) await this.sleep(delayUs / 1000);
        return this.failed ? 'drop' : 'retry';
      },
    });
    return this.writer;
  }

  /**
   * Counts one record's answer (a record, or row `i` of pre-encoded `rows`); returns true to have
   * it re-sent (a single put's retryable code).
   */
  private onRecordResult(code: number, record?: WriteRecord, rows?: EncodedRows, i = 0): boolean {
    const where = () => recordWhere(record ?? rowIdentity(rows as EncodedRows, i));
    // A single put's answer is a call result: retryable codes are retried (spec §7.4). Inside a
    // batch answer they are not (official behaviour), so they fail the run below.
    if (this.writer.usesBatchWrites === false && classifyCallResult(code) === 'retry') return true;
    const outcome = classifyRecordResult(code);
    if (this.counters.countOutcome(outcome, this.options.ignoreRecordError)) {
      if (outcome === 'ignorable') {
        this.logger.verbose(`Ignoring record error - code ${code} (${resultCodeName(code)}) at ${where()}`);
      }
      return false;
    }
    this.fail(
      new RestoreError(
        'WRITE',
        `Error while storing record - code ${code} (${resultCodeName(code)}) at ${where()}` +
          (outcome === 'ignorable' ? '; use --ignore-record-error (-K) to skip such records' : ''),
      ),
    );
    return false;
  }

  async restoreUdf(udf: UdfModule): Promise<void> {
    if (this.options.noUdfs) return;
    this.logger.info(`Restoring UDF file ${udf.name} (size ${udf.content.length})`);
    try {
      await putUdf(this.cluster, udf);
    } catch (err) {
      throw new RestoreError('METADATA', `Error while putting UDF file ${udf.name}: ${describeError(err)}`);
    }
    this.counters.udfs++;
    this.udfNames.push(udf.name);
  }

  /** An index line: restored now, or kept for after the records with -L. */
  async meetIndex(index: SecondaryIndex): Promise<void> {
    if (this.options.noIndexes) return;
    if (this.options.indexesLast) this.lateIndexes.push(index);
    else await this.restoreIndex(index);
  }

  async restoreIndex(index: SecondaryIndex): Promise<void> {
    this.counters.indexes++;
    const where = `${index.namespace}:${index.set}:${index.name}`;
    if (this.setList && !this.setList.has(index.set)) {
      this.logger.verbose(`Skipping index with unwanted set ${where}`);
      this.skippedIndexes++;
      return;
    }
    this.logger.verbose(`Restoring index ${where}`);
    let outcome: string;
    try {
      outcome = await ensureSindex(this.cluster, index, { build: this.build, sleep: (ms) => this.sleep(ms) });
    } catch (err) {
      throw new RestoreError(
        'METADATA',
        `Error while restoring secondary index ${where}: ${describeError(err)}`,
      );
    }
    if (outcome === 'matched') this.matchedIndexes++;
    else if (outcome === 'mismatched') this.mismatchedIndexes++;
    this.restoredIndexes.push(index);
  }

  async handleGlobal(entry: AsbEntry): Promise<void> {
    if (entry.kind === 'udf') await this.restoreUdf(entry);
    else if (entry.kind === 'sindex') await this.meetIndex(entry);
  }

  /** Reads one file and queues its records; globals are handled inline when `inlineGlobals`. */
  async restoreFile(file: BackupFileEntry, inlineGlobals: boolean): Promise<void> {
    if (this.useRows && !inlineGlobals) return this.restoreFileRows(file);
    const o = this.options;
    const c = this.counters;
    this.logger.info(`Restoring ${file.path}`);
    const { stream, counter } = await openInput(file, o, this.key);
    if (file.path !== '-') this.logger.info(`Opened backup file ${file.path}`);
    let raw = 0;
    try {
      for await (const batch of decodeAsbBatches(stream, decodeOptions(o, file.path))) {
        if (this.failed || this.ctx.signal?.aborted) break;
        const rawDelta = counter.bytes - raw;
        raw = counter.bytes;
        c.bytesRead += rawDelta;
        if (this.throttle) await this.untilStopped(this.throttle.bytes.take(rawDelta));
        const nowSec = this.ctx.nowMs() / 1000;
        let stop = false;
        for (const entry of batch) {
          if (entry.kind !== 'record') {
            if (inlineGlobals) await this.handleGlobal(entry);
            continue;
          }
          // -R: the file is read up to its first record only.
          if (o.noRecords) {
            stop = true;
            break;
          }
          c.recordsRead++;
          const wp = this.policy.forRecord(entry, nowSec);
          if (wp === undefined) {
            c.expired++;
            continue;
          }
          if (entry.bins.length === 0 || (this.setList && !this.setList.has(entry.set ?? ''))) {
            c.skipped++;
            continue;
          }
          if (this.throttle) {
            await this.untilStopped(this.throttle.records.take(1));
            if (this.failed) break;
          }
          const wait = this.writer.write(entry, wp);
          if (wait) await wait;
          if (this.failed) break;
        }
        this.progress.update();
        if (stop) break;
      }
    } catch (err) {
      rethrowLocated(this.logger, err, file.path);
    } finally {
      stream.destroy();
    }
  }

  /** A local file stored as plain `.asb` text (no decryption or decompression). */
  isPlainLocal(file: BackupFileEntry): boolean {
    return (
      this.key === undefined && this.options.compress !== 'zstd' && file.path !== '-' && !isS3Url(file.path)
    );
  }

  /**
   * `restoreFile` for checked files on the batch-write path: the records become pre-encoded rows
   * in a worker thread (rows.ts) while this thread routes and sends them.
   */
  async restoreFileRows(file: BackupFileEntry): Promise<void> {
    const o = this.options;
    const c = this.counters;
    this.logger.info(`Restoring ${file.path}`);
    this.logger.info(`Opened backup file ${file.path}`);
    this.rowSources ??= RowSourcePool.create(this.ctx.env);
    const config: RowEncoderConfig = {
      decode: decodeOptions(o, file.path),
      setList: o.setList,
      policy: { unique: o.unique, replace: o.replace, noGeneration: o.noGeneration, extraTtl: o.extraTtl },
    };
    const stopped = () => this.failed || this.ctx.signal?.aborted === true;
    // A plain local file (checked already, header included) is read by the worker itself.
    const plainLocal = this.rowSources.hasSpare && this.isPlainLocal(file);
    let source: RowSource;
    let feed: Promise<void> | undefined;
    let stream: Readable | undefined;
    if (plainLocal) {
      source = this.rowSources.acquireFile(config, file.path, this.ctx.nowMs() - Date.now());
    } else {
      const opened = await openInput(file, o, this.key);
      const { counter } = opened;
      const input = opened.stream;
      stream = input;
      const src = this.rowSources.acquire(config);
      source = src;
      let raw = 0;
      // reads the file and feeds the encoder, at most a few slices ahead of the writes
      feed = (async () => {
        try {
          for await (const chunk of input as AsyncIterable<Buffer>) {
            if (stopped()) return;
            c.bytesRead += counter.bytes - raw;
            raw = counter.bytes;
            src.push(chunk, this.ctx.nowMs() / 1000);
            const room = src.room();
            if (room) await room;
          }
          src.end(this.ctx.nowMs() / 1000);
        } catch (err) {
          src.fail(err);
        }
      })();
    }
    try {
      for (;;) {
        const out = await source.next();
        if (out === undefined) break;
        if (plainLocal) c.bytesRead += out.bytes;
        c.recordsRead += out.recordsRead;
        c.expired += out.expired;
        c.skipped += out.skipped;
        for (const rows of out.blocks) {
          if (stopped()) break;
          await this.writer.writeRows(rows);
        }
        this.progress.update();
        if (stopped()) break;
      }
    } catch (err) {
      rethrowLocated(this.logger, err, file.path);
    } finally {
      source.release();
      stream?.destroy();
      await feed;
    }
  }
}

/** A parse error of the check pass is logged with its place and ends the run; others go on up. */
function reportCorrupt(run: RestoreRun, err: unknown, path: string): never {
  if (err instanceof AsbParseError) {
    logParseError(run.logger, err, path);
    run.logger.error(`Backup file ${path} is corrupt; nothing was restored`);
    throw new Reported();
  }
  throw err;
}

/** Checks every file up front (not stdin); returns the globals of each file in listing order. */
async function checkFiles(run: RestoreRun, list: BackupFileList): Promise<FileScan[]> {
  const o = run.options;
  const scans: FileScan[] = new Array(list.files.length);
  if (list.kind === 'directory') {
    run.logger.info(`Found ${list.files.length} backup file(s) in ${inputDescription(o)}`);
  }
  run.logger.info(`Checking ${list.files.length} backup file(s)`);
  await forEachLimited(
    list.files,
    o.parallel,
    async (file, i) => {
      run.logger.verbose(`Checking ${file.path}`);
      // a big plain local file is checked in two halves at once (scan.ts)
      if (!run.throttle && run.isPlainLocal(file) && file.size !== undefined) {
        run.rowSources ??= RowSourcePool.create(run.ctx.env);
        if (run.rowSources.hasSpare) {
          try {
            const scan = await scanFileSplit(
              file.path,
              file.size,
              decodeOptions(o, file.path),
              run.rowSources.scanTail,
            );
            if (scan) {
              scans[i] = scan;
              return;
            }
          } catch (err) {
            reportCorrupt(run, err, file.path);
          }
        }
      }
      const { stream, counter } = await openInput(file, o, run.key);
      let raw = 0;
      try {
        scans[i] = await scanFile(stream, decodeOptions(o, file.path), () => {
          const delta = counter.bytes - raw;
          raw = counter.bytes;
          return run.throttle ? run.untilStopped(run.throttle.bytes.take(delta)) : undefined;
        });
      } catch (err) {
        reportCorrupt(run, err, file.path);
      } finally {
        stream.destroy();
      }
    },
    () => run.ctx.signal?.aborted === true,
  );
  return scans;
}

export async function runRestore(ctx: RestoreContext): Promise<number> {
  const { options: o, logger } = ctx;
  const bins = o.binList ? o.binList.join(',') : '[all]';
  const sets = o.setList ? o.setList.join(',') : '[all]';
  logger.info(
    `Starting restore to ${o.cluster.host} (bins: ${bins}, sets: ${sets}) from ${inputDescription(o)}`,
  );
  let machine: MachineWriter | undefined;
  if (o.machine !== undefined) {
    try {
      machine = MachineWriter.open(o.machine);
    } catch (err) {
      logger.errorCode(
        `Error while opening machine-readable file ${o.machine}`,
        err as NodeJS.ErrnoException,
      );
      return 1;
    }
  }
  try {
    return await restoreWithMachine(ctx, machine);
  } finally {
    machine?.close();
  }
}

async function restoreWithMachine(ctx: RestoreContext, machine: MachineWriter | undefined): Promise<number> {
  const { options: o, logger } = ctx;
  const key = await loadKey(o, ctx.env);
  const list = await listInputs(o, ctx.stdin);
  const stdin = isStdinInput(o);
  let cluster: Cluster;
  try {
    cluster = await connectCluster(o);
  } catch (err) {
    logger.error(`Error while connecting to ${o.cluster.host}: ${describeError(err)}`);
    return 1;
  }
  const run = new RestoreRun(ctx, cluster, key);
  const onAbort = () => {
    logger.error('### Restore interrupted ###');
    run.fail(new RestoreError('INTERRUPTED', 'Restore interrupted'));
  };
  if (ctx.signal?.aborted) onAbort();
  else ctx.signal?.addEventListener('abort', onAbort, { once: true });
  const bar = new ProgressBar({ stream: ctx.stderr, env: ctx.env, totalBytes: list.totalBytes });
  run.progress = new ProgressReporter({
    counters: run.counters,
    logger,
    machine,
    bar: bar.enabled ? bar : undefined,
    totalBytes: o.noRecords ? undefined : list.totalBytes,
  });
  try {
    logger.info(`Processing ${cluster.nodes.length} node(s)`);
    run.progress.start();
    await restoreAll(run, list, stdin);
  } catch (err) {
    run.fail(err);
  } finally {
    ctx.signal?.removeEventListener('abort', onAbort);
    run.progress.finish();
    cluster.close();
  }
  if (run.error !== undefined) {
    if (
      !(run.error instanceof Reported) &&
      !(run.error instanceof RestoreError && run.error.code === 'INTERRUPTED')
    ) {
      logger.error(describeError(run.error));
    }
    return 1;
  }
  return 0;
}

async function restoreAll(run: RestoreRun, list: BackupFileList, stdin: boolean): Promise<void> {
  const o = run.options;
  const logger = run.logger;
  if (o.validate) throw new Error('unreachable: --validate is handled by runValidate');
  // 1. Check every file before anything is written (see the header comment).
  const scans = stdin ? undefined : await checkFiles(run, list);
  if (run.failed) return;
  // 2. UDFs, then indexes (unless -L), before the records.
  if (scans) {
    for (const scan of scans) for (const udf of scan.udfs) await run.restoreUdf(udf);
    for (const scan of scans) for (const index of scan.indexes) await run.meetIndex(index);
  }
  // 3. Records.
  const writer = run.createWriter();
  if (!o.noRecords || stdin) {
    if (!o.noRecords) logger.info('Restoring records');
    // Checked files go through pre-encoded rows (rows.ts) when records are batch writes and no
    // -N limit applies; stdin, single writes and throttled runs take the record-by-record path.
    try {
      run.useRows = !stdin && !run.throttle && list.files.length > 0 && (await writer.prepare());
    } catch (err) {
      run.fail(err);
    }
    try {
      await forEachLimited(
        list.files,
        o.parallel,
        (file) => run.restoreFile(file, stdin),
        () => run.failed || run.ctx.signal?.aborted === true,
      );
    } catch (err) {
      run.fail(err);
    }
  }
  try {
    await writer.close();
  } catch (err) {
    run.fail(err);
  } finally {
    await run.rowSources?.close();
  }
  if (run.failed) return;
  if (!o.noRecords) logger.info('Finished restoring backup file(s)');
  // 4. Indexes last (-L), the skip counts, then --wait.
  for (const index of run.lateIndexes) await run.restoreIndex(index);
  if (run.skippedIndexes > 0) logger.info(`Skipped ${run.skippedIndexes} index(es) with unwanted set(s)`);
  if (run.matchedIndexes > 0) logger.info(`Skipped ${run.matchedIndexes} matched index(es)`);
  if (run.mismatchedIndexes > 0) logger.error(`Skipped ${run.mismatchedIndexes} mismatched index(es)`);
  if (o.wait) {
    const build = run.cluster.nodes[0]?.build ?? '8.0.0.0';
    const sleep = run.ctx.sleep;
    for (const index of run.restoredIndexes) {
      logger.verbose(`Waiting for index ${index.namespace}:${index.name}`);
      await waitForSindexBuild(run.cluster, index.namespace, index.name, { build, sleep });
    }
    if (run.udfNames.length > 0) await waitForUdfs(run.cluster, run.udfNames, { sleep });
  }
}

/** A parse error is logged once with its location, then travels on as `Reported`. */
function rethrowLocated(logger: Logger, err: unknown, path: string): never {
  if (err instanceof AsbParseError) {
    logParseError(logger, err, path);
    throw new Reported();
  }
  throw err;
}
