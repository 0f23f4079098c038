// Connection options: TLS with a CA file and TLS name, internal authentication.
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { type Emulator, startEmulator } from '@asbkit/aerospike-emulator';
import { compareRecords } from '@asbkit/aerospike-emulator/test';
import { FakeSecretAgent } from '@asbkit/cli-common/test';
import { generateTestCerts, type TestCerts } from '@asbkit/cluster-client/test';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generatedRecords } from './test-helpers/fixture-data.js';
import { readDirRecords, runMain, sortByDigest, tempDir } from './test-helpers/testing.js';

const data = sortByDigest(generatedRecords(200));
let certs: TestCerts;
let emulator: Emulator;
let work: Awaited<ReturnType<typeof tempDir>>;

beforeAll(async () => {
  certs = generateTestCerts('localhost');
  emulator = await startEmulator({
    users: { backup: 'pa55' },
    tls: { key: readFileSync(certs.serverKey), cert: readFileSync(certs.serverCert), name: 'localhost' },
    log: () => {},
  });
  emulator.load(data);
  work = await tempDir();
});
afterAll(async () => {
  await emulator.stop();
  rmSync(certs.dir, { recursive: true, force: true });
  await work.remove();
});

const seed = () => `127.0.0.1:localhost:${emulator.nodes[0]!.port}`;

describe('TLS and authentication', () => {
  it('backs up over TLS with a user and password', async () => {
    const dir = join(work.path, 'ok');
    const run = await runMain([
      '-h',
      seed(),
      '--tls-enable',
      '--tls-cafile',
      certs.caFile,
      '-U',
      'backup',
      '-P',
      'pa55',
      '-n',
      'test',
      '-d',
      dir,
    ]);
    expect(run.code, run.stderr).toBe(0);
    expect(compareRecords(data, await readDirRecords(dir))).toEqual([]);
    expect(run.stderr).not.toContain('pa55');
  });

  it('a wrong password or an untrusted server fails with one error and no files', async () => {
    const bad = await runMain([
      '-h',
      seed(),
      '--tls-enable',
      '--tls-cafile',
      certs.caFile,
      '-U',
      'backup',
      '-P',
      'nope',
      '-n',
      'test',
      '-d',
      join(work.path, 'bad'),
    ]);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(/\[ERR\] .*Error while connecting/);
    expect(bad.stderr).not.toContain('nope');
    const untrusted = await runMain([
      '-h',
      seed(),
      '--tls-enable',
      '-U',
      'backup',
      '-P',
      'pa55',
      '-n',
      'test',
      '-d',
      join(work.path, 'bad2'),
    ]);
    expect(untrusted.code).toBe(1);
    expect(untrusted.stderr).toMatch(/\[ERR\] .*Error while connecting.*certificate/i);
    expect(existsSync(join(work.path, 'bad'))).toBe(false);
    expect(existsSync(join(work.path, 'bad2'))).toBe(false);
  });

  it('takes the CA certificate and the password from the Secret Agent', async () => {
    const agent = await new FakeSecretAgent()
      .putPlain('tls', 'ca', readFileSync(certs.caFile))
      .putPlain('auth', 'pw', 'pa55')
      .start();
    try {
      const dir = join(work.path, 'sa');
      const run = await runMain([
        '-h',
        seed(),
        '--tls-enable',
        '--tls-cafile',
        'secrets:tls:ca',
        '-U',
        'backup',
        '-P',
        'secrets:auth:pw',
        '--sa-address',
        `127.0.0.1:${agent.port}`,
        '-n',
        'test',
        '-d',
        dir,
      ]);
      expect(run.code, run.stderr).toBe(0);
      expect(compareRecords(data, await readDirRecords(dir))).toEqual([]);
      expect(run.stderr).not.toContain('pa55');
    } finally {
      await agent.stop();
    }
  });
});
