import { createHash } from 'node:crypto';
import type { AsbRecord } from '@asbkit/asb-format';
import { afterEach, describe, expect, it } from 'vitest';
import { partitionIdOfDigest } from '../wire/record-reply.js';
import {
  type FakeServer,
  type FakeServerOptions,
  startFakeServer,
  TestTransport,
} from './fake-server.test-helper.js';
import type { RecordWritePolicy } from './policy.js';
import {
  BatchWriteError,
  BatchWriter,
  type GroupFailure,
  supportsBatchWrites,
  writeRecord,
} from './writer.js';

function record(i: number): AsbRecord {
  return {
    kind: 'record',
    namespace: 'test',
    digest: createHash('sha1').update(`rec-${i}`).digest(),
    set: 'demo',
    key: i % 2 === 0 ? { type: 1, value: i } : undefined,
    generation: 1 + (i % 5),
    voidTime: 0,
    bins: [
      { name: 'i', type: 1, value: i },
      { name: 's', type: 3, value: Buffer.from(`value ${i}`) },
    ],
  };
}

const gtPolicy: RecordWritePolicy = { exists: 'update', generation: 'gt', ttl: -1, sendKey: true };
const plainPolicy: RecordWritePolicy = {
  exists: 'create-or-replace',
  generation: 'none',
  ttl: 100,
  sendKey: false,
};

const servers: FakeServer[] = [];
const transports: TestTransport[] = [];
async function setup(
  ...options: FakeServerOptions[]
): Promise<{ servers: FakeServer[]; transport: TestTransport }> {
  const started = await Promise.all(options.map((o) => startFakeServer(o)));
  servers.push(...started);
  const transport = new TestTransport(started.map((s) => s.port));
  transports.push(transport);
  return { servers: started, transport };
}

afterEach(async () => {
  for (const t of transports.splice(0)) t.close();
  await Promise.all(servers.splice(0).map((s) => s.close()));
});

describe('writeRecord', () => {
  it('sends one single write and returns the server answer', async () => {
    const { servers, transport } = await setup({ resultOf: (row) => (row.hasKey ? 0 : 3) });
    const keyed = await writeRecord(transport, record(2), gtPolicy, { timeoutMs: 500 });
    const keyless = await writeRecord(transport, record(3), gtPolicy);
    expect(keyed).toEqual({ resultCode: 0, generation: 1, voidTime: 0 });
    expect(keyless.resultCode).toBe(3);
    expect(servers[0].singleRequests).toBe(2);
    expect(servers[0].rows[0]).toMatchObject({ namespace: 'test', set: 'demo', info2: 0x09, generation: 3 });
    expect(servers[0].rows[0].ttl).toBe(0xffffffff);
  });
});

describe('supportsBatchWrites', () => {
  it('needs build >= 6 and batch-index-threads > 0', async () => {
    const cases: [Record<string, string>, boolean][] = [
      [{}, true],
      [{ build: '5.7.0.8' }, false],
      [{ 'get-config:context=service': 'a=1;batch-index-threads=0;b=2' }, false],
      [{ 'get-config:context=service': 'batch-max-requests=5' }, false],
    ];
    for (const [info, expected] of cases) {
      const { transport } = await setup({ info });
      expect(await supportsBatchWrites(transport)).toBe(expected);
    }
  });
});

describe('BatchWriter', () => {
  it('groups records per master node into batches of batchSize and reports each result once', async () => {
    const { servers, transport } = await setup({}, {});
    const results = new Map<string, number>();
    const writer = new BatchWriter(transport, {
      batchSize: 10,
      onResult: (r, rc) => {
        expect(results.has(r.digest.toString('hex'))).toBe(false);
        results.set(r.digest.toString('hex'), rc);
      },
    });
    for (let i = 0; i < 95; i++) await writer.write(record(i), i % 3 === 0 ? plainPolicy : gtPolicy);
    await writer.close();
    expect(writer.usesBatchWrites).toBe(true);
    expect(results.size).toBe(95);
    expect([...results.values()].every((rc) => rc === 0)).toBe(true);
    for (const [n, server] of servers.entries()) {
      expect(server.singleRequests).toBe(0);
      expect(server.rows.every((row) => partitionIdOfDigest(row.digest) % 2 === n)).toBe(true);
      expect(server.batchRequests).toBe(Math.ceil(server.rows.length / 10));
    }
    expect(servers[0].rows.length + servers[1].rows.length).toBe(95);
    const rows = [...servers[0].rows, ...servers[1].rows];
    const sent = (i: number) => rows.find((row) => row.digest.equals(record(i).digest))!;
    expect(sent(0)).toMatchObject({
      info2: 0x81,
      info3: 0x10,
      generation: 0,
      ttl: 100,
      hasKey: false,
      set: 'demo',
    });
    expect(sent(4)).toMatchObject({ info2: 0x89, info3: 0, generation: 5, ttl: 0xffffffff, hasKey: true });
  });

  it('passes per-record result codes through', async () => {
    const { transport } = await setup({ resultOf: (row) => (row.generation >= 4 ? 3 : row.hasKey ? 0 : 5) });
    const codes: number[] = [];
    const writer = new BatchWriter(transport, {
      mode: 'batch',
      onResult: (r, rc) => {
        codes[Number((r.bins[0] as { value: number }).value)] = rc;
      },
    });
    for (let i = 0; i < 40; i++) await writer.write(record(i), gtPolicy);
    await writer.flush();
    for (let i = 0; i < 40; i++) expect(codes[i]).toBe(1 + (i % 5) >= 4 ? 3 : i % 2 === 0 ? 0 : 5);
  });

  it('falls back to groups of single writes when the server has no batch writes', async () => {
    const { servers, transport } = await setup({ info: { build: '5.7.0.8' } });
    let results = 0;
    const writer = new BatchWriter(transport, { onResult: () => void results++ });
    for (let i = 0; i < 37; i++) await writer.write({ ...record(i), set: undefined }, gtPolicy);
    await writer.close();
    expect(writer.usesBatchWrites).toBe(false);
    expect(results).toBe(37);
    expect(servers[0].batchRequests).toBe(0);
    expect(servers[0].singleRequests).toBe(37);
    expect(servers[0].rows.every((row) => row.set === '')).toBe(true);
    expect(writer.batchSizeInUse).toBe(16);
  });

  it('applies back-pressure at maxAsyncBatches groups in flight', async () => {
    const { transport } = await setup({});
    const writer = new BatchWriter(transport, {
      mode: 'batch',
      batchSize: 2,
      maxAsyncBatches: 1,
      onResult: () => {},
    });
    expect(writer.write(record(0), gtPolicy)).toBeUndefined();
    expect(writer.write(record(1), gtPolicy)).toBeUndefined(); // first group starts
    expect(writer.write(record(2), gtPolicy)).toBeUndefined();
    const blocked = writer.write(record(3), gtPolicy); // second group must wait for the first
    expect(blocked).toBeInstanceOf(Promise);
    await blocked;
    await writer.close();
    await expect(writer.write(record(4), gtPolicy)).rejects.toThrow(/closed/);
  });

  it('hands a failed batch to onGroupError and re-sends it on "retry"', async () => {
    const { servers, transport } = await setup({ failBatches: { count: 1, resultCode: 9 } });
    const failures: GroupFailure[] = [];
    let results = 0;
    const writer = new BatchWriter(transport, {
      mode: 'batch',
      batchSize: 8,
      onResult: () => void results++,
      onGroupError: (f) => {
        failures.push({ ...f, records: [...f.records] });
        return 'retry';
      },
    });
    for (let i = 0; i < 8; i++) await writer.write(record(i), gtPolicy);
    await writer.close();
    expect(failures).toHaveLength(1);
    expect(failures[0]).toMatchObject({ resultCode: 9, attempt: 1 });
    expect(failures[0].records).toHaveLength(8);
    expect(results).toBe(8);
    expect(servers[0].batchRequests).toBe(2);
  });

  it('reports a dropped connection as a group error and can drop the group', async () => {
    const { transport } = await setup({ dropRequests: 2 });
    const failures: GroupFailure[] = [];
    const writer = new BatchWriter(transport, {
      mode: 'batch',
      batchSize: 4,
      onResult: () => {},
      onGroupError: (f) => {
        failures.push(f);
        return f.attempt < 2 ? 'retry' : 'drop';
      },
    });
    for (let i = 0; i < 4; i++) await writer.write(record(i), gtPolicy);
    await writer.close();
    expect(failures.map((f) => f.attempt)).toEqual([1, 2]);
    expect(failures[0].error?.message).toMatch(/closed/);
  });

  it('re-sends records whose onResult asks for it', async () => {
    let first = true;
    const { servers, transport } = await setup({
      info: { build: '4.9.0' },
      resultOf: () => {
        const rc = first ? 14 : 0;
        first = false;
        return rc;
      },
    });
    const seen: number[] = [];
    const writer = new BatchWriter(transport, {
      onResult: (_r, rc) => {
        seen.push(rc);
        return rc === 14;
      },
      onGroupError: (f) => (f.resultCode === 14 && f.records.length === 1 ? 'retry' : 'drop'),
    });
    for (let i = 0; i < 3; i++) await writer.write(record(i), gtPolicy);
    await writer.close();
    expect(seen.sort()).toEqual([0, 0, 0, 14]);
    expect(servers[0].singleRequests).toBe(4);
  });

  it('fails write/flush without an onGroupError hook', async () => {
    const { transport } = await setup({ failBatches: { count: 5, resultCode: 20 } });
    const writer = new BatchWriter(transport, { mode: 'batch', batchSize: 2, onResult: () => {} });
    await writer.write(record(0), gtPolicy);
    await writer.write(record(1), gtPolicy);
    const err = await writer.flush().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(BatchWriteError);
    expect(err).toMatchObject({ resultCode: 20, records: 2 });
    await expect(Promise.resolve(writer.write(record(2), gtPolicy))).rejects.toBe(err);
  });
});
