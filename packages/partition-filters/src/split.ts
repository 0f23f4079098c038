import type { PartitionFilter } from './filters.js';

export interface ParallelPlan {
  /** Jobs in queue order. */
  jobs: PartitionFilter[];
  /** Worker count after clamping. */
  threads: number;
  /** asbackup's warning text when `parallel` was clamped. */
  warning: string | undefined;
}

/**
 * asbackup's `--parallel` split: no filter means the whole namespace; one filter (begin b,
 * count c) is cut into N = min(parallel, c) near-equal ranges with
 * begin_i = b + ⌊c·i/N⌋; several filters are one job each and threads = min(parallel, filters).
 * A lone digest filter (c = 1) is never split.
 */
export function splitForParallel(filters: readonly PartitionFilter[], parallel: number): ParallelPlan {
  if (!Number.isInteger(parallel) || parallel < 1)
    throw new RangeError(`splitForParallel: invalid parallel ${parallel}`);
  if (filters.length > 1) {
    const n = filters.length;
    if (parallel > n) {
      const warning = `Warning: --parallel ${parallel} is higher than the number of partition filters given (${n}), setting number of threads to ${n}.`;
      return { jobs: [...filters], threads: n, warning };
    }
    return { jobs: [...filters], threads: parallel, warning: undefined };
  }
  const range = filters[0] ?? { begin: 0, count: 4096 };
  let threads = parallel;
  let warning: string | undefined;
  if (threads > range.count) {
    warning = `Warning: --parallel ${parallel} is higher than the number of partitions being backed up (${range.count}), setting number of threads to ${range.count}.`;
    threads = range.count;
  }
  if (threads <= 1) return { jobs: [range], threads: Math.max(threads, 1), warning };
  const jobs: PartitionFilter[] = [];
  for (let i = 0; i < threads; i++) {
    const begin = range.begin + Math.floor((range.count * i) / threads);
    const end = range.begin + Math.floor((range.count * (i + 1)) / threads);
    jobs.push({ begin, count: end - begin });
  }
  return { jobs, threads, warning };
}

/**
 * Finer split than asbackup's: every range becomes jobs of at most `groupSize` partitions
 * (digest filters stay as they are), so N workers pulling from the queue stay busy even with
 * few or uneven filters. Order is kept.
 */
export function splitPerPartition(filters: readonly PartitionFilter[], groupSize = 1): PartitionFilter[] {
  if (!Number.isInteger(groupSize) || groupSize < 1)
    throw new RangeError(`splitPerPartition: invalid group size ${groupSize}`);
  const source = filters.length === 0 ? [{ begin: 0, count: 4096 }] : filters;
  const jobs: PartitionFilter[] = [];
  for (const f of source) {
    if (f.digest) {
      jobs.push(f);
      continue;
    }
    for (let b = f.begin; b < f.begin + f.count; b += groupSize) {
      jobs.push({ begin: b, count: Math.min(groupSize, f.begin + f.count - b) });
    }
  }
  return jobs;
}
