import { describe, expect, it } from 'vitest';
import {
  getUdf,
  listNamespaces,
  namespaceExists,
  namespaceStats,
  parseSets,
  setStats,
} from './backup-info.js';

/** An info source answering from a table, one map per node. */
function source(nodes: Record<string, string>[]) {
  return {
    info: async (c: string) => nodes[0][c] ?? 'ERROR:4:unrecognized command',
    infoAll: async (c: string) => new Map(nodes.map((n, i) => [i, n[c] ?? 'ERROR:4:unrecognized command'])),
  };
}

describe('backup info helpers', () => {
  it('lists namespaces and checks existence', async () => {
    const s = source([{ namespaces: 'test;bar' }]);
    expect(await listNamespaces(s)).toEqual(['test', 'bar']);
    expect(await namespaceExists(s, 'bar')).toBe(true);
    expect(await namespaceExists(s, 'nope')).toBe(false);
  });

  it('reads namespace stats from every node and names a missing namespace', async () => {
    const s = source([
      { 'namespace/test': 'objects=163;effective_replication_factor=1;default-ttl=0' },
      { 'namespace/test': 'objects=100;effective_replication_factor=1' },
    ]);
    const stats = await namespaceStats(s, 'test');
    expect(stats.map((m) => m.get('objects'))).toEqual(['163', '100']);
    await expect(namespaceStats(s, 'nope')).rejects.toThrow(/namespace nope not found/);
  });

  it('parses set statistics (captured format)', async () => {
    const v =
      'ns=test:set=types:objects=12:tombstones=0:data_used_bytes=1392:truncate_lut=0:sindexes=2;ns=test:set=nokey:objects=3:tombstones=0;';
    expect(parseSets(v).map((s) => [s.set, s.objects])).toEqual([
      ['types', 12],
      ['nokey', 3],
    ]);
    const s = source([{ 'sets/test': v }, { 'sets/test': '' }]);
    expect((await setStats(s, 'test')).map((l) => l.length)).toEqual([2, 0]);
  });

  it('decodes udf-get content and reports errors', async () => {
    const lua = Buffer.from('function f(r)\n  return 1\nend\n');
    const s = source([
      {
        'udf-get:filename=capmod.lua': `type=LUA;content=${lua.toString('base64')};`,
        'udf-get:filename=nope.lua': 'error=not_found',
      },
    ]);
    expect(await getUdf(s, 'capmod.lua')).toEqual({
      kind: 'udf',
      language: 'L',
      name: 'capmod.lua',
      content: lua,
    });
    await expect(getUdf(s, 'nope.lua')).rejects.toThrow(
      /udf-get:filename=nope.lua: server answered error=not_found/,
    );
  });
});
