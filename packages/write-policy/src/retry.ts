import { WritePolicyError } from './errors.js';

/** Defaults of asrestore: `--retry-scale-factor` 150000 µs, `--max-retries` 5. */
export const DEFAULT_RETRY_SCALE_US = 150_000;
export const DEFAULT_MAX_RETRIES = 5;

/**
 * asrestore's backoff for one batch or group of puts: before retry k the delay is 0 for k = 1
 * and S·2^(k−2) for k ≥ 2; after `maxRetries` retries the next failure is fatal.
 */
export class RetrySchedule {
  /** Retries made so far. */
  attempts = 0;

  constructor(
    readonly scaleMicros = DEFAULT_RETRY_SCALE_US,
    readonly maxRetries = DEFAULT_MAX_RETRIES,
  ) {}

  /** Delay in µs before the next retry, or `undefined` when retries are exhausted. */
  nextDelayMicros(): number | undefined {
    if (this.attempts >= this.maxRetries) return undefined;
    this.attempts++;
    return this.attempts === 1 ? 0 : 2 ** (this.attempts - 2) * this.scaleMicros;
  }

  /** Like `nextDelayMicros` in ms, throwing asrestore's fatal error when exhausted. */
  nextDelayMs(kind: 'batch-write' | 'key-put' = 'batch-write'): number {
    const us = this.nextDelayMicros();
    if (us === undefined) {
      throw new WritePolicyError('MAX_RETRIES_EXCEEDED', `Max ${kind} retries exceeded (${this.attempts})`);
    }
    return us / 1000;
  }
}
