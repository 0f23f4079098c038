// Server-side evaluation of the filter expressions asbackup generates (wire-protocol §10):
// set-name OR lists, last-update bounds, `ttl == -1`, combined with AND, plus the bin
// comparisons of the documented `--filter-exp` example. Everything else is refused at compile
// time with an ExpressionError, which the query handler turns into result code 4.

import { CITRUSLEAF_EPOCH } from '@asbkit/asb-format';
import { ExpOp, ExpType } from '@asbkit/cluster-client/wire';
import { type MsgpackValue, readMsgpack } from './msgpack-reader.js';
import { citrusleafNow, type StoredRecord } from './record.js';

// Opcodes and BIN result types come from the client's codec, so both sides agree by construction.
export { ExpOp };

export class ExpressionError extends Error {
  readonly code = 'EMULATOR_EXPRESSION';
}

type Value =
  | { kind: 'int'; v: bigint }
  | { kind: 'float'; v: number }
  | { kind: 'bool'; v: boolean }
  | { kind: 'str' | 'blob'; v: Buffer }
  | undefined; // unknown: a missing bin or a type mismatch

type ValueFn = (record: StoredRecord, nowMs: number) => Value;
/** Compiled filter: true = the record passes. */
export type RecordFilter = (record: StoredRecord, nowMs: number) => boolean;

export function compileFilter(bytes: Buffer): RecordFilter {
  let tree: MsgpackValue;
  try {
    tree = readMsgpack(bytes);
  } catch (err) {
    throw new ExpressionError(`unparseable filter expression: ${(err as Error).message}`);
  }
  const fn = compile(tree);
  return (record, nowMs) => {
    const out = fn(record, nowMs);
    return out?.kind === 'bool' && out.v;
  };
}

function compile(node: MsgpackValue): ValueFn {
  if (!Array.isArray(node)) return constant(node);
  const [op, ...args] = node;
  switch (op) {
    case ExpOp.EQ:
    case ExpOp.NE:
    case ExpOp.GT:
    case ExpOp.GE:
    case ExpOp.LT:
    case ExpOp.LE:
      return comparison(op, args);
    case ExpOp.AND:
    case ExpOp.OR: {
      if (args.length < 1) throw new ExpressionError(`AND/OR without arguments`);
      const parts = args.map(compile);
      const isAnd = op === ExpOp.AND;
      return (r, now) => {
        for (const part of parts) {
          const v = part(r, now);
          if (v?.kind !== 'bool') return undefined;
          if (v.v !== isAnd) return v;
        }
        return { kind: 'bool', v: isAnd };
      };
    }
    case ExpOp.NOT: {
      expectArgs('NOT', args, 1);
      const inner = compile(args[0]);
      return (r, now) => {
        const v = inner(r, now);
        return v?.kind === 'bool' ? { kind: 'bool', v: !v.v } : undefined;
      };
    }
    case ExpOp.LAST_UPDATE:
      expectArgs('LAST_UPDATE', args, 0);
      return (r) => ({ kind: 'int', v: BigInt(r.lastUpdateMs) * 1_000_000n });
    case ExpOp.SINCE_UPDATE:
      expectArgs('SINCE_UPDATE', args, 0);
      return (r, now) => ({ kind: 'int', v: BigInt(Math.max(0, now - r.lastUpdateMs)) });
    case ExpOp.VOID_TIME:
      expectArgs('VOID_TIME', args, 0);
      return (r) => ({
        kind: 'int',
        v: r.voidTime === 0 ? -1n : BigInt(r.voidTime + CITRUSLEAF_EPOCH) * 1_000_000_000n,
      });
    case ExpOp.TTL:
      expectArgs('TTL', args, 0);
      return (r, now) => ({
        kind: 'int',
        v: r.voidTime === 0 ? -1n : BigInt(Math.max(0, r.voidTime - citrusleafNow(now))),
      });
    case ExpOp.SET_NAME:
      expectArgs('SET_NAME', args, 0);
      return (r) => ({ kind: 'str', v: Buffer.from(r.set ?? '', 'utf8') });
    case ExpOp.KEY_EXISTS:
      expectArgs('KEY_EXISTS', args, 0);
      return (r) => ({ kind: 'bool', v: r.key !== undefined });
    case ExpOp.BIN:
      return binValue(args);
    default:
      throw new ExpressionError(
        `filter expression op ${JSON.stringify(op)} is not supported by the emulator`,
      );
  }
}

function expectArgs(name: string, args: MsgpackValue[], n: number): void {
  if (args.length !== n) throw new ExpressionError(`${name} takes ${n} arguments, got ${args.length}`);
}

function constant(node: MsgpackValue): ValueFn {
  let value: Value;
  if (typeof node === 'number' && Number.isInteger(node)) value = { kind: 'int', v: BigInt(node) };
  else if (typeof node === 'bigint') value = { kind: 'int', v: node };
  else if (typeof node === 'number') value = { kind: 'float', v: node };
  else if (typeof node === 'boolean') value = { kind: 'bool', v: node };
  else if (node !== null && typeof node === 'object' && 'str' in node) {
    // String and blob constants carry their particle type as the first payload byte.
    const particle = node.str[0];
    if (particle === 3) value = { kind: 'str', v: node.str.subarray(1) };
    else if (particle === 4) value = { kind: 'blob', v: node.str.subarray(1) };
    else
      throw new ExpressionError(
        `string constant without particle type prefix (0x${(particle ?? 0).toString(16)})`,
      );
  } else throw new ExpressionError(`unsupported constant in filter expression`);
  return () => value;
}

function comparison(op: number, args: MsgpackValue[]): ValueFn {
  expectArgs('comparison', args, 2);
  const left = compile(args[0]);
  const right = compile(args[1]);
  return (r, now) => {
    const a = left(r, now);
    const b = right(r, now);
    if (a === undefined || b === undefined || a.kind !== b.kind) return undefined;
    const order = compareValues(a, b);
    const results: Record<number, boolean> = {
      [ExpOp.EQ]: order === 0,
      [ExpOp.NE]: order !== 0,
      [ExpOp.GT]: order > 0,
      [ExpOp.GE]: order >= 0,
      [ExpOp.LT]: order < 0,
      [ExpOp.LE]: order <= 0,
    };
    return { kind: 'bool', v: results[op] };
  };
}

function compareValues(a: NonNullable<Value>, b: NonNullable<Value>): number {
  if (a.kind === 'int' && b.kind === 'int') return a.v < b.v ? -1 : a.v > b.v ? 1 : 0;
  if (a.kind === 'float' && b.kind === 'float') return a.v < b.v ? -1 : a.v > b.v ? 1 : 0;
  if (a.kind === 'bool' && b.kind === 'bool') return Number(a.v) - Number(b.v);
  return Buffer.compare(a.v as Buffer, b.v as Buffer);
}

function binValue(args: MsgpackValue[]): ValueFn {
  expectArgs('BIN', args, 2);
  const [type, nameNode] = args;
  if (nameNode === null || typeof nameNode !== 'object' || !('str' in nameNode)) {
    throw new ExpressionError('BIN name must be a string');
  }
  const name = nameNode.str.toString('utf8');
  const wanted: Record<number, number> = {
    [ExpType.INT]: 1,
    [ExpType.FLOAT]: 2,
    [ExpType.STR]: 3,
    [ExpType.BLOB]: 4,
    [ExpType.BOOL]: 17,
  };
  const particle = typeof type === 'number' ? wanted[type] : undefined;
  if (particle === undefined) throw new ExpressionError(`BIN result type ${String(type)} is not supported`);
  return (r) => {
    const bin = r.bins.find((b) => b.name === name);
    if (!bin || bin.type !== particle) return undefined;
    switch (particle) {
      case 1:
        return { kind: 'int', v: bin.data.readBigInt64BE(0) };
      case 2:
        return { kind: 'float', v: bin.data.readDoubleBE(0) };
      case 17:
        return { kind: 'bool', v: bin.data[0] === 1 };
      case 3:
        return { kind: 'str', v: bin.data };
      default:
        return { kind: 'blob', v: bin.data };
    }
  };
}
