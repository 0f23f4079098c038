// Partition scans for backup (server >= 6 partition queries). Each partition's master node gets
// the partitions it owns in one request; records stream out with back-pressure (a node's socket
// is paused while its records wait), the last digest of every partition is tracked, and
// partitions that were unavailable or cut off by a failure are retried from that digest.
import { randomBytes } from 'node:crypto';
import type { AsbRecord } from '@asbkit/asb-format';
import type { Cluster } from '../net/cluster.js';
import type { Connection } from '../net/connection.js';
import { ConnectionError } from '../net/errors.js';
import type { Node } from '../net/node.js';
import { backupFilter } from '../wire/expression.js';
import { ProtoType } from '../wire/proto.js';
import { encodePartitionQuery } from '../wire/query.js';
import {
  LastDigestOffsets,
  partitionIdOfDigest,
  RecordReplyDecoder,
  type RecordReplyItem,
} from '../wire/record-reply.js';
import { ResultCode, resultCodeName, ServerResultError } from '../wire/result-code.js';

export interface PartitionStart {
  partitionId: number;
  /** Resume point: only records after this digest (in server order) are returned. */
  afterDigest?: Buffer;
}

export interface ScanJob {
  namespace: string;
  partitions: readonly PartitionStart[];
  /** One set goes in the SET field; several become `OR(set_name == ...)`. Omit for all. */
  sets?: readonly string[];
  /** Bins to return (`--bin-list`). */
  binNames?: readonly string[];
  /** Metadata only (`--no-bins`). */
  noBins?: boolean;
  /** Approximate cap for the whole job (`--max-records`, already divided per job). */
  maxRecords?: number;
  /** Server-side throttle per node request (`--records-per-second`, already divided per job). */
  recordsPerSecond?: number;
  /** Packed filter expression (decoded `--filter-exp`); replaces the built expressions. */
  filterExpression?: Buffer;
  /** Nanoseconds since the Unix epoch. */
  modifiedAfter?: bigint;
  modifiedBefore?: bigint;
  noTtlOnly?: boolean;
  /** SOCKET_TIMEOUT sent to the server and silence tolerated by us, ms (default 10000). */
  socketTimeoutMs?: number;
  /** Server-side total timeout, ms (default 0 = none). */
  totalTimeoutMs?: number;
  /** Rounds of retries for partitions that could not be finished (default 5). */
  maxRetries?: number;
  /** Pause before each retry round, ms (default 0). */
  retryDelayMs?: number;
  /** Called before each retry round (for logging). */
  onRetry?: (info: { attempt: number; partitions: number[]; reason: string }) => void;
}

/** Every record of a partition has been yielded (safe to mark it complete in a resume cursor). */
export interface PartitionDone {
  kind: 'partition-done';
  partitionId: number;
}

export type ScanItem = AsbRecord | PartitionDone;

/**
 * The records of one reply proto, not decoded: `count` record messages in `body` (which may also
 * hold partition markers and the end message; `RecordReplyTranscoder` skips those). The body
 * has been checked as `RecordReplyDecoder.decode` checks it.
 */
export interface RawRecords {
  kind: 'raw-records';
  body: Buffer;
  count: number;
}

export type RawScanItem = RawRecords | PartitionDone;

type AnyItem = ScanItem | RawScanItem;

/** A scan that could not finish; `partitions` are the ones left incomplete. */
export class ScanError extends Error {
  readonly code = 'SCAN_FAILED';
  readonly partitions: number[];
  constructor(message: string, partitions: number[], options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'ScanError';
    this.partitions = partitions;
  }
}

interface PartitionState {
  id: number;
  lastDigest: Buffer | undefined;
  /** Whether lastDigest is our own 20-byte copy (the caller's afterDigest is never written to). */
  ownDigest: boolean;
}

/** Result codes after which the unfinished partitions are retried rather than failing the scan. */
const RETRYABLE = new Set<number>([
  ResultCode.TIMEOUT,
  ResultCode.PARTITION_UNAVAILABLE,
  ResultCode.DEVICE_OVERLOAD,
  ResultCode.KEY_BUSY,
  ResultCode.SCAN_ABORT,
  ResultCode.CLUSTER_KEY_MISMATCH,
  ResultCode.SERVER_MEM_ERROR,
]);

type NodeEvent =
  | { kind: 'items'; items: AnyItem[] }
  | { kind: 'failed'; partitions: PartitionState[]; reason: string }
  | { kind: 'fatal'; error: Error }
  /** The node's MAX_RECORDS quota was reached. */
  | { kind: 'capped' };

const NO_BYTES = Buffer.alloc(0);

export function newTaskId(): bigint {
  return randomBytes(8).readBigUInt64BE(0) & 0x7fff_ffff_ffff_ffffn;
}

/**
 * Streams the records of the job's partitions, interleaved with `partition-done` items. Batches
 * hold the items decoded from one reply proto; iterate `scanPartitions` for single items.
 * Memory per node request: the connection's buffer (1 MiB) plus one decoded proto.
 */
export function scanPartitionBatches(cluster: Cluster, job: ScanJob): AsyncGenerator<ScanItem[]> {
  return scanBatches(cluster, job, false) as AsyncGenerator<ScanItem[]>;
}

/**
 * `scanPartitionBatches` without decoding the records: each batch holds the raw records of one
 * reply proto (for `RecordReplyTranscoder`) or `partition-done` items. Same retries, resume
 * digests, limits and back-pressure; no object per record.
 */
export function scanPartitionRawBatches(cluster: Cluster, job: ScanJob): AsyncGenerator<RawScanItem[]> {
  return scanBatches(cluster, job, true) as AsyncGenerator<RawScanItem[]>;
}

async function* scanBatches(cluster: Cluster, job: ScanJob, raw: boolean): AsyncGenerator<AnyItem[]> {
  const seen = new Set<number>();
  let pending: PartitionState[] = job.partitions.map((p) => {
    if (!Number.isInteger(p.partitionId) || p.partitionId < 0 || p.partitionId > 4095) {
      throw new ScanError(`partition id ${p.partitionId} out of range 0-4095`, [p.partitionId]);
    }
    if (seen.has(p.partitionId))
      throw new ScanError(`partition ${p.partitionId} listed twice`, [p.partitionId]);
    seen.add(p.partitionId);
    return { id: p.partitionId, lastDigest: p.afterDigest, ownDigest: false };
  });
  const sets = job.sets ?? [];
  if (job.filterExpression && sets.length > 1) {
    throw new ScanError('a filter expression cannot be combined with several sets', []);
  }
  const filter =
    job.filterExpression ??
    backupFilter({
      sets,
      modifiedAfter: job.modifiedAfter,
      modifiedBefore: job.modifiedBefore,
      noTtlOnly: job.noTtlOnly,
    });
  const maxRetries = job.maxRetries ?? 5;
  let remaining =
    job.maxRecords !== undefined && job.maxRecords > 0 ? job.maxRecords : Number.POSITIVE_INFINITY;

  for (let attempt = 0; pending.length > 0; attempt++) {
    // Group by master node; a partition without a master waits for the next round.
    const groups = new Map<Node, PartitionState[]>();
    const orphans: PartitionState[] = [];
    for (const p of pending) {
      let node: Node;
      try {
        node = cluster.masterNode(job.namespace, p.id);
      } catch (err) {
        if ((err as { code?: string }).code === 'NAMESPACE_NOT_FOUND') {
          throw new ScanError(
            `namespace ${job.namespace} does not exist`,
            pending.map((x) => x.id),
            { cause: err },
          );
        }
        orphans.push(p);
        continue;
      }
      const g = groups.get(node);
      if (g) g.push(p);
      else groups.set(node, [p]);
    }
    const nodes = [...groups.keys()];
    const taskId = newTaskId();
    const quotas = splitQuota(remaining, nodes.length);
    const live = new Set<Connection>();
    const streams = nodes.map((n, i) =>
      scanNode(n, groups.get(n)!, job, filter, taskId, quotas[i], live, raw),
    );
    const failed: PartitionState[] = [...orphans];
    const reasons: string[] =
      orphans.length > 0 ? [`${orphans.length} partitions without a master node`] : [];
    let quotaHit = false;
    const abort = () => {
      for (const c of live) c.close();
    };
    for await (const ev of merge(streams, abort)) {
      if (ev.kind === 'items') {
        for (const it of ev.items) {
          if (it.kind === 'record') remaining--;
          else if (it.kind === 'raw-records') remaining -= it.count;
        }
        yield ev.items;
      } else if (ev.kind === 'fatal') {
        throw ev.error;
      } else if (ev.kind === 'capped') {
        quotaHit = true;
      } else {
        failed.push(...ev.partitions);
        reasons.push(ev.reason);
      }
    }
    if (quotaHit || remaining <= 0) return;
    pending = failed;
    if (pending.length === 0) return;
    if (attempt >= maxRetries) {
      const ids = pending.map((p) => p.id).sort((a, b) => a - b);
      throw new ScanError(
        `scan of ${job.namespace} failed for ${ids.length} partitions after ${maxRetries} retries: ${reasons.join('; ')}`,
        ids,
      );
    }
    job.onRetry?.({ attempt: attempt + 1, partitions: pending.map((p) => p.id), reason: reasons.join('; ') });
    if (job.retryDelayMs) await new Promise((r) => setTimeout(r, job.retryDelayMs));
    await cluster.refresh(true).catch(() => {
      /* keep the old map; the next round reports what is still missing */
    });
  }
}

/**
 * `scanPartitionBatches` flattened to one item at a time. Hand-written rather than a generator:
 * items already decoded are handed out without another generator round trip.
 */
export function scanPartitions(cluster: Cluster, job: ScanJob): AsyncIterableIterator<ScanItem> {
  const batches = scanPartitionBatches(cluster, job);
  let batch: ScanItem[] = [];
  let i = 0;
  const iterator: AsyncIterableIterator<ScanItem> = {
    async next(): Promise<IteratorResult<ScanItem>> {
      while (i >= batch.length) {
        const r = await batches.next();
        if (r.done) return { value: undefined, done: true };
        batch = r.value;
        i = 0;
      }
      return { value: batch[i++], done: false };
    },
    async return(): Promise<IteratorResult<ScanItem>> {
      batch = [];
      await batches.return(undefined);
      return { value: undefined, done: true };
    },
    async throw(err?: unknown): Promise<IteratorResult<ScanItem>> {
      await batches.return(undefined);
      throw err;
    },
    [Symbol.asyncIterator]() {
      return iterator;
    },
  };
  return iterator;
}

function splitQuota(total: number, n: number): number[] {
  if (!Number.isFinite(total)) return new Array(n).fill(Number.POSITIVE_INFINITY);
  const base = Math.floor(total / n);
  return Array.from({ length: n }, (_, i) => Math.max(1, base + (i < total % n ? 1 : 0)));
}

/** One partition query to one node; never throws for retryable problems (yields 'failed'). */
async function* scanNode(
  node: Node,
  parts: PartitionState[],
  job: ScanJob,
  filter: Buffer | undefined,
  taskId: bigint,
  quota: number,
  live: Set<Connection>,
  rawMode: boolean,
): AsyncGenerator<NodeEvent> {
  const byId: (PartitionState | undefined)[] = new Array(4096);
  for (const p of parts) byId[p.id] = p;
  const unavailable = new Set<number>();
  const socketTimeoutMs = job.socketTimeoutMs ?? 10_000;
  const sets = job.sets ?? [];
  const request = encodePartitionQuery({
    namespace: job.namespace,
    set: sets.length === 1 ? sets[0] : undefined,
    recordsPerSecond: job.recordsPerSecond,
    socketTimeoutMs,
    totalTimeoutMs: job.totalTimeoutMs,
    taskId,
    filterExpression: filter,
    partitionIds: parts.filter((p) => !p.lastDigest).map((p) => p.id),
    afterDigests: parts.filter((p) => p.lastDigest).map((p) => p.lastDigest!),
    maxRecords: Number.isFinite(quota) ? quota : undefined,
    binNames: job.binNames,
    noBins: job.noBins,
  });
  if (!node.hasFeature('pquery')) {
    yield {
      kind: 'fatal',
      error: new ScanError(
        `not implemented: scans of ${node} (build ${node.build}) without partition queries (server < 6)`,
        parts.map((p) => p.id),
      ),
    };
    return;
  }
  let conn: Connection | undefined;
  let clean = false;
  let records = 0;
  try {
    conn = await node.acquire();
    live.add(conn);
    conn.socketTimeoutMs = socketTimeoutMs;
    await conn.send(request);
    const decoder = new RecordReplyDecoder();
    const raw: RecordReplyItem[] = [];
    let body: Buffer = NO_BYTES;
    // Raw mode: the last digest of each partition, copied once per reply (not a view: that
    // would pin the reply).
    const last = new LastDigestOffsets();
    const onRecord = (d: number) => last.note(body, d);
    const keepLastDigests = () => {
      for (let i = 0; i < last.count; i++) {
        const id = last.partitions[i]!;
        const p = byId[id];
        if (!p) continue;
        if (!p.ownDigest) {
          p.lastDigest = Buffer.allocUnsafe(20);
          p.ownDigest = true;
        }
        body.copy(p.lastDigest!, 0, last.offset[id], last.offset[id] + 20);
      }
      last.clear();
    };
    while (!decoder.done) {
      const proto = await conn.readProto();
      if (proto.type !== ProtoType.MESSAGE)
        throw new ConnectionError(
          'CONNECTION',
          node.toString(),
          `unexpected proto type ${proto.type} in a scan reply`,
        );
      raw.length = 0;
      const items: AnyItem[] = [];
      if (rawMode) {
        body = proto.body;
        const count = decoder.index(body, raw, onRecord);
        keepLastDigests();
        if (count > 0) {
          records += count;
          items.push({ kind: 'raw-records', body, count });
        }
        body = NO_BYTES; // the consumer holds it; the next proto need not wait for it here
      } else decoder.decode(proto.body, raw);
      for (const it of raw) {
        if (it.kind === 'record') {
          const p = byId[partitionIdOfDigest(it.digest)];
          if (p) {
            // Copy: the record's digest is a view into the reply, and keeping it would pin the
            // whole reply buffer for as long as the partition is open.
            if (!p.ownDigest) {
              p.lastDigest = Buffer.allocUnsafe(20);
              p.ownDigest = true;
            }
            it.digest.copy(p.lastDigest!);
          }
          records++;
          items.push(it);
        } else if (it.kind === 'partition-unavailable') {
          unavailable.add(it.partitionId);
        } else if (it.resultCode !== ResultCode.OK) {
          clean = true; // the server ended the stream; the connection can be reused
          const why = `${node}: ${resultCodeName(it.resultCode)} (${it.resultCode})`;
          if (!RETRYABLE.has(it.resultCode)) {
            yield {
              kind: 'fatal',
              error: new ServerResultError(it.resultCode, `scan of ${job.namespace} on ${node}`),
            };
            return;
          }
          if (items.length > 0) yield { kind: 'items', items };
          yield { kind: 'failed', partitions: parts, reason: why };
          return;
        }
      }
      if (items.length > 0) yield { kind: 'items', items };
    }
    clean = true;
    if (Number.isFinite(quota) && records >= quota) {
      // The server stopped at the cap: nothing says which partitions were finished.
      yield { kind: 'capped' };
      return;
    }
    const done: AnyItem[] = [];
    const failed: PartitionState[] = [];
    for (const p of parts) {
      if (unavailable.has(p.id)) failed.push(p);
      else done.push({ kind: 'partition-done', partitionId: p.id });
    }
    if (done.length > 0) yield { kind: 'items', items: done };
    if (failed.length > 0) {
      yield {
        kind: 'failed',
        partitions: failed,
        reason: `${node}: ${failed.length} partitions unavailable`,
      };
    }
  } catch (err) {
    // Nothing says which partitions finished: retry them all, each from its last digest.
    yield { kind: 'failed', partitions: parts, reason: `${node}: ${(err as Error).message}` };
  } finally {
    if (conn) {
      live.delete(conn);
      node.release(conn, !clean);
    }
  }
}

/**
 * Interleaves several async generators, pulling from each only once its last value has been
 * consumed (the consumer asked for the next one): a node's next reply proto is not read while
 * its previous one is still being processed, so a job holds one proto per node, not two.
 */
async function* merge<T>(gens: AsyncGenerator<T>[], abort: () => void): AsyncGenerator<T> {
  type Step = { i: number; r: IteratorResult<T> };
  const next = (i: number): Promise<Step> => gens[i].next().then((r) => ({ i, r }));
  const inFlight = new Map<number, Promise<Step>>();
  for (let i = 0; i < gens.length; i++) inFlight.set(i, next(i));
  let parked = -1; // the generator whose value the consumer holds
  try {
    while (inFlight.size > 0) {
      const { i, r } = await Promise.race(inFlight.values());
      inFlight.delete(i);
      if (r.done) continue;
      parked = i;
      yield r.value;
      parked = -1;
      inFlight.set(i, next(i));
    }
  } finally {
    // Consumer stopped early or a stream threw: close the sockets so pending reads settle now.
    if (inFlight.size > 0) abort();
    const open = [...inFlight.keys()];
    if (parked >= 0) open.push(parked);
    await Promise.allSettled(open.map((i) => gens[i].return(undefined)));
  }
}
