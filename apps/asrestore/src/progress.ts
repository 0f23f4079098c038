// Periodic status output, as the official counter thread does it: every second the -m machine
// lines, every tenth second (starting with the first) the two INF counter lines and the
// percentage line, and once more at the end with the machine SUMMARY. A TTY progress bar is
// drawn in between when stderr is a terminal.
import { formatEta, type Logger, type MachineWriter, type ProgressBar } from '@asbkit/cli-common';
import {
  formatRestoreMachineSummary,
  formatRestoreProgress,
  type RestoreCounters,
} from '@asbkit/write-policy';

export interface ProgressOptions {
  counters: RestoreCounters;
  logger: Logger;
  machine?: MachineWriter;
  bar?: ProgressBar;
  /** Sum of the input sizes when known (for percentages). */
  totalBytes?: number;
  /** Monotonic clock in ms. */
  clock?: () => number;
  /** Tick period; 1000 ms as in the C tool. */
  tickMs?: number;
}

export class ProgressReporter {
  private timer: NodeJS.Timeout | undefined;
  private iter = 0;
  private prevTick: number;
  private prevPrint: number;
  private printMark: { records: number; bytes: number };
  private machinePrevBytes = 0;
  private readonly clock: () => number;

  constructor(private readonly o: ProgressOptions) {
    this.clock = o.clock ?? (() => performance.now());
    this.prevTick = this.clock();
    this.prevPrint = this.prevTick;
    this.printMark = o.counters.mark();
  }

  start(): void {
    this.timer = setInterval(() => this.tick(false), this.o.tickMs ?? 1000);
    this.timer.unref();
  }

  /** Redraws the TTY bar (cheap; call as often as you like). */
  update(): void {
    this.o.bar?.update(this.o.counters.recordsRead, this.o.counters.bytesRead);
  }

  /** Final lines; call once, on success and on failure alike. */
  finish(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    this.tick(true);
    this.o.bar?.clear();
  }

  private percent(bytes: number): number {
    const total = this.o.totalBytes ?? 0;
    return total > 0 ? Math.floor((bytes * 100) / total) : -1;
  }

  private eta(bytesNow: number, bytesDelta: number, ms: number): number {
    const total = this.o.totalBytes ?? 0;
    if (bytesDelta <= 0 || total <= 0) return -1;
    return Math.floor((Math.max(total - bytesNow, 0) * ms) / bytesDelta / 1000);
  }

  private tick(last: boolean): void {
    const c = this.o.counters;
    const now = this.clock();
    const tickMs = now - this.prevTick;
    this.prevTick = now;
    const bytes = c.bytesRead;
    const percent = this.percent(bytes);
    if (last || this.iter++ % 10 === 0) {
      const ms = now - this.prevPrint;
      this.o.bar?.clear();
      for (const line of formatRestoreProgress(c, this.printMark, ms)) this.o.logger.info(line);
      const eta = this.eta(bytes, bytes - this.printMark.bytes, ms);
      if (percent >= 0 && eta >= 0) this.o.logger.info(`${percent}% complete, ~${formatEta(eta)} remaining`);
      this.prevPrint = now;
      this.printMark = c.mark();
    }
    const m = this.o.machine;
    if (m) {
      if (percent >= 0) m.progress(percent);
      const eta = this.eta(bytes, bytes - this.machinePrevBytes, tickMs);
      if (eta >= 0) m.remaining(eta);
      this.machinePrevBytes = bytes;
      if (last) m.line(formatRestoreMachineSummary(c).trimEnd());
    }
    if (!last) this.update();
  }
}
