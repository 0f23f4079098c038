// Reading a namespace back as model records, and record-by-record comparison with readable
// differences. No test-runner imports: the demo and benchmarks use these too.

import type { AsbRecord, Bin } from '@asbkit/asb-format';
import { decodeBin, decodeUserKey } from '@asbkit/cluster-client/wire';
import type { Emulator } from './emulator.js';
import type { StoredRecord } from './record.js';

/** A stored record as the model record a backup of it would hold. */
export function toAsbRecord(record: StoredRecord): AsbRecord {
  return {
    kind: 'record',
    namespace: record.namespace,
    digest: Buffer.from(record.digest),
    set: record.set,
    key: record.key ? decodeUserKey(record.key) : undefined,
    generation: record.generation,
    voidTime: record.voidTime,
    bins: record.bins.map((b) => decodeBin(b.name, b.type, b.data, 0, b.data.length)),
  };
}

/** Every live record of a namespace, as model records sorted by digest. */
export function readAllRecords(emulator: Emulator, namespace: string): AsbRecord[] {
  return emulator
    .records(namespace)
    .map(toAsbRecord)
    .sort((a, b) => Buffer.compare(a.digest, b.digest));
}

export interface CompareOptions {
  /** Skip generation (a restore writes generation 1 into an empty cluster). */
  ignoreGeneration?: boolean;
  /** Allowed difference in void time seconds (restored TTLs are recomputed); default 0. */
  voidTimeToleranceSeconds?: number;
  /** Compare bins regardless of their order. Default true (the server may reorder bins). */
  ignoreBinOrder?: boolean;
}

function binText(bin: Bin): string {
  const v = bin.value;
  const value = Buffer.isBuffer(v) ? `0x${v.toString('hex')}` : typeof v === 'bigint' ? `${v}n` : String(v);
  return `${bin.name}:${bin.type}=${value}`;
}

function sameValue(a: Bin['value'], b: Bin['value']): boolean {
  if (Buffer.isBuffer(a) && Buffer.isBuffer(b)) return a.equals(b);
  if (typeof a === 'number' && typeof b === 'number')
    return Object.is(a, b) || (Number.isNaN(a) && Number.isNaN(b));
  return a === b;
}

/** Differences between two record lists (matched by digest), one line each; empty when equal. */
export function compareRecords(
  expected: AsbRecord[],
  actual: AsbRecord[],
  opts: CompareOptions = {},
): string[] {
  const diffs: string[] = [];
  const byDigest = new Map(actual.map((r) => [`${r.namespace}/${r.digest.toString('hex')}`, r]));
  for (const want of expected) {
    const id = `${want.namespace}/${want.digest.toString('hex')}`;
    const got = byDigest.get(id);
    byDigest.delete(id);
    if (!got) {
      diffs.push(`${id}: missing`);
      continue;
    }
    if (want.set !== got.set) diffs.push(`${id}: set ${want.set} != ${got.set}`);
    const wantKey = want.key ? `${want.key.type}:${String(want.key.value)}` : 'none';
    const gotKey = got.key ? `${got.key.type}:${String(got.key.value)}` : 'none';
    if (wantKey !== gotKey) diffs.push(`${id}: key ${wantKey} != ${gotKey}`);
    if (!opts.ignoreGeneration && want.generation !== got.generation) {
      diffs.push(`${id}: generation ${want.generation} != ${got.generation}`);
    }
    const tolerance = opts.voidTimeToleranceSeconds ?? 0;
    if (
      (want.voidTime === 0) !== (got.voidTime === 0) ||
      Math.abs(want.voidTime - got.voidTime) > tolerance
    ) {
      diffs.push(`${id}: voidTime ${want.voidTime} != ${got.voidTime}`);
    }
    const order = (bins: Bin[]) =>
      opts.ignoreBinOrder === false
        ? bins
        : [...bins].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    const wb = order(want.bins);
    const gb = order(got.bins);
    const binsEqual =
      wb.length === gb.length &&
      wb.every((b, i) => b.name === gb[i].name && b.type === gb[i].type && sameValue(b.value, gb[i].value));
    if (!binsEqual)
      diffs.push(`${id}: bins [${wb.map(binText).join(', ')}] != [${gb.map(binText).join(', ')}]`);
  }
  for (const id of byDigest.keys()) diffs.push(`${id}: unexpected`);
  return diffs;
}
