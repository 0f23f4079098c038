// The checking pass: parses a whole file without building records (like --validate) and keeps
// its secondary indexes and UDF modules. A restore runs it over every file before writing
// anything, so a corrupt file is found before any of its records reach the cluster.
import { closeSync, createReadStream, openSync, readSync } from 'node:fs';
import type { Readable } from 'node:stream';
import {
  type AsbDecodeOptions,
  AsbDecoder,
  type AsbHeader,
  AsbParseError,
  type SecondaryIndex,
  type UdfModule,
} from '@asbkit/asb-format';

/** The decoder in validation mode: values are checked, records are not built, globals are. */
class CheckingDecoder extends AsbDecoder {
  /** `bodyVersion`: start at an entity boundary inside the body of a file of that version. */
  constructor(opts: AsbDecodeOptions, bodyVersion?: AsbHeader['version']) {
    super(opts);
    this.build = false;
    if (bodyVersion !== undefined) this.startInBody(bodyVersion);
  }
}

export interface FileScan {
  records: number;
  indexes: SecondaryIndex[];
  udfs: UdfModule[];
  /** Plaintext bytes parsed. */
  bytes: number;
}

/**
 * Parses every byte of `stream`; throws AsbParseError (file, line, column) on the first problem.
 * `onChunk` sees each chunk's size (progress, throttling); it may pause by returning a promise.
 */
export async function scanFile(
  stream: Readable,
  opts: AsbDecodeOptions,
  onChunk?: (plainBytes: number) => void | Promise<void>,
): Promise<FileScan> {
  const dec = new CheckingDecoder(opts);
  const indexes: SecondaryIndex[] = [];
  const udfs: UdfModule[] = [];
  let bytes = 0;
  const drain = () => drainGlobals(dec, indexes, udfs);
  for await (const chunk of stream as AsyncIterable<Buffer>) {
    bytes += chunk.length;
    dec.push(chunk);
    drain();
    const wait = onChunk?.(chunk.length);
    if (wait) await wait;
  }
  dec.end();
  drain();
  return { records: dec.records, indexes, udfs, bytes };
}

// ------------------------------------------------------------------ checking a big file in two halves
//
// The check pass is on the critical path (nothing is written before it ends), so a big plain
// local file is checked in two halves at once: a worker thread parses from a record start near
// the middle to the end while this thread parses from the start up to that point. The split is
// only trusted when this thread's parse ends exactly on it (an entity boundary, so the worker
// started in the same state a single pass would have reached); otherwise the worker is stopped
// and this thread goes on to the end alone. Errors found by the worker count only if the first
// half is clean, and get their line numbers made absolute, so the outcome is always the one of
// a single pass.

/** What the worker found from the split point to the end of the file. */
export interface TailScan {
  records: number;
  indexes: SecondaryIndex[];
  udfs: UdfModule[];
  bytes: number;
  /** First problem, line relative to the split point (line 1 = the split line). */
  error?: { detail: string; line: number; column: number; message: string };
  stopped?: boolean;
}

const TAIL_SLICE = 1 << 20;

/** Worker side: checks `path` from byte `start` (a record start) to its end; polls `stop[0]`. */
export function scanTailSync(
  path: string,
  start: number,
  version: AsbHeader['version'],
  opts: AsbDecodeOptions,
  stop: Int32Array,
): TailScan {
  const dec = new CheckingDecoder(opts, version);
  const indexes: SecondaryIndex[] = [];
  const udfs: UdfModule[] = [];
  let bytes = 0;
  const drain = () => drainGlobals(dec, indexes, udfs);
  const fd = openSync(path, 'r');
  try {
    let pos = start;
    for (;;) {
      if (Atomics.load(stop, 0) !== 0) return { records: 0, indexes, udfs, bytes, stopped: true };
      const buf = Buffer.allocUnsafeSlow(TAIL_SLICE);
      const n = readSync(fd, buf, 0, TAIL_SLICE, pos);
      if (n === 0) break;
      pos += n;
      bytes += n;
      dec.push(buf.subarray(0, n));
      drain();
    }
    dec.end();
    drain();
  } catch (err) {
    if (!(err instanceof AsbParseError)) throw err;
    return {
      records: dec.records,
      indexes,
      udfs,
      bytes,
      error: { detail: err.detail, line: err.line, column: err.column, message: err.message },
    };
  } finally {
    closeSync(fd);
  }
  return { records: dec.records, indexes, udfs, bytes };
}

/** Runs `scanTailSync` elsewhere (a worker thread). */
export type TailScanner = (
  path: string,
  start: number,
  version: AsbHeader['version'],
  opts: AsbDecodeOptions,
) => { result: Promise<TailScan>; stop(): void };

/** Files below this size are checked in one pass. */
export const SPLIT_MIN_BYTES = 8 << 20;

/** The version of a plain file's header line, or undefined when it has none we know. */
function readVersion(fd: number): AsbHeader['version'] | undefined {
  const head = Buffer.alloc(12);
  readSync(fd, head, 0, 12, 0);
  const m = /^Version (3\.[012])\n$/.exec(head.toString('latin1'));
  return m ? (m[1] as AsbHeader['version']) : undefined;
}

/**
 * A record start (`+ k` line, or a `+ n` line not preceded by a `+ k` line) at or after `at`,
 * found within 64 KiB; undefined if none. Only a guess: the caller verifies it.
 */
function findRecordStart(fd: number, at: number): number | undefined {
  const buf = Buffer.alloc(1 << 16);
  const n = readSync(fd, buf, 0, buf.length, at);
  for (let i = buf.indexOf('\n+ ', 0); i !== -1 && i + 4 < n; i = buf.indexOf('\n+ ', i + 1)) {
    const c = buf[i + 3];
    if (c === 0x6b /* k */ && buf[i + 4] === 0x20) return at + i + 1;
    if (c === 0x6e /* n */ && buf[i + 4] === 0x20) {
      // the `+ n` line of a keyed record follows its `+ k` line
      const prev = buf.lastIndexOf('\n', i - 1);
      if (prev === -1) continue;
      if (!(buf[prev + 1] === 0x2b && buf[prev + 2] === 0x20 && buf[prev + 3] === 0x6b)) return at + i + 1;
    }
  }
  return undefined;
}

/**
 * `scanFile` of a plain local file of `size` bytes, in two halves at once (see above); or
 * undefined when the file does not lend itself to a split (then scan it the usual way).
 */
export async function scanFileSplit(
  path: string,
  size: number,
  opts: AsbDecodeOptions,
  scanTail: TailScanner,
): Promise<FileScan | undefined> {
  if (size < SPLIT_MIN_BYTES) return undefined;
  let version: AsbHeader['version'] | undefined;
  let split: number | undefined;
  const fd = openSync(path, 'r');
  try {
    version = readVersion(fd);
    split = version === undefined ? undefined : findRecordStart(fd, Math.floor(size / 2));
  } finally {
    closeSync(fd);
  }
  if (version === undefined || split === undefined) return undefined;
  const tail = scanTail(path, split, version, opts);
  const dec = new CheckingDecoder(opts);
  const indexes: SecondaryIndex[] = [];
  const udfs: UdfModule[] = [];
  const drain = () => drainGlobals(dec, indexes, udfs);
  let bytes = 0;
  const feed = async (stream: Readable) => {
    for await (const chunk of stream as AsyncIterable<Buffer>) {
      bytes += chunk.length;
      dec.push(chunk);
      drain();
    }
  };
  try {
    await feed(createReadStream(path, { start: 0, end: split - 1, highWaterMark: 1 << 20 }));
  } catch (err) {
    tail.stop();
    await tail.result.catch(() => undefined);
    throw err;
  }
  if (dec.bytesConsumed === split && dec.fileVersion === version) {
    const t = await tail.result;
    if (t.error) {
      throw new AsbParseError(t.error.detail, opts.fileName, dec.lineCount + t.error.line, t.error.column);
    }
    return {
      records: dec.records + t.records,
      indexes: [...indexes, ...t.indexes],
      udfs: [...udfs, ...t.udfs],
      bytes: bytes + t.bytes,
    };
  }
  // the guess was not an entity boundary: finish alone
  tail.stop();
  await tail.result.catch(() => undefined);
  await feed(createReadStream(path, { start: split, highWaterMark: 1 << 20 }));
  dec.end();
  drain();
  return { records: dec.records, indexes, udfs, bytes };
}

/** Takes the decoder's pending entries, keeping the globals (records are only counted). */
function drainGlobals(dec: CheckingDecoder, indexes: SecondaryIndex[], udfs: UdfModule[]): void {
  for (let e = dec.next(); e !== undefined; e = dec.next()) {
    if (e.kind === 'sindex') indexes.push(e);
    else if (e.kind === 'udf') udfs.push(e);
  }
}
