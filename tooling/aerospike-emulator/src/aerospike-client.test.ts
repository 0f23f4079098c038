// The official `aerospike` npm client (C client underneath) must see the emulator as a server:
// cluster tending, put/get, batch writes and a partition query.

import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Aerospike from 'aerospike';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type EmulatorProcess, startEmulatorProcess } from './process.js';

describe.each([1, 2])('official aerospike client against a %i-node emulator', (nodes) => {
  let emulator: EmulatorProcess;
  let client: Aerospike.Client;

  beforeAll(async () => {
    emulator = await startEmulatorProcess(['--namespaces', 'test,bar', '--nodes', String(nodes)]);
    client = await Aerospike.connect({
      hosts: emulator.nodes.slice(0, 1).map((n) => ({ addr: n.host, port: n.port })),
      connTimeoutMs: 2000,
      tenderInterval: 250,
      policies: {
        read: { totalTimeout: 2000 },
        write: { totalTimeout: 2000 },
        query: { totalTimeout: 5000 },
      },
      log: { level: Aerospike.log.OFF },
    } as Aerospike.ConfigOptions);
  });

  afterAll(async () => {
    await client?.close();
    await emulator?.stop();
  });

  it('finds every node of the cluster from one seed', async () => {
    await new Promise((r) => setTimeout(r, 600));
    expect(client.isConnected()).toBe(true);
    const info = await client.infoAll('namespaces');
    expect(info.length).toBe(nodes);
    for (const entry of info) expect(entry.info).toContain('test;bar');
  });

  it('puts and gets records with their bins, generation and TTL', async () => {
    const key = new Aerospike.Key('test', 'people', 'alice');
    await client.put(
      key,
      { name: 'Alice', age: 42, score: 1.5, tags: [1, 'a'], m: { k: 'v' } },
      { ttl: 1000 },
    );
    const first = await client.get(key);
    expect(first.ttl).toBeGreaterThan(990);
    expect(first.ttl).toBeLessThanOrEqual(1000);
    // TTL 0 means the namespace default-ttl, which is 0 (never expire) in the emulator.
    await client.put(key, { age: 43 });
    const rec = await client.get(key);
    expect(rec.bins).toEqual({ name: 'Alice', age: 43, score: 1.5, tags: [1, 'a'], m: { k: 'v' } });
    expect(rec.gen).toBe(2);
    expect(rec.ttl).toBe(-1);
  });

  it('reports a missing record as KEY_NOT_FOUND and a stale generation as GENERATION_ERROR', async () => {
    await expect(client.get(new Aerospike.Key('test', 'people', 'nobody'))).rejects.toMatchObject({
      code: 2,
    });
    const key = new Aerospike.Key('test', 'people', 'gen');
    await client.put(key, { n: 1 });
    await expect(
      client.put(
        key,
        { n: 2 },
        {},
        { gen: Aerospike.policy.gen.EQ, totalTimeout: 2000 } as never,
        undefined as never,
      ),
    ).rejects.toMatchObject({ code: 3 });
    await expect(
      client.put(key, { n: 3 }, undefined, { exists: Aerospike.policy.exists.CREATE } as never),
    ).rejects.toMatchObject({ code: 5 });
  });

  it('writes a batch and queries every partition back', async () => {
    const batch = Array.from({ length: 50 }, (_, i) => ({
      type: Aerospike.batchType.BATCH_WRITE,
      key: new Aerospike.Key('bar', 'bw', i),
      ops: [Aerospike.operations.write('i', i), Aerospike.operations.write('s', `v${i}`)],
    }));
    const results = await client.batchWrite(batch as never);
    expect(results.map((r) => r.status)).toEqual(Array(50).fill(0));

    const query = client.query('bar', 'bw');
    query.partitions(0, 4096);
    const records = await query.results();
    expect(records.map((r) => r.bins.i as number).sort((a, b) => a - b)).toEqual(
      Array.from({ length: 50 }, (_, i) => i),
    );
    expect(await emulator.control({ cmd: 'count', namespace: 'bar' })).toEqual({ ok: true, count: 50 });

    // The client's own filter-expression encoder, and a metadata-only query.
    const filtered = client.query('bar', 'bw');
    filtered.partitions(0, 4096);
    const exp = Aerospike.exp;
    const some = await filtered.results({ filterExpression: exp.lt(exp.binInt('i'), exp.int(10)) } as never);
    expect(some.length).toBe(10);
    const noBins = client.query('bar', 'bw');
    noBins.partitions(0, 4096);
    noBins.nobins = true;
    const meta = await noBins.results();
    expect(meta.length).toBe(50);
    expect(meta.every((r) => Object.keys(r.bins).length === 0 && r.gen === 1)).toBe(true);
  });

  it('deletes records and manages secondary indexes and UDF modules', async () => {
    const key = new Aerospike.Key('test', 'del', 1);
    await client.put(key, { a: 1 });
    expect(await client.exists(key)).toBe(true);
    await client.remove(key);
    expect(await client.exists(key)).toBe(false);
    const job = await client.createIntegerIndex({
      ns: 'test',
      set: 'del',
      bin: 'a',
      index: `idx_a_${nodes}`,
    });
    await job.waitUntilDone(50);
    const dir = mkdtempSync(join(tmpdir(), 'emu-udf-'));
    const file = join(dir, `mod${nodes}.lua`);
    writeFileSync(file, 'function hello(rec)\n  return "hi"\nend\n');
    const udf = await client.udfRegister(file);
    rmSync(dir, { recursive: true, force: true });
    await udf.waitUntilDone(50);
    const listed = await client.infoAll('udf-list');
    expect(listed[0].info).toContain(`filename=mod${nodes}.lua`);
    const indexes = await client.infoAll('sindex-list:ns=test;b64=true');
    expect(indexes[0].info).toContain(`indexname=idx_a_${nodes}:set=del:bin=a:type=numeric`);
  });
});
