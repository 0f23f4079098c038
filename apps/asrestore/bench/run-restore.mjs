// Child of restore.bench.mjs: one asrestore run in this process, then its time, CPU and peak RSS.
import { main } from '../dist/main.js';

const started = performance.now();
const code = await main(process.argv.slice(2), { stdin: process.stdin });
const ms = performance.now() - started;
const usage = process.resourceUsage();
process.stdout.write(
  `${JSON.stringify({ code, ms, cpuMs: (usage.userCPUTime + usage.systemCPUTime) / 1000, maxRssKiB: usage.maxRSS })}\n`,
);
process.exit(code);
