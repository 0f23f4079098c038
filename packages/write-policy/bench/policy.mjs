// Per-record restore bookkeeping cost (run after `pnpm build`): policy + TTL, result
// classification and counting, and limiter reservations.
import { classifyRecordResult, RateLimiter, RestoreCounters, RestoreWritePolicy } from '../dist/index.js';

function report(name, n, bytesPerRecord, ms) {
  const perSec = (n * 1000) / ms;
  console.log(
    `${name}: ${Math.round(perSec)} records/s, ${((perSec * bytesPerRecord) / 1048576).toFixed(1)} MiB/s`,
  );
}

const N = 2_000_000;
const now = Date.now() / 1000;
const policy = new RestoreWritePolicy({ replace: true, extraTtl: 60 });
const records = Array.from({ length: 1024 }, (_, i) => ({
  voidTime: i % 3 === 0 ? 0 : 600_000_000 + i,
  key: i % 2 ? undefined : { type: 1, value: i },
}));
const counters = new RestoreCounters();
let t = performance.now();
for (let i = 0; i < N; i++) {
  const p = policy.forRecord(records[i & 1023], now);
  if (p === undefined) counters.expired++;
  else counters.countOutcome(classifyRecordResult(i & 7 ? 0 : 3), false);
}
report('forRecord + classify + count (240 B records)', N, 240, performance.now() - t);

// A limiter far above the offered load: measures the reservation cost alone.
const limiter = new RateLimiter(1e15);
t = performance.now();
for (let i = 0; i < N; i++) await limiter.take(240);
report('RateLimiter.take (unthrottled)', N, 240, performance.now() - t);

// Real-clock accuracy: 4 concurrent writers of 64 KiB chunks against a 20 MiB/s limiter for 2 s.
const rate = new RateLimiter(20 * 1048576);
let sent = 0;
const until = performance.now() + 2000;
const writer = async () => {
  while (performance.now() < until) {
    await rate.take(65536);
    sent += 65536;
  }
};
t = performance.now();
await Promise.all([writer(), writer(), writer(), writer()]);
const secs = (performance.now() - t) / 1000;
console.log(
  `RateLimiter at 20 MiB/s, real clock: ${(sent / secs / 1048576).toFixed(2)} MiB/s achieved over ${secs.toFixed(2)} s`,
);
