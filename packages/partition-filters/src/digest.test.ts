import { readFileSync } from 'node:fs';
import type { UserKey } from '@asbkit/asb-format';
import { describe, expect, it } from 'vitest';
import { computeDigest, partitionIdOf } from './digest.js';

const FULL = new URL('../../../../shared/fixtures/official-backups/full/test_00000.asb', import.meta.url);
const COMPACT = new URL('../../../../shared/fixtures/official-backups/full-compact.asb', import.meta.url);

interface KeyedRecord {
  line: number;
  set: string | undefined;
  key: UserKey;
  digest: Buffer;
}

/**
 * Just enough of an .asb reader to pull (key, set, digest) out of a file: it walks entities,
 * skipping length-prefixed raw payloads so bytes inside values are never mistaken for lines.
 */
function readKeyedRecords(bytes: Buffer): KeyedRecord[] {
  const out: KeyedRecord[] = [];
  let pos = 0;
  let line = 1;
  let pending: { line: number; key: UserKey } | undefined;
  let digest: Buffer | undefined;
  let set: string | undefined;
  const untilLf = (): Buffer => {
    const end = bytes.indexOf(0x0a, pos);
    const token = bytes.subarray(pos, end);
    pos = end + 1;
    line++;
    return token;
  };
  const rawAfterLength = (): Buffer => {
    const sp = bytes.indexOf(0x20, pos);
    const len = Number(bytes.toString('latin1', pos, sp));
    const raw = bytes.subarray(sp + 1, sp + 1 + len);
    for (const b of raw) if (b === 0x0a) line++;
    pos = sp + 1 + len;
    if (bytes[pos] !== 0x0a) throw new Error(`expected LF after raw value at line ${line}`);
    pos++;
    line++;
    return raw;
  };
  const flush = () => {
    if (pending && digest) out.push({ line: pending.line, set, key: pending.key, digest });
    pending = undefined;
    digest = undefined;
    set = undefined;
  };
  while (pos < bytes.length) {
    const head = bytes.toString('latin1', pos, pos + 4);
    if (head.startsWith('+ k ')) {
      flush();
      const at = line;
      const form = bytes.toString('latin1', pos + 4, bytes.indexOf(0x20, pos + 4));
      pos += 5 + form.length;
      if (form === 'I') pending = { line: at, key: { type: 1, value: toInt64(untilLf().toString()) } };
      else if (form === 'D') pending = { line: at, key: { type: 2, value: Number(untilLf().toString()) } };
      else if (form === 'S') pending = { line: at, key: { type: 3, value: Buffer.from(rawAfterLength()) } };
      else if (form === 'B!') pending = { line: at, key: { type: 4, value: Buffer.from(rawAfterLength()) } };
      else if (form === 'B' || form === 'X') {
        const text = untilLf().toString('latin1');
        const value = Buffer.from(text.slice(text.indexOf(' ') + 1), 'base64');
        pending = { line: at, key: { type: form === 'B' ? 4 : 3, value } };
      } else throw new Error(`unknown key form ${form} at line ${at}`);
    } else if (head === '+ n ') {
      if (digest) flush();
      untilLf();
    } else if (head === '+ d ') {
      pos += 4;
      digest = Buffer.from(untilLf().toString('latin1'), 'base64');
    } else if (head === '+ s ') {
      pos += 4;
      set = untilLf().toString().replace(/\\(.)/gs, '$1');
    } else if (head.startsWith('- ')) {
      // `- T[!] name value`: raw payloads for S, G and every compact (`!`) bytes type.
      const type = bytes.toString('latin1', pos + 2, pos + 4);
      const compact = type[1] === '!';
      pos += compact ? 5 : 4;
      while (bytes[pos] !== 0x20 && bytes[pos] !== 0x0a) pos += bytes[pos] === 0x5c ? 2 : 1;
      if (bytes[pos] === 0x0a) {
        pos++;
        line++;
      } else {
        pos++;
        if (type[0] === 'S' || type[0] === 'G' || compact) rawAfterLength();
        else untilLf();
      }
    } else if (head.startsWith('* u ')) {
      const nameEnd = bytes.indexOf(0x20, pos + 6);
      pos = nameEnd + 1;
      rawAfterLength();
    } else untilLf();
  }
  flush();
  return out;
}

function toInt64(text: string): number | bigint {
  const n = BigInt(text);
  return Number.isSafeInteger(Number(n)) ? Number(n) : n;
}

describe('computeDigest', () => {
  it('matches the spec vector: set demo, string key key1', () => {
    const d = computeDigest('demo', { type: 3, value: Buffer.from('key1') });
    expect(d.toString('base64')).toBe('7JEZLUt/jONdXXjTS8ply6qqyWA=');
  });

  it('matches the spec example: set demo, integer key 42', () => {
    const d = computeDigest('demo', { type: 1, value: 42 });
    expect(d.toString('base64')).toBe('z1oTZe/6TcUzM/IWbRAzWPhxEJY=');
  });

  it.each([
    ['full/test_00000.asb', FULL],
    ['full-compact.asb', COMPACT],
  ])('matches every keyed record of the official backup %s', (_name, file) => {
    const records = readKeyedRecords(readFileSync(file));
    const types = new Set(records.map((r) => r.key.type));
    expect(records.length).toBe(113);
    expect([...types].sort()).toEqual([1, 3, 4]);
    const mismatches = records
      .filter((r) => !computeDigest(r.set, r.key).equals(r.digest))
      .map((r) => `line ${r.line}`);
    expect(mismatches).toEqual([]);
  });

  it('treats a bigint and a number integer key alike, including negatives and int64 limits', () => {
    expect(computeDigest('s', { type: 1, value: -5n })).toEqual(computeDigest('s', { type: 1, value: -5 }));
    const max = computeDigest(undefined, { type: 1, value: 2n ** 63n - 1n });
    expect(max).toHaveLength(20);
    expect(() => computeDigest(undefined, { type: 1, value: 2n ** 63n })).toThrow();
  });

  it('hashes a set-less key over the key alone and an empty set like no set', () => {
    expect(computeDigest('', { type: 3, value: Buffer.from('a') })).toEqual(
      computeDigest(undefined, { type: 3, value: Buffer.from('a') }),
    );
  });

  it('hashes a float key as type 2 with the big-endian double', () => {
    const a = computeDigest('s', { type: 2, value: 1.5 });
    const b = computeDigest('s', { type: 1, value: 1 });
    expect(a).toHaveLength(20);
    expect(a.equals(b)).toBe(false);
  });
});

describe('partitionIdOf', () => {
  it('takes the little-endian u16 of the first two bytes modulo 4096', () => {
    expect(partitionIdOf(Buffer.from([0xff, 0xff, 0, 0]))).toBe(4095);
    expect(partitionIdOf(Buffer.from([0x34, 0x12]))).toBe(0x234);
    expect(partitionIdOf(Buffer.from('7JEZLUt/jONdXXjTS8ply6qqyWA=', 'base64'))).toBe(0x1ec);
  });
});
