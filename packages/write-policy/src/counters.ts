import type { RecordOutcome } from './result-codes.js';

/** What a progress line needs from the previous one: counts at that time. */
export interface ProgressMark {
  records: number;
  bytes: number;
}

/**
 * The counters asrestore reports. `recordsRead` counts every record parsed (also expired and
 * skipped); `failed` = existed + fresher (hard errors stop the run and are not counted here).
 */
export class RestoreCounters {
  recordsRead = 0;
  bytesRead = 0;
  expired = 0;
  skipped = 0;
  errIgnored = 0;
  inserted = 0;
  existed = 0;
  fresher = 0;
  retries = 0;
  udfs = 0;
  indexes = 0;

  get failed(): number {
    return this.existed + this.fresher;
  }

  /**
   * Counts one record's write outcome. Returns false when the outcome stops the restore:
   * `fatal`, or `ignorable` without `--ignore-record-error` (which is still counted as
   * err_ignored, as asrestore does).
   */
  countOutcome(outcome: RecordOutcome, ignoreRecordError: boolean): boolean {
    switch (outcome) {
      case 'inserted':
        this.inserted++;
        return true;
      case 'fresher':
        this.fresher++;
        return true;
      case 'existed':
        this.existed++;
        return true;
      case 'ignorable':
        this.errIgnored++;
        return ignoreRecordError;
      default:
        return false;
    }
  }

  /** Adds another worker's counters into this one. */
  add(other: RestoreCounters): this {
    this.recordsRead += other.recordsRead;
    this.bytesRead += other.bytesRead;
    this.expired += other.expired;
    this.skipped += other.skipped;
    this.errIgnored += other.errIgnored;
    this.inserted += other.inserted;
    this.existed += other.existed;
    this.fresher += other.fresher;
    this.retries += other.retries;
    this.udfs += other.udfs;
    this.indexes += other.indexes;
    return this;
  }

  mark(): ProgressMark {
    return { records: this.recordsRead, bytes: this.bytesRead };
  }
}

/**
 * asrestore's two periodic/final INF lines, byte for byte (spacing quirks included). Rates
 * use the records and bytes since `previous`, over `elapsedMs`, with C's integer arithmetic.
 */
export function formatRestoreProgress(
  c: RestoreCounters,
  previous: ProgressMark,
  elapsedMs: number,
): [string, string] {
  const records = c.recordsRead - previous.records;
  const bytes = c.bytesRead - previous.bytes;
  const ms = Math.floor(elapsedMs);
  const recPerSec = ms === 0 ? 0 : Math.floor((records * 1000) / ms);
  const kibPerSec = ms === 0 ? 0 : Math.floor(Math.floor((bytes * 1000) / 1024) / ms);
  const bytesPerRec = records === 0 ? 0 : Math.floor(bytes / records);
  return [
    `${c.udfs} UDF file(s), ${c.indexes} secondary index(es), ${c.recordsRead} record(s) ` +
      `(${recPerSec} rec/s, ${kibPerSec} KiB/s, ${bytesPerRec} B/rec, retries: ${c.retries})`,
    `Expired ${c.expired} : skipped ${c.skipped} : err_ignored ${c.errIgnored} : inserted ${c.inserted}: ` +
      `failed ${c.failed} (existed ${c.existed} , fresher ${c.fresher})`,
  ];
}

/** asrestore's `-m` machine summary line, with its stray space before the 7th colon. */
export function formatRestoreMachineSummary(c: RestoreCounters): string {
  return (
    `SUMMARY:${c.udfs}:${c.indexes}:${c.recordsRead}:${c.expired}:${c.skipped}:${c.errIgnored} ` +
    `:${c.inserted}:${c.existed}:${c.fresher}\n`
  );
}
