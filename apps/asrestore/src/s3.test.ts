import { readFileSync } from 'node:fs';
import { type Emulator, startEmulator } from '@asbkit/aerospike-emulator';
import { compareRecords, readAllRecords } from '@asbkit/aerospike-emulator/test';
import { openBackupSink } from '@asbkit/storage';
import { startTestS3Server, type TestS3Server } from '@asbkit/storage-s3/test';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeFile, FIXTURES, liveRecords, run, summaryOf } from './testing.test-helper.js';

const PAR4 = `${FIXTURES}official-backups/par4/`;
let s3: TestS3Server;
let emu: Emulator;

beforeAll(async () => {
  s3 = await startTestS3Server(['bk']);
  emu = await startEmulator({ namespaces: ['test'], log: () => {} });
  // Upload the four official par4 files under s3://bk/par4/.
  const sink = await openBackupSink({
    directory: 's3://bk/par4',
    prefix: 'test',
    fileLimitMiB: 250,
    transforms: () => [],
    s3: s3.s3,
    loadS3: () => import('@asbkit/storage-s3'),
  });
  for (const n of ['00000', '00001', '00002', '00003']) {
    const file = await sink.acquire();
    await file.write(readFileSync(`${PAR4}test_${n}.asb`));
    await sink.closeFile(file);
  }
  await sink.finish();
});

afterAll(async () => {
  await emu?.stop();
  await s3?.stop();
});

describe('S3 input', () => {
  it('restores every .asb object under an s3:// directory', async () => {
    const r = await run([
      '-h',
      emu.hosts,
      '-d',
      's3://bk/par4',
      '--s3-endpoint-override',
      s3.endpoint,
      '--s3-region',
      'us-east-1',
    ]);
    expect(r.code, r.stderr).toBe(0);
    const expected = [];
    for (const n of ['00000', '00001', '00002', '00003']) {
      expected.push(...liveRecords(await decodeFile(`${PAR4}test_${n}.asb`), Date.now()));
    }
    expect(summaryOf(r.lines).inserted).toBe(expected.length);
    expect(
      compareRecords(expected, readAllRecords(emu, 'test'), {
        ignoreGeneration: true,
        voidTimeToleranceSeconds: 5,
      }),
    ).toEqual([]);
  });
});
