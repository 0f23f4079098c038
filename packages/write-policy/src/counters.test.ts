import { describe, expect, it } from 'vitest';
import { formatRestoreMachineSummary, formatRestoreProgress, RestoreCounters } from './counters.js';

// The official test suite's regex for the summary line (spec §6.3).
const SUMMARY_RE =
  /Expired (\d+) : skipped (\d+) : err_ignored (\d+) : inserted (\d+): failed (\d+) \(existed (\d+) , fresher (\d+)\)/;

function sample(): RestoreCounters {
  const c = new RestoreCounters();
  Object.assign(c, {
    recordsRead: 1000,
    bytesRead: 240_000,
    expired: 3,
    skipped: 4,
    errIgnored: 1,
    inserted: 980,
  });
  Object.assign(c, { existed: 7, fresher: 5, retries: 2, udfs: 1, indexes: 2 });
  return c;
}

describe('formatRestoreProgress', () => {
  it('prints the official lines byte for byte', () => {
    const [first, second] = formatRestoreProgress(sample(), { records: 0, bytes: 0 }, 10_000);
    expect(first).toBe(
      '1 UDF file(s), 2 secondary index(es), 1000 record(s) (100 rec/s, 23 KiB/s, 240 B/rec, retries: 2)',
    );
    expect(second).toBe(
      'Expired 3 : skipped 4 : err_ignored 1 : inserted 980: failed 12 (existed 7 , fresher 5)',
    );
    expect(SUMMARY_RE.exec(second)?.slice(1).map(Number)).toEqual([3, 4, 1, 980, 12, 7, 5]);
  });

  it('uses deltas since the previous mark and prints 0 rates for a zero interval', () => {
    const c = sample();
    const [line] = formatRestoreProgress(c, { records: 900, bytes: 200_000 }, 0);
    expect(line).toContain('(0 rec/s, 0 KiB/s, 400 B/rec, retries: 2)');
    const [idle] = formatRestoreProgress(c, c.mark(), 1000);
    expect(idle).toContain('(0 rec/s, 0 KiB/s, 0 B/rec, retries: 2)');
  });
});

describe('formatRestoreMachineSummary', () => {
  it('keeps the stray space before the 7th colon', () => {
    expect(formatRestoreMachineSummary(sample())).toBe('SUMMARY:1:2:1000:3:4:1 :980:7:5\n');
  });
});

describe('RestoreCounters', () => {
  it('adds counters of several workers', () => {
    const total = new RestoreCounters().add(sample()).add(sample());
    expect(total.inserted).toBe(1960);
    expect(total.failed).toBe(24);
    expect(total.recordsRead).toBe(2000);
  });
});
