// Particles (wire spec §5.3) ↔ the asb-format model. Values stay raw: strings and blobs are
// byte views, lists/maps/HLL opaque; only integers, floats and bools become JS scalars.
import { type Bin, type Int64, ParticleType, type UserKey } from '@asbkit/asb-format';
import { WireDecodeError, WireEncodeError } from './errors.js';

const TWO_32 = 4294967296;

/** A view of `buf[start, end)`; cheaper than `subarray` on hot paths (no species lookup). */
export function view(buf: Buffer, start: number, end: number): Buffer {
  return Buffer.from(buf.buffer, buf.byteOffset + start, end - start);
}

/** 8-byte big-endian two's complement → number when safe, else bigint. */
export function readInt64(buf: Buffer, offset: number): Int64 {
  const hi = (buf[offset] << 24) | (buf[offset + 1] << 16) | (buf[offset + 2] << 8) | buf[offset + 3];
  const lo =
    buf[offset + 4] * 0x1000000 + ((buf[offset + 5] << 16) | (buf[offset + 6] << 8) | buf[offset + 7]);
  return joinInt64(hi, lo);
}

/** `readInt64` through a DataView of the bytes (two reads instead of eight). */
export function int64At(view: DataView, offset: number): Int64 {
  return joinInt64(view.getInt32(offset), view.getUint32(offset + 4));
}

/** The 64-bit integer of signed high and unsigned low 32-bit halves: a number when safe. */
function joinInt64(hi: number, lo: number): Int64 {
  // |hi| < 2^21 keeps hi * 2^32 + lo within ±2^53; -2^53 itself is not safe.
  if (hi >= -2097152 && hi < 2097152) {
    const v = hi * TWO_32 + lo;
    if (v !== -9007199254740992) return v;
  }
  return (BigInt(hi) << 32n) | BigInt(lo);
}

export function writeInt64(buf: Buffer, offset: number, value: Int64): void {
  if (typeof value === 'bigint') {
    if (value < -(1n << 63n) || value >= 1n << 63n)
      throw new WireEncodeError(`integer ${value} out of 64-bit range`);
    buf.writeBigInt64BE(value, offset);
    return;
  }
  if (!Number.isSafeInteger(value))
    throw new WireEncodeError(`integer ${value} is not a safe integer (use bigint)`);
  const hi = Math.floor(value / TWO_32);
  buf.writeInt32BE(hi, offset);
  buf.writeUInt32BE(value - hi * TWO_32, offset + 4);
}

/** Particle types whose value is opaque bytes (blobs, lists, maps, HLL). */
export function isBytesType(t: number): boolean {
  return (
    t === ParticleType.BLOB ||
    (t >= ParticleType.JAVA_BLOB && t <= ParticleType.ERLANG_BLOB) ||
    t === ParticleType.HLL ||
    t === ParticleType.MAP ||
    t === ParticleType.LIST
  );
}

/** Length of a GeoJSON particle's cell prefix (flags, u16 count, 8 bytes per cell). */
export function geoJsonPrefixLength(buf: Buffer, start: number, end: number): number {
  if (end - start < 3) throw new WireDecodeError('GeoJSON particle shorter than 3 bytes', start);
  const n = buf.readUInt16BE(start + 1);
  const len = 3 + 8 * n;
  if (len > end - start) throw new WireDecodeError(`GeoJSON particle: ${n} cells exceed the value`, start);
  return len;
}

/**
 * Decodes the value bytes `buf[start, end)` of particle type `type` into a Bin. Byte values are
 * views into `buf` (no copy). The VECTOR type (16) has no place in the model and is refused.
 */
export function decodeBin(name: string, type: number, buf: Buffer, start: number, end: number): Bin {
  const len = end - start;
  switch (type) {
    case ParticleType.INTEGER:
      if (len !== 8) throw new WireDecodeError(`bin "${name}": INTEGER of ${len} bytes`, start);
      return { name, type, value: readInt64(buf, start) };
    case ParticleType.FLOAT:
      if (len !== 8) throw new WireDecodeError(`bin "${name}": FLOAT of ${len} bytes`, start);
      return { name, type, value: buf.readDoubleBE(start) };
    case ParticleType.STRING:
      return { name, type, value: view(buf, start, end) };
    case ParticleType.BOOL:
      if (len !== 1) throw new WireDecodeError(`bin "${name}": BOOL of ${len} bytes`, start);
      return { name, type, value: buf[start] !== 0 };
    case ParticleType.GEOJSON:
      return { name, type, value: view(buf, start + geoJsonPrefixLength(buf, start, end), end) };
    case ParticleType.NULL:
      return { name, type, value: null };
    default:
      if (isBytesType(type)) return { name, type: type as 4, value: view(buf, start, end) };
      throw new WireDecodeError(`bin "${name}": unsupported particle type ${type}`, start);
  }
}

/** Wire bytes of a bin's value (GeoJSON gets the flags-0, 0-cells prefix). */
export function encodeBinValue(bin: Bin): Buffer {
  switch (bin.type) {
    case ParticleType.NULL:
      return Buffer.alloc(0);
    case ParticleType.INTEGER: {
      const b = Buffer.allocUnsafe(8);
      writeInt64(b, 0, bin.value);
      return b;
    }
    case ParticleType.FLOAT: {
      const b = Buffer.allocUnsafe(8);
      b.writeDoubleBE(bin.value, 0);
      return b;
    }
    case ParticleType.BOOL:
      return Buffer.from([bin.value ? 1 : 0]);
    case ParticleType.GEOJSON: {
      const b = Buffer.allocUnsafe(3 + bin.value.length);
      b[0] = 0;
      b[1] = 0;
      b[2] = 0;
      bin.value.copy(b, 3);
      return b;
    }
    default:
      return bin.value;
  }
}

/** Encoded size of a bin's value, without building it. */
export function binValueSize(bin: Bin): number {
  switch (bin.type) {
    case ParticleType.NULL:
      return 0;
    case ParticleType.INTEGER:
    case ParticleType.FLOAT:
      return 8;
    case ParticleType.BOOL:
      return 1;
    case ParticleType.GEOJSON:
      return 3 + bin.value.length;
    default:
      return bin.value.length;
  }
}

/** Writes a bin's value at `offset`; returns the offset after it. */
export function writeBinValue(buf: Buffer, offset: number, bin: Bin): number {
  switch (bin.type) {
    case ParticleType.NULL:
      return offset;
    case ParticleType.INTEGER:
      writeInt64(buf, offset, bin.value);
      return offset + 8;
    case ParticleType.FLOAT:
      buf.writeDoubleBE(bin.value, offset);
      return offset + 8;
    case ParticleType.BOOL:
      buf[offset] = bin.value ? 1 : 0;
      return offset + 1;
    case ParticleType.GEOJSON:
      buf[offset] = 0;
      buf[offset + 1] = 0;
      buf[offset + 2] = 0;
      return offset + 3 + bin.value.copy(buf, offset + 3);
    default:
      return offset + bin.value.copy(buf, offset);
  }
}

/** KEY field data (type byte + value) → UserKey. */
export function decodeUserKey(data: Buffer): UserKey {
  if (data.length < 1) throw new WireDecodeError('empty KEY field', 0);
  const t = data[0];
  switch (t) {
    case ParticleType.INTEGER:
      if (data.length !== 9) throw new WireDecodeError(`integer KEY field of ${data.length - 1} bytes`, 0);
      return { type: t, value: readInt64(data, 1) };
    case ParticleType.FLOAT:
      if (data.length !== 9) throw new WireDecodeError(`float KEY field of ${data.length - 1} bytes`, 0);
      return { type: t, value: data.readDoubleBE(1) };
    case ParticleType.STRING:
    case ParticleType.BLOB:
      return { type: t, value: data.subarray(1) };
    default:
      throw new WireDecodeError(`KEY field with unsupported particle type ${t}`, 0);
  }
}

/** UserKey → KEY field data (type byte + value). */
export function encodeUserKey(key: UserKey): Buffer {
  if (key.type === ParticleType.INTEGER) {
    const b = Buffer.allocUnsafe(9);
    b[0] = key.type;
    writeInt64(b, 1, key.value);
    return b;
  }
  if (key.type === ParticleType.FLOAT) {
    const b = Buffer.allocUnsafe(9);
    b[0] = key.type;
    b.writeDoubleBE(key.value, 1);
    return b;
  }
  const b = Buffer.allocUnsafe(1 + key.value.length);
  b[0] = key.type;
  key.value.copy(b, 1);
  return b;
}
