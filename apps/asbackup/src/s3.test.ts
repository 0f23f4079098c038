// `-d s3://bucket/prefix` goes through @asbkit/storage to @asbkit/storage-s3 (s3rver on 127.0.0.1).
import { compareRecords, useEmulator } from '@asbkit/aerospike-emulator/test';
import { type AsbRecord, decodeAsb } from '@asbkit/asb-format';
import { createReadTransforms } from '@asbkit/crypto-stream';
import { listBackupFiles } from '@asbkit/storage';
import { startTestS3Server, type TestS3Server } from '@asbkit/storage-s3/test';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generatedRecords } from './test-helpers/fixture-data.js';
import { runMain, sortByDigest } from './test-helpers/testing.js';

const data = sortByDigest(generatedRecords(500));
const emu = useEmulator({ namespaces: ['test'] });
let s3: TestS3Server;

beforeAll(async () => {
  emu.current.load(data);
  s3 = await startTestS3Server(['backups']);
});
afterAll(() => s3?.stop());

describe('S3 output', () => {
  it('backs up to s3://bucket/prefix (two jobs, two objects) holding every record', async () => {
    const dir = 's3://backups/nightly';
    const run = await runMain([
      '-h',
      emu.current.hosts,
      '-n',
      'test',
      '-d',
      dir,
      '--parallel',
      '2',
      '--s3-endpoint-override',
      s3.endpoint,
      '--s3-region',
      'us-east-1',
    ]);
    expect(run.code, run.stderr).toBe(0);
    const list = await listBackupFiles({ directory: dir, s3: s3.s3 });
    expect(list.files.map((f) => f.path)).toEqual([
      's3://backups/nightly/test_00000.asb',
      's3://backups/nightly/test_00001.asb',
    ]);
    const records: AsbRecord[] = [];
    for (const f of list.files) {
      for await (const e of decodeAsb(await f.open(), { fileName: f.path }))
        if (e.kind === 'record') records.push(e);
    }
    expect(compareRecords(data, sortByDigest(records))).toEqual([]);
  });

  it('-o s3://bucket/key sizes the upload from an implicit estimate and holds every record', async () => {
    const file = 's3://backups/single/all.asb';
    const run = await runMain([
      '-h',
      emu.current.hosts,
      '-n',
      'test',
      '-o',
      file,
      '-z',
      'zstd',
      '--s3-endpoint-override',
      s3.endpoint,
      '--s3-region',
      'us-east-1',
    ]);
    expect(run.code, run.stderr).toBe(0);
    const bound = Number(/99\.9% confidence\): (\d+) byte\(s\)/.exec(run.stderr)?.[1]);
    const list = await listBackupFiles({ inputFile: file, s3: s3.s3 });
    expect(list.files).toHaveLength(1);
    expect(bound).toBeGreaterThanOrEqual(list.files[0]!.size ?? Number.POSITIVE_INFINITY);
    const records: AsbRecord[] = [];
    const transforms = () => createReadTransforms({ compression: 'zstd' });
    for await (const e of decodeAsb(await list.files[0]!.open({ transforms }), { fileName: file })) {
      if (e.kind === 'record') records.push(e);
    }
    expect(compareRecords(data, sortByDigest(records))).toEqual([]);
  });
});
