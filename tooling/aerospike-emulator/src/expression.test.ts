import {
  ExpOp,
  expAnd,
  expCall,
  expEq,
  expInt,
  expOr,
  expSetName,
  expString,
  expTtl,
  modifiedAfterFilter,
  modifiedBeforeFilter,
  noTtlFilter,
  setNamesFilter,
} from '@asbkit/cluster-client/wire';
import { describe, expect, it } from 'vitest';
import { compileFilter, ExpressionError } from './expression.js';
import { citrusleafNow, type StoredRecord } from './record.js';

const NOW = Date.UTC(2025, 0, 1);

function record(overrides: Partial<StoredRecord> = {}): StoredRecord {
  return {
    namespace: 'test',
    digest: Buffer.alloc(20),
    set: 'a',
    key: undefined,
    generation: 1,
    voidTime: 0,
    lastUpdateMs: Date.UTC(2024, 5, 1),
    bins: [],
    ...overrides,
  };
}

const nanos = (ms: number) => BigInt(ms) * 1_000_000n;

describe('compileFilter', () => {
  it('evaluates the set-name OR that asbackup builds for -s a,b', () => {
    const filter = compileFilter(setNamesFilter(['a', 'b']));
    expect(filter(record({ set: 'a' }), NOW)).toBe(true);
    expect(filter(record({ set: 'b' }), NOW)).toBe(true);
    expect(filter(record({ set: 'c' }), NOW)).toBe(false);
    expect(filter(record({ set: undefined }), NOW)).toBe(false);
  });

  it('evaluates last-update bounds in nanoseconds', () => {
    const lut = Date.UTC(2024, 5, 1);
    expect(compileFilter(modifiedAfterFilter(nanos(lut)))(record(), NOW)).toBe(true);
    expect(compileFilter(modifiedAfterFilter(nanos(lut + 1)))(record(), NOW)).toBe(false);
    expect(compileFilter(modifiedBeforeFilter(nanos(lut)))(record(), NOW)).toBe(false);
    expect(compileFilter(modifiedBeforeFilter(nanos(lut + 1)))(record(), NOW)).toBe(true);
  });

  it('evaluates ttl == -1 as "never expires" only', () => {
    const filter = compileFilter(noTtlFilter());
    expect(filter(record({ voidTime: 0 }), NOW)).toBe(true);
    expect(filter(record({ voidTime: citrusleafNow(NOW) + 100 }), NOW)).toBe(false);
    const ttlIs100 = compileFilter(expEq(expTtl(), expInt(100)));
    expect(ttlIs100(record({ voidTime: citrusleafNow(NOW) + 100 }), NOW)).toBe(true);
  });

  it('evaluates the AND of all asbackup filters', () => {
    const filter = compileFilter(
      expAnd(setNamesFilter(['a']), modifiedBeforeFilter(nanos(NOW)), modifiedAfterFilter(0n), noTtlFilter()),
    );
    expect(filter(record(), NOW)).toBe(true);
    expect(filter(record({ set: 'x' }), NOW)).toBe(false);
    expect(filter(record({ voidTime: citrusleafNow(NOW) + 5 }), NOW)).toBe(false);
  });

  it('evaluates the documented bin("name") == "bob" example', () => {
    const filter = compileFilter(Buffer.from('kwGTUQOkbmFtZaQDYm9i', 'base64'));
    const bin = (value: string) => ({ name: 'name', type: 3, data: Buffer.from(value) });
    expect(filter(record({ bins: [bin('bob')] }), NOW)).toBe(true);
    expect(filter(record({ bins: [bin('alice')] }), NOW)).toBe(false);
    expect(filter(record(), NOW)).toBe(false);
  });

  it('refuses what it cannot evaluate instead of guessing', () => {
    // KEY (80) and BIN_TYPE (82) are not emulated.
    expect(() => compileFilter(expEq(expCall(ExpOp.KEY, expInt(2)), expInt(1)))).toThrow(ExpressionError);
    // A string constant without its particle-type byte is rejected by the server too.
    const bare = Buffer.from([0x93, 0x01, 0x91, 0x46, 0xa1, 0x61]);
    expect(() => compileFilter(bare)).toThrow(/particle type prefix/);
    expect(() => compileFilter(Buffer.from([0x93, 0x01]))).toThrow(/unparseable/);
    expect(() => compileFilter(Buffer.concat([noTtlFilter(), Buffer.from([0])]))).toThrow(/trailing/);
    expect(compileFilter(expOr(expEq(expSetName(), expString('a'))))(record(), NOW)).toBe(true);
  });
});
