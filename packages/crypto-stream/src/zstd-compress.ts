import { Transform, type TransformCallback } from 'node:stream';
import { ZSTD_DEFAULT_LEVEL } from './options.js';
import { loadZstd } from './zstd-binding.js';

/** Default plaintext bytes per zstd frame. */
export const DEFAULT_FRAME_BYTES = 1024 * 1024;

export interface ZstdCompressOptions {
  /** zstd level (already validated, e.g. by `parseCompressionLevel`); default 3. */
  level?: number;
  /** Plaintext bytes per frame; a frame also ends at every `flushFrame()` and at the end. */
  frameBytes?: number;
}

// Written through the stream to mark "end the frame here", so it stays ordered with the data.
const FRAME_END = Buffer.alloc(0);

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
  private buffer: Buffer;
  private spare: Buffer;
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
    this.buffer = Buffer.allocUnsafe(this.frameBytes);
    this.spare = Buffer.allocUnsafe(this.frameBytes);
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
    this.bytesIn += chunk.length;
    this.fill(chunk, 0, done);
  }

  private fill(chunk: Buffer, from: number, done: TransformCallback): void {
    while (from < chunk.length) {
      const copied = chunk.copy(this.buffer, this.filled, from);
      this.filled += copied;
      from += copied;
      if (this.filled === this.frameBytes) {
        this.startFrame().then(() => this.fill(chunk, from, done), done);
        return;
      }
    }
    done();
  }

  /** Hands the full buffer to libzstd; first waits for (and pushes) the previous frame. */
  private async startFrame(): Promise<void> {
    await this.pushInFlight();
    const input = this.buffer.subarray(0, this.filled);
    const level = this.level;
    this.inFlight = loadZstd().then((z) => z.compress(input, level));
    [this.buffer, this.spare] = [this.spare, this.buffer];
    this.filled = 0;
  }

  private async pushInFlight(): Promise<void> {
    if (this.inFlight === undefined) return;
    const frame = await this.inFlight;
    this.inFlight = undefined;
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
