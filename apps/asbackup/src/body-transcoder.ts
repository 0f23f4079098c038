// The worker half of the backup's record path: scan reply bodies → `.asb` chunks, one body at a
// time (see transcode.ts for the pool that feeds it). Kept apart so the worker threads load only
// the wire codec and the encoder, not the cluster client.
import { AsbEncoder } from '@asbkit/asb-format';
import { type SerializedError, serializeError } from '@asbkit/cli-common/threads';
import { RecordReplyTranscoder } from '@asbkit/cluster-client/wire';
import { compressZstdFrame } from '@asbkit/crypto-stream/zstd';

/** What one reply body became. */
export interface TranscodedBody {
  /** The records as `.asb` text (empty when the body held none), or one zstd frame of it. */
  chunk: Buffer;
  /** Whether `chunk` is a zstd frame (see `TranscodePool.create`). */
  compressed: boolean;
  /** Bytes of `.asb` text (the chunk's own length unless compressed). */
  plainBytes: number;
  records: number;
  /** The last digest written of each partition the body touched, 20 bytes each. */
  digests: Buffer;
  /** Hands the chunk's memory back for reuse, once its bytes are written (when it can be). */
  release?: () => void;
}

/** Encoder slab: one ~1 MiB reply encodes into one slab (it grows for bigger ones). */
const SLAB_BYTES = 1280 * 1024;
/** Chunks smaller than this are copied out and the slab kept for the next body. */
const SMALL_CHUNK = 64 * 1024;
/** Slabs kept for reuse by one thread. */
const MAX_FREE_SLABS = 4;

/**
 * Encoder slabs handed back once their chunk is written: the steady state allocates no new
 * memory, which spares page faults, malloc churn and the garbage collections that freed memory
 * arriving from another thread would cause.
 */
export class SlabPool {
  private readonly free: ArrayBuffer[] = [];

  take(bytes: number): Buffer {
    for (let i = this.free.length - 1; i >= 0; i--) {
      if (this.free[i]!.byteLength >= bytes) return Buffer.from(this.free.splice(i, 1)[0]!);
    }
    return Buffer.allocUnsafeSlow(Math.max(bytes, SLAB_BYTES));
  }

  give(memory: ArrayBuffer): void {
    if (this.free.length < MAX_FREE_SLABS) this.free.push(memory);
  }
}

/**
 * Whether a chunk's memory is a slab worth handing back: `run` gives each big chunk its slab
 * (what the slab held before was copied out), small chunks memory of their own size.
 */
export const isSlab = (chunk: Buffer) => chunk.buffer.byteLength >= SLAB_BYTES;

/** An encoder for reply bodies (one per thread and output style): chunks whose memory is their own out. */
export class BodyTranscoder {
  private readonly enc: AsbEncoder;
  private readonly transcoder: RecordReplyTranscoder;

  constructor(compact: boolean, slabs: SlabPool) {
    this.enc = new AsbEncoder({ compact, slabSize: SLAB_BYTES, allocSlab: (n) => slabs.take(n) });
    this.transcoder = new RecordReplyTranscoder(this.enc);
  }

  run(body: Buffer): TranscodedBody {
    const { enc, transcoder: t } = this;
    const last = t.lastDigests;
    last.clear();
    let records = 0;
    try {
      for (let off = 0; off < body.length; ) {
        off = t.transcode(body, off, Number.POSITIVE_INFINITY);
        records += t.records;
      }
    } catch (err) {
      enc.takeChunk(); // the body's records written before the failure go nowhere
      throw err;
    }
    const digests = Buffer.allocUnsafeSlow(last.count * 20);
    for (let i = 0; i < last.count; i++) {
      const d = last.offset[last.partitions[i]!]!;
      body.copy(digests, i * 20, d, d + 20);
    }
    let chunk: Buffer;
    if (enc.length < SMALL_CHUNK) {
      const view = enc.takeChunk();
      chunk = Buffer.allocUnsafeSlow(view.length);
      view.copy(chunk);
    } else chunk = enc.takeChunk(true);
    return { chunk, compressed: false, plainBytes: chunk.length, records, digests };
  }
}

/** Messages to a transcode worker. */
export type ToTranscodeWorker =
  | {
      type: 'body';
      id: number;
      body: Uint8Array;
      compact: boolean;
      /** Set: the chunk comes back as one zstd frame of this level. */
      zstdLevel?: number;
    }
  /** The memory of a chunk whose bytes were written. */
  | { type: 'slab'; memory: ArrayBuffer };

/** Messages from a transcode worker: one per body. */
export type FromTranscodeWorker =
  | {
      type: 'done';
      id: number;
      chunk: Uint8Array;
      /** Whether `chunk` is a zstd frame of `plainBytes` bytes of `.asb` text. */
      compressed: boolean;
      plainBytes: number;
      records: number;
      digests: Uint8Array;
      /** The body's memory, handed back for the next reply (unless a `memory` message did). */
      memory?: ArrayBuffer;
    }
  /** A body's memory, handed back before its chunk is done (compressing takes a while). */
  | { type: 'memory'; memory: ArrayBuffer }
  | { type: 'error'; id: number; error: SerializedError };

/** The worker side: bodies in, chunks out. */
export function serveTranscodes(
  post: (m: FromTranscodeWorker, transfer: ArrayBuffer[]) => void,
): (m: ToTranscodeWorker) => void {
  const slabs = new SlabPool();
  // one per output style (a run uses one; the worker may start before it knows which)
  const transcoders = new Map<boolean, BodyTranscoder>();
  let compressing: Promise<void> = Promise.resolve();
  return (m) => {
    if (m.type === 'slab') {
      slabs.give(m.memory);
      return;
    }
    const body = Buffer.from(m.body.buffer, m.body.byteOffset, m.body.byteLength);
    let transcoder = transcoders.get(m.compact);
    if (!transcoder) {
      transcoder = new BodyTranscoder(m.compact, slabs);
      transcoders.set(m.compact, transcoder);
    }
    let result: TranscodedBody;
    try {
      result = transcoder.run(body);
    } catch (err) {
      post({ type: 'error', id: m.id, error: serializeError(err) }, []);
      return;
    }
    const { chunk, records, digests } = result;
    const memory = m.body.buffer as ArrayBuffer;
    const id = m.id;
    const plainBytes = chunk.length;
    if (m.zstdLevel === undefined || chunk.length === 0) {
      post({ type: 'done', id, chunk, compressed: false, plainBytes, records, digests, memory }, [
        chunk.buffer as ArrayBuffer,
        digests.buffer as ArrayBuffer,
        memory,
      ]);
      return;
    }
    // Compressed here, one frame per body: the file's stream then holds no plaintext, and the
    // slab is free again as soon as the frame is made. The body is not needed meanwhile.
    post({ type: 'memory', memory }, [memory]);
    // One frame at a time per thread (each runs on the libuv pool with a zstd context of its
    // own): the encoding threads already keep the cores busy, so more at once would not be
    // faster. Measured: no change in speed or peak RSS either way.
    const level = m.zstdLevel;
    const framed = compressing.then(() => compressZstdFrame(chunk, level));
    compressing = framed.then(
      () => {},
      () => {},
    ); // the next frame waits for this one, not for its success
    framed.then(
      (frame) => {
        if (isSlab(chunk)) slabs.give(chunk.buffer as ArrayBuffer);
        const out = ownMemory(frame);
        post({ type: 'done', id, chunk: out, compressed: true, plainBytes, records, digests }, [
          out.buffer as ArrayBuffer,
          digests.buffer as ArrayBuffer,
        ]);
      },
      (err: unknown) => post({ type: 'error', id: m.id, error: serializeError(err) }, []),
    );
  };
}

/** `buf`, or a copy when it does not span its whole ArrayBuffer (so that can be transferred). */
function ownMemory(buf: Buffer): Buffer {
  if (buf.byteOffset === 0 && buf.buffer.byteLength === buf.length) return buf;
  const copy = Buffer.allocUnsafeSlow(buf.length);
  buf.copy(copy);
  return copy;
}
