import { formatEta } from './eta.js';

export interface ProgressBarOptions {
  stream?: { write(chunk: string): unknown; isTTY?: boolean; columns?: number };
  /** Whether the stream is a terminal (default: `stream.isTTY`). */
  isTTY?: boolean;
  env?: Record<string, string | undefined>;
  /** Expected totals, when known, for the percentage and ETA. */
  totalRecords?: number;
  totalBytes?: number;
  /** Clock in ms (default: `performance.now`). */
  now?: () => number;
  /** Minimum ms between redraws. */
  intervalMs?: number;
}

/**
 * A one-line progress bar on stderr: percentage, records/s, MiB/s and ETA. Disabled when the
 * stream is not a terminal or `CI` is set; then every call is a no-op.
 */
export class ProgressBar {
  readonly enabled: boolean;
  private readonly stream: { write(chunk: string): unknown; columns?: number };
  private readonly now: () => number;
  private readonly start: number;
  private readonly intervalMs: number;
  private lastDraw = Number.NEGATIVE_INFINITY;
  private records = 0;
  private bytes = 0;

  constructor(private readonly opts: ProgressBarOptions = {}) {
    this.stream = opts.stream ?? process.stderr;
    const env = opts.env ?? process.env;
    const tty = opts.isTTY ?? (opts.stream ?? process.stderr).isTTY === true;
    this.enabled = tty && !env.CI;
    this.now = opts.now ?? (() => performance.now());
    this.start = this.now();
    this.intervalMs = opts.intervalMs ?? 200;
  }

  /** Sets the running totals; redraws at most every `intervalMs`. */
  update(records: number, bytes: number): void {
    this.records = records;
    this.bytes = bytes;
    if (!this.enabled) return;
    const t = this.now();
    if (t - this.lastDraw < this.intervalMs) return;
    this.lastDraw = t;
    this.stream.write(`\r${this.render()}\u001b[K`);
  }

  /** The bar text for the current totals (no control characters). */
  render(): string {
    const seconds = Math.max((this.now() - this.start) / 1000, 1e-9);
    const recRate = this.records / seconds;
    const mibRate = this.bytes / 1048576 / seconds;
    const fraction = this.fraction();
    const parts: string[] = [];
    if (fraction !== undefined) {
      const width = 20;
      const filled = Math.round(fraction * width);
      parts.push(`[${'#'.repeat(filled)}${' '.repeat(width - filled)}] ${Math.floor(fraction * 100)}%`);
    }
    parts.push(`${this.records} rec`, `${Math.round(recRate)} rec/s`, `${mibRate.toFixed(1)} MiB/s`);
    if (fraction !== undefined && fraction > 0 && fraction < 1) {
      parts.push(`ETA ${formatEta((seconds * (1 - fraction)) / fraction)}`);
    }
    return parts.join('  ');
  }

  /** Clears the line (call before logging and at the end). */
  clear(): void {
    if (this.enabled) this.stream.write('\r\u001b[K');
  }

  private fraction(): number | undefined {
    const { totalBytes, totalRecords } = this.opts;
    if (totalBytes && totalBytes > 0) return Math.min(this.bytes / totalBytes, 1);
    if (totalRecords && totalRecords > 0) return Math.min(this.records / totalRecords, 1);
    return undefined;
  }
}
