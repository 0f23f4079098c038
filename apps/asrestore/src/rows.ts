// The record path of a file restore, split in two: `RecordRowEncoder` turns `.asb` bytes into
// pre-encoded batch-write rows (decode, namespace remap, bin and set selection, TTL and write
// policy, row encoding); the main thread only routes the rows to nodes and sends them. The
// encoder runs in a worker thread (`row-worker.ts`) when the compiled code is in use, so the
// CPU-heavy half runs beside the network half; else (tests from source, or
// ASRESTORE_WORKERS=0) in-thread behind the same interface.
//
// Memory stays bounded: the main thread sends at most `MAX_PENDING` input slices ahead of what
// it has consumed, and each slice yields at most one slice's worth of rows.

import { closeSync, openSync, readSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import type { Worker } from 'node:worker_threads';
import {
  type AsbDecodeOptions,
  AsbDecoder,
  type AsbHeader,
  type AsbRecordHead,
  type AsbRecordSink,
} from '@asbkit/asb-format';
import { deserializeError, type SerializedError, serializeError } from '@asbkit/cli-common/threads';
import { BatchRowEncoder, type EncodedRows, type RecordWritePolicy } from '@asbkit/cluster-client';
import { EXPIRED, RestoreWritePolicy, restoreTtl } from '@asbkit/write-policy';
import { rowWorkers, useRowWorkers } from './prestart.js';
import type { TailScan, TailScanner } from './scan.js';

export interface RowEncoderConfig {
  decode: AsbDecodeOptions;
  setList?: string[];
  policy: { unique?: boolean; replace?: boolean; noGeneration?: boolean; extraTtl?: number };
}

/** What one input slice produced. */
export interface RowOutput {
  blocks: EncodedRows[];
  /** Input bytes of the slice. */
  bytes: number;
  /** The input ended with this slice. */
  last: boolean;
  recordsRead: number;
  expired: number;
  skipped: number;
}

/** `.asb` bytes → rows, with the restore's per-record decisions (see RestoreRun.restoreFile). */
export class RecordRowEncoder {
  private readonly decoder: AsbDecoder<true>;
  private readonly rows: RestoreRowSink;

  constructor(config: RowEncoderConfig) {
    this.rows = new RestoreRowSink(config);
    this.decoder = new AsbDecoder(config.decode, this.rows);
  }

  /** Decodes one slice (`last`: the input ends after it). Throws AsbParseError. */
  push(chunk: Uint8Array | undefined, nowSec: number, last: boolean): RowOutput {
    const dec = this.decoder;
    const rows = this.rows;
    if (chunk) dec.push(chunk);
    if (last) dec.end();
    rows.startSlice(nowSec);
    // records go into rows as they are parsed; globals were restored from the check pass
    while (dec.next() !== undefined);
    const bytes = chunk ? chunk.length : 0;
    const { recordsRead, expired, skipped } = rows;
    return { blocks: rows.take(), bytes, last, recordsRead, expired, skipped };
  }
}

const WRITE = 0;
const EXPIRE = 1;
const SKIP = 2;

/**
 * The decoder's record sink on the record path: decides from a record's header lines whether it
 * is written (void time, set list), then writes its row as its bins are parsed (no AsbRecord).
 */
class RestoreRowSink extends BatchRowEncoder implements AsbRecordSink<true> {
  private readonly setList: Set<string> | undefined;
  private readonly exists: RecordWritePolicy['exists'];
  private readonly generation: RecordWritePolicy['generation'];
  private readonly extraTtl: number;
  // policies differ only by ttl and sendKey: reuse the last ones
  private keyed: RecordWritePolicy | undefined;
  private keyless: RecordWritePolicy | undefined;
  private nowSec = 0;
  /** What `begin` decided for the record being parsed. */
  private outcome = WRITE;
  // counts of the current slice
  recordsRead = 0;
  expired = 0;
  skipped = 0;

  constructor(config: RowEncoderConfig) {
    super(SLICE_BYTES + (SLICE_BYTES >> 2), 8192);
    this.setList = config.setList ? new Set(config.setList) : undefined;
    const p = new RestoreWritePolicy(config.policy);
    this.exists = p.exists;
    this.generation = p.generation;
    this.extraTtl = p.extraTtl;
  }

  startSlice(nowSec: number): void {
    this.nowSec = nowSec;
    this.recordsRead = 0;
    this.expired = 0;
    this.skipped = 0;
  }

  begin(head: Readonly<AsbRecordHead>): boolean {
    // counted in `end`: a record cut by a chunk boundary is begun again
    const ttl = restoreTtl(head.voidTime, this.extraTtl, this.nowSec);
    if (ttl === EXPIRED) {
      this.outcome = EXPIRE;
      return false;
    }
    if (this.setList && !this.setList.has(head.set ?? '')) {
      this.outcome = SKIP;
      return false;
    }
    this.outcome = WRITE;
    this.beginRow(head, this.policyFor(ttl, head.key !== undefined));
    return true;
  }

  end(): true {
    this.recordsRead++;
    if (this.outcome === EXPIRE) this.expired++;
    else if (this.outcome === SKIP) this.skipped++;
    else if (this.opsInRow === 0) {
      // no bins left (none, or none in the bin list)
      this.dropRow();
      this.skipped++;
    } else this.endRow();
    return true;
  }

  private policyFor(ttl: number, sendKey: boolean): RecordWritePolicy {
    let p = sendKey ? this.keyed : this.keyless;
    if (p === undefined || p.ttl !== ttl) {
      p = { exists: this.exists, generation: this.generation, ttl, sendKey };
      if (sendKey) this.keyed = p;
      else this.keyless = p;
    }
    return p;
  }
}

/** Input slices the main thread may have sent ahead of what it consumed. */
const MAX_PENDING = 6;
/**
 * Input bytes per slice. Big: every message between threads wakes the other one, which is
 * costly (hundreds of µs in VMs), so there are few of them.
 */
const SLICE_BYTES = 1 << 20;

/** Messages to the worker. */
export type ToWorker =
  | { type: 'init'; id: number; config: RowEncoderConfig }
  | { type: 'slice'; data?: Uint8Array; nowSec: number; last: boolean }
  | {
      type: 'file';
      id: number;
      config: RowEncoderConfig;
      path: string;
      /** Int32 [0] = outputs consumed by the main thread, [1] = stop, [2] = worker waiting. */
      control: SharedArrayBuffer;
      /** Restore clock minus Date.now(), ms. */
      clockSkewMs: number;
    }
  | {
      type: 'scan-tail';
      id: number;
      path: string;
      start: number;
      version: AsbHeader['version'];
      decode: AsbDecodeOptions;
      /** Int32 [0] = stop. */
      stop: SharedArrayBuffer;
    };
/** Messages from the worker. */
export type FromWorker =
  | { type: 'output'; id: number; output: RowOutput }
  | { type: 'tail'; id: number; scan: TailScan }
  | { type: 'error'; id: number; error: SerializedError };

let nextSourceId = 1;

/** Transferable buffers of an output. */
export function transferList(out: RowOutput): ArrayBuffer[] {
  const list: ArrayBuffer[] = [];
  for (const b of out.blocks) {
    list.push(
      b.bytes.buffer as ArrayBuffer,
      b.offsets.buffer as ArrayBuffer,
      b.partitionIds.buffer as ArrayBuffer,
    );
  }
  return list;
}

/**
 * One file's rows, in input order: `push` input chunks (waiting on `room()` when told to),
 * `end`, and read outputs with `next()` until it resolves undefined.
 */
export interface RowSource {
  push(chunk: Buffer, nowSec: number): void;
  end(nowSec: number): void;
  /** Stops with this error (next() rejects with it). */
  fail(err: unknown): void;
  /** Resolves when more input may be pushed. */
  room(): Promise<void> | undefined;
  next(): Promise<RowOutput | undefined>;
  /** Done with this file (the source may be reused for another one). */
  release(): void;
}

/** The shared part: output queue, input credit. */
abstract class QueuedRowSource implements RowSource {
  /** Takes `worker`'s outputs and failures for source `id` (a reused worker may still answer an old one). */
  protected follow(worker: Worker, id: number): void {
    listen(
      worker,
      id,
      (m) => {
        if (this.closed) return;
        if (m.type === 'output') this.deliver(m.output);
        else if (m.type === 'error') this.fail(deserializeError(m.error));
      },
      (err) => this.fail(err),
    );
  }
  private readonly outputs: RowOutput[] = [];
  private failure: unknown;
  private ended = false;
  private reader: { resolve: (o: RowOutput | undefined) => void; reject: (e: unknown) => void } | undefined;
  private roomWaiter: (() => void) | undefined;
  /** Slices sent whose output was not consumed yet. */
  protected pending = 0;
  private sliceParts: Buffer[] = [];
  private sliceBytes = 0;
  protected closed = false;

  push(chunk: Buffer, nowSec: number): void {
    if (this.closed || this.failure !== undefined) return;
    this.sliceParts.push(chunk);
    this.sliceBytes += chunk.length;
    if (this.sliceBytes >= SLICE_BYTES) this.sendSlice(nowSec, false);
  }

  end(nowSec: number): void {
    if (this.closed || this.failure !== undefined) return;
    this.sendSlice(nowSec, true);
  }

  private sendSlice(nowSec: number, last: boolean): void {
    const parts = this.sliceParts;
    let data: Uint8Array | undefined;
    if (parts.length === 1) data = parts[0];
    else if (parts.length > 1) data = Buffer.concat(parts, this.sliceBytes);
    this.sliceParts = [];
    this.sliceBytes = 0;
    this.pending++;
    this.send(data, nowSec, last);
  }

  protected abstract send(data: Uint8Array | undefined, nowSec: number, last: boolean): void;

  room(): Promise<void> | undefined {
    if (this.pending < MAX_PENDING || this.closed || this.failure !== undefined) return undefined;
    return new Promise((resolve) => {
      this.roomWaiter = resolve;
    });
  }

  private wakeRoom(): void {
    const w = this.roomWaiter;
    this.roomWaiter = undefined;
    w?.();
  }

  protected deliver(out: RowOutput): void {
    if (out.last) this.ended = true;
    const r = this.reader;
    if (r) {
      this.reader = undefined;
      this.consumed();
      r.resolve(out);
    } else this.outputs.push(out);
  }

  protected consumed(): void {
    this.pending--;
    this.wakeRoom();
  }

  fail(err: unknown): void {
    if (this.failure !== undefined) return;
    this.failure = err;
    this.wakeRoom();
    const r = this.reader;
    this.reader = undefined;
    r?.reject(err);
  }

  next(): Promise<RowOutput | undefined> {
    const out = this.outputs.shift();
    if (out) {
      this.consumed();
      return Promise.resolve(out);
    }
    if (this.failure !== undefined) return Promise.reject(this.failure);
    if (this.ended) return Promise.resolve(undefined);
    return new Promise((resolve, reject) => {
      this.reader = { resolve, reject };
    });
  }

  release(): void {
    this.closed = true;
    this.wakeRoom();
  }
}

/** Encodes in this thread (synchronously, inside `push`). */
export class LocalRowSource extends QueuedRowSource {
  private readonly encoder: RecordRowEncoder;
  constructor(config: RowEncoderConfig) {
    super();
    this.encoder = new RecordRowEncoder(config);
  }
  protected send(data: Uint8Array | undefined, nowSec: number, last: boolean): void {
    let out: RowOutput;
    try {
      out = this.encoder.push(data, nowSec, last);
    } catch (err) {
      this.fail(err);
      return;
    }
    this.deliver(out);
  }
}

/** Encodes in a worker thread; the worker is kept for the next file until `terminate`. */
export class WorkerRowSource extends QueuedRowSource {
  constructor(
    private readonly worker: Worker,
    config: RowEncoderConfig,
    private readonly onRelease: (w: Worker) => void,
  ) {
    super();
    const id = nextSourceId++;
    // a reused worker may still answer slices of its previous file: `listen` skips those
    this.follow(worker, id);
    worker.postMessage({ type: 'init', id, config } satisfies ToWorker);
  }

  protected send(data: Uint8Array | undefined, nowSec: number, last: boolean): void {
    // a private copy, transferred (stream chunks may share pooled memory)
    const copy = data ? new Uint8Array(data) : undefined;
    this.worker.postMessage(
      { type: 'slice', data: copy, nowSec, last } satisfies ToWorker,
      copy ? [copy.buffer] : [],
    );
  }

  override release(): void {
    if (this.closed) return;
    super.release();
    detach(this.worker);
    this.onRelease(this.worker);
  }
}

/** Maximum outputs the file-reading worker runs ahead of the main thread. */
const MAX_AHEAD = MAX_PENDING;

/**
 * The worker reads a plain local file itself (no decryption or decompression to do): this
 * thread only receives rows. Credit flows back through shared memory, so the worker can read
 * with blocking calls.
 */
export class FileRowSource extends QueuedRowSource {
  /** [0] outputs consumed, [1] stop, [2] the worker is waiting for [0] to change. */
  private readonly control = new Int32Array(new SharedArrayBuffer(12));
  constructor(
    private readonly worker: Worker,
    config: RowEncoderConfig,
    path: string,
    clockSkewMs: number,
    private readonly onRelease: (w: Worker) => void,
  ) {
    super();
    const id = nextSourceId++;
    this.follow(worker, id);
    worker.postMessage({
      type: 'file',
      id,
      config,
      path,
      control: this.control.buffer as SharedArrayBuffer,
      clockSkewMs,
    } satisfies ToWorker);
  }

  protected send(): void {
    throw new Error('FileRowSource reads its file itself');
  }

  protected override consumed(): void {
    Atomics.add(this.control, 0, 1);
    // waking a thread is costly: only when it sleeps
    if (Atomics.load(this.control, 2) !== 0) Atomics.notify(this.control, 0);
  }

  override release(): void {
    if (this.closed) return;
    super.release();
    Atomics.store(this.control, 1, 1);
    Atomics.notify(this.control, 0);
    detach(this.worker);
    this.onRelease(this.worker);
  }
}

/**
 * The worker side of FileRowSource: reads `path` in slices, encodes, posts each output; blocks
 * while MAX_AHEAD outputs are unconsumed; returns when done, failed or told to stop.
 */
export function encodeFileInWorker(
  m: Extract<ToWorker, { type: 'file' }>,
  post: (msg: FromWorker, transfer: ArrayBuffer[]) => void,
): void {
  const control = new Int32Array(m.control);
  let fd: number | undefined;
  try {
    const encoder = new RecordRowEncoder(m.config);
    fd = openSync(m.path, 'r');
    for (let produced = 0; ; produced++) {
      for (;;) {
        if (Atomics.load(control, 1) !== 0) return;
        Atomics.store(control, 2, 1);
        const consumed = Atomics.load(control, 0);
        if (produced - consumed < MAX_AHEAD) {
          Atomics.store(control, 2, 0);
          break;
        }
        Atomics.wait(control, 0, consumed, 1000);
        Atomics.store(control, 2, 0);
      }
      const buf = Buffer.allocUnsafeSlow(SLICE_BYTES);
      const n = readSync(fd, buf, 0, SLICE_BYTES, null);
      const output = encoder.push(
        n > 0 ? buf.subarray(0, n) : undefined,
        (Date.now() + m.clockSkewMs) / 1000,
        n === 0,
      );
      post({ type: 'output', id: m.id, output }, transferList(output));
      if (n === 0) return;
    }
  } catch (err) {
    post({ type: 'error', id: m.id, error: serializeError(err) }, []);
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

/** Hands out row sources: worker-backed ones (one worker per concurrent file) or local ones. */
export class RowSourcePool {
  private readonly idle: Worker[] = [];
  private readonly all = new Set<Worker>();
  /** Workers at most (more concurrent files than this encode in-thread). */
  private readonly maxWorkers = Math.max(2, availableParallelism());

  constructor(private readonly threaded: boolean) {}

  /** Worker threads when the compiled worker exists next to this module (see prestart.ts). */
  static create(env: Record<string, string | undefined>): RowSourcePool {
    return new RowSourcePool(useRowWorkers(env));
  }

  /** Whether a worker thread is free (or may be started) for one more job. */
  get hasSpare(): boolean {
    return this.threaded && (this.idle.length > 0 || this.all.size < this.maxWorkers);
  }

  /** A source the main thread feeds with the file's plaintext chunks. */
  acquire(config: RowEncoderConfig): RowSource {
    if (!this.hasSpare) return new LocalRowSource(config);
    // a released worker is reused at once: its next init resets it, and the answers it still
    // owes the previous file carry that file's id and are ignored
    return new WorkerRowSource(this.worker(), config, (w) => this.release(w));
  }

  /** A source whose worker reads the plain local file `path` itself (needs `hasSpare`). */
  acquireFile(config: RowEncoderConfig, path: string, clockSkewMs: number): RowSource {
    return new FileRowSource(this.worker(), config, path, clockSkewMs, (w) => this.release(w));
  }

  /** `TailScanner` on a pooled worker (needs `hasSpare`). */
  readonly scanTail: TailScanner = (path, start, version, decode) => {
    const worker = this.worker();
    const id = nextSourceId++;
    const stop = new Int32Array(new SharedArrayBuffer(4));
    const result = new Promise<TailScan>((resolve, reject) => {
      listen(
        worker,
        id,
        (m) => {
          detach(worker);
          this.release(worker);
          if (m.type === 'tail') resolve(m.scan);
          else if (m.type === 'error') reject(deserializeError(m.error));
        },
        reject,
      );
    });
    worker.postMessage({
      type: 'scan-tail',
      id,
      path,
      start,
      version,
      decode,
      stop: stop.buffer as SharedArrayBuffer,
    } satisfies ToWorker);
    return {
      result,
      stop: () => {
        Atomics.store(stop, 0, 1);
      },
    };
  };

  private worker(): Worker {
    let worker = this.idle.pop();
    if (!worker) {
      const w = rowWorkers.take();
      // a worker that failed or exited is never handed out again
      const forget = () => {
        this.all.delete(w);
        const i = this.idle.indexOf(w);
        if (i >= 0) this.idle.splice(i, 1);
      };
      w.once('error', forget);
      w.once('exit', forget);
      this.all.add(w);
      worker = w;
    }
    return worker;
  }

  private release(w: Worker): void {
    if (this.all.has(w)) this.idle.push(w);
  }

  async close(): Promise<void> {
    const workers = [...this.all];
    this.all.clear();
    this.idle.length = 0;
    await Promise.all(workers.map((w) => w.terminate()));
  }
}

/** The handlers `listen` put on a worker. */
const listeners = new WeakMap<
  Worker,
  { message: (m: FromWorker) => void; failure: (e: Error) => void; exit: (code: number) => void }
>();

/** Routes the worker's messages about job `id` to `onMessage`; its death to `onFailure`. */
function listen(
  worker: Worker,
  id: number,
  onMessage: (m: FromWorker) => void,
  onFailure: (err: Error) => void,
): void {
  detach(worker);
  const h = {
    message: (m: FromWorker) => {
      if (m.id === id) onMessage(m);
    },
    failure: (err: Error) => onFailure(err),
    exit: (code: number) => onFailure(new Error(`asrestore row worker exited (code ${code})`)),
  };
  listeners.set(worker, h);
  worker.on('message', h.message);
  worker.on('error', h.failure);
  worker.on('exit', h.exit);
}

/** Removes the handlers of the last `listen` on `worker`. */
function detach(worker: Worker): void {
  const h = listeners.get(worker);
  if (!h) return;
  listeners.delete(worker);
  worker.off('message', h.message);
  worker.off('error', h.failure);
  worker.off('exit', h.exit);
}
