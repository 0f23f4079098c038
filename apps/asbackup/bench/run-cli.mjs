// Runs the built asbackup in this process and reports its peak RSS and CPU time on fd 3.
// Peak RSS is VmHWM where /proc exists: getrusage's maxrss also counts the pages this process
// shared with the (large) bench process between fork and exec.
import { readFileSync, writeSync } from 'node:fs';
import { main } from '../dist/main.js';

function peakRssKiB() {
  try {
    return Number(/VmHWM:\s+(\d+)/.exec(readFileSync('/proc/self/status', 'utf8'))[1]);
  } catch {
    return process.resourceUsage().maxRSS;
  }
}

const code = await main(process.argv.slice(2), {});
const cpu = process.cpuUsage();
writeSync(3, `${JSON.stringify({ code, maxRssKiB: peakRssKiB(), cpuMs: (cpu.user + cpu.system) / 1000 })}\n`);
process.exitCode = code;
