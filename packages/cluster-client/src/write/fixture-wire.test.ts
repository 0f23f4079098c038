// Rebuilds the official asrestore 4.5.8 write requests byte for byte from the records the official
// asbackup scan returned (same capture), and decodes the captured replies.
import { createReadStream, readFileSync } from 'node:fs';
import type { Bin, UserKey } from '@asbkit/asb-format';
import { type AsbRecord, decodeAsb } from '@asbkit/asb-format';
import { describe, expect, it } from 'vitest';
import { decodeBin, decodeUserKey } from '../wire/particle.js';
import { buildBatchWriteRequest } from './batch.js';
import type { WriteRecord } from './encode.js';
import type { RecordWritePolicy } from './policy.js';
import { BatchReplyDecoder } from './reply.js';
import { buildWriteRequest, parseWriteReply } from './single.js';

interface Conversation {
  stream: number;
  phase: string;
  messages: { dir: 'c2s' | 's2c'; phase: string; hex: string }[];
}

const wireDir = new URL('../../../../../shared/fixtures/wire/', import.meta.url);
const official: Conversation[] = JSON.parse(
  readFileSync(new URL('official-tools-wire.json', wireDir), 'utf8'),
);

/** Splits a buffer of whole protos into [type, body] pairs. */
function protos(buf: Buffer): [number, Buffer][] {
  const out: [number, Buffer][] = [];
  let off = 0;
  while (off < buf.length) {
    const size = buf.readUIntBE(off + 2, 6);
    out.push([buf[off + 1], buf.subarray(off + 8, off + 8 + size)]);
    off += 8 + size;
  }
  expect(off).toBe(buf.length);
  return out;
}

/** Decodes `nOps` ops at `off` into bins the way a backup holds them; returns the offset after. */
function readBins(body: Buffer, off: number, nOps: number, bins: Bin[]): number {
  for (let i = 0; i < nOps; i++) {
    const size = body.readUInt32BE(off);
    const type = body[off + 5];
    const nameLen = body[off + 7];
    const name = body.subarray(off + 8, off + 8 + nameLen).toString();
    bins.push(decodeBin(name, type, body, off + 8 + nameLen, off + 4 + size));
    off += 4 + size;
  }
  return off;
}

/** Test-only decoder of scan reply records (the backup's view of each record). */
function scanRecords(): Map<string, WriteRecord> {
  const records = new Map<string, WriteRecord>();
  for (const conv of official.filter((c) => c.phase === 'backup-dir')) {
    for (const msg of conv.messages) {
      const buf = Buffer.from(msg.hex, 'hex');
      if (msg.dir !== 's2c' || buf[1] !== 3) continue;
      for (const [, body] of protos(buf)) {
        let off = 0;
        while (off < body.length) {
          const generation = body.readUInt32BE(off + 6);
          const nFields = body.readUInt16BE(off + 18);
          const nOps = body.readUInt16BE(off + 20);
          off += 22;
          let digest: Buffer | undefined;
          let set: string | undefined;
          let key: UserKey | undefined;
          let namespace = '';
          for (let i = 0; i < nFields; i++) {
            const size = body.readUInt32BE(off);
            const type = body[off + 4];
            const data = body.subarray(off + 5, off + 4 + size);
            if (type === 0) namespace = data.toString();
            else if (type === 4) digest = data;
            else if (type === 1) set = data.toString();
            else if (type === 2) key = decodeUserKey(data);
            off += 4 + size;
          }
          const bins: Bin[] = [];
          off = readBins(body, off, nOps, bins);
          if (digest) records.set(digest.toString('hex'), { namespace, digest, set, key, generation, bins });
        }
      }
    }
  }
  return records;
}

const backedUp = scanRecords();

function asRestored(digest: Buffer): WriteRecord {
  const record = backedUp.get(digest.toString('hex'));
  if (!record) throw new Error(`digest ${digest.toString('hex')} not in the backup scan`);
  return { ...record, namespace: 'bar' };
}

/** Reads digest and TTL of every row (the TTL depends on the restore's clock, so it is taken as given). */
function batchRows(request: Buffer): { digest: Buffer; ttl: number }[] {
  const count = request.readUInt32BE(8 + 22 + 5);
  const rows: { digest: Buffer; ttl: number }[] = [];
  let off = 8 + 22 + 5 + 5;
  for (let i = 0; i < count; i++) {
    expect(request.readUInt32BE(off)).toBe(i);
    const digest = request.subarray(off + 4, off + 24);
    const ttl = request.readUInt32BE(off + 30);
    const nFields = request.readUInt16BE(off + 34);
    const nOps = request.readUInt16BE(off + 36);
    off += 38;
    for (let j = 0; j < nFields + nOps; j++) off += 4 + request.readUInt32BE(off);
    rows.push({ digest, ttl });
  }
  expect(off).toBe(request.length);
  return rows;
}

const batchPhases: [string, Omit<RecordWritePolicy, 'ttl'>, number][] = [
  ['restore-to-bar-batch', { exists: 'update', generation: 'gt', sendKey: true }, 0],
  ['restore-again-default-fresher', { exists: 'update', generation: 'gt', sendKey: true }, 3],
  ['restore-unique', { exists: 'create-only', generation: 'gt', sendKey: true }, 5],
  ['restore-replace-nogen', { exists: 'create-or-replace', generation: 'none', sendKey: true }, 0],
];

describe('official asrestore batch writes', () => {
  it('has the backup records to rebuild from', () => {
    expect(backedUp.size).toBe(163);
  });

  for (const [phase, base, mainCode] of batchPhases) {
    it(`rebuilds every ${phase} batch request byte for byte and decodes its reply`, () => {
      const convs = official.filter((c) => c.phase === phase);
      let requests = 0;
      const codes = new Map<number, number>();
      for (const conv of convs) {
        for (let m = 0; m < conv.messages.length; m++) {
          const msg = conv.messages[m];
          const request = Buffer.from(msg.hex, 'hex');
          if (msg.dir !== 'c2s' || request[1] !== 3) continue;
          requests++;
          const rows = batchRows(request);
          const records = rows.map((r) => asRestored(r.digest));
          const policies = rows.map((r) => ({ ...base, ttl: r.ttl }));
          const built = buildBatchWriteRequest(records, policies, { timeoutMs: 10000 });
          expect(built.toString('hex')).toBe(request.toString('hex'));

          const seen = new Set<number>();
          const decoder = new BatchReplyDecoder((index, rc) => {
            seen.add(index);
            codes.set(rc, (codes.get(rc) ?? 0) + 1);
          });
          expect(decoder.feedProtos(Buffer.from(conv.messages[m + 1].hex, 'hex'))).toBe(true);
          expect(decoder.lastResultCode).toBe(0);
          expect(seen.size).toBe(rows.length);
        }
      }
      expect(requests).toBe(2);
      expect(codes.get(mainCode)).toBeGreaterThanOrEqual(162);
    });
  }
});

describe('official asrestore single writes (restore-no-batch, --no-generation)', () => {
  it('rebuilds all 163 requests byte for byte and parses the replies', () => {
    let requests = 0;
    for (const conv of official.filter((c) => c.phase === 'restore-no-batch')) {
      for (let m = 0; m < conv.messages.length; m++) {
        const request = Buffer.from(conv.messages[m].hex, 'hex');
        if (conv.messages[m].dir !== 'c2s' || request[1] !== 3) continue;
        requests++;
        const fieldsAt = 8 + 22;
        // NAMESPACE, SET, then the DIGEST field.
        let off = fieldsAt;
        off += 4 + request.readUInt32BE(off);
        off += 4 + request.readUInt32BE(off);
        const digest = request.subarray(off + 5, off + 25);
        const ttl = request.readUInt32BE(8 + 10);
        const policy: RecordWritePolicy = { exists: 'update', generation: 'none', ttl, sendKey: true };
        const built = buildWriteRequest(asRestored(digest), policy, { timeoutMs: 10000 });
        expect(built.toString('hex')).toBe(request.toString('hex'));
        const reply = parseWriteReply(Buffer.from(conv.messages[m + 1].hex, 'hex'));
        expect(reply.resultCode).toBe(0);
        expect(reply.generation).toBeGreaterThan(0);
      }
    }
    expect(requests).toBe(163);
  });
});

const nodeClient: Conversation[] = JSON.parse(
  readFileSync(new URL('node-client-wire.json', wireDir), 'utf8'),
);

describe('official Node client writes', () => {
  const messages = nodeClient.flatMap((c) => c.messages);
  const requests = messages.filter(
    (m) => m.dir === 'c2s' && m.hex.startsWith('0203') && m.hex.slice(18, 20) === '08',
  );

  it('rebuilds the digest-only batch writes (plain and create-only) from their own rows', () => {
    const seen: number[] = [];
    for (const msg of requests) {
      const request = Buffer.from(msg.hex, 'hex');
      const count = request.readUInt32BE(35);
      const records: WriteRecord[] = [];
      let info2 = 0;
      let off = 40;
      for (let i = 0; i < count; i++) {
        const digest = request.subarray(off + 4, off + 24);
        info2 = request[off + 26];
        const nOps = request.readUInt16BE(off + 36);
        off += 38;
        off += 4 + request.readUInt32BE(off); // NAMESPACE "bar"
        const set = request.subarray(off + 5, off + 4 + request.readUInt32BE(off)).toString();
        off += 4 + request.readUInt32BE(off);
        const bins: Bin[] = [];
        off = readBins(request, off, nOps, bins);
        records.push({ namespace: 'bar', digest, set, key: undefined, generation: 0, bins });
      }
      const exists = info2 === 0xa1 ? 'create-only' : 'update';
      const policy: RecordWritePolicy = { exists, generation: 'none', ttl: 0, sendKey: false };
      expect(buildBatchWriteRequest(records, policy, { timeoutMs: 1000 }).toString('hex')).toBe(msg.hex);
      seen.push(info2);
    }
    expect(seen).toEqual([0x81, 0xa1]);
  });

  it('rebuilds the generation-EQ put and reads its GENERATION_ERROR reply', () => {
    const index = messages.findIndex(
      (m) => m.dir === 'c2s' && m.hex.startsWith('02030000000000531600050000'),
    );
    const request = Buffer.from(messages[index].hex, 'hex');
    const digest = request.subarray(8 + 22 + 9 + 10 + 5, 8 + 22 + 9 + 10 + 25);
    const bins: Bin[] = [];
    readBins(request, 8 + 22 + 9 + 10 + 25, 1, bins);
    const record: WriteRecord = {
      namespace: 'test',
      digest,
      set: 'types',
      key: undefined,
      generation: 1,
      bins,
    };
    const policy: RecordWritePolicy = { exists: 'update', generation: 'eq', ttl: 0, sendKey: false };
    expect(buildWriteRequest(record, policy, { timeoutMs: 1000 }).toString('hex')).toBe(messages[index].hex);
    const reply = parseWriteReply(Buffer.from(messages[index + 1].hex, 'hex'));
    expect(reply).toEqual({ resultCode: 3, generation: 5, voidTime: 0 });
  });

  it('counts the five KEY_EXISTS rows of the create-only batch', () => {
    const index = messages.findIndex((m) => m.hex === requests[1].hex);
    const codes: number[] = [];
    const decoder = new BatchReplyDecoder((i, rc) => {
      codes[i] = rc;
    });
    expect(decoder.feedProtos(Buffer.from(messages[index + 1].hex, 'hex'))).toBe(true);
    expect(codes.filter((c) => c === 5)).toHaveLength(5);
    expect(codes.filter((c) => c === 0)).toHaveLength(5);
  });
});

describe('records decoded from the official backup file', () => {
  it('rebuild the restore-to-bar-batch requests byte for byte', async () => {
    const file = new URL(
      '../../../../../shared/fixtures/official-backups/full/test_00000.asb',
      import.meta.url,
    );
    const fromFile = new Map<string, AsbRecord>();
    for await (const entry of decodeAsb(createReadStream(file))) {
      if (entry.kind === 'record') fromFile.set(entry.digest.toString('hex'), { ...entry, namespace: 'bar' });
    }
    expect(fromFile.size).toBe(163);
    const conv = official.filter((c) => c.phase === 'restore-to-bar-batch');
    const requests = conv
      .flatMap((c) => c.messages)
      .filter((m) => m.dir === 'c2s' && m.hex.slice(2, 4) === '03');
    expect(requests).toHaveLength(2);
    for (const msg of requests) {
      const request = Buffer.from(msg.hex, 'hex');
      const rows = batchRows(request);
      const records = rows.map((r) => fromFile.get(r.digest.toString('hex'))!);
      const policies = rows.map((r, i) => ({
        exists: 'update' as const,
        generation: 'gt' as const,
        ttl: r.ttl,
        sendKey: records[i].key !== undefined,
      }));
      expect(buildBatchWriteRequest(records, policies, { timeoutMs: 10000 }).equals(request)).toBe(true);
    }
  });
});
