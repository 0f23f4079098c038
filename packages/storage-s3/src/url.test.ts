import { describe, expect, it } from 'vitest';
import { createS3Context } from './client.js';
import { partSizeFor, S3_MIN_PART_SIZE } from './upload.js';
import { directoryPrefix, parseS3Url } from './url.js';

describe('s3 paths and options', () => {
  it('parses s3://bucket/key', () => {
    expect(parseS3Url('s3://b/dir/x.asb', '-d')).toEqual({ bucket: 'b', key: 'dir/x.asb' });
    expect(parseS3Url('S3://b/', '-d')).toEqual({ bucket: 'b', key: '' });
    expect(() => parseS3Url('s3://b', '-d')).toThrow("Expected '/<key>' after bucket name in S3 path s3://b");
    expect(() => parseS3Url('s3:///k', '-d')).toThrow(/Must specify a bucket/);
    expect(directoryPrefix('dir//')).toBe('dir/');
    expect(directoryPrefix('')).toBe('');
  });

  it('uses the official part size rule', () => {
    const MiB = 1024 * 1024;
    expect(partSizeFor(250 * MiB, undefined)).toBe(S3_MIN_PART_SIZE);
    expect(partSizeFor(100_000 * MiB, undefined)).toBe(Math.ceil((100_000 * MiB) / 10_000));
    expect(partSizeFor(undefined, undefined)).toBe(S3_MIN_PART_SIZE);
    expect(partSizeFor(250 * MiB, 8)).toBe(8 * MiB);
    expect(() => partSizeFor(1, 0)).toThrow(/--s3-min-part-size/);
    expect(() => partSizeFor(6 * 1024 * 1024 * MiB, undefined)).toThrow(/max S3 object size/);
  });

  it('needs a region or an endpoint, and sane numbers', () => {
    expect(() => createS3Context({})).toThrow('S3 paths need --s3-region or --s3-endpoint-override');
    expect(() => createS3Context({ region: 'x', maxAsyncUploads: 0 })).toThrow(/--s3-max-async-uploads/);
    expect(() => createS3Context({ endpointOverride: 'not a url' })).toThrow(/--s3-endpoint-override/);
    expect(() => createS3Context({ region: 'x', logLevel: 'Loud' as never })).toThrow(/--s3-log-level/);
    expect(createS3Context({ region: 'eu-west-1' }).endpoint).toBe('AWS S3 (eu-west-1)');
  });
});
