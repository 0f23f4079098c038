// Runs the built asbackup in this process and reports its peak RSS on fd 3 when it exits.
import { writeSync } from 'node:fs';
import { main } from '../dist/main.js';

const code = await main(process.argv.slice(2), { signal: undefined });
writeSync(
  3,
  `${JSON.stringify({ code, maxRssKiB: process.resourceUsage().maxRSS, cpuMs: (process.cpuUsage().user + process.cpuUsage().system) / 1000 })}\n`,
);
process.exitCode = code;
