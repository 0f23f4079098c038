// Pre-encoded rows back into one batch write, to compare them with buildBatchWriteRequest.
import { type BatchWriteRequestOptions, buildBatchWriteRequestFromRows } from '../write/batch.js';
import type { EncodedRows } from '../write/rows.js';

/** The batch write of every row of `blocks`, in order (undefined when they hold none). */
export function requestOfRows(
  blocks: readonly EncodedRows[],
  options?: BatchWriteRequestOptions,
): Buffer | undefined {
  const bufs: Buffer[] = [];
  const starts: number[] = [];
  const ends: number[] = [];
  for (const b of blocks) {
    const bytes = Buffer.from(b.bytes.buffer, b.bytes.byteOffset, b.bytes.length);
    for (let i = 0; i < b.count; i++) {
      bufs.push(bytes);
      starts.push(b.offsets[i]!);
      ends.push(b.offsets[i + 1]!);
    }
  }
  return bufs.length === 0 ? undefined : buildBatchWriteRequestFromRows(bufs, starts, ends, options);
}
