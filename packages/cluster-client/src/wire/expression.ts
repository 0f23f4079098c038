// Filter expressions (wire spec §10): msgpack arrays `[opcode, args...]`, built for what
// asbackup sends. Expressions are plain Buffers so callers can also pass `--filter-exp` bytes.
import { WireEncodeError } from './errors.js';

export const ExpOp = {
  EQ: 1,
  NE: 2,
  GT: 3,
  GE: 4,
  LT: 5,
  LE: 6,
  AND: 16,
  OR: 17,
  NOT: 18,
  LAST_UPDATE: 66,
  SINCE_UPDATE: 67,
  VOID_TIME: 68,
  TTL: 69,
  SET_NAME: 70,
  KEY_EXISTS: 71,
  KEY: 80,
  BIN: 81,
  BIN_TYPE: 82,
} as const;

/** Result types of `BIN` (and other typed reads), wire spec §10.1. */
export const ExpType = {
  NIL: 0,
  BOOL: 1,
  INT: 2,
  STR: 3,
  LIST: 4,
  MAP: 5,
  BLOB: 6,
  FLOAT: 7,
  GEO: 8,
  HLL: 9,
} as const;

function packArrayHeader(n: number): Buffer {
  if (n < 16) return Buffer.from([0x90 | n]);
  if (n < 0x10000) return Buffer.from([0xdc, n >> 8, n & 0xff]);
  const b = Buffer.allocUnsafe(5);
  b[0] = 0xdd;
  b.writeUInt32BE(n, 1);
  return b;
}

/** msgpack integer in its smallest form. */
export function packInt(value: number | bigint): Buffer {
  const v = BigInt(value);
  if (v >= 0n) {
    if (v < 128n) return Buffer.from([Number(v)]);
    if (v < 0x100n) return Buffer.from([0xcc, Number(v)]);
    if (v < 0x10000n) return Buffer.from([0xcd, Number(v >> 8n), Number(v & 0xffn)]);
    if (v < 0x100000000n) {
      const b = Buffer.allocUnsafe(5);
      b[0] = 0xce;
      b.writeUInt32BE(Number(v), 1);
      return b;
    }
    if (v >= 1n << 64n) throw new WireEncodeError(`expression integer ${v} out of range`);
    const b = Buffer.allocUnsafe(9);
    b[0] = 0xcf;
    b.writeBigUInt64BE(v, 1);
    return b;
  }
  if (v >= -32n) return Buffer.from([Number(v) & 0xff]);
  if (v >= -128n) return Buffer.from([0xd0, Number(v) & 0xff]);
  if (v >= -32768n) {
    const b = Buffer.allocUnsafe(3);
    b[0] = 0xd1;
    b.writeInt16BE(Number(v), 1);
    return b;
  }
  if (v >= -2147483648n) {
    const b = Buffer.allocUnsafe(5);
    b[0] = 0xd2;
    b.writeInt32BE(Number(v), 1);
    return b;
  }
  if (v < -(1n << 63n)) throw new WireEncodeError(`expression integer ${v} out of range`);
  const b = Buffer.allocUnsafe(9);
  b[0] = 0xd3;
  b.writeBigInt64BE(v, 1);
  return b;
}

/** msgpack str of raw bytes (str8/16/32 family). */
export function packStr(bytes: Buffer): Buffer {
  const n = bytes.length;
  let head: Buffer;
  if (n < 32) head = Buffer.from([0xa0 | n]);
  else if (n < 0x100) head = Buffer.from([0xd9, n]);
  else if (n < 0x10000) head = Buffer.from([0xda, n >> 8, n & 0xff]);
  else {
    head = Buffer.allocUnsafe(5);
    head[0] = 0xdb;
    head.writeUInt32BE(n, 1);
  }
  return Buffer.concat([head, bytes]);
}

/** An operation `[opcode, ...args]` where args are already packed expressions/values. */
export function expCall(opcode: number, ...args: Buffer[]): Buffer {
  return Buffer.concat([packArrayHeader(1 + args.length), packInt(opcode), ...args]);
}

/** Integer constant. */
export const expInt = (v: number | bigint): Buffer => packInt(v);
/** String constant: msgpack str with the 0x03 particle-type prefix. */
export const expString = (s: string | Buffer): Buffer =>
  packStr(Buffer.concat([Buffer.from([0x03]), typeof s === 'string' ? Buffer.from(s, 'utf8') : s]));
/** Blob constant: msgpack str with the 0x04 prefix. */
export const expBlob = (b: Buffer): Buffer => packStr(Buffer.concat([Buffer.from([0x04]), b]));

export const expAnd = (...args: Buffer[]): Buffer => expCall(ExpOp.AND, ...args);
export const expOr = (...args: Buffer[]): Buffer => expCall(ExpOp.OR, ...args);
export const expEq = (a: Buffer, b: Buffer): Buffer => expCall(ExpOp.EQ, a, b);
export const expGe = (a: Buffer, b: Buffer): Buffer => expCall(ExpOp.GE, a, b);
export const expLt = (a: Buffer, b: Buffer): Buffer => expCall(ExpOp.LT, a, b);
export const expLastUpdate = (): Buffer => expCall(ExpOp.LAST_UPDATE);
export const expTtl = (): Buffer => expCall(ExpOp.TTL);
export const expVoidTime = (): Buffer => expCall(ExpOp.VOID_TIME);
export const expSetName = (): Buffer => expCall(ExpOp.SET_NAME);

/** `OR(EQ(SET_NAME(), s1), ...)`; a single set gives just the EQ. */
export function setNamesFilter(sets: readonly string[]): Buffer {
  if (sets.length === 0) throw new WireEncodeError('set-name filter needs at least one set');
  const eqs = sets.map((s) => expEq(expSetName(), expString(s)));
  return eqs.length === 1 ? eqs[0] : expOr(...eqs);
}
/** `GE(LAST_UPDATE(), ns)` — `--modified-after`. */
export const modifiedAfterFilter = (ns: bigint): Buffer => expGe(expLastUpdate(), expInt(ns));
/** `LT(LAST_UPDATE(), ns)` — `--modified-before`. */
export const modifiedBeforeFilter = (ns: bigint): Buffer => expLt(expLastUpdate(), expInt(ns));
/** `EQ(TTL(), -1)` — `--no-ttl-only`. */
export const noTtlFilter = (): Buffer => expEq(expTtl(), expInt(-1));

export interface BackupFilterOptions {
  /** Sets to OR together; only used when more than one (a single set goes in the SET field). */
  sets?: readonly string[];
  /** Nanoseconds since the Unix epoch. */
  modifiedBefore?: bigint;
  modifiedAfter?: bigint;
  noTtlOnly?: boolean;
}

/**
 * The expression asbackup builds (asb spec §8.3, wire spec §4.3): `AND(set-OR, mod-before,
 * mod-after, no-ttl)` over whichever parts are active; a lone part is sent without AND;
 * undefined when none is active. The set OR is used only for two or more sets.
 */
export function backupFilter(opts: BackupFilterOptions): Buffer | undefined {
  const parts: Buffer[] = [];
  if (opts.sets && opts.sets.length > 1) parts.push(setNamesFilter(opts.sets));
  if (opts.modifiedBefore !== undefined) parts.push(modifiedBeforeFilter(opts.modifiedBefore));
  if (opts.modifiedAfter !== undefined) parts.push(modifiedAfterFilter(opts.modifiedAfter));
  if (opts.noTtlOnly) parts.push(noTtlFilter());
  if (parts.length === 0) return undefined;
  return parts.length === 1 ? parts[0] : expAnd(...parts);
}
