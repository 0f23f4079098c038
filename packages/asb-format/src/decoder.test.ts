import { readFileSync } from 'node:fs';
import { Readable } from 'node:stream';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  AsbDecoder,
  AsbParseError,
  type AsbRecord,
  decodeAsb,
  decodeAsbBatches,
  ParticleType,
  validateAsb,
} from './index.js';
import { chunksOf, collectAsb, fixtureUrl, OFFICIAL_BACKUPS, splitAt } from './test/index.js';

const read = (rel: string) => readFileSync(fixtureUrl(rel));

async function parseError(text: string | Buffer, opts = {}): Promise<AsbParseError> {
  const data = typeof text === 'string' ? Buffer.from(text, 'latin1') : text;
  try {
    await collectAsb([data], { fileName: 'x.asb', ...opts });
  } catch (e) {
    if (e instanceof AsbParseError) return e;
    throw e;
  }
  throw new Error('expected a parse error');
}

const HEAD = 'Version 3.1\n# namespace test\n';
const REC = '+ n test\n+ d 7JEZLUt/jONdXXjTS8ply6qqyWA=\n+ g 1\n+ t 0\n+ b 1\n';

describe('decodeAsb on the fixtures', () => {
  it('reads the official test_backup_file.asb', async () => {
    const entries = await collectAsb([read('test_backup_file.asb')]);
    expect(entries).toEqual([
      { kind: 'header', version: '3.1', namespace: 'test', firstFile: true },
      {
        kind: 'record',
        namespace: 'test',
        digest: Buffer.from('7JEZLUt/jONdXXjTS8ply6qqyWA=', 'base64'),
        set: 'demo',
        key: { type: ParticleType.STRING, value: Buffer.from('key1') },
        generation: 1,
        voidTime: 428179113,
        bins: [
          { name: 'foo', type: ParticleType.INTEGER, value: 123 },
          { name: 'bar', type: ParticleType.STRING, value: Buffer.from('abc') },
          { name: 'baz', type: ParticleType.BOOL, value: true },
        ],
      },
    ]);
  });

  it('rejects test_bad_backup_file.asb at the bad type letter (line 13, col 3)', async () => {
    const e = await parseError(read('test_bad_backup_file.asb'), { fileName: 'test_bad_backup_file.asb' });
    expect(e.line).toBe(13);
    expect(e.column).toBe(3);
    expect(e.file).toBe('test_bad_backup_file.asb');
    expect(e.message).toBe('Invalid bytes label "x" (file test_bad_backup_file.asb, line 13, col 3)');
    await expect(validateAsb([read('test_bad_backup_file.asb')])).rejects.toMatchObject({
      line: 13,
      column: 3,
    });
  });

  it('reads every entity of the spec example (generated/example_plain.asb)', async () => {
    const [header, i1, i2, i3, udf, r1, r2, ...rest] = await collectAsb([
      read('generated/example_plain.asb'),
    ]);
    expect(rest).toEqual([]);
    expect(header).toEqual({ kind: 'header', version: '3.1', namespace: 'test', firstFile: true });
    expect(i1).toEqual({
      kind: 'sindex',
      namespace: 'test',
      set: 'demo',
      name: 'idx_age',
      indexType: 'N',
      paths: [{ path: 'age', type: 'N' }],
    });
    expect(i2).toMatchObject({
      set: '',
      name: 'idx tags',
      indexType: 'L',
      paths: [{ path: 'tags', type: 'S' }],
    });
    expect(i3).toMatchObject({ name: 'idx_ctx', context: 'lhABI8zIIqMDaWQ=' });
    expect(udf).toEqual({
      kind: 'udf',
      language: 'L',
      name: 'example.lua',
      content: Buffer.from('-- example\nreturn 1\n'),
    });
    const rec = r1 as AsbRecord;
    expect(rec.key).toEqual({ type: ParticleType.INTEGER, value: 42 });
    expect(rec.set).toBe('demo');
    expect(rec.generation).toBe(3);
    expect(rec.voidTime).toBe(700000000);
    expect(rec.bins).toEqual([
      { name: 'gone', type: ParticleType.NULL, value: null },
      { name: 'flag', type: ParticleType.BOOL, value: true },
      { name: 'age', type: ParticleType.INTEGER, value: -7 },
      { name: 'ratio', type: ParticleType.FLOAT, value: 0.1 },
      { name: 'full name', type: ParticleType.STRING, value: Buffer.from('Zoë Ω\nx') },
      { name: 'raw', type: ParticleType.BLOB, value: Buffer.from([1, 2, 3]) },
      {
        name: 'items',
        type: ParticleType.LIST,
        value: Buffer.from('92 01 a2 03 61'.replace(/ /g, ''), 'hex'),
      },
      { name: 'attrs', type: ParticleType.MAP, value: Buffer.from('81a2036b07', 'hex') },
      {
        name: 'loc',
        type: ParticleType.GEOJSON,
        value: Buffer.from('{"type":"Point","coordinates":[0.0,0.0]}'),
      },
      { name: 'inf_bin', type: ParticleType.FLOAT, value: Number.POSITIVE_INFINITY },
    ]);
    expect(r2).toMatchObject({
      key: undefined,
      set: undefined,
      voidTime: 0,
      bins: [{ name: 's', type: ParticleType.STRING, value: Buffer.alloc(0) }],
    });
  });

  it('reads compact values with NUL and LF (generated/example_compact.asb)', async () => {
    const entries = await collectAsb([read('generated/example_compact.asb')]);
    const rec = entries[1] as AsbRecord;
    expect(rec.key).toEqual({ type: ParticleType.BLOB, value: Buffer.from([0x6b, 0, 0x0a, 0x79]) });
    expect(rec.bins[0]).toEqual({
      name: 'data',
      type: ParticleType.BLOB,
      value: Buffer.from([0, 0xff, 0x0a, 0x20]),
    });
    expect(rec.bins.map((b) => b.type)).toContain(ParticleType.LIST);
  });

  for (const { path } of OFFICIAL_BACKUPS) {
    it(`reads ${path}`, async () => {
      const data = read(path);
      const entries = await collectAsb(chunksOf(data, 4096), { fileName: path });
      const summary = await validateAsb(chunksOf(data, 1000));
      expect(entries[0]!.kind).toBe('header');
      expect(summary.records).toBe(entries.filter((e) => e.kind === 'record').length);
      expect(summary.bytes).toBe(data.length);
      expect(summary.lines).toBe(data.toString('latin1').split('\n').length - 1);
    });
  }

  it('sees the whole official data set in full/ (163 records, 3 sindexes, 1 UDF)', async () => {
    const s = await validateAsb(Readable.from([read('official-backups/full/test_00000.asb')]));
    expect(s).toMatchObject({
      version: '3.1',
      namespace: 'test',
      firstFile: true,
      records: 163,
      sindexes: 3,
      udfs: 1,
    });
    const entries = await collectAsb([read('official-backups/full/test_00000.asb')]);
    const byName = new Map<string, unknown>();
    for (const e of entries)
      if (e.kind === 'record') for (const b of e.bins) byName.set(`${e.set}/${b.name}`, b.value);
    expect(byName.get('types/dnan')).toBeNaN();
    expect(byName.get('types/dninf')).toBe(Number.NEGATIVE_INFINITY);
    expect(byName.get('types/dtiny')).toBe(5e-324);
    expect(entries.find((e) => e.kind === 'sindex' && e.name === 'idx types s')).toBeDefined();
    const bigInts = entries
      .flatMap((e) => (e.kind === 'record' ? e.bins : []))
      .filter((b) => typeof b.value === 'bigint');
    expect(bigInts.map((b) => b.value)).toEqual(expect.arrayContaining([-(2n ** 63n), 2n ** 63n - 1n]));
  });
});

describe('chunk boundaries', () => {
  it('gives the same entries for every two-way split and for 1-byte chunks', async () => {
    const data = read('generated/example_plain.asb');
    const whole = await collectAsb([data]);
    for (let cut = 1; cut < data.length; cut++) {
      expect(await collectAsb(splitAt(data, [cut]))).toEqual(whole);
    }
    expect(await collectAsb(chunksOf(data, 1))).toEqual(whole);
    const compact = read('generated/example_compact.asb');
    expect(await collectAsb(chunksOf(compact, 1))).toEqual(await collectAsb([compact]));
  });

  it('joins a multi-MB value cut into many chunks with linear copying', async () => {
    const blob = Buffer.alloc(3 * 1024 * 1024 + 7);
    for (let i = 0; i < blob.length; i++) blob[i] = (i * 31) & 255;
    for (const compact of [false, true]) {
      const value = compact ? blob : Buffer.from(blob.toString('base64'));
      const file = Buffer.concat([
        Buffer.from(
          `${HEAD}+ n test\n+ d 7JEZLUt/jONdXXjTS8ply6qqyWA=\n+ g 1\n+ t 0\n+ b 2\n- I a 1\n- B${compact ? '!' : ''} big ${value.length} `,
        ),
        value,
        Buffer.from(`\n${REC}- I a 2\n`),
      ]);
      const dec = new AsbDecoder();
      const out = [];
      for (const c of chunksOf(file, 1024)) {
        dec.push(c);
        for (let e = dec.next(); e; e = dec.next()) out.push(e);
      }
      dec.end();
      for (let e = dec.next(); e; e = dec.next()) out.push(e);
      expect(out).toHaveLength(3);
      expect(((out[1] as AsbRecord).bins[1]!.value as Buffer).equals(blob)).toBe(true);
      expect(dec.bytesJoined).toBeLessThan(3 * file.length);
    }
  });

  it('accepts Node readable streams and Uint8Array chunks', async () => {
    const data = read('test_backup_file.asb');
    const a = await collectAsb(Readable.from(chunksOf(data, 7)));
    const u8 = chunksOf(data, 5).map((b) => new Uint8Array(b));
    const b: unknown[] = [];
    for await (const e of decodeAsb(u8)) b.push(e);
    expect(a).toHaveLength(2);
    expect(b).toEqual(a);
  });
});

describe('decodeAsbBatches and AsbDecoder', () => {
  it('yields one batch per chunk with every entry once', async () => {
    const data = readFileSync(fixtureUrl('official-backups/par4/test_00002.asb'));
    const batches: number[] = [];
    const all = [];
    for await (const batch of decodeAsbBatches(chunksOf(data, 1500))) {
      batches.push(batch.length);
      all.push(...batch);
    }
    expect(batches.length).toBeGreaterThan(1);
    expect(all).toEqual(await collectAsb([data]));
  });

  it('reports bytes consumed and refuses push after end', () => {
    const dec = new AsbDecoder();
    const data = read('test_backup_file.asb');
    dec.push(data.subarray(0, 100));
    expect(dec.next()).toMatchObject({ kind: 'header' });
    expect(dec.bytesConsumed).toBe(42);
    expect(dec.next()).toBeUndefined();
    dec.push(data.subarray(100));
    expect(dec.next()).toMatchObject({ kind: 'record' });
    dec.end();
    expect(dec.next()).toBeUndefined();
    expect(dec.bytesConsumed).toBe(data.length);
    expect(() => dec.push(data)).toThrow(/after end/);
  });

  it('reads a UDF whose content has no trailing LF or is empty', async () => {
    const [, a, b] = await collectAsb([
      Buffer.from(`${HEAD}* u L a.lua 3 x\ny
* u L b.lua 0 
`),
    ]);
    expect(a).toEqual({ kind: 'udf', language: 'L', name: 'a.lua', content: Buffer.from('x\ny') });
    expect(b).toEqual({ kind: 'udf', language: 'L', name: 'b.lua', content: Buffer.alloc(0) });
  });
});

describe('versions and tolerant reading', () => {
  it('reads version 3.0 without unescaping and refuses * lines there', async () => {
    const f = `Version 3.0\n+ n te\\st\n+ d 7JEZLUt/jONdXXjTS8ply6qqyWA=\n+ g 1\n+ t 0\n+ b 1\n- I a\\b 1\n`;
    const [h, r] = await collectAsb([Buffer.from(f)]);
    expect(h).toMatchObject({ version: '3.0', namespace: undefined, firstFile: false });
    expect(r).toMatchObject({ namespace: 'te\\st', bins: [{ name: 'a\\b', value: 1 }] });
    const e = await parseError('Version 3.0\n* u L a.lua 1 x\n');
    expect(e).toMatchObject({ line: 2, column: 1 });
    expect(e.detail).toBe('Invalid start character "*" in block');
  });

  it('reads version 3.2 expression indexes (* e), with and without a context', async () => {
    const f =
      'Version 3.2\n# namespace test\n* e test demo idx_e N 1 bin N kwGTUQOk\n* e test  idx_f L 1 b S lhABI8zI kwGT\n';
    const [, e1, e2] = await collectAsb([Buffer.from(f)]);
    expect(e1).toEqual({
      kind: 'sindex',
      namespace: 'test',
      set: 'demo',
      name: 'idx_e',
      indexType: 'N',
      paths: [{ path: 'bin', type: 'N' }],
      expression: 'kwGTUQOk',
    });
    expect(e2).toMatchObject({ set: '', context: 'lhABI8zI', expression: 'kwGT' });
    expect((await parseError('Version 3.1\n* e test demo idx_e N 1 bin N kwGT\n')).detail).toBe(
      'Invalid global type character "e" in block',
    );
  });

  it("reads Go's float spellings and escapes of any byte", async () => {
    const f = `${HEAD}+ k D 12.5\n${REC.replace('+ b 1', '+ b 4')}- D a NaN\n- D b +Inf\n- D c -Inf\n- D d\\q 1E+3\n`;
    const [, r] = (await collectAsb([Buffer.from(f)])) as [unknown, AsbRecord];
    expect(r.key).toEqual({ type: ParticleType.FLOAT, value: 12.5 });
    expect(r.bins.map((b) => b.value)).toEqual([
      Number.NaN,
      Number.POSITIVE_INFINITY,
      Number.NEGATIVE_INFINITY,
      1000,
    ]);
    expect(r.bins[3]!.name).toBe('dq');
  });

  it('reads base64 (X) strings and keys, empty values, bool and ! on any bin type', async () => {
    const f = `${HEAD}+ k X 8 a2V5MQ==\n${REC.replace('+ b 1', '+ b 5')}- X s 4 YWJj\n- I! i -0\n- Z! z F\n- B e 0 \n- N! n\n`;
    const [, r] = (await collectAsb([Buffer.from(f)])) as [unknown, AsbRecord];
    expect(r.key).toEqual({ type: ParticleType.STRING, value: Buffer.from('key1') });
    expect(r.bins).toEqual([
      { name: 's', type: ParticleType.STRING, value: Buffer.from('abc') },
      { name: 'i', type: ParticleType.INTEGER, value: 0 },
      { name: 'z', type: ParticleType.BOOL, value: false },
      { name: 'e', type: ParticleType.BLOB, value: Buffer.alloc(0) },
      { name: 'n', type: ParticleType.NULL, value: null },
    ]);
  });

  it('reads a file with only a header, and records without a meta line', async () => {
    expect(await collectAsb([Buffer.from('Version 3.1\n')])).toEqual([
      { kind: 'header', version: '3.1', namespace: undefined, firstFile: false },
    ]);
    expect(await collectAsb([Buffer.from(`Version 3.1\n${REC}- N x\n`)])).toHaveLength(2);
  });
});

describe('restore options while parsing', () => {
  const file = `Version 3.1\n# namespace test\n* i test demo idx N 1 a N\n${REC.replace('+ b 1', '+ b 3')}- I a 1\n- I b 2\n- S c 1 x\n`;
  it('-n A: records must be in A, meta and index lines are not checked', async () => {
    const entries = await collectAsb([Buffer.from(file)], { nsRemap: { from: 'test' } });
    expect(entries[2]).toMatchObject({ namespace: 'test' });
    const e = await parseError(file, { nsRemap: { from: 'other' } });
    expect(e).toMatchObject({ line: 4, column: 5 });
    expect(e.detail).toBe('Invalid namespace test in backup record, expected: other');
  });
  it('-n A,B: checks meta and index lines, and remaps records and indexes', async () => {
    const entries = await collectAsb([Buffer.from(file)], { nsRemap: { from: 'test', to: 'bar' } });
    expect(entries[1]).toMatchObject({ kind: 'sindex', namespace: 'bar' });
    expect(entries[2]).toMatchObject({ kind: 'record', namespace: 'bar' });
    const e = await parseError(file.replace('# namespace test', '# namespace tst'), {
      nsRemap: { from: 'test', to: 'bar' },
    });
    expect(e).toMatchObject({ line: 2, column: 13 });
    const e2 = await parseError(file.replace('* i test', '* i tst'), {
      nsRemap: { from: 'test', to: 'bar' },
    });
    expect(e2.detail).toBe('Invalid namespace tst in index idx, expected: test');
  });
  it('--bin-list drops other bins after checking them', async () => {
    const [, , r] = (await collectAsb([Buffer.from(file)], { binList: ['a', 'c'] })) as [
      unknown,
      unknown,
      AsbRecord,
    ];
    expect(r.bins.map((b) => b.name)).toEqual(['a', 'c']);
    await expect(
      collectAsb([Buffer.from(file.replace('- I b 2', '- I b x'))], { binList: ['a'] }),
    ).rejects.toThrow(AsbParseError);
  });
});

describe('errors: one clear AsbParseError with line and column', () => {
  const cases: [string, string, number, number, string][] = [
    ['empty file', '', 1, 1, 'Missing version line: empty backup file'],
    ['bad version', 'Version 3.3\n', 1, 9, 'Invalid backup file version 3.3'],
    ['not a version line', 'Versoin 3.1\n', 1, 5, 'Invalid version line'],
    [
      'meta without SP',
      'Version 3.1\n#namespace x\n',
      2,
      2,
      'Unexpected character "n" in meta data, expected " "',
    ],
    ['unknown meta', 'Version 3.1\n# foo bar\n', 2, 3, 'Invalid meta data "foo"'],
    ['blank line', `${HEAD}\n`, 3, 1, 'Invalid start character \\x0a in block'],
    [
      'stray meta after globals',
      `${HEAD}* u L a 1 x\n# first-file\n`,
      4,
      1,
      'Invalid start character "#" in block',
    ],
    [
      'record lines out of order',
      `${HEAD}+ n test\n+ g 1\n`,
      4,
      3,
      'Unexpected character "g" in backup block, expected "d"',
    ],
    [
      'wrong first letter',
      `${HEAD}+ x test\n`,
      3,
      3,
      'Unexpected character "x" in backup block, expected "k"',
    ],
    [
      'short digest',
      `${HEAD}+ n test\n+ d AAAA\n+ g 1\n+ t 0\n+ b 0\n`,
      4,
      9,
      'Invalid base64 character \\x0a in digest',
    ],
    [
      'int64 overflow',
      `${REC}- I a 9223372036854775808\n`,
      8,
      7,
      'Integer overflow with number 9223372036854775808 in backup block',
    ],
    ['non-digit', `${REC}- I a 12x\n`, 8, 9, 'Invalid character "x" in backup block, expected digit'],
    [
      'generation range',
      `${REC.replace('+ g 1', '+ g 65536')}- N a\n`,
      5,
      5,
      'Invalid generation count 65536',
    ],
    [
      'void time range',
      `${REC.replace('+ t 0', '+ t 4294967296')}- N a\n`,
      6,
      5,
      'Invalid expiration time 4294967296',
    ],
    ['bad float', `${REC}- D a 1.5x\n`, 8, 10, 'Invalid floating-point value "1.5x" in backup block'],
    ['bad bool', `${REC}- Z a X\n`, 8, 7, "Invalid boolean value in backup block, expected 'T' or 'F'"],
    [
      'LDT bin',
      `${REC}- U a 4 AAAA\n`,
      8,
      3,
      "LDT bins (type 'U') are not supported; use an older tool to restore this backup",
    ],
    ['S! key', `${HEAD}+ k S! 1 a\n`, 3, 6, 'Unexpected character "!" in backup block, expected " "'],
    ['bad key type', `${HEAD}+ k Q 1\n`, 3, 5, 'Invalid key type character "Q" in block'],
    ['base64 length', `${REC}- B a 3 AAA\n`, 8, 7, 'Invalid encoded data size 3'],
    ['base64 char', `${REC}- B a 4 AA*A\n`, 8, 11, 'Invalid base64 character "*" in backup block'],
    ['truncated value', `${REC}- S a 10 abc`, 8, 13, 'Unexpected end of file in backup block'],
    [
      'truncated record',
      `${HEAD}+ n test\n+ d 7JEZLUt/jONdXXjTS8ply6qqyWA=\n`,
      5,
      1,
      'Unexpected end of file in backup block',
    ],
    ['missing bins', `${REC}`, 8, 1, 'Unexpected end of file in backup block'],
    [
      'extra bytes after value',
      `${REC}- S a 1 ab\n`,
      8,
      10,
      'Unexpected character "b" in backup block, expected \\x0a',
    ],
    [
      'bad index type',
      `${HEAD}* i test demo idx I 1 a N\n`,
      3,
      19,
      'Invalid index type character "I" in block',
    ],
    [
      'bad path type',
      `${HEAD}* i test demo idx N 1 a I\n`,
      3,
      25,
      'Invalid path type character "I" in block',
    ],
    ['no paths', `${HEAD}* i test demo idx N 0 a N\n`, 3, 21, 'Missing path(s) in index block'],
    ['bad udf type', `${HEAD}* u J a.js 1 x\n`, 3, 5, 'Invalid UDF type character "J" in block'],
    ['bad global', `${HEAD}* x\n`, 3, 3, 'Invalid global type character "x" in block'],
    [
      'token too long',
      `${HEAD}+ n ${'a'.repeat(1200)}\n`,
      3,
      1004,
      'Buffer overflow while reading token in backup block',
    ],
  ];
  for (const [what, text, line, column, detail] of cases) {
    it(what, async () => {
      const data = text.startsWith('Vers') || text === '' ? text : HEAD + text;
      const e = await parseError(data);
      expect({ detail: e.detail, line: e.line, column: e.column }).toEqual({ detail, line, column });
      expect(e.message).toContain(`(file x.asb, line ${line}, col ${column})`);
      // validation reports the same error
      await expect(validateAsb([Buffer.from(data, 'latin1')], { fileName: 'x.asb' })).rejects.toMatchObject({
        detail,
        line,
        column,
      });
    });
  }

  it('accepts int64 limits and C leniencies (empty integer = 0)', async () => {
    const f = `${HEAD}${REC.replace('+ b 1', '+ b 3')}- I a 9223372036854775807\n- I b -9223372036854775808\n- I c \n`;
    const [, r] = (await collectAsb([Buffer.from(f)])) as [unknown, AsbRecord];
    expect(r.bins.map((b) => b.value)).toEqual([2n ** 63n - 1n, -(2n ** 63n), 0]);
  });
});

describe('float text (Clinger fast path and validation shortcut)', () => {
  /** Decodes one `- D` bin with `text`; the value, or the error message. */
  function decodeFloat(text: string, build: boolean): number | string {
    const dec = new (class extends AsbDecoder {
      constructor() {
        super({});
        this.build = build;
      }
    })();
    dec.push(
      Buffer.from(
        `Version 3.1\n+ n test\n+ d AAAAAAAAAAAAAAAAAAAAAAAAAAA=\n+ g 1\n+ t 0\n+ b 1\n- D x ${text}\n`,
      ),
    );
    dec.end();
    try {
      dec.next();
      const r = dec.next();
      return build ? ((r as AsbRecord).bins[0]!.value as number) : 0;
    } catch (e) {
      return (e as Error).message;
    }
  }
  const decimal = fc.oneof(
    fc.double({ noNaN: true }).map(String),
    fc
      .tuple(
        fc.integer({ min: 0, max: 2 ** 53 + 10 }),
        fc.integer({ min: 0, max: 30 }),
        fc.integer({ min: -40, max: 40 }),
      )
      .map(([m, f, e]) => {
        const s = String(m).padStart(f + 1, '0');
        return `${s.slice(0, s.length - f)}.${s.slice(s.length - f)}e${e}`;
      }),
    fc.stringMatching(/^[-+]?[0-9]{0,20}\.?[0-9]{0,20}([eE][-+]?[0-9]{0,4})?$/),
    fc.stringMatching(/^[0-9.eE+-]{1,12}$/),
  );

  it('reads exactly what Number() reads, and accepts and rejects the same text when validating', () => {
    fc.assert(
      fc.property(decimal, (text) => {
        const built = decodeFloat(text, true);
        const n = Number(text);
        if (typeof built === 'number') expect(Object.is(built, n) || (text === '' && n === 0)).toBe(true);
        else expect(Number.isNaN(n) || text === '').toBe(true);
        const checked = decodeFloat(text, false);
        expect(typeof checked).toBe(typeof built);
        if (typeof built === 'string') expect(checked).toBe(built);
      }),
      { numRuns: 20000 },
    );
  });

  it('keeps exact values at the edges of the fast path', () => {
    for (const text of [
      '9007199254740993',
      '9007199254740992e1',
      '1e22',
      '1e23',
      '123456789012345e-22',
      '-0',
      '0e400',
      '-0.0e-5',
      '4.35',
      '1.',
    ]) {
      expect(Object.is(decodeFloat(text, true), Number(text))).toBe(true);
    }
  });
});
