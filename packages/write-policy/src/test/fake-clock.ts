import type { LimiterClock } from '../limiter.js';

/**
 * A manual clock for limiter tests: `sleep` parks until `advance` moves time past its deadline.
 * Timers fire in deadline order (ties in creation order).
 */
export class FakeClock implements LimiterClock {
  private time = 0;
  private seq = 0;
  private timers: { at: number; seq: number; resolve: () => void }[] = [];

  now(): number {
    return this.time;
  }

  sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      this.timers.push({ at: this.time + Math.max(0, ms), seq: this.seq++, resolve });
    });
  }

  /** Number of sleepers not yet woken. */
  get pending(): number {
    return this.timers.length;
  }

  /** Moves time forward by `ms`, waking due sleepers in order and letting their continuations run. */
  async advance(ms: number): Promise<void> {
    const target = this.time + ms;
    for (;;) {
      await flushMicrotasks(); // let running callers register their sleeps first
      this.timers.sort((a, b) => a.at - b.at || a.seq - b.seq);
      const next = this.timers[0];
      if (!next || next.at > target) break;
      this.timers.shift();
      this.time = next.at;
      next.resolve();
    }
    this.time = target;
    await flushMicrotasks();
  }
}

/** Lets every pending promise continuation run (a macrotask turn, no real waiting). */
function flushMicrotasks(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}
