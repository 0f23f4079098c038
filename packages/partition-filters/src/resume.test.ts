import { describe, expect, it } from 'vitest';
import { PartitionCursors } from './cursors.js';
import { parsePartitionList } from './filters.js';
import { resumeFilters } from './resume.js';

function digestIn(partition: number, fill: number): Buffer {
  const d = Buffer.alloc(20, fill);
  d.writeUInt16LE(partition | 0x1000);
  return d;
}

describe('resumeFilters', () => {
  it('skips done partitions, resumes started ones after their digest, scans the rest', () => {
    const filters = parsePartitionList('0-512,512-512');
    const c = PartitionCursors.forFilters(filters);
    c.markDone(0);
    c.recordWritten(digestIn(1, 0x10));
    c.markDone(1);
    c.recordWritten(digestIn(600, 0x20));
    expect(resumeFilters(c, filters)).toEqual([
      { begin: 2, count: 598 }, // merged across the two filters: the fewest filters
      { begin: 600, count: 1, digest: digestIn(600, 0x20) },
      { begin: 601, count: 423 },
    ]);
  });

  it('refuses a filtered partition missing from the state, unless uncovered partitions are allowed', () => {
    const c = PartitionCursors.forFilters(parsePartitionList('0-10'));
    expect(() => resumeFilters(c, parsePartitionList('0-11'))).toThrow(
      'Partition 10 was not saved in the backup state file',
    );
    expect(resumeFilters(c, parsePartitionList('0-11'), true)).toEqual([{ begin: 0, count: 11 }]);
  });

  it('refuses a state partition that no filter covers', () => {
    const c = PartitionCursors.forFilters(parsePartitionList('0-10'));
    expect(() => resumeFilters(c, parsePartitionList('0-9'))).toThrow(
      'Error while narrowing partition filters from backup state file: partition 9 was not covered by any partition range',
    );
  });

  it('checks an after-digest against the saved digest', () => {
    const start = digestIn(5, 0x30);
    const filters = [{ begin: 5, count: 1, digest: start }];
    const c = PartitionCursors.forFilters(filters);
    expect(resumeFilters(c, filters)).toEqual(filters);
    c.recordWritten(digestIn(5, 0x40));
    expect(() => resumeFilters(c, filters)).toThrow(
      /^Digest value .* is below the after-digest .* of partition 5$/,
    );
    c.recordWritten(digestIn(5, 0x20));
    expect(resumeFilters(c, filters)).toEqual([{ begin: 5, count: 1, digest: digestIn(5, 0x20) }]);
  });
});
