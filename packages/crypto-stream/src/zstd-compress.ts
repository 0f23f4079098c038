import { Transform, type TransformCallback } from 'node:stream';
import { ZSTD_DEFAULT_LEVEL } from './options.js';
import { loadZstd } from './zstd-binding.js';

/** Default plaintext bytes per zstd frame. */
export const DEFAULT_FRAME_BYTES = 1024 * 1024;
/** A frame buffer's first size (see `room`). */
const MIN_FRAME_BUFFER = 64 * 1024;

export interface ZstdCompressOptions {
  /** zstd level (already validated, e.g. by `parseCompressionLevel`); default 3. */
  level?: number;
  /** Plaintext bytes per frame; a frame also ends at every `flushFrame()` and at the end. */
  frameBytes?: number;
}

// Written through the stream to mark "end the frame here", so it stays ordered with the data.
const FRAME_END = Buffer.alloc(0);

/** One complete zstd frame of `input` (what a compressor writes for that much plaintext). */
export async function compressZstdFrame(input: Buffer, level: number = ZSTD_DEFAULT_LEVEL): Promise<Buffer> {
  return (await loadZstd()).compress(input, level);
}

/** Frames compressed elsewhere (`compressZstdFrame`), by the plaintext bytes they hold. */
const precompressed = new WeakMap<Buffer, number>();

/**
 * Marks `frame` (from `compressZstdFrame` of `plainBytes` bytes) so a `ZstdCompressor` it is
 * written to passes it through as the next frame: compression can then run where the plaintext
 * is made (another thread) and the compressor's stream holds no plaintext for it.
 */
export function asCompressedFrame(frame: Buffer, plainBytes: number): Buffer {
  precompressed.set(frame, plainBytes);
  return frame;
}

/**
 * zstd compressor writing a concatenation of complete frames, like the official tool. Each frame
 * is compressed whole by libzstd on the libuv thread pool while the next one fills, so memory is
 * about 2 × `frameBytes` plus the compressed output.
 */
export class ZstdCompressor extends Transform {
  /** Plaintext bytes accepted so far. */
  bytesIn = 0;
  /** Compressed bytes emitted so far. */
  bytesOut = 0;
  /** Frames emitted so far. */
  frames = 0;
  private readonly level: number;
  private readonly frameBytes: number;
  // frame buffers, allocated on first use (a stream of precompressed frames needs none)
  private buffer: Buffer | undefined;
  private spare: Buffer | undefined;
  private filled = 0;
  private inFlight: Promise<Buffer> | undefined;
  private readonly frameWaiters: Array<() => void> = [];

  constructor(options: ZstdCompressOptions = {}) {
    super();
    this.level = options.level ?? ZSTD_DEFAULT_LEVEL;
    this.frameBytes = options.frameBytes ?? DEFAULT_FRAME_BYTES;
    if (!Number.isSafeInteger(this.frameBytes) || this.frameBytes < 1) {
      throw new RangeError(`frameBytes must be a positive integer, not ${this.frameBytes}`);
    }
  }

  /**
   * Ends the current frame after everything written so far; resolves once its bytes were
   * pushed downstream. An empty frame is not written when nothing is pending.
   */
  flushFrame(): Promise<void> {
    return new Promise((resolve) => {
      this.frameWaiters.push(resolve);
      this.write(FRAME_END);
    });
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, done: TransformCallback): void {
    if (chunk === FRAME_END) {
      const resolve = this.frameWaiters.shift();
      this.endFrame(false).then(() => {
        resolve?.();
        done();
      }, done);
      return;
    }
    const plainBytes = precompressed.get(chunk);
    if (plainBytes !== undefined) {
      this.passFrame(chunk, plainBytes).then(() => done(), done);
      return;
    }
    this.bytesIn += chunk.length;
    this.fill(chunk, 0, done);
  }

  /** Writes a precompressed frame after what came before it (pending plaintext ends its frame). */
  private async passFrame(frame: Buffer, plainBytes: number): Promise<void> {
    await this.endFrame(false);
    this.bytesIn += plainBytes;
    this.pushFrame(frame);
  }

  private fill(chunk: Buffer, from: number, done: TransformCallback): void {
    while (from < chunk.length) {
      const copied = chunk.copy(this.room(chunk.length - from), this.filled, from);
      this.filled += copied;
      from += copied;
      if (this.filled === this.frameBytes) {
        this.startFrame().then(() => this.fill(chunk, from, done), done);
        return;
      }
    }
    done();
  }

  /**
   * The frame buffer, grown (up to `frameBytes`) to take `wanted` more bytes if it can: it starts
   * small, as a file's plaintext may be no more than its header (the rest arriving compressed).
   */
  private room(wanted: number): Buffer {
    const size = this.buffer?.length ?? 0;
    if (size - this.filled >= wanted || size === this.frameBytes) return this.buffer!;
    const grown = Buffer.allocUnsafe(
      Math.min(this.frameBytes, Math.max(2 * size, MIN_FRAME_BUFFER, this.filled + wanted)),
    );
    this.buffer?.copy(grown, 0, 0, this.filled);
    this.buffer = grown;
    return grown;
  }

  /** Hands the full buffer to libzstd; first waits for (and pushes) the previous frame. */
  private async startFrame(): Promise<void> {
    await this.pushInFlight();
    const input = (this.buffer ?? Buffer.alloc(0)).subarray(0, this.filled);
    this.inFlight = compressZstdFrame(input, this.level);
    [this.buffer, this.spare] = [this.spare, this.buffer];
    this.filled = 0;
  }

  private async pushInFlight(): Promise<void> {
    if (this.inFlight === undefined) return;
    const frame = await this.inFlight;
    this.inFlight = undefined;
    this.pushFrame(frame);
  }

  private pushFrame(frame: Buffer): void {
    this.frames++;
    this.bytesOut += frame.length;
    this.push(frame);
  }

  private async endFrame(atEnd: boolean): Promise<void> {
    // an empty stream still becomes one (empty) frame, so the file is valid zstd
    const emptyStream = atEnd && this.frames === 0 && this.inFlight === undefined;
    if (this.filled > 0 || emptyStream) await this.startFrame();
    await this.pushInFlight();
  }

  override _flush(done: TransformCallback): void {
    this.endFrame(true).then(() => done(), done);
  }
}
