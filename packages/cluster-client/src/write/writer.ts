// Write executors: one record at a time (`writeRecord`), and `BatchWriter`, a bounded pipeline that
// groups records per master node into batch writes (or groups of single writes on servers without
// batch writes), reports every record's result code, and leaves retries to its caller.

import { partitionIdOfDigest } from '../wire/record-reply.js';
import { buildBatchWriteRequest, buildBatchWriteRequestFromRows } from './batch.js';
import type { WriteRecord } from './encode.js';
import type { RecordWritePolicy } from './policy.js';
import { BatchReplyDecoder, readSingleBody, type WriteResult } from './reply.js';
import type { EncodedRows } from './rows.js';
import { buildWriteRequest } from './single.js';
import type { WriteNode, WriteTransport } from './transport.js';

export interface WriteOptions {
  /** Server-side timeout per request in ms (asrestore: --total-timeout or --timeout, 10000). */
  timeoutMs?: number;
}

/** Writes one record to its partition's master node; resolves with the server's answer. */
export async function writeRecord<N extends WriteNode>(
  transport: WriteTransport<N>,
  record: WriteRecord,
  policy: RecordWritePolicy,
  options: WriteOptions = {},
): Promise<WriteResult> {
  const node = transport.masterNode(record.namespace, partitionIdOfDigest(record.digest));
  const request = buildWriteRequest(record, policy, options);
  let result: WriteResult | undefined;
  await transport.exchange(node, request, (type, body) => {
    result = readSingleBody(type, body);
    return true;
  });
  return result!;
}

/**
 * Whether the server takes batch writes (asb spec §7.4): build >= 6.0 and a non-zero
 * `batch-index-threads` in `get-config:context=service`.
 */
export async function supportsBatchWrites(transport: Pick<WriteTransport, 'info'>): Promise<boolean> {
  const build = await transport.info('build');
  const major = Number.parseInt(build, 10);
  if (!(major >= 6)) return false;
  const config = await transport.info('get-config:context=service');
  const match = /(?:^|;)batch-index-threads=(\d+)/.exec(config);
  return match !== null && Number(match[1]) > 0;
}

/** A group of records that could not be written as a whole, handed to `onGroupError`. */
export interface GroupFailure {
  /** Node the group was sent to (records may belong to other nodes on a re-send). */
  node: string;
  records: WriteRecord[];
  policies: RecordWritePolicy[];
  /** 1 on the first failure of these records, 2 after one re-send, ... */
  attempt: number;
  /** Batch-level result code (LAST with no row results), or the per-record code that asked for a re-send. */
  resultCode?: number;
  /** Connection error or timeout. */
  error?: Error;
  /** Pre-encoded rows of the group (`writeRows`): row `rowIndexes[i]` of `rowBlocks[i]`. */
  rowBlocks?: EncodedRows[];
  rowIndexes?: number[];
}

/** Records (or pre-encoded rows) a failure is about. */
export function groupFailureSize(f: GroupFailure): number {
  return f.records.length + (f.rowIndexes?.length ?? 0);
}

export interface BatchWriterOptions extends WriteOptions {
  /** Records per batch write, or per group of single writes (default 128 / 16, as asrestore). */
  batchSize?: number;
  /** Groups in flight at once (asrestore --max-async-batches, 32). */
  maxAsyncBatches?: number;
  /** 'auto' asks the server (supportsBatchWrites); 'single' = --disable-batch-writes. */
  mode?: 'auto' | 'batch' | 'single';
  /**
   * Every record's result code, once. Return true to have the record re-sent (it then goes
   * through `onGroupError` like a failed group).
   */
  onResult(record: WriteRecord, resultCode: number, policy: RecordWritePolicy): unknown;
  /**
   * A group failed as a whole (connection error, timeout, batch-level code) or records asked to be
   * re-sent. Resolve 'retry' to send them again (after any backoff you like), 'drop' to give them
   * up. Without this hook, or when it throws, the writer fails: write/flush/close reject.
   */
  onGroupError?(failure: GroupFailure): 'retry' | 'drop' | Promise<'retry' | 'drop'>;
  /**
   * Result code of one pre-encoded row (`writeRows`): row `index` of `rows`. Return true to have it
   * re-sent. Required for `writeRows`.
   */
  onRowResult?(rows: EncodedRows, index: number, resultCode: number): unknown;
  /**
   * Reuse the memory of a `writeRows` request once its exchange has succeeded (the transport
   * must not keep request buffers after an exchange resolves; `nodeWriteTransport` does not).
   */
  reuseRequestBuffers?: boolean;
}

/** Pre-encoded rows waiting for, or in, one batch write. */
interface RowGroup {
  node: WriteNode;
  blocks: EncodedRows[];
  indexes: number[];
}

interface Group {
  node: WriteNode | undefined;
  records: WriteRecord[];
  policies: RecordWritePolicy[];
}

export class BatchWriter<N extends WriteNode = WriteNode> {
  private batchSize: number;
  private readonly maxInFlight: number;
  private readonly timeoutMs: number;
  private mode: 'auto' | 'batch' | 'single';
  private modeKnown: Promise<void> | undefined;
  private readonly open = new Map<string, Group>();
  private readonly openRows = new Map<string, RowGroup>();
  /** Request buffers of row batches, reused once their exchange has succeeded. */
  private readonly spareRequests: Buffer[] = [];
  private inFlight = 0;
  private readonly waiting: (() => void)[] = [];
  private idle: (() => void)[] = [];
  private failure: Error | undefined;
  private closed = false;

  constructor(
    private readonly transport: WriteTransport<N>,
    private readonly options: BatchWriterOptions,
  ) {
    this.mode = options.mode ?? 'auto';
    this.batchSize = this.defaultBatchSize();
    this.maxInFlight = options.maxAsyncBatches ?? 32;
    this.timeoutMs = options.timeoutMs ?? 10000;
    if (!(this.batchSize >= 1) || !(this.maxInFlight >= 1)) {
      throw new RangeError('batchSize and maxAsyncBatches must be at least 1');
    }
  }

  /** asrestore's --batch-size default: 128 records per batch write, 16 per group of single writes. */
  private defaultBatchSize(): number {
    return this.options.batchSize ?? (this.mode === 'single' ? 16 : 128);
  }

  /** Records per group now (the single-write default applies once 'auto' found no batch writes). */
  get batchSizeInUse(): number {
    return this.batchSize;
  }

  /** True when records go out as batch writes (known after the first write in 'auto' mode). */
  get usesBatchWrites(): boolean | undefined {
    return this.mode === 'auto' ? undefined : this.mode === 'batch';
  }

  /**
   * Queues a record; returns nothing when there was room, or a promise that resolves once there
   * is (at most maxAsyncBatches groups in flight). Rejects once the writer has failed.
   */
  write(record: WriteRecord, policy: RecordWritePolicy): void | Promise<void> {
    if (this.failure) return Promise.reject(this.failure);
    if (this.closed) return Promise.reject(new Error('BatchWriter is closed'));
    if (this.mode === 'auto') return this.detectThenWrite(record, policy);
    const node =
      this.mode === 'batch'
        ? this.transport.masterNode(record.namespace, partitionIdOfDigest(record.digest))
        : undefined;
    const key = node ? node.name : '';
    let group = this.open.get(key);
    if (group === undefined) {
      group = { node, records: [], policies: [] };
      this.open.set(key, group);
    }
    group.records.push(record);
    group.policies.push(policy);
    if (group.records.length < this.batchSize) return;
    this.open.delete(key);
    return this.dispatch(group);
  }

  /** Sends every partly filled group and waits until nothing is in flight. */
  async flush(): Promise<void> {
    if (this.modeKnown) await this.modeKnown;
    for (const group of [...this.open.values()]) {
      this.open.delete(group.node ? group.node.name : '');
      await this.dispatch(group);
    }
    for (const group of [...this.openRows.values()]) {
      this.openRows.delete(group.node.name);
      await this.dispatchRows(group);
    }
    if (this.inFlight > 0) await new Promise<void>((resolve) => this.idle.push(resolve));
    if (this.failure) throw this.failure;
  }

  /** flush(), then refuse further writes. */
  async close(): Promise<void> {
    try {
      await this.flush();
    } finally {
      this.closed = true;
    }
  }

  /**
   * Settles the write mode ('auto' asks the server once); resolves true when records go out as
   * batch writes, which `writeRows` needs.
   */
  async prepare(): Promise<boolean> {
    if (this.mode === 'auto') {
      this.modeKnown ??= supportsBatchWrites(this.transport).then((batch) => {
        this.mode = batch ? 'batch' : 'single';
        this.batchSize = this.defaultBatchSize();
      });
      await this.modeKnown;
    }
    return this.mode === 'batch';
  }

  /**
   * Queues pre-encoded rows (batch mode only: call `prepare()` first). Resolves once they are
   * all in groups, waiting for room like `write`. Rejects once the writer has failed.
   */
  async writeRows(rows: EncodedRows): Promise<void> {
    if (this.failure) throw this.failure;
    if (this.closed) throw new Error('BatchWriter is closed');
    if (this.mode !== 'batch' || !this.options.onRowResult) {
      throw new Error('BatchWriter.writeRows needs batch mode (prepare() resolved true) and onRowResult');
    }
    // rows that crossed a thread arrive as plain Uint8Arrays
    if (!Buffer.isBuffer(rows.bytes)) {
      const b = rows.bytes;
      rows.bytes = Buffer.from(b.buffer, b.byteOffset, b.length);
    }
    const ns = rows.namespace;
    const pids = rows.partitionIds;
    let lastPid = -1;
    let node: N | undefined;
    for (let i = 0; i < rows.count; i++) {
      const pid = pids[i]!;
      if (pid !== lastPid) {
        node = this.transport.masterNode(ns, pid);
        lastPid = pid;
      }
      const key = node!.name;
      let group = this.openRows.get(key);
      if (group === undefined) {
        group = { node: node!, blocks: [], indexes: [] };
        this.openRows.set(key, group);
      }
      group.blocks.push(rows);
      group.indexes.push(i);
      if (group.indexes.length < this.batchSize) continue;
      this.openRows.delete(key);
      const wait = this.dispatchRows(group);
      if (wait) await wait;
      if (this.failure) throw this.failure;
    }
  }

  private dispatchRows(group: RowGroup): void | Promise<void> {
    return this.dispatchRun(() => this.runRowGroup(group));
  }

  /** Sends a row group, handing failures to onGroupError until it is written or dropped. */
  private async runRowGroup(group: RowGroup): Promise<void> {
    let blocks = group.blocks;
    let indexes = group.indexes;
    let node: N | undefined = group.node as N;
    for (let attempt = 1; ; attempt++) {
      const failure =
        node !== undefined
          ? await this.sendRows(node, blocks, indexes)
          : await this.resendRows(blocks, indexes);
      if (failure === undefined) return;
      const hook = this.options.onGroupError;
      if (!hook || this.failure) throw groupError(failure);
      failure.attempt = attempt;
      if ((await hook(failure)) !== 'retry') return;
      blocks = failure.rowBlocks ?? [];
      indexes = failure.rowIndexes ?? [];
      node = undefined;
    }
  }

  /** A re-send re-resolves master nodes (the partition map may have changed). */
  private async resendRows(blocks: EncodedRows[], indexes: number[]): Promise<GroupFailure | undefined> {
    const byNode = new Map<string, { node: N; blocks: EncodedRows[]; indexes: number[] }>();
    for (let i = 0; i < blocks.length; i++) {
      const b = blocks[i]!;
      const node = this.transport.masterNode(b.namespace, b.partitionIds[indexes[i]!]!);
      let part = byNode.get(node.name);
      if (!part) {
        part = { node, blocks: [], indexes: [] };
        byNode.set(node.name, part);
      }
      part.blocks.push(b);
      part.indexes.push(indexes[i]!);
    }
    const failures = await Promise.all(
      [...byNode.values()].map((p) => this.sendRows(p.node, p.blocks, p.indexes)),
    );
    return mergeFailures(failures);
  }

  private async sendRows(
    node: N,
    blocks: EncodedRows[],
    indexes: number[],
  ): Promise<GroupFailure | undefined> {
    const n = blocks.length;
    const bufs: Buffer[] = new Array(n);
    const starts: number[] = new Array(n);
    const ends: number[] = new Array(n);
    for (let i = 0; i < n; i++) {
      const b = blocks[i]!;
      const r = indexes[i]!;
      bufs[i] = b.bytes as Buffer;
      starts[i] = b.offsets[r]!;
      ends[i] = b.offsets[r + 1]!;
    }
    const spare = this.spareRequests.pop();
    const request = buildBatchWriteRequestFromRows(bufs, starts, ends, { timeoutMs: this.timeoutMs }, spare);
    const answered = new Uint8Array(n);
    const again: GroupFailure = {
      node: node.name,
      records: [],
      policies: [],
      attempt: 0,
      rowBlocks: [],
      rowIndexes: [],
    };
    const onRowResult = this.options.onRowResult!;
    const decoder = new BatchReplyDecoder((index, resultCode) => {
      if (index >= n || answered[index]) return;
      answered[index] = 1;
      if (onRowResult(blocks[index]!, indexes[index]!, resultCode) === true) {
        again.rowBlocks!.push(blocks[index]!);
        again.rowIndexes!.push(indexes[index]!);
        again.resultCode = resultCode;
      }
    });
    try {
      await this.transport.exchange(node, request, (type, body) => decoder.feedProto(type, body));
      if (decoder.lastResultCode !== 0) again.resultCode = decoder.lastResultCode;
      // the whole reply is in, so the request has left: its memory can serve the next one
      // (not after errors: a failed socket may still hold it)
      const backing = spare !== undefined && request.buffer === spare.buffer ? spare : request;
      if (this.options.reuseRequestBuffers && this.spareRequests.length <= this.maxInFlight) {
        this.spareRequests.push(backing);
      }
    } catch (err) {
      again.error = err instanceof Error ? err : new Error(String(err));
    }
    for (let i = 0; i < n; i++) {
      if (answered[i]) continue;
      again.rowBlocks!.push(blocks[i]!);
      again.rowIndexes!.push(indexes[i]!);
    }
    return again.rowIndexes!.length > 0 ? again : undefined;
  }

  private async detectThenWrite(record: WriteRecord, policy: RecordWritePolicy): Promise<void> {
    this.modeKnown ??= supportsBatchWrites(this.transport).then((batch) => {
      this.mode = batch ? 'batch' : 'single';
      this.batchSize = this.defaultBatchSize();
    });
    await this.modeKnown;
    return this.write(record, policy);
  }

  private dispatch(group: Group): void | Promise<void> {
    return this.dispatchRun(() => this.runGroup(group));
  }

  private dispatchRun(run: () => Promise<void>): void | Promise<void> {
    if (this.inFlight < this.maxInFlight) {
      this.start(run);
      return;
    }
    return new Promise<void>((resolve) => {
      this.waiting.push(() => {
        this.start(run);
        resolve();
      });
    });
  }

  private start(run: () => Promise<void>): void {
    this.inFlight++;
    run()
      .catch((err: unknown) => {
        this.failure ??= err instanceof Error ? err : new Error(String(err));
      })
      .finally(() => {
        this.inFlight--;
        const next = this.waiting.shift();
        if (next) next();
        else if (this.inFlight === 0) {
          const idle = this.idle;
          this.idle = [];
          for (const resolve of idle) resolve();
        }
      });
  }

  /** Sends a group, handing failures to onGroupError until it is written or dropped. */
  private async runGroup(group: Group): Promise<void> {
    let records = group.records;
    let policies = group.policies;
    let node = group.node;
    for (let attempt = 1; ; attempt++) {
      const failure =
        this.mode === 'batch' && node !== undefined && attempt === 1
          ? await this.sendBatch(node as N, records, policies)
          : await this.resend(records, policies);
      if (failure === undefined) return;
      const hook = this.options.onGroupError;
      if (!hook || this.failure) throw groupError(failure);
      failure.attempt = attempt;
      if ((await hook(failure)) !== 'retry') return;
      records = failure.records;
      policies = failure.policies;
      node = undefined;
    }
  }

  /** A re-send re-resolves master nodes (the partition map may have changed). */
  private async resend(
    records: WriteRecord[],
    policies: RecordWritePolicy[],
  ): Promise<GroupFailure | undefined> {
    if (this.mode !== 'batch') return this.sendSingles(records, policies);
    const byNode = new Map<string, { node: N; records: WriteRecord[]; policies: RecordWritePolicy[] }>();
    for (let i = 0; i < records.length; i++) {
      const node = this.transport.masterNode(records[i].namespace, partitionIdOfDigest(records[i].digest));
      let part = byNode.get(node.name);
      if (!part) {
        part = { node, records: [], policies: [] };
        byNode.set(node.name, part);
      }
      part.records.push(records[i]);
      part.policies.push(policies[i]);
    }
    const failures = await Promise.all(
      [...byNode.values()].map((p) => this.sendBatch(p.node, p.records, p.policies)),
    );
    return mergeFailures(failures);
  }

  private async sendBatch(
    node: N,
    records: WriteRecord[],
    policies: RecordWritePolicy[],
  ): Promise<GroupFailure | undefined> {
    const request = buildBatchWriteRequest(records, policies, { timeoutMs: this.timeoutMs });
    const answered = new Uint8Array(records.length);
    const again: GroupFailure = { node: node.name, records: [], policies: [], attempt: 0 };
    const decoder = new BatchReplyDecoder((index, resultCode) => {
      if (index >= records.length || answered[index]) return;
      answered[index] = 1;
      if (this.options.onResult(records[index], resultCode, policies[index]) === true) {
        again.records.push(records[index]);
        again.policies.push(policies[index]);
        again.resultCode = resultCode;
      }
    });
    try {
      await this.transport.exchange(node, request, (type, body) => decoder.feedProto(type, body));
      if (decoder.lastResultCode !== 0) again.resultCode = decoder.lastResultCode;
    } catch (err) {
      again.error = err instanceof Error ? err : new Error(String(err));
    }
    // Rows the server never answered (batch-level failure or broken connection) fail with the group.
    for (let i = 0; i < records.length; i++) {
      if (answered[i]) continue;
      again.records.push(records[i]);
      again.policies.push(policies[i]);
    }
    return again.records.length > 0 ? again : undefined;
  }

  private async sendSingles(
    records: WriteRecord[],
    policies: RecordWritePolicy[],
  ): Promise<GroupFailure | undefined> {
    const again: GroupFailure = { node: '', records: [], policies: [], attempt: 0 };
    const options = { timeoutMs: this.timeoutMs };
    await Promise.all(
      records.map(async (record, i) => {
        let result: WriteResult;
        try {
          result = await writeRecord(this.transport, record, policies[i], options);
        } catch (err) {
          again.error = err instanceof Error ? err : new Error(String(err));
          again.records.push(record);
          again.policies.push(policies[i]);
          return;
        }
        if (this.options.onResult(record, result.resultCode, policies[i]) === true) {
          again.resultCode = result.resultCode;
          again.records.push(record);
          again.policies.push(policies[i]);
        }
      }),
    );
    return again.records.length > 0 ? again : undefined;
  }
}

function mergeFailures(failures: (GroupFailure | undefined)[]): GroupFailure | undefined {
  let merged: GroupFailure | undefined;
  for (const f of failures) {
    if (!f) continue;
    if (!merged) merged = f;
    else {
      merged.records.push(...f.records);
      merged.policies.push(...f.policies);
      if (f.rowBlocks) {
        merged.rowBlocks = [...(merged.rowBlocks ?? []), ...f.rowBlocks];
        merged.rowIndexes = [...(merged.rowIndexes ?? []), ...(f.rowIndexes ?? [])];
      }
      merged.resultCode ??= f.resultCode;
      merged.error ??= f.error;
    }
  }
  return merged;
}

export class BatchWriteError extends Error {
  readonly code = 'BATCH_WRITE';
  constructor(
    message: string,
    readonly node: string,
    readonly resultCode: number | undefined,
    readonly records: number,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'BatchWriteError';
  }
}

function groupError(f: GroupFailure): BatchWriteError {
  const where = f.node ? `node ${f.node}` : 'single writes';
  const why = f.error ? f.error.message : `result code ${f.resultCode}`;
  return new BatchWriteError(
    `${groupFailureSize(f)} record(s) not written (${where}): ${why}`,
    f.node,
    f.resultCode,
    groupFailureSize(f),
    {
      cause: f.error,
    },
  );
}
