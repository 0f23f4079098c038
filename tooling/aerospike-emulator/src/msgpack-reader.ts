// A minimal msgpack reader for the server side of filter expressions. It only has to read the
// values expressions carry (ints, floats, nil, bool, str, bin, arrays, maps); anything else is
// refused so an expression we cannot read is never half-understood.

export type MsgpackValue =
  | null
  | boolean
  | number
  | bigint
  | Buffer
  | { str: Buffer }
  | MsgpackValue[]
  | { map: [MsgpackValue, MsgpackValue][] };

export class MsgpackError extends Error {
  readonly code = 'EMULATOR_MSGPACK';
}

export function readMsgpack(bytes: Buffer): MsgpackValue {
  const reader = new Reader(bytes);
  const value = reader.value();
  if (reader.offset !== bytes.length) {
    throw new MsgpackError(`msgpack: ${bytes.length - reader.offset} trailing bytes`);
  }
  return value;
}

class Reader {
  offset = 0;
  constructor(private readonly bytes: Buffer) {}

  private need(n: number): void {
    if (this.offset + n > this.bytes.length) throw new MsgpackError('msgpack: truncated value');
  }

  private take(n: number): Buffer {
    this.need(n);
    const out = this.bytes.subarray(this.offset, this.offset + n);
    this.offset += n;
    return out;
  }

  private u8(): number {
    this.need(1);
    return this.bytes[this.offset++];
  }

  private int64(signed: boolean): number | bigint {
    const raw = this.take(8);
    const v = signed ? raw.readBigInt64BE(0) : raw.readBigUInt64BE(0);
    return v >= BigInt(Number.MIN_SAFE_INTEGER) && v <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(v) : v;
  }

  private array(n: number): MsgpackValue[] {
    const out: MsgpackValue[] = [];
    for (let i = 0; i < n; i++) out.push(this.value());
    return out;
  }

  private map(n: number): { map: [MsgpackValue, MsgpackValue][] } {
    const out: [MsgpackValue, MsgpackValue][] = [];
    for (let i = 0; i < n; i++) out.push([this.value(), this.value()]);
    return { map: out };
  }

  value(): MsgpackValue {
    const b = this.u8();
    if (b <= 0x7f) return b;
    if (b >= 0xe0) return b - 0x100;
    if (b >= 0xa0 && b <= 0xbf) return { str: this.take(b & 0x1f) };
    if (b >= 0x90 && b <= 0x9f) return this.array(b & 0x0f);
    if (b >= 0x80 && b <= 0x8f) return this.map(b & 0x0f);
    switch (b) {
      case 0xc0:
        return null;
      case 0xc2:
        return false;
      case 0xc3:
        return true;
      case 0xc4:
        return this.take(this.u8());
      case 0xc5:
        return this.take(this.take(2).readUInt16BE(0));
      case 0xc6:
        return this.take(this.take(4).readUInt32BE(0));
      case 0xca:
        return this.take(4).readFloatBE(0);
      case 0xcb:
        return this.take(8).readDoubleBE(0);
      case 0xcc:
        return this.u8();
      case 0xcd:
        return this.take(2).readUInt16BE(0);
      case 0xce:
        return this.take(4).readUInt32BE(0);
      case 0xcf:
        return this.int64(false);
      case 0xd0:
        return this.take(1).readInt8(0);
      case 0xd1:
        return this.take(2).readInt16BE(0);
      case 0xd2:
        return this.take(4).readInt32BE(0);
      case 0xd3:
        return this.int64(true);
      case 0xd9:
        return { str: this.take(this.u8()) };
      case 0xda:
        return { str: this.take(this.take(2).readUInt16BE(0)) };
      case 0xdb:
        return { str: this.take(this.take(4).readUInt32BE(0)) };
      case 0xdc:
        return this.array(this.take(2).readUInt16BE(0));
      case 0xdd:
        return this.array(this.take(4).readUInt32BE(0));
      case 0xde:
        return this.map(this.take(2).readUInt16BE(0));
      case 0xdf:
        return this.map(this.take(4).readUInt32BE(0));
      default:
        throw new MsgpackError(`msgpack: unsupported type byte 0x${b.toString(16)}`);
    }
  }
}
