// Server side of the batch index protocol (wire-protocol §8): parse the BATCH_INDEX field into
// rows, run each row as a single-record command, answer one as_msg per row and then LAST.

import { type Field, FieldType, type Op } from '@asbkit/cluster-client/wire';
import type { RecordCommand } from './record-ops.js';

export const BatchFlag = { REPORT_ALL_ERRORS: 0x04, REPORT_ERROR_RECORD: 0x08 } as const;
const RowFlag = { REPEAT: 0x01, INFO23: 0x02, GENERATION: 0x04, TTL: 0x08, INFO4: 0x10 } as const;

export interface BatchRow {
  index: number;
  digest: Buffer;
  command: RecordCommand;
}

export interface BatchRequest {
  flags: number;
  rows: BatchRow[];
}

export class BatchParseError extends Error {
  readonly code = 'EMULATOR_BATCH_PARSE';
}

/** Parses BATCH_INDEX field data: BE u32 row count, u8 flags, rows. */
export function parseBatchIndex(data: Buffer): BatchRequest {
  let off = 0;
  const need = (n: number) => {
    if (off + n > data.length) throw new BatchParseError(`batch field truncated at byte ${off}`);
  };
  need(5);
  const count = data.readUInt32BE(0);
  const flags = data[4];
  off = 5;
  const rows: BatchRow[] = [];
  let previous: RecordCommand | undefined;
  for (let i = 0; i < count; i++) {
    need(25);
    const index = data.readUInt32BE(off);
    const digest = data.subarray(off + 4, off + 24);
    const rowFlags = data[off + 24];
    off += 25;
    if (rowFlags & RowFlag.REPEAT) {
      if (!previous) throw new BatchParseError(`batch row ${i} repeats nothing`);
      if (previous.fields.some((f) => f.type === FieldType.KEY)) {
        throw new BatchParseError(`batch row ${i} repeats a row that carried a KEY`);
      }
      rows.push({ index, digest, command: withDigest(previous, digest) });
      continue;
    }
    need(1);
    const info1 = data[off++];
    let info2 = 0;
    let info3 = 0;
    let generation = 0;
    let recordTtl = 0;
    if (rowFlags & RowFlag.INFO23) {
      need(2);
      info2 = data[off];
      info3 = data[off + 1];
      off += 2;
    }
    if (rowFlags & RowFlag.INFO4) {
      need(1);
      off += 1;
    }
    if (rowFlags & RowFlag.GENERATION) {
      need(2);
      generation = data.readUInt16BE(off);
      off += 2;
    }
    if (rowFlags & RowFlag.TTL) {
      need(4);
      recordTtl = data.readUInt32BE(off);
      off += 4;
    }
    need(4);
    const nFields = data.readUInt16BE(off);
    const nOps = data.readUInt16BE(off + 2);
    off += 4;
    const fields: Field[] = [];
    for (let f = 0; f < nFields; f++) {
      need(5);
      const size = data.readUInt32BE(off);
      if (size < 1) throw new BatchParseError(`batch row ${i} field ${f} has size 0`);
      need(4 + size);
      fields.push({ type: data[off + 4], data: data.subarray(off + 5, off + 4 + size) });
      off += 4 + size;
    }
    const ops: Op[] = [];
    for (let o = 0; o < nOps; o++) {
      need(8);
      const size = data.readUInt32BE(off);
      const nameLen = data[off + 7];
      if (size < 4 + nameLen) throw new BatchParseError(`batch row ${i} op ${o} size ${size} too small`);
      need(4 + size);
      ops.push({
        op: data[off + 4],
        particleType: data[off + 5],
        name: data.subarray(off + 8, off + 8 + nameLen),
        value: data.subarray(off + 8 + nameLen, off + 4 + size),
      });
      off += 4 + size;
    }
    previous = { info1, info2, info3, generation, recordTtl, fields, ops };
    rows.push({ index, digest, command: withDigest(previous, digest) });
  }
  if (off !== data.length) throw new BatchParseError(`${data.length - off} bytes after the last batch row`);
  return { flags, rows };
}

function withDigest(cmd: RecordCommand, digest: Buffer): RecordCommand {
  return { ...cmd, fields: [...cmd.fields, { type: FieldType.DIGEST, data: digest }] };
}
