// Small text helpers for asbackup's log lines.
import { readlinkSync } from 'node:fs';

const pad2 = (n: number) => String(n).padStart(2, '0');

/** Zone names that always read "UTC" (no daylight time), as in `TZ` or /etc/localtime. */
const UTC_ZONES = new Set([
  'UTC',
  'Etc/UTC',
  'Universal',
  'Etc/Universal',
  'Zulu',
  'Etc/Zulu',
  'UCT',
  'Etc/UCT',
]);

/** Whether a zone name (`TZ`, or the tail of the /etc/localtime link) is one of the UTC zones. */
export function isUtcZoneName(name: string): boolean {
  return UTC_ZONES.has(name.replace(/^:/, '').replace(/^.*\/zoneinfo\//, ''));
}

let processInUtc: boolean | undefined;

/** Whether this process runs in UTC by its `TZ` or /etc/localtime (false when unsure). */
function runsInUtc(): boolean {
  if (processInUtc === undefined) {
    const tz = process.env.TZ;
    let name = tz;
    if (name === undefined) {
      try {
        name = readlinkSync('/etc/localtime');
      } catch {
        name = '';
      }
    }
    processInUtc = isUtcZoneName(name);
  }
  return processInUtc;
}

/** The zone's short name at `date`, as `%Z` prints it. */
export function zoneAbbreviation(date: Date, fast = true): string {
  // Intl's time zone data takes ~20 ms to load: not worth it on the usual UTC server.
  if (fast && runsInUtc()) return 'UTC';
  return (
    new Intl.DateTimeFormat('en-US', { timeZoneName: 'short' })
      .formatToParts(date)
      .find((p) => p.type === 'timeZoneName')?.value ?? 'UTC'
  );
}

/** `YYYY-MM-DD HH:MM:SS TZ` in local time, as the official "Starting backup" line prints times. */
export function formatLocalTime(date: Date): string {
  const zone = zoneAbbreviation(date);
  return (
    `${date.getFullYear()}-${pad2(date.getMonth() + 1)}-${pad2(date.getDate())} ` +
    `${pad2(date.getHours())}:${pad2(date.getMinutes())}:${pad2(date.getSeconds())} ${zone}`
  );
}

/** Nanoseconds since the epoch (or unset = the epoch) as a local time. */
export function formatNanos(ns: bigint | undefined): string {
  return formatLocalTime(new Date(Number((ns ?? 0n) / 1_000_000n)));
}

/** Set lists are joined with `,` and cut with `...` beyond 1024 characters. */
export function joinSets(sets: readonly string[]): string {
  const text = sets.join(',');
  return text.length > 1024 ? `${text.slice(0, 1021)}...` : text;
}

/** `%-20s%-15s%-15s` row of the node table. */
export function nodeRow(a: string, b: string, c: string): string {
  return a.padEnd(20) + b.padEnd(15) + c.padEnd(15);
}
