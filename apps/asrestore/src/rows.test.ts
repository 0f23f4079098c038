import * as fs from 'node:fs';
import { createReadStream, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type AsbDecodeOptions, AsbEncoder, type AsbRecord, ParticleType } from '@asbkit/asb-format';
import { describe, expect, it } from 'vitest';
import { encodeFileInWorker, type FromWorker, RecordRowEncoder, type RowOutput } from './rows.js';
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
