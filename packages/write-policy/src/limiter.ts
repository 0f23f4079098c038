import { WritePolicyError } from './errors.js';

/** Time source for limiters; tests inject a fake one. */
export interface LimiterClock {
  /** Monotonic milliseconds. */
  now(): number;
  sleep(ms: number): Promise<void>;
}

export const realClock: LimiterClock = {
  now: () => performance.now(),
  sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
};

const RESOLVED = Promise.resolve();

/**
 * Limits a flow to `ratePerSecond` units (bytes, records…). Each `take(n)` reserves the next
 * n/rate seconds of the timeline in call order, so concurrent users are served FIFO and the
 * long-run rate is exact; a caller waits until its reservation starts. Idle time is not banked
 * (no bursts after a pause).
 */
export class RateLimiter {
  private nextFree: number;

  constructor(
    readonly ratePerSecond: number,
    private readonly clock: LimiterClock = realClock,
  ) {
    if (!(ratePerSecond > 0) || !Number.isFinite(ratePerSecond)) {
      throw new RangeError(`RateLimiter: rate must be a positive number, got ${ratePerSecond}`);
    }
    this.nextFree = clock.now();
  }

  take(n: number): Promise<void> {
    if (!(n >= 0)) throw new RangeError(`RateLimiter.take: invalid amount ${n}`);
    const now = this.clock.now();
    const start = Math.max(this.nextFree, now);
    this.nextFree = start + (n * 1000) / this.ratePerSecond;
    return start > now ? this.clock.sleep(start - now) : RESOLVED;
  }
}

/** `-N/--nice <MiB/s>` style byte limiter. */
export function byteRateLimiter(mibPerSecond: number, clock?: LimiterClock): RateLimiter {
  return new RateLimiter(mibPerSecond * 1024 * 1024, clock);
}

/** Records-per-second limiter (asrestore `--tps`, asbackup `-L`). */
export function tpsLimiter(tps: number, clock?: LimiterClock): RateLimiter {
  return new RateLimiter(tps, clock);
}

/** asrestore throttle: records and bytes both limited; `take` waits for both. */
export class RestoreThrottle {
  readonly bytes: RateLimiter;
  readonly records: RateLimiter;
  constructor(bandwidthMiB: number, tps: number, clock?: LimiterClock) {
    this.bytes = byteRateLimiter(bandwidthMiB, clock);
    this.records = tpsLimiter(tps, clock);
  }

  async take(records: number, bytes: number): Promise<void> {
    await this.bytes.take(bytes);
    await this.records.take(records);
  }
}

/** asrestore `-N/--nice <bandwidth MiB/s>,<tps>`; both values ≥ 1. Messages follow asrestore's. */
export function parseRestoreNice(text: string, option = '--nice'): { bandwidthMiB: number; tps: number } {
  if (text.length === 0) throw new WritePolicyError('INVALID_OPTION', 'Empty nice list', option);
  const items = text.split(',').map((s) => s.trim());
  if (items.some((s) => s.length === 0 || s.length >= 10)) {
    throw new WritePolicyError('INVALID_OPTION', `Item with invalid length in nice list ${text}`, option);
  }
  if (items.length !== 2) throw new WritePolicyError('INVALID_OPTION', 'Invalid nice option', option);
  const int = (s: string) => (/^[+-]?\d+$/.test(s) ? Number(s) : Number.NaN);
  const bandwidthMiB = int(items[0]);
  if (!(bandwidthMiB >= 1))
    throw new WritePolicyError('INVALID_OPTION', `Invalid bandwidth value ${items[0]}`, option);
  const tps = int(items[1]);
  if (!(tps >= 1 && tps <= 0xffffffff))
    throw new WritePolicyError('INVALID_OPTION', `Invalid TPS value ${items[1]}`, option);
  return { bandwidthMiB, tps };
}
