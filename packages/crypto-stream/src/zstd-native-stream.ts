import { Transform, type TransformCallback } from 'node:stream';
import * as zlib from 'node:zlib';
import { CryptoStreamError } from './errors.js';
import { type ZstdDecompressOptions, ZstdDecompressor } from './zstd-decompress.js';
import { DEFAULT_MAX_WINDOW_BYTES, ZstdFrameWalker } from './zstd-frames.js';

/** Passes zstd bytes through unchanged while checking their frame structure (errors only). */
export class ZstdFrameCheck extends Transform {
  private readonly walker: ZstdFrameWalker;

  constructor(options: ZstdDecompressOptions = {}) {
    super();
    this.walker = new ZstdFrameWalker(options);
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, done: TransformCallback): void {
    try {
      for (let pos = 0; pos < chunk.length; ) pos = this.walker.advance(chunk, pos);
    } catch (error) {
      done(error as Error);
      return;
    }
    done(null, chunk);
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
