import { createHash } from 'node:crypto';
import type { AsbRecord } from '@asbkit/asb-format';
import { arbRecord } from '@asbkit/asb-format/test';
import fc from 'fast-check';
import { afterEach, describe, expect, it } from 'vitest';
import { requestOfRows } from '../test/rows.js';
import { partitionIdOfDigest } from '../wire/record-reply.js';
import { buildBatchWriteRequest, buildBatchWriteRequestFromRows } from './batch.js';
import {
  type FakeServer,
  type FakeServerOptions,
  startFakeServer,
  TestTransport,
} from './fake-server.test-helper.js';
import type { RecordWritePolicy } from './policy.js';
import { BatchRowEncoder, type EncodedRows, rowIdentity } from './rows.js';
import { BatchWriter, type GroupFailure, groupFailureSize } from './writer.js';

function record(i: number, namespace = 'test'): AsbRecord {
  return {
    kind: 'record',
    namespace,
    digest: createHash('sha1').update(`rec-${i}`).digest(),
    set: i % 4 === 3 ? undefined : 'demo',
    key: i % 2 === 0 ? { type: 1, value: i % 4 === 0 ? i : -i * 123456789 - 1 } : undefined,
    generation: 1 + (i % 5),
    voidTime: 0,
    bins:
      i % 5 === 4
        ? [
            { name: 'n', type: 0, value: null },
            { name: 'f', type: 2, value: i / 7 },
            { name: 'big', type: 1, value: 2n ** 62n + BigInt(i) },
            { name: 'neg', type: 1, value: -i * 1e9 - 1 },
            { name: 'min', type: 1, value: -(2 ** 53) + 1 },
            { name: 'b', type: 17, value: i % 2 === 0 },
            { name: 'geo', type: 23, value: Buffer.from('{"type":"Point","coordinates":[1,2]}') },
            { name: 'l', type: 20, value: Buffer.from([0x92, 1, 2]) },
            { name: 'ünï', type: 4, value: Buffer.alloc(i, 7) },
          ]
        : [
            { name: 'i', type: 1, value: i },
            { name: 's', type: 3, value: Buffer.from(`value ${i}`.repeat(1 + (i % 7))) },
          ],
  } as AsbRecord;
}

const gtPolicy: RecordWritePolicy = { exists: 'update', generation: 'gt', ttl: -1, sendKey: true };
const plainPolicy: RecordWritePolicy = {
  exists: 'create-or-replace',
  generation: 'none',
  ttl: 100,
  sendKey: false,
};
const policyOf = (i: number) => (i % 3 === 0 ? plainPolicy : gtPolicy);

function encode(n: number, blockBytes?: number, maxRows?: number): EncodedRows[] {
  const enc = new BatchRowEncoder(blockBytes, maxRows);
  for (let i = 0; i < n; i++) enc.add(record(i), policyOf(i));
  return enc.take();
}

describe('BatchRowEncoder + buildBatchWriteRequestFromRows', () => {
  it('assembles exactly the request buildBatchWriteRequest builds, from any block split', () => {
    const records = Array.from({ length: 50 }, (_, i) => record(i));
    const policies = records.map((_, i) => policyOf(i));
    const expected = buildBatchWriteRequest(records, policies, { timeoutMs: 1234 });
    for (const [bytes, rows] of [
      [1 << 18, 4096],
      [300, 4096],
      [1 << 18, 7],
    ] as const) {
      const blocks = encode(50, bytes, rows);
      expect(blocks.reduce((n, b) => n + b.count, 0)).toBe(50);
      const bufs: Buffer[] = [];
      const starts: number[] = [];
      const ends: number[] = [];
      for (const b of blocks) {
        for (let i = 0; i < b.count; i++) {
          bufs.push(b.bytes as Buffer);
          starts.push(b.offsets[i]!);
          ends.push(b.offsets[i + 1]!);
          expect(b.partitionIds[i]).toBe(partitionIdOfDigest(records[bufs.length - 1]!.digest));
        }
      }
      expect(buildBatchWriteRequestFromRows(bufs, starts, ends, { timeoutMs: 1234 }).equals(expected)).toBe(
        true,
      );
    }
  });

  it('starts a new block when the namespace changes and names rows for messages', () => {
    const enc = new BatchRowEncoder();
    enc.add(record(0, 'a'), gtPolicy);
    enc.add(record(1, 'a'), gtPolicy);
    enc.add(record(3, 'b'), gtPolicy);
    expect(enc.pending).toBe(3);
    const blocks = enc.take();
    expect(blocks.map((b) => [b.namespace, b.count])).toEqual([
      ['a', 2],
      ['b', 1],
    ]);
    expect(rowIdentity(blocks[0]!, 1)).toEqual({ digest: record(1).digest, set: 'demo' });
    expect(rowIdentity(blocks[1]!, 0)).toEqual({ digest: record(3).digest, set: undefined });
    expect(enc.take()).toEqual([]);
  });
});

const arbPolicy: fc.Arbitrary<RecordWritePolicy> = fc.record({
  exists: fc.constantFrom('update', 'create-only', 'create-or-replace', 'replace-only', 'update-only'),
  generation: fc.constantFrom('none', 'eq', 'gt'),
  ttl: fc.oneof(fc.constantFrom(-1, -2, 0), fc.integer({ min: 1, max: 0x7fffffff })),
  sendKey: fc.boolean(),
});

/** Row sizes → block sizes: one namespace, at most `maxRows` rows and `blockBytes` bytes a block (a bigger row alone). */
function expectedBlockCounts(
  rows: { namespace: string; size: number }[],
  blockBytes: number,
  maxRows: number,
) {
  const counts: number[] = [];
  let ns = '';
  let count = 0;
  let size = 0;
  for (const r of rows) {
    if (count > 0 && (r.namespace !== ns || count === maxRows || size + r.size > blockBytes)) {
      counts.push(count);
      count = 0;
      size = 0;
    }
    ns = r.namespace;
    count++;
    size += r.size;
  }
  if (count > 0) counts.push(count);
  return counts;
}

describe('BatchRowEncoder on any record', () => {
  it('writes the rows buildBatchWriteRequest writes, in blocks by namespace, row count and size', () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(arbRecord({ maxBins: 5, maxValueBytes: 80 }), arbPolicy, fc.boolean()), {
          minLength: 1,
          maxLength: 30,
        }),
        fc.integer({ min: 0, max: 2000 }),
        fc.integer({ min: 1, max: 8 }),
        (items, blockBytes, maxRows) => {
          // few namespaces, so that blocks hold several rows
          const records = items.map(([r, , other]) => ({ ...r, namespace: other ? 'b' : 'a' }));
          const policies = items.map(([, p]) => p);
          const enc = new BatchRowEncoder(blockBytes, maxRows);
          for (const [i, r] of records.entries()) enc.add(r, policies[i]!);
          const blocks = enc.take();
          expect(requestOfRows(blocks)!.equals(buildBatchWriteRequest(records, policies))).toBe(true);
          const rows: { namespace: string; size: number }[] = [];
          for (const b of blocks) {
            for (let i = 0; i < b.count; i++) {
              const r = records[rows.length]!;
              expect([b.namespace, b.partitionIds[i]]).toEqual([r.namespace, partitionIdOfDigest(r.digest)]);
              rows.push({ namespace: b.namespace, size: b.offsets[i + 1]! - b.offsets[i]! });
            }
          }
          expect(blocks.map((b) => b.count)).toEqual(expectedBlockCounts(rows, blockBytes, maxRows));
        },
      ),
      { numRuns: 300 },
    );
  });

  it('leaves no trace of rows begun and dropped, or not finished before the next one or take()', () => {
    fc.assert(
      fc.property(
        fc.array(arbRecord({ maxBins: 4, maxValueBytes: 100 }), { minLength: 1, maxLength: 12 }),
        fc.array(fc.constantFrom('drop', 'leave', 'take', 'none'), { minLength: 12, maxLength: 12 }),
        fc.integer({ min: 0, max: 1500 }),
        (recs, extras, blockBytes) => {
          const records = recs.map((r) => ({ ...r, namespace: 'a' }));
          const policy = gtPolicy;
          const plain = new BatchRowEncoder(blockBytes, 6);
          const mixed = new BatchRowEncoder(blockBytes, 6);
          const want: EncodedRows[] = [];
          const got: EncodedRows[] = [];
          records.forEach((r, i) => {
            const extra = extras[i]!;
            if (extra === 'drop' || extra === 'leave' || extra === 'take') {
              // a big row of another namespace: it overflows the block and would start a new one
              const other = records[(i + 1) % records.length]!;
              mixed.beginRow({ ...other, namespace: 'zz' }, policy);
              const at = mixed.bytesBin('big', 4, 900);
              mixed.out.fill(7, at, at + 900);
              mixed.intBin('i', 5);
              if (extra === 'drop') mixed.dropRow();
              if (extra === 'take') {
                got.push(...mixed.take());
                want.push(...plain.take());
              }
            }
            plain.add(r, policy);
            mixed.add(r, policy);
          });
          want.push(...plain.take());
          got.push(...mixed.take());
          const view = (blocks: EncodedRows[]) =>
            blocks.map((b) => [
              b.namespace,
              b.count,
              [...b.offsets],
              [...b.partitionIds],
              Buffer.from(b.bytes).toString('hex'),
            ]);
          expect(view(got)).toEqual(view(want));
        },
      ),
      { numRuns: 200 },
    );
  });

  it('throws the WireEncodeErrors buildBatchWriteRequest throws, and writes nothing for that record', () => {
    const long = { ...record(1), bins: [{ name: 'x'.repeat(256), type: 1, value: 1 }] } as AsbRecord;
    const unsafe = { ...record(2), bins: [{ name: 'f', type: 1, value: 1.5 }] } as AsbRecord;
    const shortDigest = { ...record(3), digest: Buffer.alloc(19) } as AsbRecord;
    const enc = new BatchRowEncoder();
    for (const bad of [long, unsafe, shortDigest]) {
      let expected: unknown;
      try {
        buildBatchWriteRequest([bad], gtPolicy);
      } catch (e) {
        expected = e;
      }
      expect(expected).toBeInstanceOf(Error);
      expect(() => enc.add(bad, gtPolicy)).toThrow((expected as Error).message);
    }
    enc.add(record(4), gtPolicy);
    const [block] = enc.take();
    expect(block!.count).toBe(1);
    const row = buildBatchWriteRequestFromRows([block!.bytes as Buffer], [0], [block!.offsets[1]!]);
    expect(row.equals(buildBatchWriteRequest([record(4)], gtPolicy))).toBe(true);
  });
});

const servers: FakeServer[] = [];
const transports: TestTransport[] = [];
async function setup(...options: FakeServerOptions[]) {
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

describe('BatchWriter.writeRows', () => {
  it('routes rows per master node in batches of batchSize and reports each result once', async () => {
    const resultOf = (row: { generation: number }) => (row.generation >= 4 ? 3 : 0);
    const { servers, transport } = await setup({ resultOf }, { resultOf });
    const results = new Map<string, number>();
    const writer = new BatchWriter(transport, {
      batchSize: 10,
      maxAsyncBatches: 2,
      reuseRequestBuffers: true,
      onResult: () => {
        throw new Error('not for rows');
      },
      onRowResult: (rows, i, rc) => {
        const id = rowIdentity(rows, i).digest.toString('hex');
        expect(results.has(id)).toBe(false);
        results.set(id, rc);
      },
    });
    expect(await writer.prepare()).toBe(true);
    for (const block of encode(95, 2000)) await writer.writeRows(block);
    await writer.close();
    expect(results.size).toBe(95);
    for (let i = 0; i < 95; i++) {
      const expected = policyOf(i).generation !== 'none' && 1 + (i % 5) >= 4 ? 3 : 0;
      expect(results.get(record(i).digest.toString('hex'))).toBe(expected);
    }
    for (const [n, server] of servers.entries()) {
      expect(server.singleRequests).toBe(0);
      expect(server.rows.every((row) => partitionIdOfDigest(row.digest) % 2 === n)).toBe(true);
      expect(server.batchRequests).toBe(Math.ceil(server.rows.length / 10));
    }
    const rows = [...servers[0]!.rows, ...servers[1]!.rows];
    const sent = (i: number) => rows.find((row) => row.digest.equals(record(i).digest))!;
    expect(sent(0)).toMatchObject({ info2: 0x81, info3: 0x10, generation: 0, ttl: 100, hasKey: false });
    expect(sent(4)).toMatchObject({ info2: 0x89, info3: 0, generation: 5, ttl: 0xffffffff, hasKey: true });
  });

  it('hands failed row groups to onGroupError and re-sends them', async () => {
    const { servers, transport } = await setup({ failBatches: { count: 1, resultCode: 11 } });
    const failures: GroupFailure[] = [];
    let results = 0;
    const writer = new BatchWriter(transport, {
      batchSize: 8,
      onResult: () => undefined,
      onRowResult: () => void results++,
      onGroupError: (f) => {
        failures.push({ ...f });
        return 'retry';
      },
    });
    await writer.prepare();
    // rows that crossed a thread are plain Uint8Arrays
    for (const block of encode(20)) await writer.writeRows({ ...block, bytes: new Uint8Array(block.bytes) });
    await writer.close();
    expect(results).toBe(20);
    expect(failures).toHaveLength(1);
    expect(failures[0]!.resultCode).toBe(11);
    expect(groupFailureSize(failures[0]!)).toBe(8);
    expect(servers[0]!.rows).toHaveLength(20);
  });

  it('fails the writer without onGroupError, and refuses rows outside batch mode', async () => {
    const { transport } = await setup({ dropRequests: 1 });
    const writer = new BatchWriter(transport, {
      batchSize: 4,
      onResult: () => undefined,
      onRowResult: () => undefined,
    });
    await writer.prepare();
    for (const block of encode(4)) await writer.writeRows(block).catch(() => undefined);
    await expect(writer.close()).rejects.toThrow(/4 record\(s\) not written/);
    const single = new BatchWriter(transport, {
      mode: 'single',
      onResult: () => undefined,
      onRowResult: () => undefined,
    });
    expect(await single.prepare()).toBe(false);
    await expect(single.writeRows(encode(1)[0]!)).rejects.toThrow(/batch mode/);
  });
});
