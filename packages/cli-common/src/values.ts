import { UsageError } from './errors.js';

/**
 * Integer text as the official tools accept it (`strtol` base 10, whole string consumed:
 * optional leading whitespace and sign). Returns undefined when it is not one.
 */
export function parseCInteger(text: string): bigint | undefined {
  if (!/^[ \t\n\r\f\v]*[+-]?\d+$/.test(text)) return undefined;
  return BigInt(text.trim());
}

/** An integer within [min, max], or undefined. */
export function parseIntInRange(text: string, min: bigint, max: bigint): number | undefined {
  const v = parseCInteger(text);
  if (v === undefined || v < min || v > max) return undefined;
  return Number(v);
}

export const UINT32_MAX = 0xffffffffn;
export const INT32_MAX = 0x7fffffffn;
export const INT32_MIN = -0x80000000n;
export const INT64_MAX = 0x7fffffffffffffffn;

/**
 * `-a/-b` times in the local time zone: `YYYY-MM-DD_HH:MM:SS`, `YYYY-MM-DD` (midnight) or
 * `HH:MM:SS` (today). Returns nanoseconds since the Unix epoch. Out-of-range fields roll
 * over like `mktime` does.
 */
export function parseDateTime(text: string, now: Date = new Date()): bigint {
  const invalid = (detail?: string) =>
    new UsageError(`Invalid date and time string ${text}`, {
      detailLines: detail ? [detail] : [],
      code: 'BAD_TIME',
    });
  let date: Date;
  if (text.length === 10) {
    const m = /^(\d{4})-(\d{1,2})-(\d{1,2})$/.exec(text);
    if (!m || Number(m[1]) < 1900) throw invalid(`Date format error in ${text}`);
    date = new Date(Number(m[1]), Number(m[2]) - 1, Number(m[3]), 0, 0, 0);
  } else if (text.length === 8) {
    const m = /^(\d{1,2}):(\d{1,2}):(\d{1,2})$/.exec(text);
    if (!m) throw invalid(`Time format error in ${text}`);
    date = new Date(
      now.getFullYear(),
      now.getMonth(),
      now.getDate(),
      Number(m[1]),
      Number(m[2]),
      Number(m[3]),
    );
  } else if (text.length === 19) {
    const m = /^(\d{4})-(\d{1,2})-(\d{1,2})_(\d{1,2}):(\d{1,2}):(\d{1,2})$/.exec(text);
    if (!m || Number(m[1]) < 1900) throw invalid(`Date/time format error in ${text}`);
    date = new Date(Number(m[1]), Number(m[2]) - 1, Number(m[3]), Number(m[4]), Number(m[5]), Number(m[6]));
  } else {
    throw invalid();
  }
  // new Date(y, …) maps years 0..99 to 1900..1999; the year is ≥ 1900 here, so no fix-up.
  return BigInt(Math.floor(date.getTime() / 1000)) * 1_000_000_000n;
}

/** Longest set name + 1 (the server's limit includes the terminating NUL). */
export const SET_NAME_MAX = 64;
export const BIN_NAME_MAX = 16;
export const NAMESPACE_MAX = 32;

/**
 * asbackup `-s` list: comma-separated, an item may be wrapped in '…' or "…" to hold commas;
 * names are not trimmed; each shorter than 64 bytes.
 */
export function parseBackupSetList(text: string): string[] {
  const sets: string[] = [];
  const tooLong = () =>
    new UsageError(`Set name must be no longer than ${SET_NAME_MAX - 1} characters`, { option: 'set' });
  let i = 0;
  for (;;) {
    const q = text[i];
    if (q === "'" || q === '"') {
      const end = text.indexOf(q, i + 1);
      if (end < 0) throw new UsageError(`Missing terminating ${q} in set name`, { option: 'set' });
      const name = text.slice(i + 1, end);
      if (Buffer.byteLength(name) >= SET_NAME_MAX) throw tooLong();
      sets.push(name);
      i = end + 1;
    } else {
      let end = text.indexOf(',', i);
      if (end < 0) end = text.length;
      const name = text.slice(i, end);
      if (Buffer.byteLength(name) >= SET_NAME_MAX) throw tooLong();
      sets.push(name);
      i = end;
    }
    if (i >= text.length) break;
    if (text[i] !== ',') throw new UsageError("Require ',' to delineate set names", { option: 'set' });
    i++;
  }
  return sets;
}

/**
 * asrestore-style comma list (namespace, bin, set, nice): items trimmed; empty list, empty
 * items or items of `maxBytes` bytes or more are errors with the official lines.
 */
export function parseTrimmedList(which: string, maxBytes: number, text: string, option?: string): string[] {
  const fail = (detail: string) =>
    new UsageError(`Error while parsing ${which} list`, { detailLines: [detail], option });
  if (text === '') throw fail(`Empty ${which} list`);
  const items = text.split(',').map((s) => s.replace(/^[ \t\n\r\f\v]+|[ \t\n\r\f\v]+$/g, ''));
  for (const item of items) {
    const len = Buffer.byteLength(item);
    if (len === 0 || len >= maxBytes) throw fail(`Item with invalid length in ${which} list ${text}`);
  }
  return items;
}

/** asbackup `-N <MiB/s>` → bytes per second. */
export function parseBackupNice(text: string): number {
  const v = parseCInteger(text);
  if (v === undefined || v < 1n || v > BigInt(Number.MAX_SAFE_INTEGER) / 1048576n) {
    throw new UsageError(`Invalid bandwidth value ${text}`, { option: 'nice' });
  }
  return Number(v) * 1048576;
}

/** asrestore `-N <MiB/s>,<TPS>` → bytes per second and transactions per second. */
export function parseRestoreNice(text: string): { bandwidth: number; tps: number } {
  let items: string[];
  try {
    items = parseTrimmedList('nice', 10, text, 'nice');
  } catch (e) {
    const detail = (e as UsageError).detailLines;
    throw new UsageError('Error while parsing nice list', { detailLines: [...detail], option: 'nice' });
  }
  if (items.length !== 2) throw new UsageError('Invalid nice option', { option: 'nice' });
  const bw = parseCInteger(items[0]);
  if (bw === undefined || bw < 1n || bw > BigInt(Number.MAX_SAFE_INTEGER) / 1048576n) {
    throw new UsageError(`Invalid bandwidth value ${items[0]}`, { option: 'nice' });
  }
  const tps = parseCInteger(items[1]);
  if (tps === undefined || tps < 1n || tps > UINT32_MAX) {
    throw new UsageError(`Invalid TPS value ${items[1]}`, { option: 'nice' });
  }
  return { bandwidth: Number(bw) * 1048576, tps: Number(tps) };
}
