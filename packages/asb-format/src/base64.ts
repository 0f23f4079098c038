// Standard base64 (RFC 4648, `=` padding) straight between Buffers, without building strings for
// the small values that dominate backups.

const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
const ENC = new Uint8Array(64);
/** 0..63 for alphabet bytes, 64 for `=`, 255 for anything else. */
export const B64_DEC = new Uint8Array(256).fill(255);
for (let i = 0; i < 64; i++) {
  ENC[i] = ALPHABET.charCodeAt(i);
  B64_DEC[ALPHABET.charCodeAt(i)] = i;
}
B64_DEC[0x3d] = 64;
/** Indexed by two bytes (first one high): their 12 bits, or 0xffff when either is not in the alphabet. */
const B64_DEC_PAIR = new Uint16Array(65536).fill(0xffff);
for (let i = 0; i < 64; i++) {
  for (let j = 0; j < 64; j++) B64_DEC_PAIR[(ENC[i]! << 8) | ENC[j]!] = (i << 6) | j;
}

/** Length of the base64 text for `n` bytes. */
export function base64Length(n: number): number {
  return Math.ceil(n / 3) * 4;
}

const NATIVE_THRESHOLD = 256;

/** Two alphabet bytes (first one high) per 12 bits: one 32-bit store writes four. */
const ENC_PAIR = new Uint16Array(4096);
for (let i = 0; i < 4096; i++) ENC_PAIR[i] = (ENC[i >>> 6]! << 8) | ENC[i & 63]!;

/**
 * Writes base64 of `src[start, end)` at `pos` of `out`, whose bytes `view` also covers; returns
 * the new position.
 */
export function writeBase64Range(
  out: Buffer,
  view: DataView,
  pos: number,
  src: Uint8Array,
  start: number,
  end: number,
): number {
  const n = end - start;
  if (n >= NATIVE_THRESHOLD) {
    const b = Buffer.isBuffer(src) ? src : Buffer.from(src.buffer, src.byteOffset, src.length);
    return pos + out.write(b.toString('base64', start, end), pos, 'latin1');
  }
  let i = start;
  const full = end - (n % 3);
  while (i < full) {
    const v = (src[i]! << 16) | (src[i + 1]! << 8) | src[i + 2]!;
    view.setUint32(pos, (ENC_PAIR[v >>> 12]! << 16) | ENC_PAIR[v & 4095]!);
    pos += 4;
    i += 3;
  }
  const rest = end - full;
  if (rest === 1) {
    const v = src[i]!;
    view.setUint32(pos, (ENC[v >>> 2]! << 24) | (ENC[(v & 3) << 4]! << 16) | 0x3d3d);
    pos += 4;
  } else if (rest === 2) {
    const v = (src[i]! << 8) | src[i + 1]!;
    view.setUint32(pos, (ENC_PAIR[v >>> 4]! << 16) | (ENC[(v & 15) << 2]! << 8) | 0x3d);
    pos += 4;
  }
  return pos;
}

/**
 * Checks `src[start, end)` is padded base64 (length a multiple of 4, `=` only as final padding).
 * Returns -1 when valid, else the offset of the first bad byte.
 */
export function findBadBase64(src: Uint8Array, start: number, end: number): number {
  let pad = 0;
  if (end - start >= 4) {
    if (src[end - 1] === 0x3d) pad = src[end - 2] === 0x3d ? 2 : 1;
  }
  const last = end - pad;
  for (let i = start; i < last; i++) {
    if (B64_DEC[src[i]!]! > 63) return i;
  }
  return -1;
}

/** Decoded size of valid padded base64 `src[start, end)`. */
export function decodedLength(src: Uint8Array, start: number, end: number): number {
  const n = end - start;
  if (n === 0) return 0;
  let size = (n >>> 2) * 3;
  if (src[end - 1] === 0x3d) size -= src[end - 2] === 0x3d ? 2 : 1;
  return size;
}

/**
 * Checks and decodes padded base64 `src[start, end)` (length a multiple of 4) into `out` at `pos`
 * in one pass. Returns the number of bytes written, or `-1 - offset` of the first bad byte.
 * `srcView`, a DataView of `src`'s bytes, makes it about twice as fast: four characters are read
 * at once and looked up two by two.
 */
export function decodeBase64Checked(
  src: Uint8Array,
  start: number,
  end: number,
  out: Uint8Array,
  pos: number,
  srcView?: DataView,
): number {
  if (end === start) return 0;
  // bits above 63 (one character) or 4095 (a pair) mean a bad byte
  let acc = 0;
  let pairs = 0;
  let i = start;
  let o = pos;
  const last = end - 4;
  if (srcView !== undefined) {
    while (i < last) {
      const q = srcView.getUint32(i);
      const hi = B64_DEC_PAIR[q >>> 16]!;
      const lo = B64_DEC_PAIR[q & 0xffff]!;
      pairs |= hi | lo;
      const v = (hi << 12) | lo;
      out[o] = v >>> 16;
      out[o + 1] = (v >>> 8) & 255;
      out[o + 2] = v & 255;
      o += 3;
      i += 4;
    }
  } else {
    while (i < last) {
      const a = B64_DEC[src[i]!]!;
      const b = B64_DEC[src[i + 1]!]!;
      const c = B64_DEC[src[i + 2]!]!;
      const d = B64_DEC[src[i + 3]!]!;
      acc |= a | b | c | d;
      const v = (a << 18) | (b << 12) | (c << 6) | d;
      out[o] = v >>> 16;
      out[o + 1] = (v >>> 8) & 255;
      out[o + 2] = v & 255;
      o += 3;
      i += 4;
    }
  }
  const a = B64_DEC[src[i]!]!;
  const b = B64_DEC[src[i + 1]!]!;
  acc |= a | b;
  out[o++] = ((a << 2) | (b >>> 4)) & 255;
  if (src[i + 3] !== 0x3d) {
    const c = B64_DEC[src[i + 2]!]!;
    const d = B64_DEC[src[i + 3]!]!;
    acc |= c | d;
    out[o++] = ((b << 4) | (c >>> 2)) & 255;
    out[o++] = ((c << 6) | d) & 255;
  } else if (src[i + 2] !== 0x3d) {
    const c = B64_DEC[src[i + 2]!]!;
    acc |= c;
    out[o++] = ((b << 4) | (c >>> 2)) & 255;
  }
  if (acc > 63 || pairs > 4095) return -1 - findBadBase64(src, start, end);
  return o - pos;
}
