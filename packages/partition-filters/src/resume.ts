import { type PartitionCursors, PartitionStatus } from './cursors.js';
import { PARTITION_COUNT } from './digest.js';
import { PartitionFilterError } from './errors.js';
import type { PartitionFilter } from './filters.js';

/**
 * What is left to scan when `--continue` resumes `cursors` with this run's `filters`, checked
 * like asbackup: every filtered partition must be in the state (unless `allowUncovered`, the
 * `--node-list` case, where it is scanned whole), an after-digest must not be below the saved
 * digest, and every partition of the state must be covered by a filter. Unlike asbackup, which
 * scans done partitions again after their last digest, done partitions are skipped.
 */
export function resumeFilters(
  cursors: PartitionCursors,
  filters: readonly PartitionFilter[],
  allowUncovered = false,
): PartitionFilter[] {
  const list = filters.length === 0 ? [{ begin: 0, count: PARTITION_COUNT }] : filters;
  const covered = new Uint8Array(PARTITION_COUNT);
  const out: PartitionFilter[] = [];
  let open: PartitionFilter | undefined;
  const scanWhole = (p: number) => {
    if (open && open.begin + open.count === p) open.count++;
    else {
      open = { begin: p, count: 1 };
      out.push(open);
    }
  };
  const scanAfter = (p: number, digest: Buffer) => {
    open = undefined;
    out.push({ begin: p, count: 1, digest });
  };
  for (const f of list) {
    for (let p = f.begin; p < f.begin + f.count; p++) {
      covered[p] = 1;
      const status = cursors.statusOf(p);
      switch (status) {
        case PartitionStatus.NONE:
          if (!allowUncovered) {
            throw new PartitionFilterError(
              'STATE_MISMATCH',
              `Partition ${p} was not saved in the backup state file`,
            );
          }
          if (f.digest) scanAfter(p, f.digest);
          else scanWhole(p);
          break;
        case PartitionStatus.NOT_STARTED:
          if (f.digest) scanAfter(p, f.digest);
          else scanWhole(p);
          break;
        case PartitionStatus.COMPLETE_EMPTY:
          open = undefined;
          break;
        default: {
          const saved = cursors.lastDigest(p)!;
          if (f.digest && Buffer.compare(f.digest, saved) < 0) {
            throw new PartitionFilterError(
              'STATE_MISMATCH',
              `Digest value ${f.digest.toString('base64')} is below the after-digest ${saved.toString('base64')} of partition ${p}`,
            );
          }
          if (status === PartitionStatus.INCOMPLETE) scanAfter(p, saved);
          else open = undefined;
        }
      }
    }
  }
  for (let p = 0; p < PARTITION_COUNT; p++) {
    if (!covered[p] && cursors.statusOf(p) !== PartitionStatus.NONE) {
      throw new PartitionFilterError(
        'STATE_MISMATCH',
        `Error while narrowing partition filters from backup state file: partition ${p} was not covered by any partition range`,
      );
    }
  }
  return out;
}
