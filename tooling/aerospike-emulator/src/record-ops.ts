// Single-record commands as the 8.1.2 server applies them (wire-protocol §7): writes with
// generation/existence/TTL policies, reads by digest and deletes. Used for plain AS_MSG requests
// and for every row of a batch. Ops the emulator does not implement are refused with result 4.

import { ParticleType } from '@asbkit/asb-format';
import {
  type AsMsg,
  FieldType,
  findField,
  Info1,
  Info2,
  Info3,
  type Op,
  OpType,
} from '@asbkit/cluster-client/wire';
import { compileFilter } from './expression.js';
import { ResultCode } from './faults.js';
import { citrusleafNow, type StoredBin, type StoredRecord } from './record.js';
import type { EmulatorState } from './state.js';

/** 10 years: the largest TTL the server accepts (wire-protocol §7.3). */
const MAX_TTL = 315_360_000;
const TTL_NEVER = 0xffffffff;
const TTL_KEEP = 0xfffffffe;

export interface CommandResult {
  resultCode: number;
  generation: number;
  voidTime: number;
  ops: Op[];
}

/** What a record command needs from a request: header bits, fields and ops. */
export type RecordCommand = Pick<
  AsMsg,
  'info1' | 'info2' | 'info3' | 'generation' | 'recordTtl' | 'fields' | 'ops'
>;

function fail(resultCode: number, current?: StoredRecord): CommandResult {
  return { resultCode, generation: current?.generation ?? 0, voidTime: current?.voidTime ?? 0, ops: [] };
}

/** Runs one single-record command (read, write or delete) against the store. */
export function runRecordCommand(
  state: EmulatorState,
  cmd: RecordCommand,
  nowMs = Date.now(),
): CommandResult {
  const nsField = findField(cmd, FieldType.NAMESPACE);
  const digest = findField(cmd, FieldType.DIGEST);
  if (!nsField || !digest || digest.length !== 20) {
    state.log('record command refused: NAMESPACE and a 20-byte DIGEST field are required');
    return fail(ResultCode.PARAMETER);
  }
  const store = state.namespaces.get(nsField.toString('utf8'));
  if (!store) return fail(ResultCode.NAMESPACE_NOT_FOUND);
  const forced = state.faults.resultCodeByDigest?.get(digest.toString('hex'));
  const current = store.get(digest, nowMs);
  if (forced !== undefined) return fail(forced, current);

  const filterBytes = findField(cmd, FieldType.FILTER_EXP);
  if (filterBytes && current) {
    try {
      if (!compileFilter(filterBytes)(current, nowMs)) return fail(27, current);
    } catch (err) {
      state.log(`record command refused: ${(err as Error).message}`);
      return fail(ResultCode.PARAMETER, current);
    }
  }

  if (cmd.info2 & Info2.WRITE) {
    if (cmd.info2 & Info2.DELETE) return deleteRecord(cmd, store, digest, current);
    return writeRecord(state, cmd, nsField.toString('utf8'), digest, current, nowMs);
  }
  if (cmd.info1 & Info1.READ) return readRecord(state, cmd, current);
  state.log(`record command refused: neither READ nor WRITE (info1=${cmd.info1}, info2=${cmd.info2})`);
  return fail(ResultCode.PARAMETER, current);
}

function readRecord(
  state: EmulatorState,
  cmd: RecordCommand,
  current: StoredRecord | undefined,
): CommandResult {
  if (!current) return fail(ResultCode.KEY_NOT_FOUND);
  if (cmd.ops.some((o) => o.op !== OpType.READ)) {
    state.log(
      `read refused: only plain READ ops are emulated (got op ${cmd.ops.find((o) => o.op !== OpType.READ)?.op})`,
    );
    return fail(ResultCode.PARAMETER, current);
  }
  let bins: StoredBin[] = [];
  if (cmd.info1 & Info1.NOBINDATA) bins = [];
  else if (cmd.ops.length > 0) {
    const wanted = new Set(cmd.ops.map((o) => o.name.toString('utf8')));
    bins = current.bins.filter((b) => wanted.has(b.name));
  } else bins = current.bins;
  return {
    resultCode: ResultCode.OK,
    generation: current.generation,
    voidTime: current.voidTime,
    ops: bins.map((b) => binOp(OpType.READ, b)),
  };
}

export function binOp(opType: number, bin: StoredBin): Op {
  return { op: opType, particleType: bin.type, name: Buffer.from(bin.name, 'utf8'), value: bin.data };
}

function generationCheck(cmd: RecordCommand, current: StoredRecord | undefined): boolean {
  const have = current?.generation ?? 0;
  if (cmd.info2 & Info2.GENERATION) return cmd.generation === have;
  if (cmd.info2 & Info2.GENERATION_GT) return cmd.generation > have;
  return true;
}

function deleteRecord(
  cmd: RecordCommand,
  store: { delete(d: Buffer): boolean },
  digest: Buffer,
  current: StoredRecord | undefined,
): CommandResult {
  if (cmd.info2 & Info2.DURABLE_DELETE) return fail(ResultCode.ENTERPRISE_ONLY, current);
  if (!current) return fail(ResultCode.KEY_NOT_FOUND);
  if (!generationCheck(cmd, current)) return fail(ResultCode.GENERATION_ERROR, current);
  store.delete(digest);
  return { resultCode: ResultCode.OK, generation: 0, voidTime: 0, ops: [] };
}

/** Validates a WRITE op's value; integers of 1, 2 or 4 bytes are zero-extended as the server does. */
function storedBinOf(o: Op): StoredBin | number {
  const name = o.name.toString('utf8');
  if (o.name.length > 15) return ResultCode.BIN_NAME;
  const v = o.value;
  switch (o.particleType) {
    case ParticleType.NULL:
      // Deletes the bin (merged away below); a value with it is malformed.
      return v.length === 0 ? { name, type: o.particleType, data: Buffer.alloc(0) } : ResultCode.PARAMETER;
    case ParticleType.INTEGER: {
      if (v.length === 8) return { name, type: o.particleType, data: Buffer.from(v) };
      if (v.length !== 1 && v.length !== 2 && v.length !== 4) return ResultCode.PARAMETER;
      const data = Buffer.alloc(8);
      v.copy(data, 8 - v.length);
      return { name, type: o.particleType, data };
    }
    case ParticleType.FLOAT:
      return v.length === 8 ? { name, type: o.particleType, data: Buffer.from(v) } : ResultCode.PARAMETER;
    case ParticleType.BOOL:
      return v.length === 1 && v[0] <= 1
        ? { name, type: o.particleType, data: Buffer.from(v) }
        : ResultCode.PARAMETER;
    case ParticleType.GEOJSON:
      return v.length >= 3 ? { name, type: o.particleType, data: Buffer.from(v) } : ResultCode.PARAMETER;
    case ParticleType.STRING:
    case ParticleType.BLOB:
    case ParticleType.JAVA_BLOB:
    case ParticleType.CSHARP_BLOB:
    case ParticleType.PYTHON_BLOB:
    case ParticleType.RUBY_BLOB:
    case ParticleType.PHP_BLOB:
    case ParticleType.ERLANG_BLOB:
    case ParticleType.VECTOR:
    case ParticleType.HLL:
    case ParticleType.MAP:
    case ParticleType.LIST:
      return { name, type: o.particleType, data: Buffer.from(v) };
    default:
      return ResultCode.PARAMETER;
  }
}

/** Void time for a write's TTL, or undefined when the TTL is out of range (rc 4). */
function voidTimeOf(ttl: number, current: StoredRecord | undefined, nowMs: number): number | undefined {
  if (ttl === 0 || ttl === TTL_NEVER) return 0; // default-ttl of every emulated namespace is 0
  if (ttl === TTL_KEEP) return current?.voidTime ?? 0;
  if (ttl >= 1 && ttl <= MAX_TTL) return citrusleafNow(nowMs) + ttl;
  return undefined;
}

function writeRecord(
  state: EmulatorState,
  cmd: RecordCommand,
  namespace: string,
  digest: Buffer,
  current: StoredRecord | undefined,
  nowMs: number,
): CommandResult {
  const unsupported = cmd.ops.find((o) => o.op !== OpType.WRITE);
  if (unsupported) {
    state.log(`write refused: op type ${unsupported.op} is not emulated (only WRITE ops are)`);
    return fail(ResultCode.PARAMETER, current);
  }
  const setField = findField(cmd, FieldType.SET);
  const set = setField && setField.length > 0 ? setField.toString('utf8') : undefined;
  const key = findField(cmd, FieldType.KEY);
  if (key && key[0] === ParticleType.INTEGER && key.length !== 9) return fail(16, current);

  const bins: StoredBin[] = [];
  for (const o of cmd.ops) {
    const bin = storedBinOf(o);
    if (typeof bin === 'number') return fail(bin, current);
    bins.push(bin);
  }
  const voidTime = voidTimeOf(cmd.recordTtl >>> 0, current, nowMs);
  if (voidTime === undefined) return fail(ResultCode.PARAMETER, current);

  if (current) {
    if (cmd.info2 & Info2.CREATE_ONLY) return fail(ResultCode.KEY_EXISTS, current);
    if (current.set !== set) return fail(ResultCode.PARAMETER, current);
    if (key && current.key && !key.equals(current.key)) return fail(ResultCode.KEY_MISMATCH, current);
  } else if (cmd.info3 & (Info3.UPDATE_ONLY | Info3.REPLACE_ONLY)) {
    return fail(ResultCode.KEY_NOT_FOUND);
  }
  if (!generationCheck(cmd, current)) return fail(ResultCode.GENERATION_ERROR, current);

  const replace = (cmd.info3 & (Info3.CREATE_OR_REPLACE | Info3.REPLACE_ONLY)) !== 0;
  const merged: StoredBin[] = replace || !current ? [] : current.bins.map((b) => ({ ...b }));
  for (const bin of bins) {
    const at = merged.findIndex((b) => b.name === bin.name);
    if (bin.type === ParticleType.NULL) {
      if (at >= 0) merged.splice(at, 1);
    } else if (at >= 0) merged[at] = bin;
    else merged.push(bin);
  }
  const generation = current ? (current.generation % 0xffff) + 1 : 1;
  const responseOps: Op[] =
    cmd.info2 & Info2.RESPOND_ALL_OPS
      ? cmd.ops.map((o) => ({ op: OpType.WRITE, particleType: 0, name: o.name, value: Buffer.alloc(0) }))
      : [];
  const store = state.namespaces.get(namespace)!;
  if (merged.length === 0) {
    // A record left without bins is gone, as on the server. Writing only NULL bins to a missing
    // record creates nothing: a real 8.1 server answers 4 under CREATE_OR_REPLACE, else 2.
    if (!current) {
      return fail(cmd.info3 & Info3.CREATE_OR_REPLACE ? ResultCode.PARAMETER : ResultCode.KEY_NOT_FOUND);
    }
    store.delete(digest);
    return { resultCode: ResultCode.OK, generation: 0, voidTime: 0, ops: responseOps };
  }
  store.put({
    namespace,
    digest: Buffer.from(digest),
    set,
    key: key ? Buffer.from(key) : current?.key,
    generation,
    voidTime,
    lastUpdateMs: nowMs,
    bins: merged,
  });
  return { resultCode: ResultCode.OK, generation, voidTime, ops: responseOps };
}
