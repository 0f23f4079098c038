import { Transform, type TransformCallback } from 'node:stream';
import { Decompress } from 'fzstd';
import { CryptoStreamError } from './errors.js';
import { loadZstd } from './zstd-binding.js';
import { Unit, ZstdFrameWalker, type ZstdFrameWalkerOptions } from './zstd-frames.js';

export interface ZstdDecompressOptions extends ZstdFrameWalkerOptions {
  /**
   * Frames whose compressed size and decompressed bound both stay within this many bytes are
   * decoded whole by native libzstd (fast, off the main thread); larger ones stream through the
   * pure-JS decoder. 0 streams everything. Default 8 MiB.
   */
  nativeFrameLimit?: number;
}

export const DEFAULT_NATIVE_FRAME_LIMIT = 8 * 1024 * 1024;

/** A frame being collected for a whole-frame native decode. */
interface NativeFrame {
  parts: Buffer[];
  bytes: number;
  start: number;
}

interface Work {
  chunk: Buffer;
  pos: number;
  start: number;
  done: TransformCallback;
}

/**
 * Streaming zstd decoder for any stream of concatenated frames (empty, skippable, single huge
 * frames). Memory is bounded by the frame's window (≤ `maxWindowBytes`, default 128 MiB; 2 MiB
 * for level-3 files) plus one 128 KiB block: input is handed to the decoder one block at a time
 * and the next block waits while the reader is behind.
 */
export class ZstdDecompressor extends Transform {
  /** Decompressed bytes produced. */
  bytesOut = 0;
  private readonly walker: ZstdFrameWalker;
  private readonly fileName: string | undefined;
  private decoder: Decompress;
  private readonly output: Uint8Array[] = [];
  private work: Work | undefined;
  private pumping = false;
  private readWanted = false;
  private readonly nativeFrameLimit: number;
  private nativeFrame: NativeFrame | undefined;
  private nativePending = false;

  constructor(options: ZstdDecompressOptions = {}) {
    super();
    this.walker = new ZstdFrameWalker(options);
    this.fileName = options.fileName;
    this.nativeFrameLimit = options.nativeFrameLimit ?? DEFAULT_NATIVE_FRAME_LIMIT;
    this.decoder = this.newDecoder();
  }

  /** Complete frames read so far. */
  get frames(): number {
    return this.walker.frames;
  }

  /** Stored bytes consumed so far. */
  get bytesIn(): number {
    return this.walker.offset;
  }

  private newDecoder(): Decompress {
    return new Decompress((data) => {
      if (data.length > 0) this.output.push(data);
    });
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, done: TransformCallback): void {
    this.work = { chunk, pos: 0, start: 0, done };
    this.pump();
  }

  override _read(size: number): void {
    if (this.pumping) {
      this.readWanted = true; // called from inside our own push()
      return;
    }
    if (this.work !== undefined) this.pump();
    // the reader wants more: when the paused chunk is finished, ask for the next one
    if (this.work === undefined) super._read(size);
  }

  /** Walks the current chunk, feeding the decoder block by block; pauses when the reader is full. */
  private pump(): void {
    this.pumping = true;
    try {
      this.pumpWork();
    } finally {
      this.pumping = false;
    }
  }

  private pumpWork(): void {
    if (this.nativePending) return; // resumed when the native decode is done
    const work = this.work as Work;
    const { chunk } = work;
    try {
      while (work.pos < chunk.length) {
        const offsetBefore = this.walker.offset;
        work.pos = this.walker.advance(chunk, work.pos);
        const unit = this.walker.lastUnit;
        if (unit === Unit.FrameHeader) {
          // headers are fed from the walker's copy: their bytes may span chunks
          const header = this.walker.frameHeaderBytes();
          if (this.nativeFrameLimit > 0) {
            this.nativeFrame = { parts: [header], bytes: header.length, start: offsetBefore };
          } else {
            this.feed(header, offsetBefore);
          }
          work.start = work.pos;
        } else if (unit === Unit.Block || unit === Unit.FrameEnd) {
          this.takeFrameData(chunk.subarray(work.start, work.pos), offsetBefore);
          work.start = work.pos;
          if (unit === Unit.FrameEnd && this.nativeFrame !== undefined) {
            this.decodeNative(this.nativeFrame);
            return;
          }
          if (!this.pushOutput()) return; // resumed from _read
        } else if (!this.walker.inFrameData) {
          work.start = work.pos; // magic, frame header or skippable bytes: not fed as they come
        }
      }
      if (work.start < chunk.length) this.takeFrameData(chunk.subarray(work.start), this.walker.offset);
    } catch (error) {
      this.work = undefined;
      work.done(error as Error);
      return;
    }
    this.work = undefined;
    work.done();
  }

  /** Frame data: collected for a native decode while the frame is small, else streamed. */
  private takeFrameData(bytes: Buffer, offset: number): void {
    const frame = this.nativeFrame;
    if (frame === undefined) {
      this.feed(bytes, offset);
      return;
    }
    frame.parts.push(bytes);
    frame.bytes += bytes.length;
    if (frame.bytes > this.nativeFrameLimit || this.walker.frameOutputBound > this.nativeFrameLimit) {
      // too big to hold: stream this frame; the burst is bounded by the limit
      this.nativeFrame = undefined;
      for (const part of frame.parts) this.feed(part, frame.start);
    }
  }

  private decodeNative(frame: NativeFrame): void {
    this.nativeFrame = undefined;
    this.nativePending = true;
    const input = frame.parts.length === 1 ? (frame.parts[0] as Buffer) : Buffer.concat(frame.parts);
    loadZstd()
      .then((z) => z.decompress(input))
      .then(
        (out) => {
          this.nativePending = false;
          this.bytesOut += out.length;
          const more = out.length === 0 || this.push(out);
          if (more && this.work !== undefined) this.pump();
        },
        (error: Error) => {
          this.nativePending = false;
          const where = this.fileName === undefined ? {} : { file: this.fileName };
          const failure = new CryptoStreamError('ERR_ZSTD_CORRUPT', `corrupt zstd frame: ${error.message}`, {
            ...where,
            offset: frame.start,
          });
          const work = this.work;
          this.work = undefined;
          if (work) work.done(failure);
          else this.destroy(failure);
        },
      );
  }

  private feed(bytes: Buffer, offset: number, final = false): void {
    try {
      this.decoder.push(bytes, final);
    } catch (error) {
      if (error instanceof CryptoStreamError) throw error;
      throw new CryptoStreamError(
        'ERR_ZSTD_CORRUPT',
        `corrupt zstd stream: ${(error as Error).message}`,
        this.fileName === undefined ? { offset } : { file: this.fileName, offset },
      );
    }
  }

  /** Pushes what the decoder produced; false when the reader asked us to wait. */
  private pushOutput(): boolean {
    if (this.output.length === 0) return true;
    this.readWanted = false;
    let more = true;
    for (const data of this.output) {
      this.bytesOut += data.length;
      more = this.push(Buffer.from(data.buffer, data.byteOffset, data.length));
    }
    this.output.length = 0;
    return more || this.readWanted;
  }

  override _flush(done: TransformCallback): void {
    try {
      this.walker.finish();
      if (this.walker.offset > 0) this.feed(Buffer.alloc(0), this.walker.offset, true);
      this.pushOutput();
    } catch (error) {
      done(error as Error);
      return;
    }
    done();
  }
}
