import { closeSync, openSync, writeSync } from 'node:fs';
import { formatEta } from './eta.js';

/**
 * `-m/--machine PATH` output: the path is opened for appending (often a FIFO) and every line
 * is written through at once.
 */
export class MachineWriter {
  private constructor(private readonly fd: number) {}

  static open(path: string): MachineWriter {
    return new MachineWriter(openSync(path, 'a'));
  }

  line(text: string): void {
    writeSync(this.fd, `${text}\n`);
  }

  progress(percent: number): void {
    this.line(`PROGRESS:${Math.floor(percent)}`);
  }

  remaining(seconds: number): void {
    this.line(`REMAINING:${formatEta(seconds)}`);
  }

  /** asbackup: `SUMMARY:<records>:<indexes>:<udfs>:<bytes>:<bytes_per_record>`. */
  backupSummary(s: { records: number; indexes: number; udfs: number; bytes: number }): void {
    const perRecord = s.records > 0 ? Math.floor(s.bytes / s.records) : 0;
    this.line(`SUMMARY:${s.records}:${s.indexes}:${s.udfs}:${s.bytes}:${perRecord}`);
  }

  /** asbackup `--estimate`: `ESTIMATE:<record count estimate>:<upper record size>`. */
  estimate(recordCount: number, upperRecordSize: number): void {
    this.line(`ESTIMATE:${recordCount}:${upperRecordSize}`);
  }

  /**
   * asrestore: `SUMMARY:<udfs>:<indexes>:<records>:<expired>:<skipped>:<ignored> :<inserted>:<existed>:<fresher>`,
   * with the official stray space before the seventh colon.
   */
  restoreSummary(s: {
    udfs: number;
    indexes: number;
    records: number;
    expired: number;
    skipped: number;
    ignored: number;
    inserted: number;
    existed: number;
    fresher: number;
  }): void {
    this.line(
      `SUMMARY:${s.udfs}:${s.indexes}:${s.records}:${s.expired}:${s.skipped}:${s.ignored} :${s.inserted}:${s.existed}:${s.fresher}`,
    );
  }

  close(): void {
    closeSync(this.fd);
  }
}
