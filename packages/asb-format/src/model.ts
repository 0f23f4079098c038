// The record model shared by every asbkit package. Values stay as close to the wire as they can:
// strings, GeoJSON and every blob family are raw bytes, lists/maps/HLL are the server's opaque
// particle bytes, and an integral double stays a FLOAT. Nothing here depends on Node streams.

/** Aerospike particle type ids (wire protocol §5.3). */
export const ParticleType = {
  NULL: 0,
  INTEGER: 1,
  FLOAT: 2,
  STRING: 3,
  BLOB: 4,
  JAVA_BLOB: 7,
  CSHARP_BLOB: 8,
  PYTHON_BLOB: 9,
  RUBY_BLOB: 10,
  PHP_BLOB: 11,
  ERLANG_BLOB: 12,
  VECTOR: 16,
  BOOL: 17,
  HLL: 18,
  MAP: 19,
  LIST: 20,
  GEOJSON: 23,
} as const;
export type ParticleType = (typeof ParticleType)[keyof typeof ParticleType];

/** Particle types whose value is an opaque byte string in a backup (`B J C P R H E Y M L`). */
export type BytesParticleType =
  | typeof ParticleType.BLOB
  | typeof ParticleType.JAVA_BLOB
  | typeof ParticleType.CSHARP_BLOB
  | typeof ParticleType.PYTHON_BLOB
  | typeof ParticleType.RUBY_BLOB
  | typeof ParticleType.PHP_BLOB
  | typeof ParticleType.ERLANG_BLOB
  | typeof ParticleType.HLL
  | typeof ParticleType.MAP
  | typeof ParticleType.LIST;

/**
 * A 64-bit signed integer: a `number` when it is a safe integer, a `bigint` otherwise.
 * Producers must use `number` whenever the value fits, so equal values compare equal.
 */
export type Int64 = number | bigint;

export type Bin =
  | { name: string; type: typeof ParticleType.NULL; value: null }
  | { name: string; type: typeof ParticleType.INTEGER; value: Int64 }
  | { name: string; type: typeof ParticleType.FLOAT; value: number }
  | { name: string; type: typeof ParticleType.BOOL; value: boolean }
  /** STRING: raw UTF-8 bytes. GEOJSON: the JSON text only (no cell prefix). */
  | { name: string; type: typeof ParticleType.STRING | typeof ParticleType.GEOJSON; value: Buffer }
  | { name: string; type: BytesParticleType; value: Buffer };

export type UserKey =
  | { type: typeof ParticleType.INTEGER; value: Int64 }
  | { type: typeof ParticleType.FLOAT; value: number }
  | { type: typeof ParticleType.STRING; value: Buffer }
  | { type: typeof ParticleType.BLOB; value: Buffer };

export interface AsbRecord {
  kind: 'record';
  namespace: string;
  /** 20-byte RIPEMD-160 digest. */
  digest: Buffer;
  /** undefined when the record has no set. */
  set: string | undefined;
  /** undefined when the user key was not stored. */
  key: UserKey | undefined;
  generation: number;
  /** Seconds since 2010-01-01T00:00:00Z; 0 = never expires. */
  voidTime: number;
  /** In the order the server (or the file) gave them. */
  bins: Bin[];
}

export type SindexIndexType = 'N' | 'L' | 'K' | 'V';
export type SindexPathType = 'S' | 'N' | 'G' | 'B';

export interface SecondaryIndex {
  kind: 'sindex';
  namespace: string;
  /** '' when the index has no set. */
  set: string;
  name: string;
  indexType: SindexIndexType;
  paths: { path: string; type: SindexPathType }[];
  /** base64 of the msgpack CDT context, when the index has one. */
  context?: string;
  /** base64 wire expression of an expression index (`* e`, version 3.2 only). */
  expression?: string;
}

export interface UdfModule {
  kind: 'udf';
  /** Always 'L' (Lua). */
  language: 'L';
  name: string;
  content: Buffer;
}

/** What a file says about itself before its global section and records. */
export interface AsbHeader {
  kind: 'header';
  version: '3.0' | '3.1' | '3.2';
  /** From `# namespace`, raw as written (escaped form). */
  namespace: string | undefined;
  firstFile: boolean;
}

export type AsbEntry = AsbHeader | SecondaryIndex | UdfModule | AsbRecord;

/** Seconds between the Unix epoch and the Aerospike ("citrusleaf") epoch, 2010-01-01. */
export const CITRUSLEAF_EPOCH = 1262304000;
