// Small text helpers for asbackup's log lines.

const pad2 = (n: number) => String(n).padStart(2, '0');

/** `YYYY-MM-DD HH:MM:SS TZ` in local time, as the official "Starting backup" line prints times. */
export function formatLocalTime(date: Date): string {
  const zone =
    new Intl.DateTimeFormat('en-US', { timeZoneName: 'short' })
      .formatToParts(date)
      .find((p) => p.type === 'timeZoneName')?.value ?? 'UTC';
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
