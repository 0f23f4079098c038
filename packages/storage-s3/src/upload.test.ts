import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { describe, expect, it } from 'vitest';
import type { S3Context } from './client.js';
import { Semaphore } from './semaphore.js';
import { openS3RawFile, S3_MAX_PARTS } from './upload.js';

/** A client that records commands; UploadPart answers only when `release()` is called. */
function fakeContext(maxUploads: number) {
  const calls: Array<{ name: string; input: Record<string, unknown> }> = [];
  let inFlight = 0;
  let maxInFlight = 0;
  const client = {
    async send(command: { constructor: { name: string }; input: Record<string, unknown> }) {
      const name = command.constructor.name;
      calls.push({ name, input: command.input });
      if (name === 'CreateMultipartUploadCommand') return { UploadId: 'up-1' };
      if (name === 'UploadPartCommand') {
        inFlight++;
        maxInFlight = Math.max(maxInFlight, inFlight);
        await new Promise((r) => setImmediate(r));
        inFlight--;
        return { ETag: `"etag-${command.input.PartNumber}"` };
      }
      return {};
    },
  };
  const ctx = {
    client,
    options: {},
    endpoint: 'fake',
    uploads: new Semaphore(maxUploads),
    downloads: new Semaphore(1),
  } as unknown as S3Context;
  return { ctx, calls, maxInFlight: () => maxInFlight };
}

describe('multipart upload', () => {
  it('cuts parts of the part size, bounds uploads in flight, completes in order', async () => {
    const fake = fakeContext(2);
    const raw = openS3RawFile(fake.ctx, 'b', 'k.asb', 1000);
    const chunks = Array.from({ length: 35 }, (_, i) => Buffer.alloc(300, i));
    await pipeline(Readable.from(chunks), raw.stream);
    await raw.commit();
    const parts = fake.calls.filter((c) => c.name === 'UploadPartCommand');
    expect(parts.map((p) => (p.input.Body as Buffer).length)).toEqual([...Array(10).fill(1000), 500]);
    expect(parts.map((p) => p.input.PartNumber)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11]);
    expect(fake.maxInFlight()).toBeLessThanOrEqual(2);
    const complete = fake.calls.at(-1)!;
    expect(complete.name).toBe('CompleteMultipartUploadCommand');
    const sent = (complete.input.MultipartUpload as { Parts: Array<{ ETag: string }> }).Parts;
    expect(sent.map((p) => p.ETag)).toEqual(parts.map((_, i) => `"etag-${i + 1}"`));
  });

  it('sends a file smaller than one part with one PutObject at commit', async () => {
    const fake = fakeContext(2);
    const raw = openS3RawFile(fake.ctx, 'b', 'k.asb', 1000);
    await pipeline(Readable.from([Buffer.from('small')]), raw.stream);
    expect(fake.calls).toEqual([]);
    await raw.commit();
    expect(fake.calls.map((c) => c.name)).toEqual(['PutObjectCommand']);
  });

  it('refuses to go past 10,000 parts', async () => {
    const fake = fakeContext(16);
    const raw = openS3RawFile(fake.ctx, 'b', 'k.asb', 1);
    const data = Readable.from([Buffer.alloc(S3_MAX_PARTS + 1)]);
    await expect(pipeline(data, raw.stream)).rejects.toThrow(
      's3://b/k.asb needs more than 10000 parts of 1 bytes; raise --s3-min-part-size',
    );
    await raw.discard();
    expect(fake.calls.at(-1)!.name).toBe('AbortMultipartUploadCommand');
  });
});
