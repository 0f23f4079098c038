import { createHash } from 'node:crypto';
import { ParticleType } from '@asbkit/asb-format';
import { describe, expect, it } from 'vitest';
import { type CapturedConversation, loadWireFixture, type WireFixtureName } from '../test/wire-fixtures.js';
import { decodeAdminMessage } from './admin.js';
import { modifiedAfterFilter } from './expression.js';
import {
  bitmapHas,
  decodeInfoRequest,
  decodeInfoResponse,
  parseInfoError,
  parsePeers,
  parseReplicas,
} from './info.js';
import {
  type AsMsg,
  decodeAsMsg,
  decodeAsMsgs,
  FieldType,
  findField,
  Info1,
  Info3,
  OpType,
} from './message.js';
import { ProtoType } from './proto.js';
import { encodePartitionQuery, type PartitionQueryRequest } from './query.js';
import { partitionIdOfDigest, RecordReplyDecoder, type RecordReplyItem } from './record-reply.js';

const names: WireFixtureName[] = ['node-client-wire', 'official-tools-wire', 'two-node-wire'];
const fixtures = new Map(names.map((n) => [n, loadWireFixture(n)] as const));

function isPartitionQuery(msg: AsMsg): boolean {
  return (msg.info1 & Info1.READ) !== 0 && (msg.info3 & Info3.PARTITION_DONE) !== 0;
}

function keyDigest(set: string | undefined, keyField: Buffer): Buffer {
  const h = createHash('ripemd160');
  if (set) h.update(Buffer.from(set, 'utf8'));
  return h.update(keyField).digest();
}

interface ReplayStats {
  infoReplies: number;
  messages: number;
  records: number;
  digestsChecked: number;
  queries: number;
}

/** Pairs each request with its reply protos, decoding both strictly. */
function replay(conv: CapturedConversation, stats: ReplayStats): void {
  let r = 0;
  const next = () => {
    const p = conv.replies[r++];
    if (!p) throw new Error(`stream ${conv.stream}: reply missing`);
    return p;
  };
  for (const req of conv.requests) {
    if (req.type === ProtoType.INFO) {
      const cmds = decodeInfoRequest(req.body);
      const reply = next();
      expect(reply.type).toBe(ProtoType.INFO);
      const answers = decodeInfoResponse(reply.body);
      for (const c of cmds) {
        expect(answers.has(c), `answer to ${c}`).toBe(true);
        const v = answers.get(c)!;
        if (/^replicas(:|$)/.test(c) && !parseInfoError(v)) {
          const reps = parseReplicas(v);
          expect(reps.size).toBeGreaterThan(0);
        }
        if (/^peers-(clear|tls)-/.test(c) && !parseInfoError(v)) parsePeers(v);
      }
      stats.infoReplies++;
      continue;
    }
    if (req.type === ProtoType.ADMIN) {
      decodeAdminMessage(next().body);
      continue;
    }
    expect(req.type).toBe(ProtoType.MESSAGE);
    const reqMsgs = decodeAsMsgs(req.body);
    expect(reqMsgs).toHaveLength(1);
    const q = reqMsgs[0];
    if (isPartitionQuery(q)) {
      stats.queries++;
      const pids = new Set<number>();
      const pidField = findField(q, FieldType.PID_ARRAY);
      if (pidField) for (let i = 0; i < pidField.length; i += 2) pids.add(pidField.readUInt16LE(i));
      const digField = findField(q, FieldType.DIGEST_ARRAY);
      if (digField)
        for (let i = 0; i < digField.length; i += 20) pids.add(partitionIdOfDigest(digField.subarray(i)));
      const decoder = new RecordReplyDecoder();
      const items: RecordReplyItem[] = [];
      while (!decoder.done) {
        const reply = next();
        expect(reply.type).toBe(ProtoType.MESSAGE);
        decoder.decode(reply.body, items);
        stats.messages += decodeAsMsgs(reply.body).length;
      }
      expect(items.at(-1)).toEqual({ kind: 'end', resultCode: 0 });
      for (const it of items) {
        if (it.kind !== 'record') continue;
        stats.records++;
        expect(it.namespace).toBe(findField(q, FieldType.NAMESPACE)!.toString());
        expect(pids.has(partitionIdOfDigest(it.digest))).toBe(true);
        if (it.key) {
          const k = it.key;
          const data =
            k.type === ParticleType.INTEGER
              ? Buffer.concat([Buffer.from([1]), bigBE(BigInt(k.value))])
              : k.type === ParticleType.FLOAT
                ? Buffer.concat([Buffer.from([2]), dblBE(k.value)])
                : Buffer.concat([Buffer.from([k.type]), k.value]);
          expect(keyDigest(it.set, data).equals(it.digest)).toBe(true);
          stats.digestsChecked++;
        }
      }
      continue;
    }
    // Writes, batches, reads: one reply proto, or several for a batch (until LAST).
    let last = false;
    while (!last) {
      const reply = next();
      expect(reply.type).toBe(ProtoType.MESSAGE);
      const msgs = decodeAsMsgs(reply.body);
      stats.messages += msgs.length;
      last = (q.info1 & Info1.BATCH) === 0 || msgs.some((m) => (m.info3 & Info3.LAST) !== 0);
    }
  }
  expect(r, `stream ${conv.stream}: replies left over`).toBe(conv.replies.length);
}

const bigBE = (v: bigint) => {
  const b = Buffer.alloc(8);
  b.writeBigInt64BE(v);
  return b;
};
const dblBE = (v: number) => {
  const b = Buffer.alloc(8);
  b.writeDoubleBE(v);
  return b;
};

describe('captured traffic', () => {
  for (const name of names) {
    it(`decodes every request and reply of ${name}`, () => {
      const stats: ReplayStats = { infoReplies: 0, messages: 0, records: 0, digestsChecked: 0, queries: 0 };
      for (const conv of fixtures.get(name)!) replay(conv, stats);
      expect(stats.records).toBeGreaterThan(0);
      expect(stats.digestsChecked).toBeGreaterThan(0);
      expect(stats.infoReplies).toBeGreaterThan(0);
    });
  }

  it('finds the 2000 records of the two-node asbackup run, split by master node', () => {
    const convs = fixtures.get('two-node-wire')!.filter((c) => c.phase === 'asbackup-set-mn');
    const perPort = new Map<number, number>();
    for (const c of convs) {
      let inQuery = false;
      const d = new RecordReplyDecoder();
      const items: RecordReplyItem[] = [];
      for (const req of c.requests)
        if (req.type === 3 && isPartitionQuery(decodeAsMsg(req.body).msg)) inQuery = true;
      if (!inQuery) continue;
      for (const rep of c.replies) if (rep.type === 3) d.decode(rep.body, items);
      const n = items.filter((i) => i.kind === 'record').length;
      perPort.set(c.serverPort, (perPort.get(c.serverPort) ?? 0) + n);
    }
    expect([...perPort.values()].reduce((a, b) => a + b, 0)).toBe(2000);
    expect(perPort.size).toBe(2);
  });

  it('groups partitions by master exactly as asbackup did on the two-node cluster (MSB-first bitmaps)', () => {
    const convs = fixtures.get('two-node-wire')!;
    const mastersByPort = new Map<number, number[]>();
    for (const c of convs) {
      c.requests.forEach((req, i) => {
        if (req.type !== ProtoType.INFO || !decodeInfoRequest(req.body).includes('replicas')) return;
        const value = decodeInfoResponse(
          c.replies.filter((r) => r.type === ProtoType.INFO)[
            c.requests.slice(0, i).filter((r) => r.type === ProtoType.INFO).length
          ].body,
        ).get('replicas')!;
        const bm = parseReplicas(value).get('test')!.bitmaps[0];
        mastersByPort.set(
          c.serverPort,
          Array.from({ length: 4096 }, (_, p) => p).filter((p) => bitmapHas(bm, p)),
        );
      });
    }
    expect(mastersByPort.size).toBe(2);
    let checked = 0;
    for (const c of convs.filter((x) => x.phase === 'asbackup-set-mn')) {
      for (const req of c.requests) {
        if (req.type !== ProtoType.MESSAGE) continue;
        const msg = decodeAsMsg(req.body).msg;
        if (!isPartitionQuery(msg)) continue;
        const pids = findField(msg, FieldType.PID_ARRAY)!;
        const sent = Array.from({ length: pids.length / 2 }, (_, i) => pids.readUInt16LE(2 * i));
        expect(sent).toEqual(mastersByPort.get(c.serverPort));
        checked++;
      }
    }
    expect(checked).toBe(2);
  });

  it('decodes the bins of the varied dataset with raw values', () => {
    const items: RecordReplyItem[] = [];
    for (const conv of fixtures.get('official-tools-wire')!.filter((c) => c.phase === 'backup-dir')) {
      const d = new RecordReplyDecoder();
      for (const rep of conv.replies) if (rep.type === 3) d.decode(rep.body, items);
    }
    const records = items.filter((i) => i.kind === 'record');
    const ttl31 = records.find(
      (r) => r.digest.toString('hex') === '319c0ff55a6b67c2f00aa6299cc7e48045e0537e',
    );
    expect(ttl31).toMatchObject({
      set: 'ttl',
      generation: 1,
      voidTime: 533083946,
      key: { type: 1, value: 31 },
    });
    expect(ttl31!.bins).toEqual([{ name: 'n', type: 1, value: 31 }]);
    const types = new Set(records.flatMap((r) => r.bins.map((b) => b.type)));
    for (const t of [1, 2, 3, 4, 17, 18, 19, 20, 23])
      expect(types.has(t as never), `particle ${t}`).toBe(true);
    for (const r of records) {
      for (const b of r.bins) if (b.type === ParticleType.GEOJSON) expect(b.value[0]).toBe(0x7b); // '{'
    }
  });
});

/** Recovers the builder options from a captured partition query. */
function optionsOf(msg: AsMsg): PartitionQueryRequest {
  const f = (t: number) => findField(msg, t);
  const pidField = f(FieldType.PID_ARRAY);
  const digField = f(FieldType.DIGEST_ARRAY);
  const setField = f(FieldType.SET);
  const rps = f(FieldType.RECORDS_PER_SECOND);
  const max = f(FieldType.MAX_RECORDS);
  const filter = f(FieldType.FILTER_EXP);
  return {
    namespace: f(FieldType.NAMESPACE)!.toString(),
    set: setField?.toString(),
    recordsPerSecond: rps?.readUInt32BE(),
    socketTimeoutMs: f(FieldType.SOCKET_TIMEOUT)!.readUInt32BE(),
    totalTimeoutMs: msg.transactionTtl,
    taskId: f(FieldType.TASK_ID)!.readBigUInt64BE(),
    filterExpression: filter,
    partitionIds: pidField
      ? Array.from({ length: pidField.length / 2 }, (_, i) => pidField.readUInt16LE(2 * i))
      : [],
    afterDigests: digField
      ? Array.from({ length: digField.length / 20 }, (_, i) => digField.subarray(20 * i, 20 * i + 20))
      : [],
    maxRecords: max?.readBigUInt64BE(),
    binNames: msg.ops.map((o) => {
      expect(o.op).toBe(OpType.READ);
      return o.name.toString();
    }),
    noBins: (msg.info1 & Info1.NOBINDATA) !== 0,
  };
}

describe('partition query builder', () => {
  it('rebuilds every captured partition query byte for byte (task id taken from the capture)', () => {
    let n = 0;
    for (const name of names) {
      for (const conv of fixtures.get(name)!) {
        for (const req of conv.requests) {
          if (req.type !== ProtoType.MESSAGE) continue;
          const msg = decodeAsMsg(req.body).msg;
          if (!isPartitionQuery(msg)) continue;
          const rebuilt = encodePartitionQuery(optionsOf(msg));
          expect(rebuilt.subarray(8).toString('hex')).toBe(req.body.toString('hex'));
          n++;
        }
      }
    }
    expect(n).toBeGreaterThanOrEqual(18);
  });

  it('builds the --modified-after expression asbackup sent', () => {
    const sent = fixtures
      .get('official-tools-wire')!
      .flatMap((c) =>
        c.requests.filter((r) => r.phase === 'backup-modified-after' && r.type === ProtoType.MESSAGE),
      )
      .map((r) => findField(decodeAsMsg(r.body).msg, FieldType.FILTER_EXP))
      .find((x) => x !== undefined)!;
    expect(modifiedAfterFilter(1577836800000000000n).equals(sent)).toBe(true);
  });

  it('matches the annotated request of spec §4.5', () => {
    const bytes = encodePartitionQuery({
      namespace: 'test',
      socketTimeoutMs: 10000,
      taskId: 0xaf1cbd29532ea110n,
      partitionIds: [2222],
    });
    expect(bytes.toString('hex')).toBe(
      '02030000000000' +
        '3c' +
        '16010004000000000000ffffffff0000000000040000' +
        '000000050074657374' +
        '000000050900002710' +
        '0000000907af1cbd29532ea110' +
        '000000030bae08',
    );
  });
});
