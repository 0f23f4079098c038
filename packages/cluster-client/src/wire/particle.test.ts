import { type Bin, ParticleType } from '@asbkit/asb-format';
import { describe, expect, it } from 'vitest';
import {
  binValueSize,
  decodeBin,
  decodeUserKey,
  encodeBinValue,
  encodeUserKey,
  int64At,
  readInt64,
  writeBinValue,
  writeInt64,
} from './particle.js';

describe('integers', () => {
  it('reads numbers when safe and bigints otherwise', () => {
    const b = Buffer.alloc(8);
    const cases: (number | bigint)[] = [
      0,
      1,
      -1,
      2 ** 32,
      -(2 ** 32),
      Number.MAX_SAFE_INTEGER,
      Number.MIN_SAFE_INTEGER,
      2n ** 53n,
      -(2n ** 53n),
      2n ** 63n - 1n,
      -(2n ** 63n),
      -(2 ** 32) - 5,
      2n ** 53n * 3n + 7n,
    ];
    const view = new DataView(b.buffer, b.byteOffset, 8);
    for (const v of cases) {
      writeInt64(b, 0, v);
      expect(b.readBigInt64BE(0)).toBe(BigInt(v));
      expect(readInt64(b, 0)).toBe(v);
      expect(int64At(view, 0)).toBe(v);
    }
  });

  it('refuses unsafe numbers and out-of-range bigints', () => {
    const b = Buffer.alloc(8);
    expect(() => writeInt64(b, 0, 2 ** 60)).toThrow(/not a safe integer/);
    expect(() => writeInt64(b, 0, 2n ** 63n)).toThrow(/out of 64-bit range/);
  });
});

describe('bins', () => {
  const bins: Bin[] = [
    { name: 'i', type: ParticleType.INTEGER, value: -5 },
    { name: 'big', type: ParticleType.INTEGER, value: 2n ** 62n },
    { name: 'f', type: ParticleType.FLOAT, value: 2.0 },
    { name: 'b', type: ParticleType.BOOL, value: true },
    { name: 's', type: ParticleType.STRING, value: Buffer.from('héllo') },
    { name: 'bl', type: ParticleType.BLOB, value: Buffer.from([0, 1, 255]) },
    { name: 'j', type: ParticleType.JAVA_BLOB, value: Buffer.from([7]) },
    { name: 'l', type: ParticleType.LIST, value: Buffer.from('9301', 'hex') },
    { name: 'm', type: ParticleType.MAP, value: Buffer.from('80', 'hex') },
    { name: 'h', type: ParticleType.HLL, value: Buffer.from('0102', 'hex') },
    { name: 'n', type: ParticleType.NULL, value: null },
  ];
  it('round-trip through their wire values', () => {
    for (const bin of bins) {
      const v = encodeBinValue(bin);
      expect(v.length).toBe(binValueSize(bin));
      const into = Buffer.alloc(v.length + 2);
      expect(writeBinValue(into, 1, bin)).toBe(1 + v.length);
      expect(into.subarray(1, 1 + v.length).equals(v)).toBe(true);
      expect(decodeBin(bin.name, bin.type, v, 0, v.length)).toEqual(bin);
    }
  });

  it('strips the GeoJSON cell prefix on read and writes flags 0, no cells', () => {
    const json = Buffer.from('{"type":"Point","coordinates":[1,2]}');
    const wire = Buffer.concat([Buffer.from('000001', 'hex'), Buffer.alloc(8, 0xaa), json]);
    const bin = decodeBin('g', ParticleType.GEOJSON, wire, 0, wire.length);
    expect(bin.value).toEqual(json);
    expect(encodeBinValue(bin).equals(Buffer.concat([Buffer.from('000000', 'hex'), json]))).toBe(true);
    expect(() => decodeBin('g', ParticleType.GEOJSON, wire, 0, 10)).toThrow(/cells exceed/);
  });

  it('names the bin and the problem on bad particles', () => {
    expect(() => decodeBin('x', ParticleType.INTEGER, Buffer.alloc(4), 0, 4)).toThrow(
      /bin "x": INTEGER of 4 bytes/,
    );
    expect(() => decodeBin('x', ParticleType.BOOL, Buffer.alloc(2), 0, 2)).toThrow(/BOOL of 2 bytes/);
    expect(() => decodeBin('x', 99, Buffer.alloc(2), 0, 2)).toThrow(/unsupported particle type 99/);
  });
});

describe('user keys', () => {
  it('round-trip integer, float, string and blob keys', () => {
    const keys = [
      { type: ParticleType.INTEGER, value: 31 },
      { type: ParticleType.INTEGER, value: -(2n ** 60n) },
      { type: ParticleType.FLOAT, value: 1.5 },
      { type: ParticleType.STRING, value: Buffer.from('str-key') },
      { type: ParticleType.BLOB, value: Buffer.from([0, 1, 2, 255]) },
    ] as const;
    for (const k of keys) expect(decodeUserKey(encodeUserKey(k))).toEqual(k);
    expect(encodeUserKey({ type: 1, value: 31 }).toString('hex')).toBe('01000000000000001f');
    expect(() => decodeUserKey(Buffer.from('0100', 'hex'))).toThrow(/integer KEY field of 1 bytes/);
  });
});
