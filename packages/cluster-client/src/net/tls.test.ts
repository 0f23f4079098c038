import { copyFileSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { FakeNode } from '../test/fake-server.js';
import { generateTestCerts, type TestCerts } from '../test/tls-certs.js';
import { Cluster } from './cluster.js';
import { parseCertBlacklist, parseTlsProtocols, type TlsConfig } from './tls-config.js';

let certs: TestCerts;
beforeAll(() => {
  certs = generateTestCerts();
});
afterAll(() => rmSync(certs.dir, { recursive: true, force: true }));

const nodes: FakeNode[] = [];
const clusters: Cluster[] = [];
afterEach(async () => {
  for (const c of clusters.splice(0)) c.close();
  for (const n of nodes.splice(0)) await n.stop();
});

async function tlsNode(cert = certs.serverCert, key = certs.serverKey, requireClientCert = false) {
  const node = await FakeNode.start({
    name: 'TLS1',
    namespaces: { test: [] },
    tls: {
      cert: readFileSync(cert),
      key: readFileSync(key),
      ca: readFileSync(certs.caFile),
      requestCert: requireClientCert,
      rejectUnauthorized: requireClientCert,
    },
  });
  nodes.push(node);
  return node;
}

async function connect(node: FakeNode, tls: Partial<TlsConfig>, tlsName = certs.tlsName) {
  const c = await Cluster.connect({
    hosts: `127.0.0.1:${tlsName}:${node.port}`,
    tendIntervalMs: 0,
    connectTimeoutMs: 5000,
    tls: { enable: true, caFile: certs.caFile, ...tls },
  });
  clusters.push(c);
  return c;
}

describe('TLS', () => {
  it('connects with a CA file and verifies the TLS name', async () => {
    const node = await tlsNode();
    const c = await connect(node, {});
    expect(await c.info('node')).toBe('TLS1');
    await expect(connect(node, {}, 'other-name')).rejects.toThrow(
      /could not connect to any seed.*other-name/,
    );
  });

  it('accepts a CA directory and a client certificate with an encrypted key', async () => {
    const node = await tlsNode(certs.serverCert, certs.serverKey, true);
    await expect(connect(node, {})).rejects.toThrow(/could not connect/);
    const dir = join(certs.dir, 'capath');
    mkdirSync(dir, { recursive: true });
    copyFileSync(certs.caFile, join(dir, 'ca.pem'));
    const c = await connect(node, {
      caFile: undefined,
      caPath: dir,
      certFile: certs.clientCert,
      keyFile: certs.clientKey,
      keyPassword: certs.clientKeyPassword,
    });
    expect(await c.info('node')).toBe('TLS1');
    await expect(
      connect(node, { certFile: certs.clientCert, keyFile: certs.clientKey, keyPassword: 'wrong-pw' }),
    ).rejects.toThrow();
  });

  it('takes the CA, certificate and key as content (Secret Agent values) instead of paths', async () => {
    const node = await tlsNode(certs.serverCert, certs.serverKey, true);
    const c = await connect(node, {
      caFile: undefined,
      ca: readFileSync(certs.caFile),
      cert: readFileSync(certs.clientCert),
      key: readFileSync(certs.clientKey),
      keyPassword: certs.clientKeyPassword,
    });
    expect(await c.info('node')).toBe('TLS1');
    // Content wins over a path, so a bad path next to good content is never read.
    await expect(
      connect(node, { caFile: '/nonexistent/ca.pem', ca: Buffer.from('not a certificate') }),
    ).rejects.toThrow(/no PEM certificate in the given content/);
  });

  it('refuses a revoked server certificate when CRL checks are on', async () => {
    const bad = await tlsNode(certs.revokedCert, certs.revokedKey);
    const withCrl = join(certs.dir, 'ca-and-crl.pem');
    writeFileSync(withCrl, readFileSync(certs.caFile, 'utf8') + readFileSync(certs.crlFile, 'utf8'));
    await expect(connect(bad, { caFile: withCrl, crlCheck: true })).rejects.toThrow(/revoked/i);
    await expect(connect(bad, { caFile: withCrl, crlCheckAll: true })).rejects.toThrow(/revoked/i);
    const good = await tlsNode();
    const c = await connect(good, { caFile: withCrl, crlCheck: true });
    expect(await c.info('node')).toBe('TLS1');
    await expect(connect(good, { crlCheck: true })).rejects.toThrow(/--tls-crl-check: no CRL found/);
  });

  it('discovers TLS peers through peers-tls-std with their TLS names', async () => {
    const tlsOpts = {
      cert: readFileSync(certs.serverCert),
      key: readFileSync(certs.serverKey),
    };
    const a = await FakeNode.start({
      name: 'TA',
      namespaces: { test: [] },
      tls: tlsOpts,
      tlsName: certs.tlsName,
      masterPartitions: [0],
    });
    const b = await FakeNode.start({
      name: 'TB',
      namespaces: { test: [] },
      tls: tlsOpts,
      tlsName: certs.tlsName,
      masterPartitions: [1],
    });
    nodes.push(a, b);
    a.peers = [b];
    b.peers = [a];
    const c = await connect(a, {});
    expect(c.nodes.map((n) => n.name).sort()).toEqual(['TA', 'TB']);
    expect(c.masterNode('test', 1).address).toEqual({
      host: '127.0.0.1',
      port: b.port,
      tlsName: certs.tlsName,
    });
    expect(a.infoLog).toContain('peers-tls-std');
  });

  it('refuses a blacklisted server certificate serial', async () => {
    const node = await tlsNode();
    const list = join(certs.dir, 'blacklist.txt');
    writeFileSync(list, '# revoked\n1001 /CN=asbkit test CA\n');
    await expect(connect(node, { certBlacklist: list })).rejects.toThrow(/serial 1001 is blacklisted/);
    writeFileSync(list, '0BAD\n');
    expect(await (await connect(node, { certBlacklist: list })).info('node')).toBe('TLS1');
  });

  it('maps --tls-protocols to a version range and names bad input', async () => {
    expect(parseTlsProtocols('TLSv1.2')).toEqual({ minVersion: 'TLSv1.2', maxVersion: 'TLSv1.2' });
    expect(parseTlsProtocols('all -TLSv1 -TLSv1.1')).toEqual({
      minVersion: 'TLSv1.2',
      maxVersion: 'TLSv1.3',
    });
    expect(() => parseTlsProtocols('TLSv9')).toThrow(/--tls-protocols: unknown protocol "TLSv9"/);
    expect(() => parseTlsProtocols('TLSv1 TLSv1.3')).toThrow(/not a contiguous range/);
    expect(parseCertBlacklist('00ab:cd\n')).toEqual(new Set(['ABCD']));
    const node = await tlsNode();
    const c = await connect(node, { protocols: 'TLSv1.3', cipherSuite: 'TLS_AES_128_GCM_SHA256' });
    expect(await c.info('node')).toBe('TLS1');
    await expect(connect(node, { caFile: '/nonexistent/ca.pem' })).rejects.toThrow(
      /--tls-cafile: cannot read \/nonexistent\/ca.pem: ENOENT/,
    );
  });
});
