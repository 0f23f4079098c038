// Single writes, batch writes, reads and deletes over the wire, with the server's policies,
// TTL rules and result codes, plus the per-record and old-server faults.

import type { AsbRecord } from '@asbkit/asb-format';
import { buildBatchWriteRequest, buildWriteRequest, type RecordWritePolicy } from '@asbkit/cluster-client';
import {
  type AsMsg,
  emptyHeader,
  encodeMessage,
  FieldType,
  field,
  Info1,
  Info2,
  Info3,
  OpType,
  op,
} from '@asbkit/cluster-client/wire';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { type Emulator, startEmulator } from './emulator.js';
import { citrusleafNow } from './record.js';
import { replyMessages, WireTestClient } from './test/wire-client.js';

const policy = (p: Partial<RecordWritePolicy> = {}): RecordWritePolicy => ({
  exists: 'update',
  generation: 'none',
  ttl: 0xffffffff,
  sendKey: true,
  ...p,
});

let counter = 0;
function rec(bins: AsbRecord['bins'], extra: Partial<AsbRecord> = {}): AsbRecord {
  const digest = Buffer.alloc(20);
  digest.writeUInt32BE(++counter, 0);
  return {
    kind: 'record',
    namespace: 'test',
    digest,
    set: 's',
    key: { type: 1, value: counter },
    generation: 1,
    voidTime: 0,
    bins,
    ...extra,
  };
}

const intBin = (name: string, value: number) => ({ name, type: 1 as const, value });

function readRequest(digest: Buffer, ns = 'test'): Buffer {
  return encodeMessage({ ...emptyHeader(), info1: Info1.READ | Info1.GET_ALL }, [
    field(FieldType.NAMESPACE, ns),
    field(FieldType.DIGEST, digest),
  ]);
}

describe('writes, reads and deletes', () => {
  let emulator: Emulator;
  let client: WireTestClient;
  const logs: string[] = [];
  const send = async (request: Buffer): Promise<AsMsg[]> => replyMessages(await client.request(request));
  const write = async (r: AsbRecord, p: Partial<RecordWritePolicy> = {}) =>
    (await send(buildWriteRequest(r, policy(p))))[0];

  beforeAll(async () => {
    emulator = await startEmulator({ log: (l) => logs.push(l) });
    client = await WireTestClient.connect(emulator.nodes[0].port);
  });
  afterAll(async () => {
    client.close();
    await emulator.stop();
  });
  afterEach(() => emulator.clearFaults());

  it('answers a NULL-only write like a real 8.1 server', async () => {
    // Measured on CE 8.1.2: nothing is created; 2 for update/create-only, 4 for create-or-replace;
    // on an existing record it deletes the last bin, so the record is gone.
    const nullBin = { name: 'x', type: 0 as const, value: null };
    expect((await write(rec([nullBin]))).resultCode).toBe(2);
    expect((await write(rec([nullBin]), { exists: 'create-only' })).resultCode).toBe(2);
    expect((await write(rec([nullBin]), { exists: 'create-or-replace' })).resultCode).toBe(4);
    const existing = rec([intBin('x', 5)]);
    expect((await write(existing)).resultCode).toBe(0);
    expect((await write({ ...existing, bins: [nullBin] })).resultCode).toBe(0);
    expect((await write({ ...existing, bins: [intBin('y', 1)] }, { exists: 'update-only' })).resultCode).toBe(
      2,
    );
  });

  it('creates, merges and reads back a record with its generation and void time', async () => {
    const r = rec([intBin('a', 1), { name: 'f', type: 2, value: 2.0 }]);
    const first = await write(r, { ttl: 100 });
    expect([first.resultCode, first.generation]).toEqual([0, 1]);
    expect(first.recordTtl - citrusleafNow()).toBeGreaterThanOrEqual(99);
    const second = await write({ ...r, bins: [intBin('b', 2)] });
    expect([second.resultCode, second.generation, second.recordTtl]).toEqual([0, 2, 0]);
    const [read] = await send(readRequest(r.digest));
    expect(read.resultCode).toBe(0);
    expect(read.generation).toBe(2);
    expect(read.ops.map((o) => [o.op, o.particleType, o.name.toString(), o.value.toString('hex')])).toEqual([
      [OpType.READ, 1, 'a', '0000000000000001'],
      [OpType.READ, 2, 'f', '4000000000000000'],
      [OpType.READ, 1, 'b', '0000000000000002'],
    ]);
    const [missing] = await send(readRequest(Buffer.alloc(20, 0xee)));
    expect(missing.resultCode).toBe(2);
  });

  it('applies generation and existence policies with the real result codes', async () => {
    const r = rec([intBin('a', 1)], { generation: 5 });
    expect((await write(r, { generation: 'gt' })).resultCode).toBe(0); // missing record: current 0
    expect((await write(r, { generation: 'gt' })).generation).toBe(2); // 5 > 1
    const failed = await write({ ...r, generation: 1 }, { generation: 'gt' });
    expect([failed.resultCode, failed.generation]).toEqual([3, 2]); // 1 > 2 fails, current gen in reply
    expect((await write({ ...r, generation: 2 }, { generation: 'eq' })).generation).toBe(3);
    expect((await write(r, { exists: 'create-only' })).resultCode).toBe(5);
    expect((await write(rec([intBin('a', 1)]), { exists: 'update-only' })).resultCode).toBe(2);
    expect((await write(rec([intBin('a', 1)]), { exists: 'replace-only' })).resultCode).toBe(2);
    await write({ ...r, bins: [intBin('z', 9)] }, { exists: 'create-or-replace' });
    const [read] = await send(readRequest(r.digest));
    expect(read.ops.map((o) => o.name.toString())).toEqual(['z']);
  });

  it('checks TTL range, set and key of an existing record, bin names and particle sizes', async () => {
    expect((await write(rec([intBin('a', 1)]), { ttl: 0xfffffffd })).resultCode).toBe(4);
    const r = rec([intBin('a', 1)]);
    await write(r);
    expect((await write({ ...r, set: 'other' })).resultCode).toBe(4);
    expect((await write({ ...r, key: { type: 1, value: -1 } })).resultCode).toBe(19);
    expect((await write(rec([intBin('a_name_of_16_chr', 1)]))).resultCode).toBe(21);
    const base = (value: Buffer, particle: number) =>
      encodeMessage(
        { ...emptyHeader(), info2: Info2.WRITE },
        [
          field(FieldType.NAMESPACE, 'test'),
          field(FieldType.SET, 's'),
          field(FieldType.DIGEST, Buffer.alloc(20, 0x42)),
        ],
        [op(OpType.WRITE, 'x', particle, value)],
      );
    expect((await send(base(Buffer.from([0xff]), 1)))[0].resultCode).toBe(0); // zero-extended to 255
    expect((await send(readRequest(Buffer.alloc(20, 0x42))))[0].ops[0].value.toString('hex')).toBe(
      '00000000000000ff',
    );
    expect((await send(base(Buffer.from([1, 2, 3]), 1)))[0].resultCode).toBe(4);
    expect((await send(base(Buffer.from([2]), 17)))[0].resultCode).toBe(4);
    expect((await send(base(Buffer.alloc(4), 2)))[0].resultCode).toBe(4);
  });

  it('deletes records, and refuses durable deletes (Enterprise only) and unknown ops loudly', async () => {
    const r = rec([intBin('a', 1)]);
    await write(r);
    const del = (info2: number) =>
      encodeMessage({ ...emptyHeader(), info2 }, [
        field(FieldType.NAMESPACE, 'test'),
        field(FieldType.DIGEST, r.digest),
      ]);
    expect((await send(del(Info2.WRITE | Info2.DELETE | Info2.DURABLE_DELETE)))[0].resultCode).toBe(25);
    expect((await send(del(Info2.WRITE | Info2.DELETE)))[0].resultCode).toBe(0);
    expect((await send(del(Info2.WRITE | Info2.DELETE)))[0].resultCode).toBe(2);
    logs.length = 0;
    const incr = encodeMessage(
      { ...emptyHeader(), info2: Info2.WRITE },
      [field(FieldType.NAMESPACE, 'test'), field(FieldType.DIGEST, r.digest)],
      [op(OpType.INCR, 'a', 1, Buffer.alloc(8))],
    );
    expect((await send(incr))[0].resultCode).toBe(4);
    expect(logs.join('\n')).toMatch(/op type 5 is not emulated/);
  });

  it('fault: returns a chosen result code for chosen digests', async () => {
    const r = rec([intBin('a', 1)]);
    emulator.setFaults({ resultCodeByDigest: new Map([[r.digest.toString('hex'), 14]]) });
    expect((await write(r)).resultCode).toBe(14);
    emulator.clearFaults();
    expect((await write(r)).resultCode).toBe(0);
  });

  describe('batch writes', () => {
    it('answers one message per row (row index in transaction_ttl, RESPOND_ALL_OPS ops) then LAST', async () => {
      const records = [rec([intBin('a', 1)]), rec([intBin('a', 2), intBin('b', 3)], { generation: 4 })];
      const reply = await send(buildBatchWriteRequest(records, policy({ generation: 'gt' })));
      expect(reply.map((m) => [m.transactionTtl, m.resultCode, m.generation, m.ops.length, m.info3])).toEqual(
        [
          [0, 0, 1, 1, 0],
          [1, 0, 1, 2, 0],
          [0, 0, 0, 0, Info3.LAST],
        ],
      );
      expect(reply[1].ops.map((o) => [o.op, o.particleType, o.name.toString(), o.value.length])).toEqual([
        [2, 0, 'a', 0],
        [2, 0, 'b', 0],
      ]);
      const again = await send(buildBatchWriteRequest(records, policy({ generation: 'gt' })));
      expect(again.map((m) => m.resultCode)).toEqual([3, 0, 0]); // gen 1 is not > 1; gen 4 > 1
      const unique = await send(buildBatchWriteRequest(records, policy({ exists: 'create-only' })));
      expect(unique.map((m) => m.resultCode)).toEqual([5, 5, 0]);
    });

    it('honours the batch flags: 0x08 reports rows but fails LAST, none stops at the first failure', async () => {
      const existing = rec([intBin('a', 1)]);
      await write(existing);
      const batch = (flags: number) => {
        const request = buildBatchWriteRequest(
          [rec([intBin('a', 1)]), existing, rec([intBin('a', 1)])],
          policy({ exists: 'create-only' }),
        );
        request[8 + 22 + 5 + 4] = flags; // proto header, as_msg header, field header, row count
        return request;
      };
      const errorRecord = await send(batch(0x08));
      expect(errorRecord.map((m) => [m.transactionTtl, m.resultCode, m.info3])).toEqual([
        [0, 0, 0],
        [1, 5, 0],
        [2, 0, 0],
        [0, 5, Info3.LAST],
      ]);
      const stopAtFirst = await send(batch(0x00));
      expect(stopAtFirst.map((m) => [m.resultCode, m.info3])).toEqual([
        [0, 0],
        [5, Info3.LAST],
      ]);
    });

    it('fault: per-digest result codes show up in their rows', async () => {
      const records = [rec([intBin('a', 1)]), rec([intBin('a', 2)])];
      emulator.setFaults({ resultCodeByDigest: new Map([[records[1].digest.toString('hex'), 18]]) });
      const reply = await send(buildBatchWriteRequest(records, policy()));
      expect(reply.map((m) => m.resultCode)).toEqual([0, 18, 0]);
    });

    it('fault: an old (5.x) server refuses batch writes and says so in build and get-config', async () => {
      emulator.setFaults({ oldServerNoBatchWrites: true });
      logs.length = 0;
      const reply = await send(buildBatchWriteRequest([rec([intBin('a', 1)])], policy()));
      expect(reply.map((m) => [m.resultCode, m.info3])).toEqual([[4, Info3.LAST]]);
      expect(logs.join('\n')).toMatch(/batch request refused/);
      const { answerInfo } = await import('./info.js');
      expect(answerInfo(emulator.state, 0, 'build')).toBe('5.7.0.0');
      expect(answerInfo(emulator.state, 0, 'get-config:context=service')).not.toMatch(/batch-index-threads/);
      expect(answerInfo(emulator.state, 0, 'features')).not.toMatch(/batch-any/);
    });
  });
});
