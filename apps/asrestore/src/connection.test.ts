import { readFileSync } from 'node:fs';
import { type Emulator, startEmulator } from '@asbkit/aerospike-emulator';
import { readAllRecords } from '@asbkit/aerospike-emulator/test';
import { FakeSecretAgent } from '@asbkit/cli-common/test';
import { generateTestCerts } from '@asbkit/cluster-client/test';
import { afterEach, describe, expect, it } from 'vitest';
import { FIXTURES, run, summaryOf } from './testing.test-helper.js';

const PLIST = `${FIXTURES}official-backups/plist`;
let emu: Emulator | undefined;
afterEach(async () => {
  await emu?.stop();
  emu = undefined;
});

describe('authentication, TLS and interrupts', () => {
  it('logs in with -U/-P, and a wrong password fails with exit 1', async () => {
    emu = await startEmulator({ namespaces: ['test'], users: { admin: 'secret' }, log: () => {} });
    const ok = await run(['-h', emu.hosts, '-U', 'admin', '-P', 'secret', '-d', PLIST]);
    expect(ok.code, ok.stderr).toBe(0);
    expect(readAllRecords(emu, 'test').length).toBe(summaryOf(ok.lines).inserted);
    const bad = await run(['-h', emu.hosts, '-U', 'admin', '-Pwrong', '-d', PLIST]);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(/\[ERR\].*Error while connecting/);
    expect(bad.stderr).not.toContain('wrong');
  });

  it('connects over TLS with --tls-enable, --tls-cafile and a TLS name', async () => {
    const certs = generateTestCerts('asb-tls');
    emu = await startEmulator({
      namespaces: ['test'],
      log: () => {},
      tls: { key: readFileSync(certs.serverKey), cert: readFileSync(certs.serverCert), name: certs.tlsName },
    });
    const port = emu.nodes[0]!.port;
    const r = await run([
      '-h',
      `127.0.0.1:${certs.tlsName}:${port}`,
      '--tls-enable',
      '--tls-cafile',
      certs.caFile,
      '-d',
      PLIST,
    ]);
    expect(r.code, r.stderr).toBe(0);
    expect(readAllRecords(emu, 'test').length).toBe(summaryOf(r.lines).inserted);
    // Without the CA the server certificate is not trusted.
    const untrusted = await run([
      '-h',
      `127.0.0.1:${certs.tlsName}:${port}`,
      '--tls-enable',
      '-d',
      PLIST,
      '-T',
      '2000',
    ]);
    expect(untrusted.code).toBe(1);
  });

  it('takes the TLS CA certificate from the Secret Agent as content (secrets:…)', async () => {
    const certs = generateTestCerts('asb-tls-sa');
    emu = await startEmulator({
      namespaces: ['test'],
      log: () => {},
      tls: { key: readFileSync(certs.serverKey), cert: readFileSync(certs.serverCert), name: certs.tlsName },
    });
    const agent = await new FakeSecretAgent().putPlain('tls', 'ca', readFileSync(certs.caFile)).start();
    try {
      const r = await run([
        '-h',
        `127.0.0.1:${certs.tlsName}:${emu.nodes[0]!.port}`,
        '--tls-enable',
        '--tls-cafile',
        'secrets:tls:ca',
        '--sa-address',
        `127.0.0.1:${agent.port}`,
        '-d',
        PLIST,
      ]);
      expect(r.code, r.stderr).toBe(0);
      expect(readAllRecords(emu, 'test').length).toBe(summaryOf(r.lines).inserted);
    } finally {
      await agent.stop();
    }
  });

  it('an interrupt before the records are written leaves the cluster untouched (exit 1)', async () => {
    emu = await startEmulator({ namespaces: ['test'], log: () => {} });
    const r = await run(['-h', emu.hosts, '-d', PLIST], { signal: AbortSignal.abort() });
    expect(r.code).toBe(1);
    expect(r.lines).toContain('ERR ### Restore interrupted ###');
    expect(readAllRecords(emu, 'test')).toHaveLength(0);
    expect(emu.state.udfs.size).toBe(0);
  });
});
