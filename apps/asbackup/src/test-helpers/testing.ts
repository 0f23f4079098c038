// Helpers for this package's tests: run `main` in process, read backups back as records.
import { createReadStream } from 'node:fs';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough, Readable } from 'node:stream';
import type { EmulatorOptions } from '@asbkit/aerospike-emulator';
import { type Emulator, useEmulator } from '@asbkit/aerospike-emulator/test';
import { type AsbEntry, type AsbRecord, decodeAsb } from '@asbkit/asb-format';
import { createReadTransforms, deriveEncryptionKey, keyMaterialFromFile } from '@asbkit/crypto-stream';
import { afterAll, beforeAll } from 'vitest';
import { type BackupIo, main } from '../main.js';
import { generatedRecords } from './fixture-data.js';

export const FIXTURES = new URL('../../../../../shared/fixtures/', import.meta.url).pathname;
export const OFFICIAL = join(FIXTURES, 'official-backups');
export const KEY_FILE = join(FIXTURES, 'test_key.pem');

export interface RunOutput {
  code: number;
  stderr: string;
  stdout: Buffer;
}

/** Runs `main` with captured output and no config files. */
export async function runMain(argv: string[], io: Partial<BackupIo> = {}): Promise<RunOutput> {
  let stderr = '';
  const out: Buffer[] = [];
  const stdout = new PassThrough();
  stdout.on('data', (c: Buffer) => out.push(c));
  const code = await main(['--no-config-file', ...argv], {
    stdout,
    stderr: { write: (s: string) => (stderr += s) },
    env: { HOME: '/nonexistent', CI: '1' },
    ...io,
  });
  return { code, stderr, stdout: Buffer.concat(out) };
}

export async function tempDir(name = 'asbackup-'): Promise<{ path: string; remove: () => Promise<void> }> {
  const path = await mkdtemp(join(tmpdir(), name));
  return { path, remove: () => rm(path, { recursive: true, force: true }) };
}

export interface ReadOptions {
  compress?: boolean;
  encrypt?: 'aes128' | 'aes256';
  keyFile?: string;
}

/** Every entry of one backup file (decrypted and decompressed as asked). */
export async function readEntries(source: string | Buffer, opts: ReadOptions = {}): Promise<AsbEntry[]> {
  const key = opts.encrypt
    ? deriveEncryptionKey(opts.encrypt, await keyMaterialFromFile(opts.keyFile ?? KEY_FILE))
    : undefined;
  const transforms = createReadTransforms({
    compression: opts.compress ? 'zstd' : undefined,
    encryption: key,
  });
  let stream: Readable = typeof source === 'string' ? createReadStream(source) : Readable.from([source]);
  for (const t of transforms) stream = stream.pipe(t);
  const entries: AsbEntry[] = [];
  for await (const e of decodeAsb(stream, { fileName: typeof source === 'string' ? source : 'stdout' }))
    entries.push(e);
  return entries;
}

/** Records of every `.asb` file in a directory, sorted by digest. */
export async function readDirRecords(dir: string, opts: ReadOptions = {}): Promise<AsbRecord[]> {
  const names = (await readdir(dir)).filter((n) => n.endsWith('.asb')).sort();
  const records: AsbRecord[] = [];
  for (const n of names)
    for (const e of await readEntries(join(dir, n), opts)) if (e.kind === 'record') records.push(e);
  return sortByDigest(records);
}

export function sortByDigest(records: AsbRecord[]): AsbRecord[] {
  return records.sort((a, b) => Buffer.compare(a.digest, b.digest));
}

/** Records of the official full backup of the fixture data set. */
export async function officialRecords(path = join(OFFICIAL, 'full', 'test_00000.asb')): Promise<AsbRecord[]> {
  return sortByDigest((await readEntries(path)).filter((e): e is AsbRecord => e.kind === 'record'));
}

/** Digests (hex) appearing more than once. */
export function duplicateDigests(records: AsbRecord[]): string[] {
  const seen = new Set<string>();
  const dups: string[] = [];
  for (const r of records) {
    const h = r.digest.toString('hex');
    if (seen.has(h)) dups.push(h);
    seen.add(h);
  }
  return dups;
}

/**
 * The set-up most suites share: an emulator loaded with `count` generated records (`data`,
 * sorted by digest, filled before the tests run), more seeding by `seed`, and `fresh()` output
 * paths in a temporary directory removed afterwards.
 */
export function useBackupFixture(
  count: number,
  opts: EmulatorOptions,
  seed?: (emulator: Emulator) => Promise<unknown>,
): { emu: { current: Emulator }; data: AsbRecord[]; fresh: () => string } {
  const emu = useEmulator(opts);
  const data: AsbRecord[] = [];
  let work: Awaited<ReturnType<typeof tempDir>>;
  let n = 0;
  beforeAll(async () => {
    data.push(...sortByDigest(generatedRecords(count)));
    emu.current.load(data);
    await seed?.(emu.current);
    work = await tempDir();
  });
  afterAll(() => work.remove());
  return { emu, data, fresh: () => join(work.path, `out${n++}`) };
}
