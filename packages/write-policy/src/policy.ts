import type { AsbRecord } from '@asbkit/asb-format';
import { WritePolicyError } from './errors.js';
import { EXPIRED, restoreTtl } from './ttl.js';

/** Per-record write policy, shared structurally with `cluster-client`. */
export interface RecordWritePolicy {
  exists: 'update' | 'create-only' | 'create-or-replace' | 'replace-only' | 'update-only';
  /** Expected generation = record.generation. */
  generation: 'none' | 'eq' | 'gt';
  /** Seconds to send; 0xFFFFFFFF (-1) = never expire. */
  ttl: number;
  /** True when the record has a user key. */
  sendKey: boolean;
}

/** The asrestore options that choose the write policy. */
export interface RestorePolicyOptions {
  /** `-u/--unique` */
  unique?: boolean;
  /** `-r/--replace` */
  replace?: boolean;
  /** `-g/--no-generation` */
  noGeneration?: boolean;
  /** `--extra-ttl` seconds (0..2^31-1). */
  extraTtl?: number;
}

/** asrestore's check, with its message. */
export function validateRestorePolicyOptions(opts: RestorePolicyOptions): void {
  if (opts.unique && (opts.replace || opts.noGeneration)) {
    throw new WritePolicyError(
      'MUTUALLY_EXCLUSIVE',
      'Invalid options: --unique is mutually exclusive with --replace and --no-generation.',
      '--unique',
    );
  }
}

/**
 * The write policy matrix of asrestore (spec §7.1):
 * default update + gen GT; `-g` update + no gen check; `-r` create-or-replace + GT;
 * `-r -g` create-or-replace; `-u` create-only + GT.
 */
export class RestoreWritePolicy {
  readonly exists: RecordWritePolicy['exists'];
  readonly generation: RecordWritePolicy['generation'];
  readonly extraTtl: number;

  constructor(opts: RestorePolicyOptions = {}) {
    validateRestorePolicyOptions(opts);
    this.exists = opts.unique ? 'create-only' : opts.replace ? 'create-or-replace' : 'update';
    this.generation = opts.noGeneration ? 'none' : 'gt';
    this.extraTtl = opts.extraTtl ?? 0;
  }

  /**
   * The policy to write `record` with at `nowUnixSeconds`, or `undefined` when the record has
   * expired (count it as expired and skip it).
   */
  forRecord(
    record: Pick<AsbRecord, 'voidTime' | 'key'>,
    nowUnixSeconds: number,
  ): RecordWritePolicy | undefined {
    const ttl = restoreTtl(record.voidTime, this.extraTtl, nowUnixSeconds);
    if (ttl === EXPIRED) return undefined;
    return { exists: this.exists, generation: this.generation, ttl, sendKey: record.key !== undefined };
  }
}
