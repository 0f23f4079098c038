import * as fs from 'node:fs';
import { createReadStream, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  type AsbDecodeOptions,
  AsbDecoder,
  AsbEncoder,
  type AsbEntry,
  type AsbRecord,
  type Bin,
  CITRUSLEAF_EPOCH,
  ParticleType,
} from '@asbkit/asb-format';
import { arbRecord, collectAsb, FIXTURES_DIR, splitAt } from '@asbkit/asb-format/test';
import { BatchRowEncoder, buildBatchWriteRequest, type RecordWritePolicy } from '@asbkit/cluster-client';
import { requestOfRows } from '@asbkit/cluster-client/test';
import { EXPIRED, RestoreWritePolicy, restoreTtl } from '@asbkit/write-policy';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  encodeFileInWorker,
  type FromWorker,
  RecordRowEncoder,
  type RowEncoderConfig,
  type RowOutput,
} from './rows.js';
import {
  type FileScan,
  SPLIT_MIN_BYTES,
  scanFile,
  scanFileSplit,
  scanTailSync,
  type TailScanner,
} from './scan.js';

const dir = mkdtempSync(join(tmpdir(), 'asrestore-rows-'));

function record(i: number, text: Buffer): AsbRecord {
  const digest = Buffer.alloc(20);
  digest.writeUInt32LE((i * 2654435761) >>> 0, 0);
  digest.writeUInt32LE(i, 4);
  return {
    kind: 'record',
    namespace: 'test',
    digest,
    set: i % 3 === 0 ? undefined : 'demo',
    key: i % 2 === 0 ? { type: ParticleType.INTEGER, value: i } : undefined,
    generation: 1 + (i % 4),
    voidTime: 0,
    bins: [
      { name: 'id', type: ParticleType.INTEGER, value: i },
      { name: 'text', type: ParticleType.STRING, value: text },
      { name: 'score', type: ParticleType.FLOAT, value: i / 7 },
    ],
  };
}

/** A plain .asb file of at least `bytes` bytes; `text` is every record's string value. */
function writeFile(name: string, bytes: number, text = Buffer.from('x'.repeat(120))): string {
  const enc = new AsbEncoder({ compact: true });
  enc.writeHeader({ namespace: 'test', firstFile: true });
  enc.writeSecondaryIndex({
    kind: 'sindex',
    namespace: 'test',
    set: 'demo',
    name: 'idx1',
    indexType: 'N',
    paths: [{ path: 'id', type: 'N' }],
  });
  const parts: Buffer[] = [];
  let size = 0;
  for (let i = 0; size < bytes; i++) {
    enc.writeRecord(record(i, text));
    if (i === 5000)
      enc.writeUdf({ kind: 'udf', language: 'L', name: 'm.lua', content: Buffer.from('return 1\n') });
    if (enc.length > 1 << 16) {
      const c = enc.takeChunk();
      parts.push(Buffer.from(c));
      size += c.length;
    }
  }
  parts.push(Buffer.from(enc.takeChunk()));
  const path = join(dir, name);
  writeFileSync(path, Buffer.concat(parts));
  return path;
}

/** The worker's job, in this thread. */
const inThread: TailScanner = (path, start, version, opts) => {
  const stop = new Int32Array(new SharedArrayBuffer(4));
  let result: Promise<Awaited<ReturnType<TailScanner>['result']>> | undefined;
  return {
    get result() {
      result ??= Promise.resolve().then(() => scanTailSync(path, start, version, opts, stop));
      return result;
    },
    stop: () => Atomics.store(stop, 0, 1),
  };
};

async function serial(path: string, opts: AsbDecodeOptions): Promise<FileScan | Error> {
  try {
    return await scanFile(createReadStream(path), opts);
  } catch (err) {
    return err as Error;
  }
}

async function split(
  path: string,
  size: number,
  opts: AsbDecodeOptions,
): Promise<FileScan | Error | undefined> {
  try {
    return await scanFileSplit(path, size, opts, inThread);
  } catch (err) {
    return err as Error;
  }
}

describe('checking a big file in two halves', () => {
  it('finds what one pass finds, records, indexes and UDFs included', async () => {
    const path = writeFile('big.asb', SPLIT_MIN_BYTES + 1000);
    const size = fs.statSync(path).size;
    const opts = { fileName: path };
    const one = (await serial(path, opts)) as FileScan;
    expect(one.records).toBeGreaterThan(30000);
    expect(await split(path, size, opts)).toEqual(one);
    // small files are left to the usual pass
    expect(await split(path, SPLIT_MIN_BYTES - 1, opts)).toBeUndefined();
  });

  it('reports the error one pass reports, with absolute line numbers, in either half', async () => {
    const path = writeFile('bad.asb', SPLIT_MIN_BYTES + 1000);
    const data = fs.readFileSync(path);
    for (const where of [0.25, 0.5, 0.75, 0.999]) {
      const bad = Buffer.from(data);
      const at = bad.indexOf('- I id ', Math.floor(bad.length * where)) + 7;
      bad[at] = 0x41; // 'A' where a digit belongs
      const p = join(dir, `bad-${where}.asb`);
      fs.writeFileSync(p, bad);
      const expected = await serial(p, { fileName: p });
      expect(expected).toBeInstanceOf(Error);
      const got = await split(p, bad.length, { fileName: p });
      expect(got).toBeInstanceOf(Error);
      expect((got as Error).message).toBe((expected as Error).message);
    }
  });

  it('falls back to one pass when the guessed split point is inside a value', async () => {
    // every string value looks like the start of a record
    const text = Buffer.from('\n+ k I 7\n+ n test\n'.repeat(6));
    const path = writeFile('tricky.asb', SPLIT_MIN_BYTES + 1000, text);
    const size = fs.statSync(path).size;
    const one = (await serial(path, { fileName: path })) as FileScan;
    expect(await split(path, size, { fileName: path })).toEqual(one);
  });
});

describe('the worker reading a file itself', () => {
  it('produces the rows of one in-thread pass, and stops when told to', () => {
    const path = writeFile('enc.asb', 3 << 20);
    const config = { decode: { fileName: path }, policy: {} };
    const whole = new RecordRowEncoder(config).push(fs.readFileSync(path), 1e9, true);
    const control = new Int32Array(new SharedArrayBuffer(12));
    const outputs: RowOutput[] = [];
    encodeFileInWorker(
      { type: 'file', id: 1, config, path, control: control.buffer as SharedArrayBuffer, clockSkewMs: 0 },
      (m: FromWorker) => {
        if (m.type !== 'output') throw new Error(JSON.stringify(m));
        outputs.push(m.output);
        Atomics.add(control, 0, 1); // consumed at once
      },
    );
    expect(outputs.at(-1)?.last).toBe(true);
    const rows = (o: RowOutput[]) =>
      Buffer.concat(
        o.flatMap((x) => x.blocks.map((b) => Buffer.from(b.bytes.subarray(0, b.offsets[b.count])))),
      );
    expect(rows(outputs).equals(rows([whole]))).toBe(true);
    expect(outputs.reduce((n, o) => n + o.recordsRead, 0)).toBe(whole.recordsRead);
    expect(outputs.reduce((n, o) => n + o.bytes, 0)).toBe(fs.statSync(path).size);

    Atomics.store(control, 1, 1);
    const after: FromWorker[] = [];
    encodeFileInWorker(
      { type: 'file', id: 2, config, path, control: control.buffer as SharedArrayBuffer, clockSkewMs: 0 },
      (m) => after.push(m),
    );
    expect(after).toEqual([]);
  });

  it('sends parse errors as messages', () => {
    const path = join(dir, 'broken.asb');
    writeFileSync(path, 'Version 3.1\n+ n test\n+ d bad\n');
    const control = new Int32Array(new SharedArrayBuffer(12));
    const got: FromWorker[] = [];
    encodeFileInWorker(
      {
        type: 'file',
        id: 3,
        config: { decode: { fileName: path }, policy: {} },
        path,
        control: control.buffer as SharedArrayBuffer,
        clockSkewMs: 0,
      },
      (m) => got.push(m),
    );
    expect(got).toHaveLength(1);
    expect(got[0]).toMatchObject({ type: 'error', id: 3, error: { name: 'AsbParseError', line: 3 } });
  });
});

// ------------------------------------------------------------------ rows straight from the decoder

/**
 * RecordRowEncoder.push as it was before rows were written straight from the decoder: AsbRecords
 * from the default decoder, the same per-record decisions, then BatchRowEncoder.add. Also keeps
 * each push's records and policies, for buildBatchWriteRequest.
 */
class RecordThenRowEncoder {
  private readonly decoder: AsbDecoder;
  // RecordRowEncoder's block size and row count
  private readonly rows = new BatchRowEncoder((1 << 20) + (1 << 18), 8192);
  private readonly setList: Set<string> | undefined;
  private readonly policy: RestoreWritePolicy;
  written: { records: AsbRecord[]; policies: RecordWritePolicy[] }[] = [];

  constructor(config: RowEncoderConfig) {
    this.decoder = new AsbDecoder(config.decode);
    this.setList = config.setList ? new Set(config.setList) : undefined;
    this.policy = new RestoreWritePolicy(config.policy);
  }

  push(chunk: Uint8Array | undefined, nowSec: number, last: boolean): RowOutput {
    const dec = this.decoder;
    if (chunk) dec.push(chunk);
    if (last) dec.end();
    let recordsRead = 0;
    let expired = 0;
    let skipped = 0;
    const written = { records: [] as AsbRecord[], policies: [] as RecordWritePolicy[] };
    this.written.push(written);
    for (let e = dec.next(); e !== undefined; e = dec.next()) {
      if (e.kind !== 'record') continue;
      recordsRead++;
      const ttl = restoreTtl(e.voidTime, this.policy.extraTtl, nowSec);
      if (ttl === EXPIRED) {
        expired++;
        continue;
      }
      if (e.bins.length === 0 || (this.setList && !this.setList.has(e.set ?? ''))) {
        skipped++;
        continue;
      }
      const policy: RecordWritePolicy = {
        exists: this.policy.exists,
        generation: this.policy.generation,
        ttl,
        sendKey: e.key !== undefined,
      };
      this.rows.add(e, policy);
      written.records.push(e);
      written.policies.push(policy);
    }
    const bytes = chunk ? chunk.length : 0;
    return { blocks: this.rows.take(), bytes, last, recordsRead, expired, skipped };
  }
}

type Outcome = { outputs: RowOutput[] } | { error: { name: string; message: string } };

/** Feeds `chunks` (then, with `trailingEnd`, an empty last slice) and gathers what came out. */
function feed(
  enc: Pick<RecordRowEncoder, 'push'>,
  chunks: Buffer[],
  nowSec: number,
  trailingEnd: boolean,
): Outcome {
  const outputs: RowOutput[] = [];
  try {
    chunks.forEach((c, i) => {
      outputs.push(enc.push(c, nowSec, !trailingEnd && i === chunks.length - 1));
    });
    if (trailingEnd) outputs.push(enc.push(undefined, nowSec, true));
  } catch (err) {
    const e = err as Error;
    return { error: { name: e.name, message: e.message } };
  }
  return { outputs };
}

/** The outcome with typed arrays as text, for a quick toEqual. */
function plain(o: Outcome): unknown {
  if ('error' in o) return o;
  return o.outputs.map((out) => ({
    ...out,
    blocks: out.blocks.map((b) => ({
      namespace: b.namespace,
      count: b.count,
      offsets: b.offsets.join(),
      partitionIds: b.partitionIds.join(),
      bytes: Buffer.from(b.bytes).toString('hex'),
    })),
  }));
}

/**
 * The new path gives the old one's outputs (or error), and every push's rows are the rows
 * buildBatchWriteRequest writes for the records the old path kept.
 */
function expectSameRows(data: Buffer, cuts: number[], config: RowEncoderConfig, nowSec: number): void {
  const trailingEnd = cuts.length % 2 === 1;
  const chunks = splitAt(data, cuts);
  const reference = new RecordThenRowEncoder(config);
  const expected = feed(reference, chunks, nowSec, trailingEnd);
  const got = feed(new RecordRowEncoder(config), chunks, nowSec, trailingEnd);
  expect(plain(got)).toEqual(plain(expected));
  if (!('outputs' in got)) return;
  got.outputs.forEach((o, i) => {
    const { records, policies } = reference.written[i]!;
    const request = requestOfRows(o.blocks);
    if (records.length === 0) expect(request).toBeUndefined();
    else expect(request?.equals(buildBatchWriteRequest(records, policies))).toBe(true);
  });
}

/** Every plain `.asb` file under shared/fixtures. */
function plainFixtures(): string[] {
  const root = fileURLToPath(FIXTURES_DIR);
  const found: string[] = [];
  const walk = (d: string) => {
    for (const e of fs.readdirSync(d, { withFileTypes: true })) {
      const p = join(d, e.name);
      if (e.isDirectory()) walk(p);
      else if (e.name.endsWith('.asb') && fs.readFileSync(p).subarray(0, 8).toString() === 'Version ')
        found.push(p);
    }
  };
  walk(root);
  return found.sort();
}

const POLICIES: RowEncoderConfig['policy'][] = [
  {},
  { unique: true },
  { replace: true },
  { noGeneration: true },
  { replace: true, noGeneration: true },
  { extraTtl: 100_000 },
];

/** Cuts at pseudo-random places (a fixed LCG, so failures repeat). */
function someCuts(length: number, n: number, seed: number): number[] {
  const cuts: number[] = [];
  let x = seed;
  for (let i = 0; i < n; i++) {
    x = (x * 1103515245 + 12345) % 2 ** 31;
    cuts.push(x % (length + 1));
  }
  return cuts;
}

describe('rows straight from the decoder', () => {
  const fixtures = plainFixtures();

  it('finds the plain fixtures', () => {
    expect(fixtures.length).toBeGreaterThanOrEqual(12);
  });

  it('match the old path on every plain fixture, with every option', async () => {
    for (const path of fixtures) {
      const data = fs.readFileSync(path);
      const entries = await collectAsb([data]).catch((): AsbEntry[] => []);
      const records = entries.filter((e): e is AsbRecord => e.kind === 'record');
      const header = entries.find((e) => e.kind === 'header');
      const binNames = [...new Set(records.flatMap((r) => r.bins.map((b) => b.name)))];
      const sets = [...new Set(records.map((r) => r.set ?? ''))];
      const voidTimes = records.map((r) => r.voidTime).filter((t) => t !== 0);
      voidTimes.sort((a, b) => a - b);
      // half of the expiring records expired
      const midNow = CITRUSLEAF_EPOCH + (voidTimes[voidTimes.length >> 1] ?? 0);
      const configs: { config: RowEncoderConfig; nowSec: number }[] = POLICIES.map((policy, i) => ({
        config: { decode: { fileName: path }, policy },
        nowSec: i % 2 === 0 ? 1.7e9 : midNow,
      }));
      const ns = header?.kind === 'header' ? header.namespace : undefined;
      configs.push(
        {
          config: {
            decode: { fileName: path, nsRemap: { from: ns ?? 'test', to: 'elsewhere' } },
            policy: {},
          },
          nowSec: midNow,
        },
        { config: { decode: { nsRemap: { from: ns ?? 'test' } }, policy: { unique: true } }, nowSec: 0 },
        {
          config: { decode: { binList: binNames.filter((_, i) => i % 2 === 0) }, policy: {} },
          nowSec: midNow,
        },
        { config: { decode: { binList: ['no-such-bin'] }, policy: {} }, nowSec: 0 },
        {
          config: { decode: {}, setList: sets.filter((_, i) => i % 2 === 1), policy: { extraTtl: 5 } },
          nowSec: midNow,
        },
      );
      for (const [n, { config, nowSec }] of configs.entries()) {
        expectSameRows(data, [], config, nowSec);
        expectSameRows(data, someCuts(data.length, 1 + (n % 40), n + 1), config, nowSec);
      }
      // every cut point of a small file
      if (data.length <= 600) {
        for (let cut = 0; cut <= data.length; cut++) expectSameRows(data, [cut], configs[0]!.config, 1.7e9);
      }
    }
  });

  it('match the old path on generated records, options and chunk boundaries', () => {
    const config = fc.record({
      compact: fc.boolean(),
      oneNamespace: fc.boolean(),
      remap: fc.constantFrom(undefined, 'to', 'same'),
      binPicks: fc.option(fc.array(fc.boolean(), { maxLength: 30 }), { nil: undefined }),
      setPicks: fc.option(fc.array(fc.boolean(), { maxLength: 30 }), { nil: undefined }),
      policy: fc.constantFrom(...POLICIES),
      nowSec: fc.oneof(
        fc.constant(0),
        fc.integer({ min: CITRUSLEAF_EPOCH, max: CITRUSLEAF_EPOCH + 2 ** 32 }),
      ),
      cuts: fc.array(fc.nat(), { maxLength: 12 }),
    });
    fc.assert(
      fc.property(
        fc.array(arbRecord({ maxBins: 5, maxValueBytes: 48 }), { maxLength: 25 }),
        config,
        (recs, c) => {
          const records = c.oneNamespace ? recs.map((r) => ({ ...r, namespace: 'ns1' })) : recs;
          const data = encodeRecords(records, c.compact);
          const names = [...new Set(records.flatMap((r) => r.bins.map((b) => b.name)))];
          const sets = [...new Set(records.map((r) => r.set ?? ''))];
          const decode: AsbDecodeOptions = { fileName: 'gen.asb' };
          if (c.remap !== undefined)
            decode.nsRemap = { from: 'ns1', to: c.remap === 'to' ? 'ns2' : undefined };
          if (c.binPicks) decode.binList = names.filter((_, i) => c.binPicks![i]);
          const setList = c.setPicks ? sets.filter((_, i) => c.setPicks![i]) : undefined;
          expectSameRows(
            data,
            c.cuts.map((x) => x % (data.length + 1)),
            { decode, setList, policy: c.policy },
            c.nowSec,
          );
        },
      ),
      { numRuns: 300 },
    );
  });

  it('report the old path errors on damaged input, at the same line and column', () => {
    const damage = fc.record({
      at: fc.nat(),
      byte: fc.constantFrom(0x0a, 0x20, 0x5c, 0x2b, 0x2d, 0x3d, 0x41, 0x30, 0x39, 0x21, 0xff),
      how: fc.constantFrom('replace', 'insert', 'delete'),
      cut: fc.nat(),
    });
    fc.assert(
      fc.property(
        fc.array(arbRecord({ maxBins: 4, maxValueBytes: 24 }), { minLength: 1, maxLength: 6 }),
        fc.boolean(),
        damage,
        (records, compact, d) => {
          const good = encodeRecords(records, compact);
          const at = d.at % good.length;
          const bad =
            d.how === 'replace'
              ? Buffer.concat([good.subarray(0, at), Buffer.of(d.byte), good.subarray(at + 1)])
              : d.how === 'insert'
                ? Buffer.concat([good.subarray(0, at), Buffer.of(d.byte), good.subarray(at)])
                : Buffer.concat([good.subarray(0, at), good.subarray(at + 1)]);
          const config = { decode: { fileName: 'bad.asb' }, policy: {} };
          expectSameRows(bad, [d.cut % (bad.length + 1)], config, 0);
          const err = feed(new RecordRowEncoder(config), [bad], 0, false);
          if ('error' in err && err.error.name === 'AsbParseError')
            expect(err.error.message).toMatch(/bad\.asb, line \d+, col \d+/);
        },
      ),
      { numRuns: 500 },
    );
  });

  it('throw the old WireEncodeError for a long bin name once the record parsed, unless it is not written', () => {
    const long = 'n'.repeat(300);
    const rec = (i: number, bins: Bin[], voidTime = 0): AsbRecord => ({
      ...record(i, Buffer.from('t')),
      voidTime,
      bins,
    });
    const ok: Bin = { name: 'ok', type: ParticleType.INTEGER, value: 1 };
    const longBin: Bin = { name: long, type: ParticleType.STRING, value: Buffer.from('v') };
    const data = encodeRecords([rec(1, [ok]), rec(2, [ok, longBin, ok])], false);
    const config = { decode: {}, policy: {} };
    expectSameRows(data, [], config, 0);
    const got = feed(new RecordRowEncoder(config), [data], 0, false);
    expect(got).toEqual({
      error: { name: 'WireEncodeError', message: `bin name "${long}" is longer than 255 bytes` },
    });
    // not in the bin list, or expired: nothing to encode
    expectSameRows(data, [], { decode: { binList: ['ok'] }, policy: {} }, 0);
    const expiring = encodeRecords([rec(1, [ok]), rec(2, [longBin], 10)], false);
    expect(feed(new RecordRowEncoder(config), [expiring], CITRUSLEAF_EPOCH + 20, false)).toMatchObject({
      outputs: [{ recordsRead: 2, expired: 1 }],
    });
    // a parse error later in the same record comes first
    const text = data.toString('latin1');
    const broken = Buffer.from(text.replace(/- I ok 1\n$/, '- I ok x\n'), 'latin1');
    expect(broken.equals(data)).toBe(false);
    expectSameRows(broken, [], config, 0);
    expect(feed(new RecordRowEncoder(config), [broken], 0, false)).toMatchObject({
      error: { name: 'AsbParseError' },
    });
  });

  it('count records without bins left as skipped and write no row for them', () => {
    const empty = encodeRecords(
      [{ ...record(1, Buffer.from('t')), bins: [] }, record(2, Buffer.from('t'))],
      true,
    );
    const out = new RecordRowEncoder({ decode: {}, policy: {} }).push(empty, 0, true);
    expect(out).toMatchObject({ recordsRead: 2, skipped: 1, expired: 0 });
    expect(out.blocks.reduce((n, b) => n + b.count, 0)).toBe(1);
    expectSameRows(empty, [], { decode: {}, policy: {} }, 0);
  });
});

function encodeRecords(records: AsbRecord[], compact: boolean): Buffer {
  const enc = new AsbEncoder({ compact });
  enc.writeHeader({ namespace: 'ns1', firstFile: true });
  for (const r of records) enc.writeRecord(r);
  return Buffer.from(enc.takeChunk());
}
