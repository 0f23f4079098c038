// Test helpers for packages that read or write `.asb` data: fixture locations, chunk splitting,
// collecting decoded entries, and fast-check arbitraries for records and global entries.

import fc from 'fast-check';
import { type AsbDecodeOptions, decodeAsb } from '../decoder.js';
import {
  type AsbEntry,
  type AsbRecord,
  type Bin,
  type BytesParticleType,
  ParticleType,
  type SecondaryIndex,
  type UdfModule,
  type UserKey,
} from '../model.js';

/** `shared/fixtures/` of the repository (this file lives in packages/asb-format/src/test). */
export const FIXTURES_DIR = new URL('../../../../../shared/fixtures/', import.meta.url);

/** URL of a file under `shared/fixtures/`. */
export function fixtureUrl(relative: string): URL {
  return new URL(relative, FIXTURES_DIR);
}

/** Every plain `.asb` fixture the official tools wrote, relative to `shared/fixtures/`. */
export const OFFICIAL_BACKUPS: readonly { path: string; compact: boolean }[] = [
  { path: 'official-backups/full/test_00000.asb', compact: false },
  { path: 'official-backups/full-compact.asb', compact: true },
  { path: 'official-backups/plist/test_00000.asb', compact: false },
  { path: 'official-backups/fexp/test_00000.asb', compact: false },
  { path: 'official-backups/binlist/test_00000.asb', compact: false },
  { path: 'official-backups/nobins/test_00000.asb', compact: false },
  { path: 'official-backups/par4/test_00000.asb', compact: false },
  { path: 'official-backups/par4/test_00001.asb', compact: false },
  { path: 'official-backups/par4/test_00002.asb', compact: false },
  { path: 'official-backups/par4/test_00003.asb', compact: false },
];

/** Splits `data` at the given cut offsets (sorted or not; out-of-range cuts are ignored). */
export function splitAt(data: Buffer, cuts: readonly number[]): Buffer[] {
  const points = [...new Set(cuts.filter((c) => c > 0 && c < data.length))].sort((a, b) => a - b);
  const out: Buffer[] = [];
  let prev = 0;
  for (const p of points) {
    out.push(data.subarray(prev, p));
    prev = p;
  }
  out.push(data.subarray(prev));
  return out;
}

/** Splits `data` into chunks of `size` bytes. */
export function chunksOf(data: Buffer, size: number): Buffer[] {
  const out: Buffer[] = [];
  for (let i = 0; i < data.length; i += size) out.push(data.subarray(i, i + size));
  return out.length > 0 ? out : [data];
}

/** Decodes everything into an array. */
export async function collectAsb(
  source: Iterable<Buffer> | AsyncIterable<Buffer>,
  opts: AsbDecodeOptions = {},
): Promise<AsbEntry[]> {
  const out: AsbEntry[] = [];
  for await (const e of decodeAsb(source, opts)) out.push(e);
  return out;
}

const int64 = fc
  .oneof(
    fc.bigInt({ min: -(1n << 63n), max: (1n << 63n) - 1n }),
    fc.constantFrom(-(1n << 63n), (1n << 63n) - 1n, 0n, -1n, (1n << 53n) + 1n),
    fc.integer().map(BigInt),
  )
  .map((v) => (Number.isSafeInteger(Number(v)) ? Number(v) : v));

/** Names with the bytes that need escaping (SP, LF, backslash) and some non-ASCII. */
export function arbName(maxLength = 14): fc.Arbitrary<string> {
  return fc.string({
    unit: fc.constantFrom('a', 'b', 'Z', '0', '_', ' ', '\n', '\\', 'é', 'Ω', '-', '+', '!', '#'),
    maxLength,
  });
}

const bytes = (maxLength: number) => fc.uint8Array({ maxLength }).map((u) => Buffer.from(u));

export function arbUserKey(): fc.Arbitrary<UserKey> {
  return fc.oneof(
    int64.map((value) => ({ type: ParticleType.INTEGER, value }) as UserKey),
    fc.double().map((value) => ({ type: ParticleType.FLOAT, value }) as UserKey),
    bytes(40).map((value) => ({ type: ParticleType.STRING, value }) as UserKey),
    bytes(40).map((value) => ({ type: ParticleType.BLOB, value }) as UserKey),
  );
}

const BYTES_TYPES: BytesParticleType[] = [
  ParticleType.BLOB,
  ParticleType.JAVA_BLOB,
  ParticleType.CSHARP_BLOB,
  ParticleType.PYTHON_BLOB,
  ParticleType.RUBY_BLOB,
  ParticleType.PHP_BLOB,
  ParticleType.ERLANG_BLOB,
  ParticleType.HLL,
  ParticleType.MAP,
  ParticleType.LIST,
];

/** A bin of any particle type a backup can hold. */
export function arbBin(maxValueBytes = 64): fc.Arbitrary<Bin> {
  const name = arbName();
  return fc.oneof(
    name.map((n) => ({ name: n, type: ParticleType.NULL, value: null }) as Bin),
    fc.tuple(name, fc.boolean()).map(([n, value]) => ({ name: n, type: ParticleType.BOOL, value }) as Bin),
    fc.tuple(name, int64).map(([n, value]) => ({ name: n, type: ParticleType.INTEGER, value }) as Bin),
    fc.tuple(name, fc.double()).map(([n, value]) => ({ name: n, type: ParticleType.FLOAT, value }) as Bin),
    fc
      .tuple(name, fc.constantFrom(ParticleType.STRING, ParticleType.GEOJSON), bytes(maxValueBytes))
      .map(([n, type, value]) => ({ name: n, type, value }) as Bin),
    fc
      .tuple(name, fc.constantFrom(...BYTES_TYPES), bytes(maxValueBytes))
      .map(([n, type, value]) => ({ name: n, type, value }) as Bin),
  );
}

export function arbRecord(opts: { maxBins?: number; maxValueBytes?: number } = {}): fc.Arbitrary<AsbRecord> {
  return fc.record({
    kind: fc.constant('record' as const),
    namespace: arbName(31).filter((s) => s.length > 0),
    digest: fc.uint8Array({ minLength: 20, maxLength: 20 }).map((u) => Buffer.from(u)),
    set: fc.option(
      arbName(30).filter((s) => s.length > 0),
      { nil: undefined },
    ),
    key: fc.option(arbUserKey(), { nil: undefined }),
    generation: fc.integer({ min: 0, max: 65535 }),
    voidTime: fc.oneof(fc.constant(0), fc.integer({ min: 0, max: 0xffffffff })),
    bins: fc.array(arbBin(opts.maxValueBytes), { maxLength: opts.maxBins ?? 6 }),
  });
}

export function arbSecondaryIndex(): fc.Arbitrary<SecondaryIndex> {
  return fc
    .record({
      namespace: arbName(31).filter((s) => s.length > 0),
      set: arbName(20),
      name: arbName(20).filter((s) => s.length > 0),
      indexType: fc.constantFrom('N', 'L', 'K', 'V' as const),
      paths: fc.array(
        fc.record({
          path: arbName(14).filter((s) => s.length > 0),
          type: fc.constantFrom('S', 'N', 'G', 'B' as const),
        }),
        { minLength: 1, maxLength: 2 },
      ),
      context: fc.option(
        bytes(30)
          .filter((b) => b.length > 0)
          .map((b) => b.toString('base64')),
        { nil: undefined },
      ),
    })
    .map((r) => {
      const idx: SecondaryIndex = { kind: 'sindex', ...r };
      if (r.context === undefined) delete idx.context;
      return idx;
    });
}

export function arbUdf(): fc.Arbitrary<UdfModule> {
  return fc.record({
    kind: fc.constant('udf' as const),
    language: fc.constant('L' as const),
    name: arbName(20).filter((s) => s.length > 0),
    content: bytes(200),
  });
}
