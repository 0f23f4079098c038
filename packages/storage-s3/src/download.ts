import { Readable } from 'node:stream';
import { GetObjectCommand } from '@aws-sdk/client-s3';
import { type S3Context, s3Error } from './client.js';
import { s3Url } from './url.js';

/** The official restore reads in 5 MiB chunks. */
export const DOWNLOAD_CHUNK_SIZE = 5 * 1024 * 1024;
/** Ranged GETs queued ahead per file; all files together stay under `--s3-max-async-downloads`. */
export const READ_AHEAD_PER_FILE = 4;

export interface RangedReadOptions {
  chunkSize?: number;
  readAhead?: number;
}

/**
 * Reads an object of known size with parallel ranged GETs and yields the chunks in order.
 * Memory per file is at most `readAhead` chunks.
 */
export function rangedObjectStream(
  ctx: S3Context,
  bucket: string,
  key: string,
  size: number,
  options: RangedReadOptions = {},
): Readable {
  const chunkSize = options.chunkSize ?? DOWNLOAD_CHUNK_SIZE;
  const readAhead = Math.max(1, options.readAhead ?? READ_AHEAD_PER_FILE);
  const url = s3Url(bucket, key);

  const fetchRange = (start: number): Promise<Buffer> =>
    ctx.downloads.run(async () => {
      const end = Math.min(start + chunkSize, size) - 1;
      try {
        const res = await ctx.client.send(
          new GetObjectCommand({ Bucket: bucket, Key: key, Range: `bytes=${start}-${end}` }),
        );
        const bytes = Buffer.from(await res.Body!.transformToByteArray());
        if (bytes.length !== end - start + 1) {
          throw new Error(`expected ${end - start + 1} bytes at offset ${start}, got ${bytes.length}`);
        }
        return bytes;
      } catch (err) {
        throw s3Error(ctx, err, `reading bytes ${start}-${end} of`, url, bucket);
      }
    });

  async function* chunks(): AsyncGenerator<Buffer> {
    const pending: Promise<Buffer>[] = [];
    let next = 0;
    const refill = () => {
      while (next < size && pending.length < readAhead) {
        const p = fetchRange(next);
        p.catch(() => {}); // observed when its turn comes
        pending.push(p);
        next += chunkSize;
      }
    };
    refill();
    while (pending.length > 0) {
      const chunk = await pending.shift()!;
      refill();
      yield chunk;
    }
  }

  return Readable.from(chunks(), { objectMode: false });
}
