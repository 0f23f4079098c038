import { Readable } from 'node:stream';
import { AsbEncoder } from '@asbkit/asb-format';
import { encodeRecordReply, replyMemory } from '@asbkit/cluster-client';
import { makeRecords } from '@asbkit/cluster-client/test';
import { ZstdDecompressor } from '@asbkit/crypto-stream';
import { describe, expect, it } from 'vitest';
import {
  BodyTranscoder,
  type FromTranscodeWorker,
  SlabPool,
  serveTranscodes,
  type ToTranscodeWorker,
} from './body-transcoder.js';
import { TranscodePool } from './transcode.js';

const records = makeRecords(500, 'test', 'demo', 300);
/** A reply body as the connection hands it out (memory of its own). */
function replyBody(from: number, to: number): Buffer {
  const bytes = Buffer.concat(records.slice(from, to).map((r) => encodeRecordReply(r)));
  const body = replyMemory.take(bytes.length);
  bytes.copy(body);
  return body;
}
function expectedText(from: number, to: number, compact = false): string {
  const enc = new AsbEncoder({ compact });
  for (const r of records.slice(from, to)) enc.writeRecord(r);
  return enc.takeChunk().toString('latin1');
}

describe('BodyTranscoder', () => {
  it('encodes a body into a chunk of its own memory, with the last digest per partition', () => {
    const t = new BodyTranscoder(false, new SlabPool());
    const body = replyBody(0, 500);
    const out = t.run(body);
    expect(out.records).toBe(500);
    expect(out.chunk.toString('latin1')).toBe(expectedText(0, 500));
    // ~150 KiB of text: the whole slab leaves with it
    expect(out.chunk.byteOffset).toBe(0);
    const last = new Map<number, string>();
    for (const r of records) last.set((r.digest[0]! | (r.digest[1]! << 8)) & 0xfff, r.digest.toString('hex'));
    const got = new Map<number, string>();
    for (let d = 0; d < out.digests.length; d += 20) {
      const digest = out.digests.subarray(d, d + 20);
      got.set((digest[0]! | (digest[1]! << 8)) & 0xfff, digest.toString('hex'));
    }
    expect(got).toEqual(last);
  });

  it('copies small chunks out and keeps encoding into the same slab', () => {
    const t = new BodyTranscoder(true, new SlabPool());
    const a = t.run(replyBody(0, 3));
    const b = t.run(replyBody(3, 6));
    expect(a.chunk.toString('latin1') + b.chunk.toString('latin1')).toBe(expectedText(0, 6, true));
    expect([a.chunk.buffer.byteLength, b.chunk.buffer.byteLength]).toEqual([a.chunk.length, b.chunk.length]);
  });

  it('encodes into the memory of chunks handed back', () => {
    const slabs = new SlabPool();
    const t = new BodyTranscoder(false, slabs);
    const first = t.run(replyBody(0, 500));
    const text = first.chunk.toString('latin1');
    slabs.give(first.chunk.buffer as ArrayBuffer);
    t.run(replyBody(0, 500)); // fills the slab taken before `first` was handed back
    const third = t.run(replyBody(0, 500));
    expect(third.chunk.buffer).toBe(first.chunk.buffer);
    expect(third.chunk.toString('latin1')).toBe(text);
  });
});

describe('serveTranscodes (the worker side)', () => {
  it('answers each body, hands the body memory back, and a bad body leaves nothing behind', () => {
    const posted: { m: FromTranscodeWorker; transfer: ArrayBuffer[] }[] = [];
    const serve = serveTranscodes((m, transfer) => posted.push({ m, transfer }));
    const send = (m: ToTranscodeWorker) => serve(m);
    const body = replyBody(0, 10);
    send({ type: 'body', id: 1, body, compact: false });
    // good records, then a generation the .asb format cannot hold
    const bad = Buffer.concat([replyBody(10, 12), encodeRecordReply({ ...records[12]!, generation: 70000 })]);
    send({ type: 'body', id: 2, body: bad, compact: false });
    send({ type: 'body', id: 3, body: replyBody(13, 15), compact: false });
    send({ type: 'body', id: 4, body: replyBody(13, 15), compact: true });
    expect(posted.map((p) => [p.m.type, 'id' in p.m ? p.m.id : undefined])).toEqual([
      ['done', 1],
      ['error', 2],
      ['done', 3],
      ['done', 4],
    ]);
    const [first, failed, third, compact] = posted.map((p) => p.m);
    if (first?.type !== 'done' || third?.type !== 'done' || compact?.type !== 'done')
      throw new Error('unreachable');
    expect(Buffer.from(compact.chunk).toString('latin1')).toBe(expectedText(13, 15, true));
    expect(Buffer.from(first.chunk).toString('latin1')).toBe(expectedText(0, 10));
    expect(posted[0]!.transfer).toContain(first.memory);
    expect(first.memory).toBe(body.buffer);
    expect(failed).toMatchObject({ error: { message: expect.stringMatching(/generation 70000/) } });
    // the records of the failed body before the bad one are not in the next chunk
    expect(Buffer.from(third.chunk).toString('latin1')).toBe(expectedText(13, 15));
  });

  it('with a zstd level, hands the body back at once and answers with one zstd frame', async () => {
    const posted: FromTranscodeWorker[] = [];
    let answered: () => void = () => {};
    const done = new Promise<void>((resolve) => {
      answered = resolve;
    });
    const serve = serveTranscodes((m) => {
      posted.push(m);
      if (m.type !== 'memory') answered();
    });
    const body = replyBody(0, 200);
    serve({ type: 'body', id: 7, body, compact: false, zstdLevel: 5 });
    expect(posted).toEqual([{ type: 'memory', memory: body.buffer }]);
    await done;
    const answer = posted[1];
    if (answer?.type !== 'done') throw new Error(`expected done, got ${answer?.type}`);
    const text = expectedText(0, 200);
    expect(answer).toMatchObject({ id: 7, compressed: true, plainBytes: text.length, records: 200 });
    expect(answer.memory).toBeUndefined();
    const frame = Buffer.from(answer.chunk);
    expect(frame.length).toBeLessThan(text.length / 2);
    const back: Buffer[] = [];
    for await (const c of Readable.from([frame]).pipe(new ZstdDecompressor())) back.push(c as Buffer);
    expect(Buffer.concat(back).toString('latin1')).toBe(text);
  });
});

describe('TranscodePool in this thread', () => {
  it('gives results in order and never holds bodies back', async () => {
    const pool = TranscodePool.create({ ASBACKUP_WORKERS: '0' }, false, 4);
    expect(pool.reserve()).toBeUndefined();
    const parts = await Promise.all([pool.transcode(replyBody(0, 100)), pool.transcode(replyBody(100, 500))]);
    expect(parts.map((p) => p.chunk.toString('latin1')).join('')).toBe(expectedText(0, 500));
    // a whole slab can be handed back once written; a small copied chunk cannot
    expect(parts.map((p) => p.release !== undefined)).toEqual([false, true]);
    await pool.close();
  });
});
