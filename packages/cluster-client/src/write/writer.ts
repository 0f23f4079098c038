// Write executors: one record at a time (`writeRecord`), and `BatchWriter`, a bounded pipeline that
// groups records per master node into batch writes (or groups of single writes on servers without
// batch writes), reports every record's result code, and leaves retries to its caller.

import { partitionIdOfDigest } from '../wire/record-reply.js';
import { buildBatchWriteRequest } from './batch.js';
import type { WriteRecord } from './encode.js';
import type { RecordWritePolicy } from './policy.js';
import { BatchReplyDecoder, readSingleBody, type WriteResult } from './reply.js';
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

  private async detectThenWrite(record: WriteRecord, policy: RecordWritePolicy): Promise<void> {
    this.modeKnown ??= supportsBatchWrites(this.transport).then((batch) => {
      this.mode = batch ? 'batch' : 'single';
      this.batchSize = this.defaultBatchSize();
    });
    await this.modeKnown;
    return this.write(record, policy);
  }

  private dispatch(group: Group): void | Promise<void> {
    if (this.inFlight < this.maxInFlight) {
      this.start(group);
      return;
    }
    return new Promise<void>((resolve) => {
      this.waiting.push(() => {
        this.start(group);
        resolve();
      });
    });
  }

  private start(group: Group): void {
    this.inFlight++;
    this.runGroup(group)
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
    `${f.records.length} record(s) not written (${where}): ${why}`,
    f.node,
    f.resultCode,
    f.records.length,
    {
      cause: f.error,
    },
  );
}
