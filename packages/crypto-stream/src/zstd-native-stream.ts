import { Transform, type TransformCallback } from 'node:stream';
import * as zlib from 'node:zlib';
import { CryptoStreamError } from './errors.js';
import { type ZstdDecompressOptions, ZstdDecompressor } from './zstd-decompress.js';
import { DEFAULT_MAX_WINDOW_BYTES, Unit, ZstdFrameWalker } from './zstd-frames.js';

const MAX_HELD_BYTES = 64 * 1024;

/**
 * Checks the frame structure of a zstd stream (errors only) and passes its bytes on, minus the
 * frames that carry no data: empty frames (which the C tool writes on a flush with nothing new)
 * and skippable ones. `node:zlib`'s decoder (Node 22.23) stops at an empty frame.
 */
export class ZstdFrameCheck extends Transform {
  private readonly walker: ZstdFrameWalker;
  private held: Buffer[] = [];
  private heldBytes = 0;
  private holding = false;

  constructor(options: ZstdDecompressOptions = {}) {
    super();
    this.walker = new ZstdFrameWalker(options);
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, done: TransformCallback): void {
    try {
      let start = 0;
      for (let pos = 0; pos < chunk.length; ) {
        if (this.walker.atFrameBoundary && !this.holding) {
          if (pos > start) this.push(chunk.subarray(start, pos));
          start = pos;
          this.holding = true; // until we know the next frame has data
        }
        pos = this.walker.advance(chunk, pos);
        if (!this.holding) continue;
        const unit = this.walker.lastUnit;
        if (unit === Unit.Skip || unit === Unit.FrameEnd) {
          // a skippable frame, or a frame that ended without any output: drop it
          if (unit === Unit.FrameEnd && this.walker.frameOutputBound > 0) this.release(chunk, start, pos);
          this.held = [];
          this.heldBytes = 0;
          this.holding = unit === Unit.Skip;
        } else if (
          (this.walker.inFrameData && this.walker.frameOutputBound > 0) ||
          this.heldBytes > MAX_HELD_BYTES
        ) {
          this.release(chunk, start, pos);
          this.holding = false;
        } else {
          this.held.push(Buffer.from(chunk.subarray(start, pos)));
          this.heldBytes += pos - start;
        }
        start = pos;
      }
      if (this.holding) {
        this.held.push(Buffer.from(chunk.subarray(start)));
        this.heldBytes += chunk.length - start;
      } else if (start < chunk.length) {
        this.push(chunk.subarray(start));
      }
    } catch (error) {
      done(error as Error);
      return;
    }
    done();
  }

  private release(chunk: Buffer, start: number, pos: number): void {
    for (const part of this.held) this.push(part);
    this.held = [];
    this.heldBytes = 0;
    if (pos > start) this.push(chunk.subarray(start, pos));
  }

  override _flush(done: TransformCallback): void {
    try {
      this.walker.finish();
    } catch (error) {
      done(error as Error);
      return;
    }
    done();
  }
}

type ZlibTransformClass = new (options?: { params?: Record<number, number> }) => Transform;
interface ZstdZlib {
  ZstdDecompress: ZlibTransformClass;
  constants: Record<string, number>;
}

/** `node:zlib`'s streaming zstd decoder, present from Node 22.15 / 23.8 on. */
export function nodeZstd(): ZstdZlib | undefined {
  const z = zlib as unknown as Partial<ZstdZlib>;
  return typeof z.ZstdDecompress === 'function' && z.constants?.ZSTD_d_windowLogMax !== undefined
    ? (z as ZstdZlib)
    : undefined;
}

/**
 * The zstd read layer: `node:zlib`'s native streaming decoder behind a {@link ZstdFrameCheck}
 * where the runtime has it (window capped at `maxWindowBytes`), else {@link ZstdDecompressor}.
 */
export function createZstdReadTransforms(
  options: ZstdDecompressOptions & { useNodeZlib?: boolean } = {},
): Transform[] {
  const z = options.useNodeZlib === false ? undefined : nodeZstd();
  if (z === undefined) return [new ZstdDecompressor(options)];
  const maxWindow = options.maxWindowBytes ?? DEFAULT_MAX_WINDOW_BYTES;
  const windowLogMax = Math.max(10, Math.floor(Math.log2(maxWindow)));
  const windowParam = z.constants.ZSTD_d_windowLogMax as number;
  const where = options.fileName === undefined ? {} : { file: options.fileName };
  // the frame check sees every byte first, so its errors (not zstd, truncated, window) win;
  // whatever libzstd still rejects becomes ERR_ZSTD_CORRUPT
  class CheckedZstdDecompress extends z.ZstdDecompress {
    override _destroy(error: Error | null, callback: (error?: Error | null) => void): void {
      super._destroy(error, (failure) => {
        callback(
          failure && !(failure instanceof CryptoStreamError)
            ? new CryptoStreamError('ERR_ZSTD_CORRUPT', `corrupt zstd stream: ${failure.message}`, where)
            : failure,
        );
      });
    }
  }
  return [
    new ZstdFrameCheck(options),
    new CheckedZstdDecompress({ params: { [windowParam]: windowLogMax } }),
  ];
}
