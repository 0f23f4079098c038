import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ASBACKUP_OPTIONS, ASRESTORE_OPTIONS, type OptionSpec } from './table.js';

const SEEDS = new URL('../../../../../shared/seeds/', import.meta.url);

/** Option lines of a seed page: `-x … or --long…`, `-X, --long …`, `--long…`. */
function seedOptions(prefix: string): string[][] {
  const name = readdirSync(SEEDS).find((f) => f.startsWith(prefix));
  if (!name) throw new Error(`seed ${prefix} missing`);
  const lines = readFileSync(new URL(name, SEEDS), 'utf8').split('\n');
  const out: string[][] = [];
  let pendingShort: string | undefined;
  for (const raw of lines) {
    const line = raw.trim();
    if (line === '') continue;
    const withShort = /^-([A-Za-z])\b.*?(?:\bor\b|,)\s*--([a-z0-9-]+)/.exec(line);
    const longOnly = /^--([a-z0-9-]+)/.exec(line);
    const shortOnly = /^-([A-Za-z]) <[^>]*>$/.exec(line);
    if (withShort) out.push([withShort[1], withShort[2], line]);
    else if (longOnly) out.push([pendingShort ?? '', longOnly[1], line]);
    pendingShort = shortOnly ? shortOnly[1] : undefined;
  }
  return out;
}

/** Finds the table option a glued seed token names (`tls-enabledisabled` → tls-enable). */
function resolve(table: readonly OptionSpec[], token: string): OptionSpec | undefined {
  for (const spec of table) {
    for (const name of [spec.name, ...(spec.aliases ?? [])]) {
      if (!token.startsWith(name)) continue;
      const rest = token.slice(name.length);
      if (rest === '' || rest === '-' || (spec.docDefault ?? '').toLowerCase().startsWith(rest)) return spec;
    }
  }
  return undefined;
}

/** Where the documentation disagrees with the official source; the source wins. */
const DOC_DEVIATIONS: Record<string, Record<string, { long?: string; short?: string | null }>> = {
  asbackup: {
    'tls-crl-checkall': { long: 'tls-crl-check-all' },
  },
  asrestore: {
    'tls-crl-checkall': { long: 'tls-crl-check-all' },
    // The docs swap -y/-z; restore's option string has z: compress, y: encrypt. The table keeps
    // the source's letters and the parser routes the documented spelling by its value.
    compress: { short: 'z' },
    encrypt: { short: 'y' },
  },
};

function check(tool: 'asbackup' | 'asrestore', prefix: string, table: readonly OptionSpec[]) {
  const seen = seedOptions(prefix);
  expect(seen.length).toBeGreaterThan(40);
  const found = new Set<string>();
  for (const [short, token, line] of seen) {
    const deviation = DOC_DEVIATIONS[tool][token];
    const spec = resolve(table, deviation?.long ?? token);
    expect(spec, `${tool}: ${line}`).toBeDefined();
    if (!spec) continue;
    found.add(spec.name);
    const expectedShort = DOC_DEVIATIONS[tool][spec.name]?.short;
    if (expectedShort === null) expect(spec.short, line).toBeUndefined();
    else if (expectedShort !== undefined) expect(spec.short, line).toBe(expectedShort);
    else if (short) expect(spec.short, line).toBe(short);
    if (spec.docDefault) expect(line, `${spec.name} default`).toContain(spec.docDefault);
  }
  return found;
}

describe('option tables against the official documentation', () => {
  it('asbackup: every documented option, short flag and default', () => {
    const found = check('asbackup', '000_', ASBACKUP_OPTIONS);
    expect(found.size).toBeGreaterThanOrEqual(60);
  });
  it('asrestore: every documented option, short flag and default', () => {
    const found = check('asrestore', '002_', ASRESTORE_OPTIONS);
    expect(found.size).toBeGreaterThanOrEqual(55);
  });
  it('short flags are the official option strings (plus the documented restore -K/-l)', () => {
    const shorts = (t: readonly OptionSpec[]) =>
      t
        .flatMap((s) => (s.short ? [s.short] : []))
        .sort()
        .join('');
    expect(shorts(ASBACKUP_OPTIONS)).toBe([...'hSpAUPnsdocFrvxCBlXDMmeNRIuVZabLqwzyf'].sort().join(''));
    expect(shorts(ASRESTORE_OPTIONS)).toBe(
      [...'hSpAUPndit vmBsurgNRILFwVZTyz'.replace(' ', ''), 'K', 'l'].sort().join(''),
    );
  });
  it('long names are unique per table', () => {
    for (const t of [ASBACKUP_OPTIONS, ASRESTORE_OPTIONS]) {
      const names = t.flatMap((s) => [s.name, ...(s.aliases ?? [])]);
      expect(new Set(names).size).toBe(names.length);
    }
  });
});
