/**
 * Remaining time as the official tools print it: d/h/m/s from the first non-zero of d/h/m,
 * seconds always, no spaces (`59s`, `1m1s`, `1h0m0s`, `2d3h4m5s`); over 100 days `>100d`;
 * negative `0s`.
 */
export function formatEta(seconds: number): string {
  if (!(seconds > 0)) return '0s';
  const total = Math.floor(seconds);
  if (total > 100 * 86400) return '>100d';
  const d = Math.floor(total / 86400);
  const h = Math.floor((total % 86400) / 3600);
  const m = Math.floor((total % 3600) / 60);
  const s = total % 60;
  if (d > 0) return `${d}d${h}h${m}m${s}s`;
  if (h > 0) return `${h}h${m}m${s}s`;
  if (m > 0) return `${m}m${s}s`;
  return `${s}s`;
}
