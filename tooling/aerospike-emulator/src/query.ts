// Server side of partition queries (server >= 6, wire-protocol §4.3, §6): PID_ARRAY and
// DIGEST_ARRAY (resume strictly after the digest, descending digest order inside a partition),
// set and bin selection, no-bins, MAX_RECORDS, RECORDS_PER_SECOND, filter expressions, and
// partition-unavailable markers. Fault switches act here too.

import {
  type AsMsg,
  emptyHeader,
  encodeAsMsg,
  encodeProto,
  type Field,
  FieldType,
  findField,
  Info1,
  Info3,
  OpType,
  ProtoType,
} from '@asbkit/cluster-client/wire';
import { compileFilter, type RecordFilter } from './expression.js';
import { ResultCode } from './faults.js';
import { partitionOf, type StoredRecord } from './record.js';
import { binOp } from './record-ops.js';
import type { EmulatorState } from './state.js';
import { PARTITIONS } from './store.js';

/** Where query replies go; `write` resolves false once the connection is gone. */
export interface ReplySink {
  write(chunk: Buffer): Promise<boolean>;
  destroy(): void;
}

const RECORDS_PER_PROTO = 64;
const REFUSED_FIELDS = new Map<number, string>([
  [FieldType.INDEX_NAME, 'secondary-index queries'],
  [FieldType.INDEX_RANGE, 'secondary-index queries'],
  [FieldType.INDEX_CONTEXT, 'secondary-index queries'],
  [FieldType.INDEX_EXPRESSION, 'secondary-index queries'],
  [FieldType.INDEX_TYPE, 'secondary-index queries'],
  [FieldType.UDF_PACKAGE_NAME, 'UDF queries'],
  [FieldType.UDF_FUNCTION, 'UDF queries'],
  [FieldType.UDF_ARGLIST, 'UDF queries'],
  [FieldType.UDF_OP, 'UDF queries'],
  [FieldType.QUERY_BINS, 'the deprecated QUERY_BINS field'],
]);

/** One as_msg reply proto carrying only a header (errors, LAST). */
export function headerOnlyReply(resultCode: number, info3 = 0, generation = 0): Buffer {
  const header = { ...emptyHeader(), resultCode, info3, generation };
  return encodeProto(ProtoType.MESSAGE, encodeAsMsg(header));
}

function recordMsg(
  record: StoredRecord,
  noBins: boolean,
  binNames: Set<string> | undefined,
): Buffer | undefined {
  const fields: Field[] = [
    { type: FieldType.NAMESPACE, data: Buffer.from(record.namespace, 'utf8') },
    { type: FieldType.DIGEST, data: record.digest },
  ];
  if (record.set !== undefined) fields.push({ type: FieldType.SET, data: Buffer.from(record.set, 'utf8') });
  if (record.key !== undefined) fields.push({ type: FieldType.KEY, data: record.key });
  let bins = record.bins;
  if (binNames) {
    bins = bins.filter((b) => binNames.has(b.name));
    // A record with none of the selected bins is not returned at all (wire-protocol §6.2).
    if (bins.length === 0) return undefined;
  }
  const header = {
    ...emptyHeader(),
    info1: noBins ? Info1.NOBINDATA : 0,
    generation: record.generation,
    recordTtl: record.voidTime,
  };
  return encodeAsMsg(header, fields, noBins ? [] : bins.map((b) => binOp(OpType.READ, b)));
}

interface QueryPlan {
  namespace: string;
  set: string | undefined;
  /** Partitions in request order, each with an optional resume digest. */
  partitions: { pid: number; after?: Buffer }[];
  filter: RecordFilter | undefined;
  binNames: Set<string> | undefined;
  noBins: boolean;
  maxRecords: number;
  recordsPerSecond: number;
}

/** Checks a query request; returns the plan or the result code to refuse it with. */
function planQuery(state: EmulatorState, msg: AsMsg): QueryPlan | number {
  if (!(msg.info3 & Info3.PARTITION_DONE)) {
    state.log('query refused with 16: the request lacks info3 PARTITION_DONE (required by server 8.x)');
    return ResultCode.UNSUPPORTED_FEATURE;
  }
  for (const f of msg.fields) {
    const why = REFUSED_FIELDS.get(f.type);
    if (why) {
      state.log(`query refused with 4: ${why} are not emulated (field ${f.type})`);
      return ResultCode.PARAMETER;
    }
  }
  const namespace = findField(msg, FieldType.NAMESPACE)?.toString('utf8') ?? '';
  if (!state.namespaces.has(namespace)) return ResultCode.NAMESPACE_NOT_FOUND;
  const setField = findField(msg, FieldType.SET);
  const partitions: QueryPlan['partitions'] = [];
  const seen = new Set<number>();
  const pidArray = findField(msg, FieldType.PID_ARRAY);
  if (pidArray) {
    for (let i = 0; i + 1 < pidArray.length; i += 2) {
      const pid = pidArray.readUInt16LE(i);
      if (pid >= PARTITIONS || seen.has(pid)) {
        state.log(`query refused with 4: partition id ${pid} out of range or repeated`);
        return ResultCode.PARAMETER;
      }
      seen.add(pid);
      partitions.push({ pid });
    }
  }
  const digestArray = findField(msg, FieldType.DIGEST_ARRAY);
  if (digestArray) {
    for (let i = 0; i + 20 <= digestArray.length; i += 20) {
      const after = digestArray.subarray(i, i + 20);
      const pid = partitionOf(after);
      if (seen.has(pid)) {
        state.log(`query refused with 4: partition ${pid} given twice (PID_ARRAY and DIGEST_ARRAY)`);
        return ResultCode.PARAMETER;
      }
      seen.add(pid);
      partitions.push({ pid, after });
    }
  }
  if (partitions.length === 0) {
    state.log(
      'query refused with 4: no PID_ARRAY/DIGEST_ARRAY (only server >= 6 partition queries are emulated)',
    );
    return ResultCode.PARAMETER;
  }
  const badOp = msg.ops.find((o) => o.op !== OpType.READ);
  if (badOp) {
    state.log(
      `query refused with 4: op type ${badOp.op} is not emulated in queries (only READ bin selection)`,
    );
    return ResultCode.PARAMETER;
  }
  let filter: RecordFilter | undefined;
  const exp = findField(msg, FieldType.FILTER_EXP);
  if (exp) {
    try {
      filter = compileFilter(exp);
    } catch (err) {
      state.log(`query refused with 4: ${(err as Error).message} (expression ${exp.toString('base64')})`);
      return ResultCode.PARAMETER;
    }
  }
  const maxField = findField(msg, FieldType.MAX_RECORDS);
  const rpsField = findField(msg, FieldType.RECORDS_PER_SECOND);
  return {
    namespace,
    set: setField && setField.length > 0 ? setField.toString('utf8') : undefined,
    partitions,
    filter,
    binNames: msg.ops.length > 0 ? new Set(msg.ops.map((o) => o.name.toString('utf8'))) : undefined,
    noBins: (msg.info1 & Info1.NOBINDATA) !== 0,
    maxRecords: maxField?.length === 8 ? Number(maxField.readBigUInt64BE(0)) : 0,
    recordsPerSecond: rpsField?.length === 4 ? rpsField.readUInt32BE(0) : 0,
  };
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Answers a partition query on node `node`, writing reply protos to `sink`. */
export async function runQuery(
  state: EmulatorState,
  node: number,
  msg: AsMsg,
  sink: ReplySink,
): Promise<void> {
  const plan = planQuery(state, msg);
  if (typeof plan === 'number') {
    // Refused up front: one as_msg with the error and no LAST (wire-protocol §6.1).
    await sink.write(headerOnlyReply(plan));
    return;
  }
  const store = state.namespaces.get(plan.namespace)!;
  const started = Date.now();
  let sent = 0;
  let pending: Buffer[] = [];
  let pendingRecords = 0;

  const flush = async (): Promise<boolean> => {
    if (pending.length === 0) return true;
    const delay = state.faults.replyDelayMs ?? 0;
    if (delay > 0) await sleep(delay);
    const body = Buffer.concat(pending);
    pending = [];
    pendingRecords = 0;
    return sink.write(encodeProto(ProtoType.MESSAGE, body));
  };
  const unavailable = (pid: number) => {
    pending.push(
      encodeAsMsg({
        ...emptyHeader(),
        info3: Info3.PARTITION_DONE,
        resultCode: ResultCode.UNAVAILABLE,
        generation: pid,
      }),
    );
  };

  for (const { pid, after } of plan.partitions) {
    if (!state.map.holds(node, pid) || state.faults.unavailablePartitions?.includes(pid)) {
      unavailable(pid);
      continue;
    }
    const nowMs = Date.now();
    for (const record of store.partitionRecords(pid, after, nowMs)) {
      if (plan.maxRecords > 0 && sent >= plan.maxRecords) break;
      if (!state.map.holds(node, pid)) {
        // The partition moved away while we were sending it: the client must resume elsewhere.
        unavailable(pid);
        break;
      }
      if (plan.set !== undefined && record.set !== plan.set) continue;
      if (plan.filter && !plan.filter(record, nowMs)) continue;
      const reply = recordMsg(record, plan.noBins, plan.binNames);
      if (!reply) continue;
      pending.push(reply);
      pendingRecords++;
      sent++;
      if (plan.recordsPerSecond > 0) {
        const due = started + (sent * 1000) / plan.recordsPerSecond;
        if (due > Date.now()) {
          if (!(await flush())) return;
          await sleep(due - Date.now());
        }
      }
      if (pendingRecords >= RECORDS_PER_PROTO && !(await flush())) return;
      if (!applyMidQueryFaults(state, sent)) {
        await flush();
        state.log(`fault: closing query connection after ${sent} records`);
        sink.destroy();
        return;
      }
    }
    if (plan.maxRecords > 0 && sent >= plan.maxRecords) break;
  }
  if (!(await flush())) return;
  await sink.write(headerOnlyReply(ResultCode.OK, Info3.LAST));
}

/** Fires record-count faults; returns false when the connection must be closed now. */
function applyMidQueryFaults(state: EmulatorState, sent: number): boolean {
  const move = state.faults.movePartitionsMidQuery;
  if (move && sent >= move.afterRecords) {
    state.faults.movePartitionsMidQuery = undefined;
    state.map.move(move.partitions, move.toNode);
    state.log(`fault: moved ${move.partitions.length} partitions to node ${move.toNode} mid-query`);
  }
  const close = state.faults.closeQueryAfterRecords;
  if (close === undefined) return true;
  if (typeof close === 'number') return sent < close;
  if (sent < close.records) return true;
  state.faults.closeQueryAfterRecords =
    close.times > 1 ? { records: close.records, times: close.times - 1 } : undefined;
  return false;
}
