// One asbackup run: connect, plan partition jobs, write header/metadata/records to the sink,
// and on interrupt or failure close every file cleanly and save a state for `--continue`.
import { readdir, rename, stat, truncate, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import type { Writable } from 'node:stream';
import { AsbEncoder, escapeAsbName, type SecondaryIndex, type UdfModule } from '@asbkit/asb-format';
import { type AsbackupOptions, type Logger, MachineWriter, ProgressBar } from '@asbkit/cli-common';
import {
  type Cluster,
  listSindexes,
  type PartitionStart,
  parseHosts,
  type ScanJob,
  scanPartitionBatches,
  scanPartitionRawBatches,
} from '@asbkit/cluster-client';
import {
  type AesCtrEncryptor,
  asCompressedFrame,
  createWriteTransforms,
  type EncryptionKey,
  resolveEncryptionKey,
  ZSTD_DEFAULT_LEVEL,
} from '@asbkit/crypto-stream';
import {
  allPartitions,
  describeFilter,
  filtersForNodes,
  type NodeSpec,
  PartitionCursors,
  type PartitionFilter,
  PartitionFilterError,
  parseAfterDigest,
  parseNodeList,
  parsePartitionList,
  resumeFilters,
  splitForParallel,
} from '@asbkit/partition-filters';
import {
  type BackupFileWriter,
  type BackupSink,
  isS3Url,
  isStdPath,
  openBackupSink,
  removeBackupArtifacts,
  resolveStateFilePath,
} from '@asbkit/storage';
import { RateLimiter } from '@asbkit/write-policy';
import type { TranscodedBody } from './body-transcoder.js';
import {
  BackupSetupError,
  connectCluster,
  countRecords,
  fetchUdfs,
  nodesOfList,
  partitionMasters,
} from './cluster.js';
import { estimatedFileSize, type SampleStats, SizeSampler, upperRecordSize } from './estimate-math.js';
import { formatLocalTime, formatNanos, joinSets, nodeRow } from './format.js';
import { collectYoungGarbage } from './gc.js';
import { type BackupState, loadState, saveState } from './state.js';
import { TranscodePool } from './transcode.js';

const MIB = 1048576;
/** Bytes written without handing their memory back (all jobs) between young-generation GCs. */
const GC_EVERY_BYTES = 2 * MIB;
/**
 * A job's partitions are scanned in slices of this many: the scan keeps per-partition state (a
 * 20-byte copy of the last digest) until it ends, so slices bound that memory, and a slice's
 * partitions are marked done (not scanned again on `--continue`) when it ends. Each slice is one
 * partition query, so small slices cost a request and a server-side query per slice.
 */
const SUBSCAN_PARTITIONS = 256;

function* slices<T>(items: T[], size: number): Generator<T[]> {
  for (let i = 0; i < items.length; i += size) yield items.slice(i, i + size);
}

export interface RunContext {
  options: AsbackupOptions;
  logger: Logger;
  stdout: Writable;
  stderr: { write(s: string): unknown; isTTY?: boolean };
  env: Record<string, string | undefined>;
  /** Aborted on SIGINT/SIGTERM. */
  signal?: AbortSignal;
  cwd: string;
}

export interface RunResult {
  exitCode: number;
}

/** Error already logged by the run; only the exit code is left to give. */
class Reported extends Error {}

export async function runBackup(ctx: RunContext): Promise<number> {
  const { options: o, logger } = ctx;
  const prefix = o.outputFilePrefix ?? o.namespace ?? 'backup';

  if (o.removeArtifacts) {
    const removed = await removeBackupArtifacts({
      directory: o.directory,
      outputFile: o.outputFile,
      prefix,
      s3: s3Of(o),
      log: storageLog(logger),
    });
    for (const path of removed) logger.verbose(`Removed ${path}`);
    return 0;
  }
  const namespace = o.namespace!;

  // Partition filters from -X / -D (parsed before connecting: bad input fails fast).
  let filters: PartitionFilter[] = [allPartitions()];
  let nodeSpecs: NodeSpec[] | undefined;
  if (o.partitionList !== undefined) {
    try {
      filters = parsePartitionList(o.partitionList);
    } catch (err) {
      // asbackup closes the filter help with the whole list it could not parse
      if (err instanceof PartitionFilterError) {
        throw new PartitionFilterError(
          err.code,
          `${err.text}\nError while parsing partition-list '${o.partitionList}'`,
          err.option,
        );
      }
      throw err;
    }
  } else if (o.afterDigest !== undefined) filters = parseAfterDigest(o.afterDigest);
  else if (o.nodeList !== undefined) nodeSpecs = parseNodeList(o.nodeList);

  const key = await resolveEncryptionKey({
    encrypt: o.encrypt,
    encryptionKeyFile:
      o.encryptionKey?.kind === 'file' && o.encryptionKey.file.kind === 'path'
        ? o.encryptionKey.file.path
        : undefined,
    encryptionKeyPem:
      o.encryptionKey?.kind === 'file' && o.encryptionKey.file.kind === 'content'
        ? o.encryptionKey.file.data
        : undefined,
    encryptionKeyEnv: o.encryptionKey?.kind === 'env' ? o.encryptionKey.name : undefined,
    env: ctx.env as NodeJS.ProcessEnv,
  });

  let saved: BackupState | undefined;
  if (o.continueFrom !== undefined) {
    saved = await loadState(o.continueFrom);
    if (saved.namespace !== namespace) {
      throw new BackupSetupError(
        'RESUME_MISMATCH',
        `The state file ${o.continueFrom} is for namespace ${saved.namespace}, not ${namespace}`,
      );
    }
    logger.info(`Resuming backup from ${o.continueFrom}`);
  }
  if (o.preferRacks !== undefined) {
    logger.verbose(`--prefer-racks ${o.preferRacks}: partition scans always go to the master replica`);
  }

  const target = o.estimate
    ? '[none]'
    : o.outputFile !== undefined
      ? isStdPath(o.outputFile)
        ? '[stdout]'
        : o.outputFile
      : o.directory!;
  logger.info(
    `Starting backup of ${o.nodeList ?? o.cluster.host} (namespace: ${namespace}, set: [${o.sets.length > 0 ? joinSets(o.sets) : 'all'}], ` +
      `bins: ${o.binList ? o.binList.join(',') : '[all]'}, after: ${formatNanos(o.modifiedAfter)}, before: ${formatNanos(o.modifiedBefore)}, ` +
      `no ttl only: ${o.noTtlOnly}, limit: ${o.maxRecords}) to ${target}`,
  );

  // The encoding threads start while the cluster is contacted.
  const transcoders =
    o.estimate || o.noRecords
      ? undefined
      : TranscodePool.create(
          ctx.env,
          o.compact,
          o.parallel,
          o.compress === 'zstd' ? zstdLevelOf(o) : undefined,
        );
  let cluster: Cluster;
  try {
    cluster = await connectCluster(o, nodeSpecs?.[0]);
  } catch (err) {
    await transcoders?.close();
    logger.error(`Error while connecting to ${seedName(o, nodeSpecs?.[0])} - ${(err as Error).message}`);
    throw new Reported();
  }
  try {
    if (!cluster.namespaces.includes(namespace)) {
      throw new BackupSetupError('NAMESPACE', `Namespace ${namespace} does not exist`);
    }
    if (nodeSpecs) {
      const names = nodesOfList(cluster, nodeSpecs);
      // On resume the saved partitions are kept: ownership may have moved since.
      if (!saved) filters = filtersForNodes(partitionMasters(cluster, namespace), names);
    }

    const counts = await countRecords(cluster, namespace, o.sets);
    logger.info(`Processing ${counts.perNode.length} node(s)`);
    logger.info(nodeRow('Node ID', 'Objects', 'Replication'));
    for (const n of counts.perNode)
      logger.info(nodeRow(n.node.name, String(n.objects), String(n.replication)));
    let estimateTotal = counts.total;
    if (o.sets.length === 0) logger.info(`Namespace ${namespace} contains ${estimateTotal} record(s)`);
    else if (o.sets.length === 1) logger.info(`Set ${o.sets[0]} contains ${estimateTotal} record(s)`);
    else logger.info(`Sets ${joinSets(o.sets)} contain ${estimateTotal} record(s)`);
    if (o.maxRecords > 0 && !o.estimate) estimateTotal = Math.min(estimateTotal, o.maxRecords);

    if (o.estimate) return await runEstimate(ctx, cluster, filters, key, counts.total);
    const s3File = o.outputFile !== undefined && isS3Url(o.outputFile) && !saved;
    const expectedFileBytes = s3File
      ? await expectedSingleFileBytes(ctx, cluster, filters, key, estimateTotal)
      : undefined;
    return await new BackupRun(
      ctx,
      cluster,
      filters,
      key,
      estimateTotal,
      saved,
      prefix,
      expectedFileBytes,
      transcoders,
    ).run();
  } finally {
    cluster.close();
    await transcoders?.close();
  }
}

/** `host:port` of the first seed, as the official connect error names it. */
function seedName(o: AsbackupOptions, first: NodeSpec | undefined): string {
  if (first) return `${first.address}:${first.port}`;
  try {
    const seed = parseHosts(o.cluster.host, o.cluster.port)[0];
    return seed ? `${seed.host}:${seed.port}` : o.cluster.host;
  } catch {
    return o.cluster.host;
  }
}

function s3Of(o: AsbackupOptions) {
  return {
    region: o.s3.region,
    // An explicit profile turns off the SDK's environment credentials; "default" is the
    // official default, so only a profile the user chose is passed on.
    profile: o.s3.profile === 'default' ? undefined : o.s3.profile,
    endpointOverride: o.s3.endpointOverride,
    minPartSizeMiB: o.s3MinPartSize > 0 ? o.s3MinPartSize / MIB : undefined,
    maxAsyncUploads: o.s3MaxAsyncUploads,
    maxAsyncDownloads: o.s3.maxAsyncDownloads,
    connectTimeoutMs: o.s3.connectTimeoutMs,
    logLevel: o.s3.logLevel,
  };
}

function storageLog(logger: Logger) {
  return (level: 'info' | 'verbose', message: string) =>
    level === 'info' ? logger.info(message) : logger.verbose(message);
}

/** The scan settings shared by every job, from the selection options. */
function baseScanJob(o: AsbackupOptions, threads: number, jobs: number): Omit<ScanJob, 'partitions'> {
  return {
    namespace: o.namespace!,
    sets: o.sets.length > 0 ? o.sets : undefined,
    binNames: o.binList,
    noBins: o.noBins,
    maxRecords: o.maxRecords > 0 ? Math.ceil(o.maxRecords / jobs) : undefined,
    recordsPerSecond:
      o.recordsPerSecond > 0 ? Math.max(1, Math.floor(o.recordsPerSecond / threads)) : undefined,
    filterExpression: o.filterExp !== undefined ? Buffer.from(o.filterExp, 'base64') : undefined,
    modifiedAfter: o.modifiedAfter,
    modifiedBefore: o.modifiedBefore,
    noTtlOnly: o.noTtlOnly,
    socketTimeoutMs: o.socketTimeoutMs,
    totalTimeoutMs: o.totalTimeoutMs,
    maxRetries: o.maxRetries,
    retryDelayMs: o.retryDelayMs,
  };
}

function partitionStarts(f: PartitionFilter): PartitionStart[] {
  if (f.digest) return [{ partitionId: f.begin, afterDigest: f.digest }];
  return Array.from({ length: f.count }, (_, i) => ({ partitionId: f.begin + i }));
}

/**
 * Checks that the directory holds every file the state counts (else nothing is touched), then
 * drops what a SIGKILLed run left: `.part` files and files numbered from the saved count on.
 */
async function cleanDirectoryForResume(
  dir: string,
  prefix: string,
  fileCount: number,
  logger: Logger,
): Promise<void> {
  const names = await readdir(dir).catch(() => [] as string[]);
  const re = new RegExp(`^${prefix.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}_(\\d+)\\.asb$`);
  const numbers = new Set(
    names
      .map((name) => re.exec(name)?.[1])
      .filter((m) => m !== undefined)
      .map(Number),
  );
  for (let i = 0; i < fileCount; i++) {
    if (!numbers.has(i)) {
      const missing = join(dir, `${prefix}_${String(i).padStart(5, '0')}.asb`);
      throw new BackupSetupError('RESUME_MISMATCH', `Backup file ${missing} of the saved state is missing`);
    }
  }
  for (const name of names) {
    const m = re.exec(name);
    if (name.endsWith('.asb.part') || (m && Number(m[1]) >= fileCount)) {
      logger.info(`Removing ${join(dir, name)}, written after the saved state`);
      await unlink(join(dir, name));
    }
  }
}

/** After a SIGKILL while appending: put the output file back to its saved length. */
async function repairSingleFileForResume(path: string, savedBytes: number, logger: Logger): Promise<void> {
  const partial = `${path}.part`;
  const exists = async (p: string) =>
    stat(p).then(
      () => true,
      () => false,
    );
  if (!(await exists(path)) && (await exists(partial))) {
    logger.info(`Restoring ${path} from ${partial} to its saved length ${savedBytes}`);
    await truncate(partial, savedBytes);
    await rename(partial, path);
  }
}

class BackupRun {
  private readonly o: AsbackupOptions;
  private readonly logger: Logger;
  private readonly cursors: PartitionCursors;
  private readonly files = new Set<BackupFileWriter>();
  private readonly headered = new WeakSet<BackupFileWriter>();
  private lastEncryptor: AesCtrEncryptor | undefined;
  private reopenedBytes = 0;
  /** Bytes of files already closed (they leave `files`). */
  private closedBytes = 0;
  private sink: BackupSink | undefined;
  private shared: BackupFileWriter | undefined;
  private limiter: RateLimiter | undefined;
  private records = 0;
  private stopping: 'interrupt' | 'failure' | undefined;
  private failure: unknown;
  private scanStarted = false;
  private sinceGc = 0;
  private indexCount = 0;
  private udfCount = 0;

  constructor(
    private readonly ctx: RunContext,
    private readonly cluster: Cluster,
    private filters: PartitionFilter[],
    private readonly key: EncryptionKey | undefined,
    private readonly estimateTotal: number,
    private readonly saved: BackupState | undefined,
    private readonly prefix: string,
    private readonly expectedFileBytes: number | undefined,
    private readonly transcoders: TranscodePool | undefined,
  ) {
    this.o = ctx.options;
    this.logger = ctx.logger;
    this.cursors = saved ? saved.cursors : PartitionCursors.forFilters(filters);
    if (this.o.bandwidth > 0) this.limiter = new RateLimiter(this.o.bandwidth);
  }

  /** Bytes in the output after compression/encryption, this run and before. */
  private get bytes(): number {
    let sum = (this.saved?.bytes ?? 0) - this.reopenedBytes + this.closedBytes;
    for (const f of this.files) sum += f.fileBytes;
    return sum;
  }

  /** Moves finished files out of `files`, keeping their byte counts. */
  private settle(): void {
    for (const f of this.files) {
      if (!f.finished) continue;
      this.closedBytes += f.fileBytes;
      this.files.delete(f);
    }
  }

  private get totalRecords(): number {
    return (this.saved?.records ?? 0) + this.records;
  }

  async run(): Promise<number> {
    const { o, saved } = this;
    if (saved) {
      this.filters =
        o.nodeList !== undefined ? saved.cursors.toFilters() : resumeFilters(saved.cursors, this.filters);
      this.indexCount = saved.indexCount;
      this.udfCount = saved.udfCount;
    }
    const onAbort = () => {
      this.stopping ??= 'interrupt';
    };
    this.ctx.signal?.addEventListener('abort', onAbort);
    if (this.ctx.signal?.aborted) onAbort();
    try {
      await this.openSink();
      const globals = saved ? undefined : await this.fetchGlobals();
      await this.writeFirstFile(globals);
      if (!o.noRecords && this.filters.length > 0 && !this.stopping) await this.scanAll();
    } catch (err) {
      this.stopping ??= 'failure';
      this.failure ??= err;
    } finally {
      this.ctx.signal?.removeEventListener('abort', onAbort);
    }
    return this.stopping ? this.stop() : this.finish();
  }

  private async openSink(): Promise<void> {
    const { o, saved, logger } = this;
    if (saved && o.directory !== undefined && !isS3Url(o.directory)) {
      await cleanDirectoryForResume(o.directory, this.prefix, saved.fileCount, logger);
    }
    if (saved?.singleFile && !isStdPath(saved.singleFile.path) && !isS3Url(saved.singleFile.path)) {
      await repairSingleFileForResume(saved.singleFile.path, saved.singleFile.fileBytes, logger);
    }
    let resumeCtr = saved?.singleFile?.ctr;
    this.sink = await openBackupSink({
      directory: o.directory,
      outputFile: o.outputFile,
      prefix: this.prefix,
      fileLimitMiB: o.fileLimit / MIB,
      removeFiles: o.removeFiles,
      resume: saved ? { fileCount: saved.fileCount } : undefined,
      expectedFileBytes: this.expectedFileBytes,
      transforms: () => {
        const layers = createWriteTransforms({
          compression: o.compress,
          encryption: this.key,
          level: zstdLevelOf(o),
          resume: resumeCtr ? { plainBytes: 0, fileBytes: 0, ctr: resumeCtr } : undefined,
        });
        resumeCtr = undefined; // only the reopened file continues the key stream
        this.lastEncryptor = layers.encryptor;
        return layers.transforms;
      },
      stdout: this.ctx.stdout,
      s3: s3Of(o),
      log: storageLog(logger),
    });
    if (saved?.singleFile) {
      const path = saved.singleFile.path;
      await this.sink.reopen(path, isStdPath(path) ? undefined : saved.singleFile.fileBytes);
      this.reopenedBytes = isStdPath(path) ? 0 : saved.singleFile.fileBytes;
    }
    if (this.sink.kind === 'file' || this.sink.kind === 'stdout') {
      // One file for every job; a fresh one gets its header with the globals (writeFirstFile).
      this.shared = await this.sink.acquire();
      this.files.add(this.shared);
      this.headered.add(this.shared);
    }
  }

  private async fetchGlobals(): Promise<{ indexes: SecondaryIndex[]; udfs: UdfModule[] }> {
    const { o, logger } = this;
    let indexes: SecondaryIndex[] = [];
    if (!o.noIndexes) {
      const all = await listSindexes(this.cluster, o.namespace!);
      this.indexCount = all.length;
      indexes = o.sets.length > 0 ? all.filter((i) => o.sets.includes(i.set)) : all;
      if (all.length === 0) logger.info('No secondary indexes');
      else logger.info(`Backing up ${all.length} secondary index(es)`);
      if (indexes.length < all.length)
        logger.info(`Skipped ${all.length - indexes.length} index(es) with unwanted set(s)`);
    }
    let udfs: UdfModule[] = [];
    if (!o.noUdfs) {
      udfs = await fetchUdfs(this.cluster);
      this.udfCount = udfs.length;
      logger.info(`Backing up ${udfs.length} UDF file(s)`);
    }
    return { indexes, udfs };
  }

  /** A file from the sink, with the header written into new ones. */
  private async acquire(): Promise<BackupFileWriter> {
    const file = await this.sink!.acquire();
    this.files.add(file);
    if (file.isNew && !this.headered.has(file)) {
      this.headered.add(file);
      const enc = new AsbEncoder({ slabSize: 4096 });
      enc.writeHeader({ namespace: escapeAsbName(this.o.namespace!) });
      await this.write(file, enc.takeChunk());
    }
    return file;
  }

  /** The first file gets `# first-file` and the globals before any job's records. */
  private async writeFirstFile(
    globals: { indexes: SecondaryIndex[]; udfs: UdfModule[] } | undefined,
  ): Promise<void> {
    if (!globals) return;
    const file = this.shared ?? (await this.sink!.acquire());
    this.files.add(file);
    this.headered.add(file);
    const enc = new AsbEncoder({ compact: this.o.compact });
    enc.writeHeader({ namespace: escapeAsbName(this.o.namespace!), firstFile: true });
    for (const idx of globals.indexes) enc.writeSecondaryIndex(idx);
    for (const udf of globals.udfs) enc.writeUdf(udf);
    await this.write(file, enc.takeChunk());
    if (!this.shared) await this.sink!.release(file);
  }

  private async write(file: BackupFileWriter, chunk: Buffer, release?: () => void): Promise<void> {
    if (chunk.length === 0) return;
    if (this.limiter) await this.limiter.take(chunk.length);
    await file.write(chunk, release);
    if (!release || !file.releasesChunks) {
      // memory nobody hands back: collect it while it is young (see gc.ts)
      this.sinceGc += chunk.length;
      if (this.sinceGc >= GC_EVERY_BYTES) {
        this.sinceGc = 0;
        collectYoungGarbage();
      }
    }
  }

  /** Jobs not started yet. */
  private jobQueue: PartitionFilter[] = [];

  private async scanAll(): Promise<void> {
    const { o, logger } = this;
    const plan = splitForParallel(this.filters, o.parallel);
    if (plan.warning) logger.info(plan.warning);
    // A resumed run only backs up what the saved one left of --max-records.
    const maxRecords =
      o.maxRecords > 0 && this.saved ? Math.max(o.maxRecords - this.saved.records, 0) : o.maxRecords;
    if (o.maxRecords > 0 && maxRecords === 0) return;
    const base = baseScanJob({ ...o, maxRecords }, plan.threads, plan.jobs.length);
    this.jobQueue = plan.jobs.slice();
    this.scanStarted = true;
    const progress = this.startProgress();
    try {
      const worker = async () => {
        for (let job = this.jobQueue.shift(); job && !this.stopping; job = this.jobQueue.shift()) {
          try {
            await this.runJob(job, base);
          } catch (err) {
            this.stopping ??= 'failure';
            this.failure ??= err;
          }
        }
      };
      await Promise.all(Array.from({ length: plan.threads }, worker));
    } finally {
      progress();
    }
  }

  private async runJob(filter: PartitionFilter, base: Omit<ScanJob, 'partitions'>): Promise<void> {
    const { logger } = this;
    const desc = describeFilter(filter);
    logger.info(`Starting backup for ${desc}`);
    const directoryMode = this.shared === undefined;
    const limit = directoryMode && this.sink!.kind === 'directory' ? this.o.fileLimit : 0;
    let file = this.shared ?? (await this.acquire());
    const transcoders = this.transcoders!;
    let jobRecords = 0;
    let jobBytes = 0;
    // The chunk handed to the file last: the next one is encoded while the file takes it.
    let writing: Promise<void> | undefined;
    const drain = async () => {
      const w = writing;
      writing = undefined;
      if (w) await w;
    };
    const write = async ({ chunk, compressed, plainBytes, records, digests, release }: TranscodedBody) => {
      // Cursors follow what is handed to the file (always before any state is saved).
      jobRecords += records;
      this.records += records;
      for (let d = 0; d < digests.length; d += 20) this.cursors.recordWritten(digests.subarray(d, d + 20));
      if (chunk.length === 0) return;
      jobBytes += plainBytes;
      // a frame made by an encoding thread passes through the file's compressor as it is
      if (compressed) chunk = asCompressedFrame(chunk, plainBytes);
      await drain();
      if (limit > 0 && file.fileBytes >= limit) {
        await this.sink!.closeFile(file);
        this.settle();
        file = await this.acquire();
      }
      writing = this.write(file, chunk, release);
      writing.catch(() => {}); // awaited by the next write or drain; never unhandled meanwhile
    };
    // The job's bodies being encoded, each written as soon as it is ready (in order): not when
    // the job next gets a slot, which with more jobs than slots leaves a finished chunk and its
    // file idle meanwhile (and its memory held: ~1 MiB a job at --parallel 16).
    let encoded: Promise<void> = Promise.resolve();
    let encodeFailure: unknown;
    const settle = () => encoded;
    try {
      for (const partitions of slices(partitionStarts(filter), SUBSCAN_PARTITIONS)) {
        await settle();
        const cap = base.maxRecords === undefined ? undefined : base.maxRecords - jobRecords;
        if (cap !== undefined && cap <= 0) break;
        const scan = scanPartitionRawBatches(this.cluster, {
          ...base,
          maxRecords: cap,
          partitions,
          onRetry: ({ attempt, partitions: ids, reason }) =>
            logger.info(`Retrying ${ids.length} partition(s) (attempt ${attempt}): ${reason}`),
        });
        // Room is awaited before the next reply is taken: while the workers are busy, replies
        // wait in the socket (the server is held back), not in this process.
        let slot = false;
        try {
          for (;;) {
            if (encodeFailure !== undefined) await settle(); // throws it
            if (!slot) {
              const wait = transcoders.reserve();
              if (wait) await wait;
              slot = true;
            }
            const step = await scan.next();
            if (step.done) break;
            const batch = step.value;
            let done = 0;
            for (const item of batch) {
              if (item.kind === 'raw-records') {
                if (done > 0) throw new Error('records after the end of their partitions in a scan batch');
                if (!slot) throw new Error('two reply bodies in one scan batch');
                const next = transcoders.transcode(item.body);
                slot = false;
                next.catch(() => {}); // after an earlier failure nothing awaits it
                encoded = encoded.then(() => next).then(write);
                encoded.catch((err: unknown) => {
                  encodeFailure ??= err; // thrown by settle (before the next reply, or at the end)
                });
              } else done++;
            }
            if (done > 0) {
              // a partition's last records are in the file before it counts as done
              await settle();
              for (const item of batch)
                if (item.kind !== 'raw-records') this.cursors.markDone(item.partitionId);
            }
            this.bar?.update(this.totalRecords, this.bytes);
            if (this.stopping) break;
          }
        } finally {
          if (slot) transcoders.unreserve();
          await scan.return(undefined); // closes the scan's sockets when it stopped early
        }
        if (this.stopping) break;
      }
    } finally {
      // Whatever was encoded is handed to the file, so the cursors match the files.
      try {
        await settle();
        await drain();
      } finally {
        if (directoryMode) {
          // No job left to take the file over: close it now, so its flush to disk overlaps
          // the jobs still running instead of all files' flushes coming at the end.
          if (this.jobQueue.length === 0 && !this.stopping) await this.sink!.closeFile(file);
          else await this.sink!.release(file);
        }
        this.settle();
      }
    }
    const per = jobRecords > 0 ? Math.floor(jobBytes / jobRecords) : 0;
    if (this.stopping)
      logger.info(`Backup of ${desc} interrupted, records: ${jobRecords}, size: ${jobBytes} (~${per} B/rec)`);
    else
      logger.info(`Completed backup for ${desc}, records: ${jobRecords}, size: ${jobBytes} (~${per} B/rec)`);
  }

  private bar: ProgressBar | undefined;

  /** Progress: TTY bar, log lines every 10 s and machine lines every second; returns a stopper. */
  private startProgress(): () => void {
    const { o, logger } = this;
    const machine = o.machine !== undefined ? MachineWriter.open(o.machine) : undefined;
    this.machine = machine;
    this.bar = new ProgressBar({
      stream: this.ctx.stderr,
      env: this.ctx.env,
      totalRecords: this.estimateTotal,
    });
    const start = performance.now();
    const startRecords = this.records;
    const fraction = () => (this.estimateTotal > 0 ? this.totalRecords / this.estimateTotal : -1);
    const eta = () => {
      const f = fraction();
      const secs = (performance.now() - start) / 1000;
      const done = this.records - startRecords;
      if (f <= 0 || done <= 0) return undefined;
      return ((this.estimateTotal - this.totalRecords) * secs) / done;
    };
    let lastLog = start;
    let lastRecords = this.records;
    let lastBytes = this.bytes;
    const everySecond = setInterval(() => {
      const f = fraction();
      if (machine && f >= 0 && f < 1) {
        machine.progress(f * 100);
        const left = eta();
        if (left !== undefined) machine.remaining(left);
      }
      const now = performance.now();
      if (now - lastLog >= 10_000 && f >= 0 && f < 1) {
        const secs = (now - lastLog) / 1000;
        const recs = this.records - lastRecords;
        const bytes = this.bytes - lastBytes;
        this.bar?.clear();
        logger.info(
          `${Math.floor(f * 100)}% complete (~${Math.round(bytes / 1024 / secs)} KiB/s, ~${Math.round(recs / secs)} rec/s, ~${recs > 0 ? Math.floor(bytes / recs) : 0} B/rec)`,
        );
        const left = eta();
        if (left !== undefined) logger.info(`~${formatEtaText(left)} remaining`);
        lastLog = now;
        lastRecords = this.records;
        lastBytes = this.bytes;
      }
    }, 1000);
    everySecond.unref();
    return () => {
      clearInterval(everySecond);
      this.bar?.clear();
    };
  }

  private machine: MachineWriter | undefined;

  private summary(): void {
    const bytes = this.bytes;
    const records = this.totalRecords;
    this.logger.info(
      `Backed up ${records} record(s), ${this.indexCount} secondary index(es), ${this.udfCount} UDF file(s), ${bytes} byte(s) in total (~${records > 0 ? Math.floor(bytes / records) : 0} B/rec)`,
    );
    const machine =
      this.machine ?? (this.o.machine !== undefined ? MachineWriter.open(this.o.machine) : undefined);
    machine?.backupSummary({ records, indexes: this.indexCount, udfs: this.udfCount, bytes });
    machine?.close();
  }

  private async finish(): Promise<number> {
    if (this.shared) await this.sink!.release(this.shared);
    await this.sink!.finish();
    this.summary();
    return 0;
  }

  /** Interrupt or failure: publish what was written and save the state, or drop everything. */
  private async stop(): Promise<number> {
    const { logger, o } = this;
    if (this.stopping === 'failure') logger.error(describeError(this.failure));
    if (!this.sink) return 1;
    if (!this.scanStarted) {
      await this.sink.abort();
      if (this.stopping === 'interrupt')
        logger.error('Backup interrupted before it started, no backup state saved');
      return 1;
    }
    try {
      if (this.shared && !this.shared.finished) await this.sink.release(this.shared);
      await this.sink.finish();
    } catch (err) {
      logger.error(`Could not close the backup files, no backup state saved: ${(err as Error).message}`);
      await this.sink.abort();
      return 1;
    }
    this.summary();
    const statePath = await resolveStateFilePath({
      directory: o.directory,
      outputFile: o.outputFile,
      stateFileDst: o.stateFileDst,
      prefix: this.prefix,
      cwd: this.ctx.cwd,
    });
    const single = this.sink.kind === 'file' || this.sink.kind === 'stdout' ? this.shared : undefined;
    const state: BackupState = {
      namespace: o.namespace!,
      cursors: this.cursors,
      fileCount: this.sink.fileCount,
      records: this.totalRecords,
      bytes: this.bytes,
      indexCount: this.indexCount,
      udfCount: this.udfCount,
      singleFile: single && {
        path: o.outputFile!,
        fileBytes: single.fileBytes,
        ctr: this.lastEncryptor?.position(),
      },
    };
    if (isS3Url(statePath)) {
      logger.error(`Saving the backup state to S3 (${statePath}) is not supported yet`);
      return 1;
    }
    await saveState(statePath, state);
    if (this.stopping === 'interrupt') logger.error('### Backup interrupted ###');
    logger.info(
      `Backup was interrupted, to resume, run backup with \`--continue ${statePath}\` and all the same arguments (except --remove-files)`,
    );
    return 1;
  }
}

function formatEtaText(seconds: number): string {
  if (seconds < 0) return '0s';
  if (seconds > 100 * 86400) return '>100d';
  let s = Math.floor(seconds);
  const d = Math.floor(s / 86400);
  s -= d * 86400;
  const h = Math.floor(s / 3600);
  s -= h * 3600;
  const m = Math.floor(s / 60);
  s -= m * 60;
  if (d > 0) return `${d}d${h}h${m}m${s}s`;
  if (h > 0) return `${h}h${m}m${s}s`;
  if (m > 0) return `${m}m${s}s`;
  return `${s}s`;
}

export function describeError(err: unknown): string {
  // Filter errors are printed in asbackup's words, without our "(option …)" suffix.
  if (err instanceof PartitionFilterError) return err.text;
  return err instanceof Error ? err.message : String(err);
}

interface SizeSample {
  stats: SampleStats;
  /** Uncompressed bytes of header, meta and globals. */
  headerBytes: number;
  /** Bytes after compression/encryption of everything sampled. */
  written: number;
}

/** A limited scan into /dev/null with the run's layers: record sizes as the encoder writes them. */
async function sampleSizes(
  o: AsbackupOptions,
  cluster: Cluster,
  filters: PartitionFilter[],
  key: EncryptionKey | undefined,
  signal: AbortSignal | undefined,
): Promise<SizeSample> {
  const sink = await openBackupSink({
    estimate: true,
    prefix: o.namespace!,
    transforms: () =>
      createWriteTransforms({
        compression: o.compress,
        encryption: key,
        level: zstdLevelOf(o),
      }).transforms,
  });
  const file = await sink.acquire();
  const enc = new AsbEncoder({ compact: o.compact });
  let headerBytes = enc.writeHeader({ namespace: escapeAsbName(o.namespace!), firstFile: true });
  if (!o.noIndexes)
    for (const idx of await listSindexes(cluster, o.namespace!)) headerBytes += enc.writeSecondaryIndex(idx);
  if (!o.noUdfs) for (const udf of await fetchUdfs(cluster)) headerBytes += enc.writeUdf(udf);
  await file.write(enc.takeChunk());
  const sampler = new SizeSampler();
  const base = baseScanJob({ ...o, maxRecords: 0 }, 1, 1);
  const partitions = filters.flatMap(partitionStarts);
  let samples = 0;
  for await (const batch of scanPartitionBatches(cluster, {
    ...base,
    partitions,
    maxRecords: o.estimateSamples,
  })) {
    for (const item of batch) {
      if (item.kind !== 'record' || samples >= o.estimateSamples) continue;
      sampler.add(enc.writeRecord(item));
      samples++;
    }
    await file.write(enc.takeChunk());
    if (samples >= o.estimateSamples || signal?.aborted) break;
  }
  await sink.release(file);
  await sink.finish();
  return { stats: sampler.stats(), headerBytes, written: file.fileBytes };
}

/** `-e`: sample, then print the statistics of spec §5. */
async function runEstimate(
  ctx: RunContext,
  cluster: Cluster,
  filters: PartitionFilter[],
  key: EncryptionKey | undefined,
  recordCountEstimate: number,
): Promise<number> {
  const { options: o, logger } = ctx;
  const { stats, headerBytes, written } = await sampleSizes(o, cluster, filters, key, ctx.signal);
  const upper = upperRecordSize(stats);
  const total = o.maxRecords > 0 ? Math.min(recordCountEstimate, o.maxRecords) : recordCountEstimate;
  if (o.compress === undefined) {
    logger.info(`Estimated overall record size is ${upper} byte(s)`);
  } else {
    const raw = stats.sum + headerBytes;
    logger.info(`Estimated overall record size before compression is ${upper} byte(s)`);
    logger.info(`Approximate compression ratio is ${formatG(raw > 0 ? (100 * written) / raw : 0)}%`);
  }
  logger.info(
    `Estimated total backup file size (for backup-to-file, 99.9% confidence): ${estimatedFileSize(stats, headerBytes, written, total)} byte(s)`,
  );
  if (o.machine !== undefined) {
    const machine = MachineWriter.open(o.machine);
    machine.estimate(total, upper);
    machine.close();
  }
  return 0;
}

/** `-o s3://…`: the 99.9 % bound on the file size, which sizes the multipart upload's parts. */
async function expectedSingleFileBytes(
  ctx: RunContext,
  cluster: Cluster,
  filters: PartitionFilter[],
  key: EncryptionKey | undefined,
  recordCount: number,
): Promise<number> {
  const { stats, headerBytes, written } = await sampleSizes(ctx.options, cluster, filters, key, ctx.signal);
  const bytes = estimatedFileSize(stats, headerBytes, written, recordCount);
  ctx.logger.info(
    `Estimated total backup file size (for backup-to-file, 99.9% confidence): ${bytes} byte(s)`,
  );
  return bytes;
}

/** printf `%g`: 6 significant digits, no trailing zeros. */
function formatG(v: number): string {
  if (v === 0) return '0';
  const exp = Math.floor(Math.log10(Math.abs(v)));
  if (exp < -4 || exp >= 6)
    return v
      .toExponential(5)
      .replace(/\.?0+e/, 'e')
      .replace(/e([+-])(\d)$/, 'e$10$2');
  return String(Number(v.toPrecision(6)));
}

export { formatLocalTime, Reported };

/** The zstd level in effect (`--compression-level` 0 or unset: zstd's default). */
function zstdLevelOf(o: AsbackupOptions): number {
  return o.compressionLevel || ZSTD_DEFAULT_LEVEL;
}
