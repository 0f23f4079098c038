import { describe, expect, it } from 'vitest';
import { RetrySchedule } from './retry.js';

describe('RetrySchedule', () => {
  it('waits 0, S, 2S, 4S, 8S with the defaults, then fails with the official message', () => {
    const r = new RetrySchedule();
    expect([1, 2, 3, 4, 5].map(() => r.nextDelayMs())).toEqual([0, 150, 300, 600, 1200]);
    expect(() => r.nextDelayMs()).toThrow('Max batch-write retries exceeded (5)');
    expect(() => new RetrySchedule(1, 0).nextDelayMs('key-put')).toThrow('Max key-put retries exceeded (0)');
  });

  it('uses the scale factor in microseconds', () => {
    const r = new RetrySchedule(1000, 3);
    expect([r.nextDelayMicros(), r.nextDelayMicros(), r.nextDelayMicros(), r.nextDelayMicros()]).toEqual([
      0,
      1000,
      2000,
      undefined,
    ]);
  });
});
