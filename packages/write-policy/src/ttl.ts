import { CITRUSLEAF_EPOCH } from '@asbkit/asb-format';
import { WritePolicyError } from './errors.js';

/** TTL to send for a record that never expires ("-1" on the wire); 0 would mean "namespace default". */
export const NEVER_EXPIRE = 0xffffffff;
/** Returned by `restoreTtl` when the record has expired and must be skipped. */
export const EXPIRED = -1;
/** Largest `--extra-ttl` asrestore accepts. */
export const MAX_EXTRA_TTL = 0x7fffffff;

/**
 * TTL to restore a record with, from its void time in the file (seconds since 2010-01-01,
 * 0 = never), `--extra-ttl` and the current Unix time in seconds. Returns `EXPIRED` when the
 * (extended) void time is not in the future. Comparisons are u32 like asrestore's.
 */
export function restoreTtl(voidTime: number, extraTtl: number, nowUnixSeconds: number): number {
  if (voidTime === 0) return NEVER_EXPIRE;
  const now = (Math.floor(nowUnixSeconds) - CITRUSLEAF_EPOCH) >>> 0;
  const until = (voidTime + extraTtl) >>> 0;
  return now >= until ? EXPIRED : until - now;
}

/** Validates an `--extra-ttl` value given as text, with asrestore's message. */
export function parseExtraTtl(text: string, option = '--extra-ttl'): number {
  const n = /^[+-]?\d+$/.test(text) ? Number(text) : Number.NaN;
  if (!(n >= 0 && n <= MAX_EXTRA_TTL)) {
    throw new WritePolicyError('INVALID_OPTION', `Invalid extra-ttl value ${text}`, option);
  }
  return n;
}
