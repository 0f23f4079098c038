import { afterEach, describe, expect, it } from 'vitest';
import { FakeNode, startFakeCluster } from '../test/fake-server.js';
import { hashPassword } from './auth.js';
import { Cluster } from './cluster.js';

let nodes: FakeNode[] = [];
const clusters: Cluster[] = [];
afterEach(async () => {
  for (const c of clusters.splice(0)) c.close();
  for (const n of nodes.splice(0)) await n.stop();
});

describe('authentication', () => {
  it('hashes passwords with the official fixed salt', () => {
    expect(hashPassword('admin')).toBe('$2a$10$7EqJtq98hPqEX7fNZaFWoO1mVO/4MLpGzsqojz6E9Gef6iXDjXdDa');
  });

  it('logs in once per node and reuses its session token on further connections', async () => {
    nodes = await startFakeCluster(2, { namespaces: { test: [] }, users: { alice: hashPassword('s3cret') } });
    const c = await Cluster.connect({
      hosts: nodes[0].host,
      tendIntervalMs: 0,
      auth: { mode: 'INTERNAL', user: 'alice', password: 's3cret' },
    });
    clusters.push(c);
    // Concurrent requests need several connections per node.
    await Promise.all([1, 2, 3, 4].map(() => c.infoAll('node')));
    expect(nodes.map((x) => x.logins)).toEqual([1, 1]);
    expect(nodes.every((x) => x.authentications >= 3)).toBe(true);
  });

  it('reports a refused login without showing the password', async () => {
    nodes = [
      await FakeNode.start({ name: 'A', namespaces: { test: [] }, users: { alice: hashPassword('s3cret') } }),
    ];
    const err = await Cluster.connect({
      hosts: nodes[0].host,
      tendIntervalMs: 0,
      auth: { mode: 'INTERNAL', user: 'alice', password: 'wrong-password-xyz' },
    }).catch((e: Error) => e);
    expect(err).toBeInstanceOf(Error);
    expect((err as Error).message).toMatch(/authentication of user alice failed: INVALID_PASSWORD \(62\)/);
    expect((err as Error).message).not.toContain('wrong-password-xyz');
    expect(JSON.stringify(err)).not.toContain('wrong-password-xyz');
  });

  it('treats "security not enabled" as success and sends the clear password in EXTERNAL mode', async () => {
    nodes = [await FakeNode.start({ name: 'A', namespaces: { test: [] } })];
    // The fake answers 51 (CE: security not supported) when no users are configured.
    await expect(
      Cluster.connect({
        hosts: nodes[0].host,
        tendIntervalMs: 0,
        auth: { mode: 'EXTERNAL', user: 'u', password: 'p' },
      }),
    ).rejects.toThrow(/SECURITY_NOT_SUPPORTED \(51\)/);
    await expect(
      Cluster.connect({ hosts: nodes[0].host, tendIntervalMs: 0, auth: { mode: 'INTERNAL', user: 'u' } }),
    ).rejects.toThrow(/--password: no password for user u/);
  });
});
