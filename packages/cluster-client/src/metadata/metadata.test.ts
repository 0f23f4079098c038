import type { SecondaryIndex } from '@asbkit/asb-format';
import { afterEach, describe, expect, it } from 'vitest';
import { Cluster } from '../net/cluster.js';
import { loadWireFixture } from '../test/wire-fixtures.js';
import { parseKeyValues } from '../wire/info.js';
import { type FakeServer, startFakeServer } from '../write/fake-server.test-helper.js';
import { MetadataError } from './info-client.js';
import {
  dropSindex,
  ensureSindex,
  listSindexes,
  parseSindexList,
  sameSindex,
  sindexCreateCommand,
  waitForSindexBuild,
} from './sindex.js';
import { listUdfs, parseUdfList, putUdf, udfPutCommand, waitForUdfs } from './udf.js';

/** Every info command/answer pair of a capture, in order. */
function infoPairs(name: 'official-tools-wire' | 'node-client-wire'): [string, string][] {
  const pairs: [string, string][] = [];
  for (const conv of loadWireFixture(name)) {
    for (const reply of conv.replies) {
      if (reply.type !== 1) continue;
      for (const line of reply.body.toString('utf8').split('\n')) {
        const tab = line.indexOf('\t');
        if (tab > 0) pairs.push([line.slice(0, tab), line.slice(tab + 1)]);
      }
    }
  }
  return pairs;
}

const official = infoPairs('official-tools-wire');
const nodeClient = infoPairs('node-client-wire');

describe('against the captured official traffic', () => {
  const backupList = official.find(([c]) => c === 'sindex-list:ns=test;b64=true')![1];
  const indexes = parseSindexList(backupList);

  it('parses the backup-side sindex-list answer', () => {
    expect(indexes.map((i) => i.name)).toEqual(['idx_ttl_n', 'idx types s', 'idx_geo']);
    expect(indexes[0]).toEqual({
      kind: 'sindex',
      namespace: 'test',
      set: 'ttl',
      name: 'idx_ttl_n',
      indexType: 'N',
      paths: [{ path: 'n', type: 'N' }],
    });
    expect(indexes[2].paths[0]).toEqual({ path: 'g', type: 'G' });
  });

  it('builds the same sindex-create commands as asrestore 4.5.8 (restore into bar)', () => {
    const sent = official.filter(([c]) => c.startsWith('sindex-create:')).map(([c]) => c);
    expect(sent).toHaveLength(3);
    const built = indexes.map((i) => sindexCreateCommand({ ...i, namespace: 'bar' }, '8.1.2.0'));
    expect(built).toEqual(sent);
  });

  it('builds the captured udf-put command from the module content', () => {
    const got = official.find(([c]) => c.startsWith('udf-get:filename=capmod.lua'))![1];
    const content = Buffer.from(parseKeyValues(got).get('content')!, 'base64');
    const put = official.find(([c]) => c.startsWith('udf-put:'))!;
    expect(udfPutCommand({ name: 'capmod.lua', content })).toBe(put[0]);
    expect(put[1]).toBe('ok');
  });

  it('parses udf-list answers', () => {
    const value = nodeClient.filter(([c]) => c === 'udf-list').map(([, v]) => v);
    expect(value.map(parseUdfList)).toContainEqual([
      { name: 'capmod.lua', hash: '6c5dffa9edfc16a0dc157a0b96ddc11b1bfb52bf', type: 'LUA' },
    ]);
    expect(parseUdfList('')).toEqual([]);
  });
});

describe('sindex-create syntax per server build', () => {
  const listIdx: SecondaryIndex = {
    kind: 'sindex',
    namespace: 'test',
    set: '',
    name: 'idx_list',
    indexType: 'L',
    paths: [{ path: 'tags', type: 'S' }],
    context: 'kiKiA2s=',
  };
  it('covers context, set-less, every index and path type, and old servers', () => {
    expect(sindexCreateCommand(listIdx, '8.1.2.0')).toBe(
      'sindex-create:namespace=test;indexname=idx_list;context=kiKiA2s=;indextype=LIST;bin=tags;type=STRING',
    );
    const mk = {
      ...listIdx,
      context: undefined,
      indexType: 'K' as const,
      paths: [{ path: 'm', type: 'N' as const }],
    };
    expect(sindexCreateCommand(mk, '8.1.2.0')).toBe(
      'sindex-create:namespace=test;indexname=idx_list;indextype=MAPKEYS;bin=m;type=NUMERIC',
    );
    expect(sindexCreateCommand(mk, '8.1.3.0')).toMatch(/;type=INTEGER$/);
    const mv = { ...mk, set: 's', indexType: 'V' as const, paths: [{ path: 'b', type: 'B' as const }] };
    expect(sindexCreateCommand(mv, '7.0.0.1')).toBe(
      'sindex-create:namespace=test;set=s;indexname=idx_list;indextype=MAPVALUES;bin=b;type=BLOB',
    );
    expect(sindexCreateCommand(mk, '5.7.0.0')).toBe(
      'sindex-create:ns=test;indexname=idx_list;numbins=1;indextype=MAPKEYS;indexdata=m,NUMERIC;priority=normal',
    );
    expect(sindexCreateCommand({ ...mv, indexType: 'N' }, '4.9.0.3')).toBe(
      'sindex-create:ns=test;set=s;indexname=idx_list;numbins=1;indexdata=b,BLOB;priority=normal',
    );
    expect(() => sindexCreateCommand(listIdx, '5.7.0.0')).toThrow(MetadataError);
    expect(() => sindexCreateCommand({ ...mk, name: 'a;b' }, '8.1.2.0')).toThrow(/cannot be sent/);
    const expr = { ...mk, expression: 'kwGTUQOkbmFtZaQDYm9i' };
    expect(sindexCreateCommand(expr, '8.1.2.0')).toBe(
      'sindex-create:namespace=test;indexname=idx_list;exp=kwGTUQOkbmFtZaQDYm9i;indextype=MAPKEYS;type=NUMERIC',
    );
  });

  it('round-trips through the list format and compares like the official tool', () => {
    const entry =
      'ns=test:indexname=idx_list:set=null:bin=tags:type=string:indextype=list:context=kiKiA2s=:exp=null:state=RW';
    const [parsed] = parseSindexList(entry);
    expect(parsed).toEqual(listIdx);
    expect(sameSindex(parsed, listIdx)).toBe(true);
    expect(sameSindex(parsed, { ...listIdx, context: undefined })).toBe(false);
    expect(sameSindex(parsed, { ...listIdx, paths: [{ path: 'tags', type: 'N' }] })).toBe(false);
    expect(sameSindex({ ...parsed, context: '' }, { ...listIdx, context: undefined })).toBe(true);
    const [old] = parseSindexList(
      'ns=test:set=demo:indexname=idx_old:num_bins=1:bins=b1:type=NUMERIC:indextype=NONE:path=b1:state=RW',
    );
    expect(old).toMatchObject({ set: 'demo', indexType: 'N', paths: [{ path: 'b1', type: 'N' }] });
  });
});

/** A fake node keeping sindexes and UDFs in memory, driven through the net-layer Cluster. */
class MetadataServer {
  indexes = new Map<string, string>();
  udfs = new Map<string, string>();
  loadPct = new Map<string, number>();
  /** Indexes that reappear (as their old definition) after N list calls post-drop. */
  stubborn = new Map<string, number>();
  log: string[] = [];
  server!: FakeServer;
  cluster!: Cluster;

  async start(): Promise<void> {
    this.server = await startFakeServer({ infoHandler: (c) => this.handle(c) });
    this.cluster = await Cluster.connect({ hosts: `127.0.0.1:${this.server.port}`, tendIntervalMs: 0 });
  }

  handle(command: string): string | undefined {
    const [name, rest = ''] = command.split(/:(.*)/s);
    const params = parseKeyValues(rest);
    if (name.startsWith('sindex') || name.startsWith('udf')) this.log.push(name);
    switch (name) {
      case 'sindex-list':
        return [...this.indexes.values()].join(';');
      case 'sindex-create': {
        const idx = params.get('indexname')!;
        const set = params.get('set') ?? 'null';
        const entry = `ns=${params.get('namespace')}:indexname=${idx}:set=${set}:bin=${params.get('bin')}:type=${params.get('type')!.toLowerCase()}:indextype=${params.get('indextype')!.toLowerCase()}:context=${params.get('context') ?? 'null'}:exp=null:state=RW`;
        this.indexes.set(idx, entry);
        this.loadPct.set(idx, 0);
        return 'ok';
      }
      case 'sindex-delete': {
        const idx = params.get('indexname')!;
        if (!this.indexes.has(idx)) return 'FAIL:201:Index does not exist on the system.';
        if (!this.stubborn.has(idx)) this.indexes.delete(idx);
        return 'ok';
      }
      case 'sindex-stat': {
        const idx = params.get('indexname')!;
        const pct = this.loadPct.get(idx);
        if (pct === undefined) return 'ERROR:201:no index';
        this.loadPct.set(idx, Math.min(100, pct + 50));
        return `entries=5;used_bytes=1;load_pct=${pct};load_time=1`;
      }
      case 'udf-put': {
        const content = params.get('content')!;
        if (Number(params.get('content-len')) !== content.length) return 'error=invalid_content_len';
        if (Buffer.from(content, 'base64').toString().includes('syntax error')) {
          return `error=compile_error;file=${params.get('filename')};line=1;message=${Buffer.from("'=' expected").toString('base64')}`;
        }
        this.udfs.set(params.get('filename')!, content);
        return 'ok';
      }
      case 'udf-list':
        return [...this.udfs.keys()].map((f) => `filename=${f},hash=0,type=LUA;`).join('');
      default:
        return undefined;
    }
  }

  async stop(): Promise<void> {
    this.cluster.close();
    await this.server.close();
  }
}

const running: MetadataServer[] = [];
afterEach(async () => {
  for (const s of running.splice(0)) await s.stop();
});
async function metadataServer(): Promise<MetadataServer> {
  const s = new MetadataServer();
  await s.start();
  running.push(s);
  return s;
}

const numeric: SecondaryIndex = {
  kind: 'sindex',
  namespace: 'test',
  set: 'ttl',
  name: 'idx_n',
  indexType: 'N',
  paths: [{ path: 'n', type: 'N' }],
};
const noSleep = async () => {};

describe('ensureSindex / waitForSindexBuild over a Cluster', () => {
  it('creates an absent index, then matches it, and waits for its build', async () => {
    const s = await metadataServer();
    expect(await ensureSindex(s.cluster, numeric, { build: '8.1.2.0' })).toBe('created');
    expect(await ensureSindex(s.cluster, numeric, { build: '8.1.2.0' })).toBe('matched');
    expect(await listSindexes(s.cluster, 'test')).toEqual([numeric]);
    const sleeps: number[] = [];
    await waitForSindexBuild(s.cluster, 'test', 'idx_n', {
      build: '8.1.2.0',
      sleep: async (ms) => void sleeps.push(ms),
    });
    expect(sleeps).toEqual([500, 500]);
    await expect(
      waitForSindexBuild(s.cluster, 'test', 'nope', { build: '8.1.2.0', sleep: noSleep, maxPolls: 3 }),
    ).rejects.toThrow(/not built after 3 polls/);
  });

  it('drops a different index of the same name and recreates it', async () => {
    const s = await metadataServer();
    await ensureSindex(s.cluster, { ...numeric, paths: [{ path: 'n', type: 'S' }] }, { build: '8.1.2.0' });
    s.log = [];
    expect(await ensureSindex(s.cluster, numeric, { build: '8.1.2.0', sleep: noSleep })).toBe('recreated');
    expect(s.log).toEqual(['sindex-list', 'sindex-delete', 'sindex-list', 'sindex-create']);
    expect(await listSindexes(s.cluster, 'test')).toEqual([numeric]);
  });

  it('fails when the conflicting index does not go away', async () => {
    const s = await metadataServer();
    await ensureSindex(s.cluster, { ...numeric, set: 'other' }, { build: '8.1.2.0' });
    s.stubborn.set('idx_n', 1);
    const sleeps: number[] = [];
    const err = await ensureSindex(s.cluster, numeric, {
      build: '8.1.2.0',
      sleep: async (ms) => void sleeps.push(ms),
    }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(MetadataError);
    expect((err as MetadataError).code).toBe('SINDEX_CONFLICT');
    expect(sleeps).toEqual(Array(10).fill(1000));
  });

  it('reports server errors of drop', async () => {
    const s = await metadataServer();
    await expect(dropSindex(s.cluster, 'test', 'missing', '8.1.2.0')).rejects.toThrow(/FAIL:201/);
  });
});

describe('UDFs over a Cluster', () => {
  it('registers modules, lists them and waits for them', async () => {
    const s = await metadataServer();
    const sleeps: number[] = [];
    const waiting = waitForUdfs(s.cluster, ['a.lua', 'b.lua'], {
      sleep: async (ms) => {
        sleeps.push(ms);
        if (sleeps.length === 2) {
          await putUdf(s.cluster, { name: 'a.lua', content: Buffer.from('return 1\n') });
          await putUdf(s.cluster, { name: 'b.lua', content: Buffer.from('return 2\n') });
        }
      },
    });
    await waiting;
    expect(sleeps).toEqual([500, 500]);
    expect((await listUdfs(s.cluster)).map((u) => u.name).sort()).toEqual(['a.lua', 'b.lua']);
    expect(Buffer.from(s.udfs.get('a.lua')!, 'base64').toString()).toBe('return 1\n');
  });

  it('reports compile errors with the decoded message', async () => {
    const s = await metadataServer();
    await expect(
      putUdf(s.cluster, { name: 'bad.lua', content: Buffer.from('syntax error here') }),
    ).rejects.toThrow(/compile_error: '=' expected/);
    await expect(waitForUdfs(s.cluster, ['bad.lua'], { sleep: noSleep, maxPolls: 2 })).rejects.toThrow(
      /after 2 polls/,
    );
  });
});
