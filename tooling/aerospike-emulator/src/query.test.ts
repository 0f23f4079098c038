// Partition queries over the wire: order, resume, limits, selection, refusals and faults.

import type { AsbRecord } from '@asbkit/asb-format';
import {
  type AsMsg,
  encodePartitionQuery,
  FieldType,
  findField,
  Info3,
  type PartitionQueryRequest,
  setNamesFilter,
} from '@asbkit/cluster-client/wire';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { type Emulator, startEmulator } from './emulator.js';
import { partitionOf } from './record.js';
import { replyMessages, WireTestClient } from './test/wire-client.js';

/** A digest in partition `pid` whose remaining bytes come from `n`. */
function digestIn(pid: number, n: number): Buffer {
  const d = Buffer.alloc(20);
  d[0] = pid & 0xff;
  d[1] = (pid >> 8) & 0x0f;
  d.writeUInt32BE((n * 2654435761) >>> 0, 2);
  d.writeUInt32BE(n, 16);
  return d;
}

function makeRecord(pid: number, n: number, set: string | undefined): AsbRecord {
  return {
    kind: 'record',
    namespace: 'test',
    digest: digestIn(pid, n),
    set,
    key: { type: 1, value: n },
    generation: 1 + (n % 3),
    voidTime: 0,
    bins: [
      { name: 'n', type: 1, value: n },
      { name: 's', type: 3, value: Buffer.from(`v${n}`) },
    ],
  };
}

const PIDS = [0, 7, 100, 4095];
const records = PIDS.flatMap((pid) =>
  Array.from({ length: 30 }, (_, i) => makeRecord(pid, pid * 1000 + i, i % 2 ? 'odd' : 'even')),
);

const query = (extra: Partial<PartitionQueryRequest>) =>
  encodePartitionQuery({
    namespace: 'test',
    socketTimeoutMs: 1000,
    taskId: 77n,
    partitionIds: PIDS,
    ...extra,
  });

const digests = (msgs: AsMsg[]) =>
  msgs
    .filter((m) => findField(m, FieldType.DIGEST))
    .map((m) => findField(m, FieldType.DIGEST)!.toString('hex'));

describe('partition queries', () => {
  let emulator: Emulator;
  let client: WireTestClient;
  const logs: string[] = [];
  const ask = async (request: Buffer) => replyMessages(await client.request(request));

  beforeAll(async () => {
    emulator = await startEmulator({ records, log: (l) => logs.push(l) });
  });
  afterAll(() => emulator.stop());
  afterEach(() => {
    emulator.clearFaults();
    client?.close();
  });
  const connect = async () => {
    client = await WireTestClient.connect(emulator.nodes[0].port);
  };

  it('returns each partition in descending digest order and ends with LAST', async () => {
    await connect();
    const msgs = await ask(query({}));
    const got = digests(msgs);
    expect(got.length).toBe(records.length);
    for (const pid of PIDS) {
      const inPid = got.filter((d) => partitionOf(Buffer.from(d, 'hex')) === pid);
      expect(inPid).toEqual([...inPid].sort().reverse());
    }
    const last = msgs[msgs.length - 1];
    expect(last.info3 & Info3.LAST).toBeTruthy();
    expect(last.resultCode).toBe(0);
    const first = msgs[0];
    expect(first.fields.map((f) => f.type)).toEqual([0, 4, 1, 2]);
    expect(first.ops.map((o) => o.name.toString())).toEqual(['n', 's']);
  });

  it('resumes strictly after the DIGEST_ARRAY digest of a partition', async () => {
    await connect();
    const all = digests(await ask(query({ partitionIds: [7] })));
    const resumed = digests(
      await ask(query({ partitionIds: [0], afterDigests: [Buffer.from(all[9], 'hex')] })),
    );
    const expected = [...all.slice(10), ...digests(await ask(query({ partitionIds: [0] })))].sort();
    expect(resumed.sort()).toEqual(expected);
  });

  it('selects a set, bins and no-bins, and stops at MAX_RECORDS', async () => {
    await connect();
    const odd = await ask(query({ set: 'odd' }));
    expect(digests(odd).length).toBe(60);
    expect(
      odd.filter((m) => m.fields.length > 0).every((m) => findField(m, FieldType.SET)?.toString() === 'odd'),
    ).toBe(true);
    const onlyS = (await ask(query({ binNames: ['s', 'missing'] }))).filter((m) => m.ops.length > 0);
    expect(onlyS.length).toBe(120);
    expect(onlyS.every((m) => m.ops.length === 1 && m.ops[0].name.toString() === 's')).toBe(true);
    expect(digests(await ask(query({ binNames: ['missing'] }))).length).toBe(0);
    const noBins = await ask(query({ noBins: true }));
    expect(noBins.filter((m) => m.ops.length > 0).length).toBe(0);
    expect(noBins.filter((m) => m.info1 === 0x20).length).toBe(120);
    expect(digests(await ask(query({ maxRecords: 7 }))).length).toBe(7);
    expect(digests(await ask(query({ filterExpression: setNamesFilter(['even', 'none']) }))).length).toBe(60);
  });

  it('refuses up front, without LAST: bad expression (4), unknown namespace (20), no PARTITION_DONE (16)', async () => {
    await connect();
    logs.length = 0;
    const bad = await ask(query({ filterExpression: Buffer.from([0x93, 0x50, 0x01, 0x02]) }));
    expect(bad.map((m) => [m.resultCode, m.info3])).toEqual([[4, 0]]);
    expect(logs.join('\n')).toMatch(/filter expression op 80 is not supported/);
    expect(
      (
        await ask(
          encodePartitionQuery({ namespace: 'nope', socketTimeoutMs: 0, taskId: 1n, partitionIds: [1] }),
        )
      ).map((m) => m.resultCode),
    ).toEqual([20]);
    const noDone = query({});
    noDone[8 + 3] = 0; // info3
    expect((await ask(noDone)).map((m) => m.resultCode)).toEqual([16]);
  });

  it('throttles to RECORDS_PER_SECOND', async () => {
    await connect();
    const started = Date.now();
    const got = digests(await ask(query({ partitionIds: [0], recordsPerSecond: 100 })));
    expect(got.length).toBe(30);
    expect(Date.now() - started).toBeGreaterThanOrEqual(250);
  });

  it('fault: answers chosen partitions as unavailable (PARTITION_DONE, rc 11, pid in generation)', async () => {
    await connect();
    emulator.setFaults({ unavailablePartitions: [7, 100] });
    const msgs = await ask(query({}));
    const markers = msgs.filter((m) => m.info3 & Info3.PARTITION_DONE);
    expect(markers.map((m) => [m.resultCode, m.generation, m.fields.length]).sort()).toEqual([
      [11, 100, 0],
      [11, 7, 0],
    ]);
    expect(digests(msgs).length).toBe(60);
  });

  it('fault: closes the connection after N records', async () => {
    await connect();
    emulator.setFaults({ closeQueryAfterRecords: 5 });
    const msgs = await ask(query({}));
    expect(digests(msgs).length).toBe(5);
    expect(msgs.some((m) => m.info3 & Info3.LAST)).toBe(false);
    expect(client.closed).toBe(true);
  });

  it('fault: closes only the next query when asked for once', async () => {
    emulator.setFaults({ closeQueryAfterRecords: { records: 2, times: 1 } });
    await connect();
    expect(digests(await ask(query({}))).length).toBe(2);
    await connect();
    expect(digests(await ask(query({}))).length).toBe(records.length);
  });

  it('fault: slow reads wait before every reply proto', async () => {
    await connect();
    emulator.setFaults({ replyDelayMs: 60 });
    const started = Date.now();
    await ask(query({ partitionIds: [0] }));
    expect(Date.now() - started).toBeGreaterThanOrEqual(60);
  });
});

describe('partition queries on a 2-node cluster', () => {
  let emulator: Emulator;
  beforeAll(async () => {
    emulator = await startEmulator({ nodes: 2, records, log: () => {} });
  });
  afterAll(() => emulator.stop());

  it('serves only master partitions and marks the others unavailable', async () => {
    const client = await WireTestClient.connect(emulator.nodes[0].port);
    const mine = new Set(emulator.masterPartitions(0));
    const msgs = replyMessages(await client.request(query({})));
    const markers = msgs.filter((m) => m.info3 & Info3.PARTITION_DONE).map((m) => m.generation);
    expect(markers.sort()).toEqual(PIDS.filter((p) => !mine.has(p)).sort());
    for (const d of digests(msgs)) expect(mine.has(partitionOf(Buffer.from(d, 'hex')))).toBe(true);
    client.close();
  });

  it('fault: moves partitions mid-query and bumps partition-generation', async () => {
    const node0 = emulator.masterPartitions(0);
    const pid = node0[0];
    emulator.load(Array.from({ length: 10 }, (_, i) => makeRecord(pid, 90_000 + i, undefined)));
    const genBefore = emulator.state.map.generations[0];
    emulator.setFaults({ movePartitionsMidQuery: { afterRecords: 3, partitions: [pid], toNode: 1 } });
    const client = await WireTestClient.connect(emulator.nodes[0].port);
    const msgs = replyMessages(await client.request(query({ partitionIds: [pid] })));
    client.close();
    expect(digests(msgs).length).toBe(3);
    expect(
      msgs.filter((m) => m.info3 & Info3.PARTITION_DONE).map((m) => [m.generation, m.resultCode]),
    ).toEqual([[pid, 11]]);
    expect(emulator.state.map.generations[0]).toBeGreaterThan(genBefore);
    expect(emulator.masterPartitions(1)).toContain(pid);
  });
});

describe('last-update filters on loaded records', () => {
  it('uses the last-update time given to load()', async () => {
    const emulator = await startEmulator({ log: () => {} });
    const old = Date.UTC(2020, 0, 1);
    emulator.load([makeRecord(5, 1, 'a')], old);
    emulator.load([makeRecord(5, 2, 'a')]);
    const client = await WireTestClient.connect(emulator.nodes[0].port);
    const { modifiedAfterFilter } = await import('@asbkit/cluster-client/wire');
    const after = replyMessages(
      await client.request(
        query({ partitionIds: [5], filterExpression: modifiedAfterFilter(BigInt(old + 1) * 1_000_000n) }),
      ),
    );
    expect(digests(after)).toEqual([digestIn(5, 2).toString('hex')]);
    client.close();
    await emulator.stop();
  });
});
