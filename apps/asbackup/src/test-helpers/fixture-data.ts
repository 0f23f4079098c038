// The official fixture data set loaded into an emulator for tests. Void times are moved ten
// years ahead so the TTL records of the fixture never expire while the tests run.
import { join } from 'node:path';
import type { Emulator } from '@asbkit/aerospike-emulator';
import { seedFromAsbFiles } from '@asbkit/aerospike-emulator';
import { type AsbRecord, ParticleType } from '@asbkit/asb-format';
import { computeDigest } from '@asbkit/partition-filters';
import { OFFICIAL, officialRecords } from './testing.js';

export const VOID_TIME_SHIFT = 10 * 365 * 86400;

export function shiftVoidTime(r: AsbRecord): AsbRecord {
  return r.voidTime === 0 ? r : { ...r, voidTime: r.voidTime + VOID_TIME_SHIFT };
}

/** Official records of a fixture file as the emulator holds them (shifted void times). */
export async function expectedRecords(file = join(OFFICIAL, 'full', 'test_00000.asb')): Promise<AsbRecord[]> {
  return (await officialRecords(file)).map(shiftVoidTime);
}

/** Loads the official full backup (records, secondary indexes, UDFs) into the emulator. */
export async function seedOfficialData(emulator: Emulator): Promise<AsbRecord[]> {
  const file = join(OFFICIAL, 'full', 'test_00000.asb');
  await seedFromAsbFiles(emulator, [file]);
  const records = await expectedRecords(file);
  emulator.load(records);
  return records;
}

/**
 * The benchmark's record shape: user key `+ k I`, a set, 4 bins (int, 54-byte string, double,
 * 32-byte blob) — about 240 bytes per record in a backup file.
 */
export function generatedRecord(i: number, set = 'gen', namespace = 'test'): AsbRecord {
  const key = { type: ParticleType.INTEGER, value: i } as const;
  const text = `value-${String(i).padStart(12, '0')}-${'x'.repeat(35)}`;
  const blob = Buffer.alloc(32);
  blob.writeUInt32BE(i >>> 0, 0);
  blob.fill(i & 0xff, 4);
  return {
    kind: 'record',
    namespace,
    digest: computeDigest(set, key),
    set,
    key,
    generation: 1 + (i % 7),
    voidTime: 0,
    bins: [
      { name: 'int', type: ParticleType.INTEGER, value: i * 3 - 1000 },
      { name: 'str', type: ParticleType.STRING, value: Buffer.from(text) },
      { name: 'dbl', type: ParticleType.FLOAT, value: i / 7 },
      { name: 'blob', type: ParticleType.BLOB, value: blob },
    ],
  };
}

export function generatedRecords(count: number, set = 'gen', namespace = 'test'): AsbRecord[] {
  return Array.from({ length: count }, (_, i) => generatedRecord(i, set, namespace));
}
