// How the emulator keeps a record: particles stay the raw wire bytes they arrived as, so a value
// written by a client comes back byte for byte (lists, maps, HLL and GeoJSON are never decoded).

import { CITRUSLEAF_EPOCH } from '@asbkit/asb-format';

export interface StoredBin {
  name: string;
  /** Wire particle type id. */
  type: number;
  /** Raw particle bytes as they travel on the wire (integers normalised to 8 bytes). */
  data: Buffer;
}

export interface StoredRecord {
  namespace: string;
  digest: Buffer;
  set: string | undefined;
  /** The KEY field bytes (particle type byte + value) when the key was stored. */
  key: Buffer | undefined;
  generation: number;
  /** Seconds since the citrusleaf epoch; 0 = never expires. */
  voidTime: number;
  /** Milliseconds since the Unix epoch. */
  lastUpdateMs: number;
  bins: StoredBin[];
}

/** Seconds since 2010-01-01, the clock void times are measured in. */
export function citrusleafNow(nowMs: number = Date.now()): number {
  return Math.floor(nowMs / 1000) - CITRUSLEAF_EPOCH;
}

export function isExpired(record: StoredRecord, nowMs: number = Date.now()): boolean {
  return record.voidTime !== 0 && record.voidTime <= citrusleafNow(nowMs);
}

/** `pid = (digest[0] | digest[1] << 8) & 0xfff` (wire-protocol §11.2). */
export function partitionOf(digest: Buffer): number {
  return (digest[0] | (digest[1] << 8)) & 0x0fff;
}
