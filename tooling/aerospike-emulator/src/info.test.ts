import { bitmapHas, parsePeers, parseReplicas } from '@asbkit/cluster-client/wire';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Emulator, startEmulator } from './emulator.js';
import { answerInfo } from './info.js';

describe('info commands of a 3-node cluster', () => {
  let emulator: Emulator;
  const logs: string[] = [];
  const ask = (command: string, node = 0) => answerInfo(emulator.state, node, command);

  beforeAll(async () => {
    emulator = await startEmulator({
      namespaces: ['test', 'bar'],
      nodes: 3,
      replicationFactor: 2,
      log: (l) => logs.push(l),
    });
  });
  afterAll(() => emulator.stop());

  it('gives every partition exactly one master and the replicas structure of a real server', () => {
    const masters = new Array(4096).fill(0);
    for (let node = 0; node < 3; node++) {
      const replicas = parseReplicas(ask('replicas', node));
      expect([...replicas.keys()]).toEqual(['test', 'bar']);
      const test = replicas.get('test')!;
      expect(test.regime).toBe(0);
      expect(test.bitmaps.length).toBe(2);
      for (let pid = 0; pid < 4096; pid++) if (bitmapHas(test.bitmaps[0], pid)) masters[pid]++;
      expect(ask('replicas-master', node)).toBe(
        `test:${test.bitmaps[0].toString('base64')};bar:${test.bitmaps[0].toString('base64')}`,
      );
      expect(ask('replicas:max=1', node)).toMatch(/^test:0,1,[A-Za-z0-9+/=]{684};bar:0,1,/);
      expect(ask('replicas-all', node)).toMatch(/^test:2,[A-Za-z0-9+/=]{684},[A-Za-z0-9+/=]{684};bar:2,/);
    }
    expect(masters.every((n) => n === 1)).toBe(true);
    // Masters are interleaved, not contiguous ranges.
    expect(emulator.masterPartitions(0).slice(0, 5)).not.toEqual([0, 1, 2, 3, 4]);
  });

  it('lists the other nodes as peers with their ports', () => {
    const peers = parsePeers(ask('peers-clear-std', 1));
    expect(peers.defaultPort).toBe(3000);
    expect(peers.peers.map((p) => [p.nodeName, p.hosts[0].port])).toEqual([
      [emulator.nodes[0].name, emulator.nodes[0].port],
      [emulator.nodes[2].name, emulator.nodes[2].port],
    ]);
    expect(ask('peers-clear-alt')).toBe('3,3000,[]');
    expect(ask('peers-tls-std')).toBe('ERROR:25:enterprise only');
    expect(ask('service-clear-std', 2)).toBe(`127.0.0.1:${emulator.nodes[2].port}`);
    expect(ask('cluster-stable:size=3')).toMatch(/^[0-9A-F]{12}$/);
    expect(ask('cluster-stable:size=2')).toBe('ERROR:7:cluster not specified size');
  });

  it('bumps partition-generation when partitions move', () => {
    const before = Number(ask('partition-generation', 2));
    emulator.movePartitions([1, 2, 3], 2);
    expect(Number(ask('partition-generation', 2))).toBe(before + 1);
    expect(bitmapHas(parseReplicas(ask('replicas', 2)).get('test')!.bitmaps[0], 2)).toBe(true);
  });

  it('creates, lists and deletes secondary indexes', () => {
    expect(
      ask('sindex-create:namespace=bar;set=ttl;indexname=idx_ttl_n;indextype=DEFAULT;bin=n;type=NUMERIC'),
    ).toBe('ok');
    expect(
      ask('sindex-create:namespace=bar;set=ttl;indexname=idx_ttl_n;indextype=DEFAULT;bin=n;type=NUMERIC'),
    ).toBe('ok');
    expect(ask('sindex-create:namespace=bar;set=ttl;indexname=idx_ttl_n;bin=m;type=STRING')).toMatch(
      /^ERROR:200:/,
    );
    expect(
      ask('sindex-create:ns=bar;indexname=ctx;context=kiKiA2s=;indextype=MAPKEYS;bin=m;type=string'),
    ).toBe('ok');
    expect(ask('sindex-create:ns=bar;indexname=old;indexdata=x,numeric')).toBe('ok');
    expect(ask('sindex-list:ns=bar;b64=true')).toBe(
      'ns=bar:indexname=idx_ttl_n:set=ttl:bin=n:type=numeric:indextype=default:context=null:exp=null:state=RW;' +
        'ns=bar:indexname=ctx:set=null:bin=m:type=string:indextype=mapkeys:context=kiKiA2s=:exp=null:state=RW;' +
        'ns=bar:indexname=old:set=null:bin=x:type=numeric:indextype=default:context=null:exp=null:state=RW',
    );
    expect(ask('sindex-list:ns=test;b64=true')).toBe('');
    expect(ask('sindex-delete:namespace=bar;indexname=old')).toBe('ok');
    expect(ask('sindex-delete:namespace=bar;indexname=old')).toMatch(/^ERROR:201:/);
    expect(ask('sindex-stat:namespace=bar;indexname=ctx')).toMatch(/load_pct=100/);
  });

  it('stores, lists, returns and removes UDF modules', () => {
    const content = Buffer.from('function hello(rec)\n  return "hi"\nend\n');
    const b64 = content.toString('base64');
    expect(ask(`udf-put:filename=m.lua;content=${b64};content-len=${content.length};udf-type=LUA;`)).toBe(
      'error=invalid_content_len',
    );
    expect(ask(`udf-put:filename=m.lua;content=${b64};content-len=${b64.length};udf-type=LUA;`)).toBe('ok');
    expect(ask('udf-list')).toMatch(/^filename=m\.lua,hash=[0-9a-f]{40},type=LUA;$/);
    expect(ask('udf-get:filename=m.lua;')).toBe(`type=LUA;content=${b64};`);
    expect(ask('udf-get:filename=nope.lua')).toBe('error=not_found');
    expect(ask('udf-remove:filename=m.lua;')).toBe('ok');
    expect(ask('udf-list')).toBe('');
  });

  it('counts objects per node and set, and refuses what it does not know, loudly', () => {
    emulator.load(
      Array.from({ length: 40 }, (_, i) => ({
        kind: 'record' as const,
        namespace: 'test',
        digest: Buffer.concat([Buffer.from([i * 37, i]), Buffer.alloc(18, i)]),
        set: i % 2 ? 'a' : undefined,
        key: undefined,
        generation: 1,
        voidTime: 0,
        bins: [{ name: 'x', type: 1 as const, value: i }],
      })),
    );
    const counts = [0, 1, 2].map(
      (n) =>
        new Map(
          ask(`namespace/test`, n)
            .split(';')
            .map((kv) => kv.split('=') as [string, string]),
        ),
    );
    expect(counts.reduce((s, c) => s + Number(c.get('master_objects')), 0)).toBe(40);
    expect(counts.reduce((s, c) => s + Number(c.get('objects')), 0)).toBe(80); // replication factor 2
    expect(counts[0].get('effective_replication_factor')).toBe('2');
    const sets = [0, 1, 2].map((n) => ask('sets/test/a', n));
    // 20 records in set a, each held by 2 nodes.
    expect(sets.reduce((s, v) => s + Number(/objects=(\d+)/.exec(v)?.[1] ?? 0), 0)).toBe(40);
    expect(ask('namespace/nope')).toMatch(/^ERROR/);
    expect(ask('namespaces')).toBe('test;bar');
    expect(ask('get-config:context=service')).toMatch(/batch-index-threads=2/);
    logs.length = 0;
    expect(ask('bogus-cmd')).toBe('ERROR:4:unrecognized command');
    expect(ask('get-config:context=namespace;id=test')).toMatch(/^ERROR:4:/);
    expect(logs.length).toBe(2);
  });

  it('truncates a set', () => {
    expect(ask('truncate:namespace=test;set=a')).toBe('ok');
    expect(emulator.records('test').every((r) => r.set !== 'a')).toBe(true);
    expect(emulator.records('test').length).toBe(20);
  });
});
