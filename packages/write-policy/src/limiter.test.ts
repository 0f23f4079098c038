import { describe, expect, it } from 'vitest';
import { parseRestoreNice, RateLimiter, RestoreThrottle } from './limiter.js';
import { FakeClock } from './test/index.js';

describe('RateLimiter', () => {
  it('holds the rate within 5% over a few seconds of saturated demand', async () => {
    const clock = new FakeClock();
    const limiter = new RateLimiter(1000, clock);
    let taken = 0;
    let stop = false;
    const worker = async (chunk: number) => {
      while (!stop) {
        await limiter.take(chunk);
        if (!stop) taken += chunk;
      }
    };
    const workers = [worker(7), worker(13), worker(50)];
    await clock.advance(5000);
    const rate = taken / 5;
    stop = true;
    await clock.advance(1000);
    await Promise.all(workers);
    expect(rate).toBeGreaterThan(950);
    expect(rate).toBeLessThan(1050);
  });

  it('serves concurrent callers first come, first served', async () => {
    const clock = new FakeClock();
    const limiter = new RateLimiter(10, clock);
    const order: string[] = [];
    const a = limiter.take(10).then(() => order.push('a'));
    const b = limiter.take(10).then(() => order.push('b'));
    const c = limiter.take(1).then(() => order.push('c'));
    await clock.advance(0);
    expect(order).toEqual(['a']);
    await clock.advance(999);
    expect(order).toEqual(['a']);
    await clock.advance(1);
    expect(order).toEqual(['a', 'b']);
    await clock.advance(1000);
    await Promise.all([a, b, c]);
    expect(order).toEqual(['a', 'b', 'c']);
  });

  it('does not bank idle time', async () => {
    const clock = new FakeClock();
    const limiter = new RateLimiter(100, clock);
    await clock.advance(10_000);
    let done = 0;
    limiter.take(100).then(() => done++);
    limiter.take(100).then(() => done++);
    await clock.advance(0);
    expect(done).toBe(1);
    await clock.advance(1000);
    expect(done).toBe(2);
  });

  it('rejects bad rates and amounts', () => {
    expect(() => new RateLimiter(0)).toThrow(RangeError);
    expect(() => new RateLimiter(1).take(-1)).toThrow(RangeError);
  });
});

describe('RestoreThrottle', () => {
  it('waits for the tighter of bytes and records', async () => {
    const clock = new FakeClock();
    const throttle = new RestoreThrottle(1, 10, clock);
    let records = 0;
    let stop = false;
    const run = (async () => {
      while (!stop) {
        await throttle.take(1, 100);
        records++;
      }
    })();
    await clock.advance(3000);
    stop = true;
    expect(records).toBeGreaterThanOrEqual(30);
    expect(records).toBeLessThanOrEqual(32);
    await clock.advance(1000);
    await run;
  });
});

describe('parseRestoreNice', () => {
  it('parses bandwidth,tps', () => {
    expect(parseRestoreNice('5, 200')).toEqual({ bandwidthMiB: 5, tps: 200 });
  });

  it('refuses bad values with the official messages', () => {
    const cases: [string, string][] = [
      ['', 'Empty nice list'],
      ['5', 'Invalid nice option'],
      ['1,2,3', 'Invalid nice option'],
      ['5,', 'Item with invalid length in nice list 5,'],
      ['1234567890,5', 'Item with invalid length in nice list 1234567890,5'],
      ['0,5', 'Invalid bandwidth value 0'],
      ['x,5', 'Invalid bandwidth value x'],
      ['5,0', 'Invalid TPS value 0'],
    ];
    for (const [input, message] of cases) expect(() => parseRestoreNice(input), input).toThrow(message);
  });
});
