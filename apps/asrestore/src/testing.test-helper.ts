// Test helpers: run main() in-process with captured output and no config files.

import { createReadStream, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import {
  AsbEncoder,
  type AsbEntry,
  type AsbRecord,
  CITRUSLEAF_EPOCH,
  decodeAsb,
  ParticleType,
} from '@asbkit/asb-format';
import { computeDigest } from '@asbkit/partition-filters';
import { main, type RestoreIo } from './main.js';

export const FIXTURES = new URL('../../../../shared/fixtures/', import.meta.url).pathname;

export interface RunResult {
  code: number;
  stdout: string;
  stderr: string;
  /** Log lines without their `YYYY-MM-DD HH:MM:SS GMT [LVL] [TTTTT] ` prefix, e.g. `INF Restoring x`. */
  lines: string[];
}

const PREFIX = /^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2} GMT \[(INF|ERR|VER)\] \[[ \d]{5}\] /;

export async function run(argv: string[], io: Partial<RestoreIo> = {}): Promise<RunResult> {
  let stdout = '';
  let stderr = '';
  const code = await main(argv, {
    // No /etc or ~ config files in tests.
    parse: { defaultConfigFiles: [] },
    stdout: { write: (s: string) => (stdout += s) },
    stderr: { write: (s: string) => (stderr += s), isTTY: false },
    stdin: Readable.from([]),
    env: {},
    sleep: async () => {},
    ...io,
  });
  const lines = stderr
    .split('\n')
    .filter((l) => l !== '')
    .map((l) => {
      const m = PREFIX.exec(l);
      return m ? `${m[1]} ${l.slice(m[0].length)}` : l;
    });
  return { code, stdout, stderr, lines };
}

/** The last official counter line as numbers. */
export function summaryOf(lines: string[]): {
  expired: number;
  skipped: number;
  ignored: number;
  inserted: number;
  failed: number;
  existed: number;
  fresher: number;
} {
  const re =
    /Expired (\d+) : skipped (\d+) : err_ignored (\d+) : inserted (\d+): failed (\d+) \(existed (\d+) , fresher (\d+)\)/;
  const last = lines.filter((l) => re.test(l)).at(-1);
  if (!last) throw new Error(`no summary line in:\n${lines.join('\n')}`);
  const m = re.exec(last)!.slice(1).map(Number);
  return {
    expired: m[0]!,
    skipped: m[1]!,
    ignored: m[2]!,
    inserted: m[3]!,
    failed: m[4]!,
    existed: m[5]!,
    fresher: m[6]!,
  };
}

/** `N record(s)` of the last counter line. */
export function recordsOf(lines: string[]): number {
  const re = /, (\d+) record\(s\) \(/;
  const last = lines.filter((l) => re.test(l)).at(-1);
  if (!last) throw new Error('no records line');
  return Number(re.exec(last)![1]);
}

/** Every entry of a plain `.asb` file. */
export async function decodeFile(path: string): Promise<AsbEntry[]> {
  const out: AsbEntry[] = [];
  for await (const e of decodeAsb(createReadStream(path), { fileName: path })) out.push(e);
  return out;
}

/** The records of a file that are still alive at `nowMs` (what a restore must write). */
export function liveRecords(entries: AsbEntry[], nowMs: number): AsbRecord[] {
  const now = Math.floor(nowMs / 1000) - CITRUSLEAF_EPOCH;
  return entries.filter((e): e is AsbRecord => e.kind === 'record' && (e.voidTime === 0 || e.voidTime > now));
}

export function tempDir(): string {
  return mkdtempSync(join(tmpdir(), 'asrestore-test-'));
}

/** Writes a backup file of `records` (namespace `ns`) and returns its path. */
export function writeBackup(dir: string, name: string, ns: string, entries: AsbEntry[]): string {
  const enc = new AsbEncoder({ compact: false });
  enc.writeHeader({ namespace: ns, firstFile: true });
  for (const e of entries) if (e.kind !== 'header') enc.writeEntry(e);
  const path = join(dir, name);
  writeFileSync(path, enc.takeChunk());
  return path;
}

/** A record with a string user key in set `set`, digest computed like the server's. */
export function record(
  ns: string,
  set: string | undefined,
  key: string,
  bins: Record<string, string | number>,
  opts: { generation?: number; voidTime?: number } = {},
): AsbRecord {
  const userKey = { type: ParticleType.STRING, value: Buffer.from(key) } as const;
  return {
    kind: 'record',
    namespace: ns,
    digest: computeDigest(set ?? '', userKey),
    set,
    key: userKey,
    generation: opts.generation ?? 1,
    voidTime: opts.voidTime ?? 0,
    bins: Object.entries(bins).map(([name, v]) =>
      typeof v === 'number'
        ? { name, type: ParticleType.INTEGER, value: v }
        : { name, type: ParticleType.STRING, value: Buffer.from(v) },
    ),
  };
}

/** Bins of a stored record as plain values, for readable assertions. */
export function plainBins(r: AsbRecord | undefined): Record<string, string | number> | undefined {
  if (!r) return undefined;
  const out: Record<string, string | number> = {};
  for (const b of r.bins) out[b.name] = Buffer.isBuffer(b.value) ? b.value.toString() : Number(b.value);
  return out;
}
