import { describe, expect, it } from 'vitest';
import { splitForParallel, splitPerPartition } from './split.js';

describe('splitForParallel', () => {
  it('splits the whole namespace with the official formula', () => {
    const plan = splitForParallel([], 3);
    expect(plan.jobs).toEqual([
      { begin: 0, count: 1365 },
      { begin: 1365, count: 1365 },
      { begin: 2730, count: 1366 },
    ]);
    expect(plan.threads).toBe(3);
    expect(plan.warning).toBeUndefined();
  });

  it('covers a single range exactly, for every N up to 100', () => {
    const problems: string[] = [];
    for (let n = 1; n <= 100; n++) {
      const { jobs } = splitForParallel([{ begin: 100, count: 997 }], n);
      if (jobs.length !== n) problems.push(`N=${n}: ${jobs.length} jobs`);
      let next = 100;
      for (const j of jobs) {
        if (j.begin !== next) problems.push(`N=${n}: gap at ${next}`);
        if (j.count < Math.floor(997 / n) || j.count > Math.ceil(997 / n))
          problems.push(`N=${n}: count ${j.count}`);
        next += j.count;
      }
      if (next !== 1097) problems.push(`N=${n}: ends at ${next}`);
    }
    expect(problems).toEqual([]);
  });

  it('clamps N to the partition count with the official warning', () => {
    const plan = splitForParallel([{ begin: 10, count: 3 }], 8);
    expect(plan.threads).toBe(3);
    expect(plan.jobs).toEqual([
      { begin: 10, count: 1 },
      { begin: 11, count: 1 },
      { begin: 12, count: 1 },
    ]);
    expect(plan.warning).toBe(
      'Warning: --parallel 8 is higher than the number of partitions being backed up (3), setting number of threads to 3.',
    );
  });

  it('never splits a lone digest filter', () => {
    const f = { begin: 5, count: 1, digest: Buffer.alloc(20, 5) };
    const plan = splitForParallel([f], 4);
    expect(plan.jobs).toEqual([f]);
    expect(plan.threads).toBe(1);
  });

  it('makes one job per filter when there are several, clamping threads', () => {
    const filters = [
      { begin: 0, count: 512 },
      { begin: 512, count: 512 },
    ];
    expect(splitForParallel(filters, 1)).toEqual({ jobs: filters, threads: 1, warning: undefined });
    const plan = splitForParallel(filters, 4);
    expect(plan.threads).toBe(2);
    expect(plan.warning).toBe(
      'Warning: --parallel 4 is higher than the number of partition filters given (2), setting number of threads to 2.',
    );
  });

  it('rejects a bad parallel value', () => {
    expect(() => splitForParallel([], 0)).toThrow(RangeError);
  });
});

describe('splitPerPartition', () => {
  it('cuts ranges into groups and keeps digest filters whole', () => {
    const d = { begin: 20, count: 1, digest: Buffer.alloc(20) };
    expect(splitPerPartition([{ begin: 0, count: 5 }, d], 2)).toEqual([
      { begin: 0, count: 2 },
      { begin: 2, count: 2 },
      { begin: 4, count: 1 },
      d,
    ]);
    expect(splitPerPartition([])).toHaveLength(4096);
  });
});
