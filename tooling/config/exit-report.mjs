// For the benches: loaded with `node --import`, it writes one JSON line to fd 3 (a pipe the
// bench opened) when the process exits: exit code, wall time since the process started, CPU
// time and peak RSS. The CLI runs as shipped; nothing of it is wrapped.
import { readFileSync, writeSync } from 'node:fs';
import { isMainThread } from 'node:worker_threads';

/** VmHWM where /proc exists: getrusage's maxrss also counts pages shared with the parent before exec. */
function peakRssKiB() {
  try {
    return Number(/VmHWM:\s+(\d+)/.exec(readFileSync('/proc/self/status', 'utf8'))[1]);
  } catch {
    return process.resourceUsage().maxRSS;
  }
}

if (isMainThread) {
  process.on('exit', (code) => {
    const usage = process.resourceUsage();
    const report = {
      code,
      ms: performance.now(),
      cpuMs: (usage.userCPUTime + usage.systemCPUTime) / 1000,
      maxRssKiB: peakRssKiB(),
    };
    writeSync(3, `${JSON.stringify(report)}\n`);
  });
}
