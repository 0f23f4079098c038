import { CryptoStreamError } from './errors.js';

/** zstd's default decoder limit (`ZSTD_WINDOWLOG_LIMIT_DEFAULT` = 27): 128 MiB. */
export const DEFAULT_MAX_WINDOW_BYTES = 128 * 1024 * 1024;
const MAX_BLOCK_BYTES = 128 * 1024;

enum Part {
  Magic,
  FrameHeader,
  BlockHeader,
  BlockBody,
  Checksum,
  SkipSize,
  SkipBody,
}

/** What {@link ZstdFrameWalker.advance} stopped at. */
export enum Unit {
  /** Input ran out inside an element. */
  More,
  /** A frame header ended (zstd frame; its window was checked). */
  FrameHeader,
  /** A data block (header and body) ended. */
  Block,
  /** A frame's last block or checksum ended: the frame is complete. */
  FrameEnd,
  /** A skippable frame's header or part of its body ended; these bytes are not zstd data. */
  Skip,
}

export interface ZstdFrameWalkerOptions {
  maxWindowBytes?: number;
  fileName?: string;
  /** Encryption mode in front of the decompressor, to word the not-zstd error. */
  encryption?: string;
}

/**
 * Follows the frame/block structure of a zstd stream without decompressing it, so the decoder
 * can be fed one block at a time (bounded output per step) and so that a bad start, an
 * oversized window and a truncated end each get their own clear error.
 */
export class ZstdFrameWalker {
  /** Stored bytes consumed so far. */
  offset = 0;
  /** Complete frames seen (zstd and skippable). */
  frames = 0;
  /** What the last {@link advance} call stopped at. */
  lastUnit: Unit = Unit.More;
  private part: Part = Part.Magic;
  private readonly header = Buffer.alloc(18);
  private headerLength = 0;
  private need = 4;
  private remaining = 0;
  private frameStart = 0;
  private lastBlock = false;
  private checksum = false;
  private frameHeaderLength = 0;
  /** Upper bound of the current frame's decompressed size from the blocks seen so far. */
  frameOutputBound = 0;
  private readonly maxWindowBytes: number;
  private readonly fileName: string | undefined;
  private readonly encryption: string | undefined;

  constructor(options: ZstdFrameWalkerOptions = {}) {
    this.maxWindowBytes = options.maxWindowBytes ?? DEFAULT_MAX_WINDOW_BYTES;
    this.fileName = options.fileName;
    this.encryption = options.encryption;
  }

  /** True while inside a zstd frame's blocks/checksum: these bytes go to the decoder as they are. */
  get inFrameData(): boolean {
    return this.part === Part.BlockHeader || this.part === Part.BlockBody || this.part === Part.Checksum;
  }

  /** A copy of the frame header that just completed ({@link Unit.FrameHeader}). */
  frameHeaderBytes(): Buffer {
    return Buffer.from(this.header.subarray(0, this.frameHeaderLength));
  }

  /** True when the stream may end here (between frames). */
  get atFrameBoundary(): boolean {
    return this.part === Part.Magic && this.headerLength === 0;
  }

  /**
   * Consumes bytes of `chunk` from `pos` up to the end of the current element or the chunk.
   * Returns the new position; `lastUnit` tells what ended there.
   */
  advance(chunk: Buffer, pos: number): number {
    switch (this.part) {
      case Part.BlockBody:
      case Part.SkipBody: {
        const take = Math.min(this.remaining, chunk.length - pos);
        this.remaining -= take;
        this.offset += take;
        pos += take;
        if (this.remaining > 0) {
          this.lastUnit = this.part === Part.SkipBody ? Unit.Skip : Unit.More;
          return pos;
        }
        if (this.part === Part.SkipBody) {
          this.frames++;
          this.expect(Part.Magic, 4);
          this.lastUnit = Unit.Skip;
        } else {
          this.lastUnit = this.endBlock();
        }
        return pos;
      }
      default: {
        while (this.headerLength < this.need && pos < chunk.length) {
          this.header[this.headerLength++] = chunk[pos++] as number;
          this.offset++;
        }
        if (this.headerLength < this.need) {
          this.lastUnit = this.part === Part.SkipSize ? Unit.Skip : Unit.More;
          return pos;
        }
        this.lastUnit = this.completeHeader();
        return pos;
      }
    }
  }

  private expect(part: Part, need: number): void {
    this.part = part;
    this.need = need;
    this.headerLength = 0;
  }

  private completeHeader(): Unit {
    const h = this.header;
    switch (this.part) {
      case Part.Magic: {
        this.frameStart = this.offset - 4;
        const magic = h.readUInt32LE(0);
        if (magic === 0xfd2fb528) {
          this.need = 5; // FHD follows; its value fixes the rest of the header
          this.part = Part.FrameHeader;
          return Unit.More;
        }
        if ((magic & 0xfffffff0) === 0x184d2a50) {
          this.part = Part.SkipSize;
          this.need = 8;
          return Unit.Skip;
        }
        throw this.badMagic();
      }
      case Part.FrameHeader: {
        const fhd = h[4] as number;
        const single = (fhd & 0x20) !== 0;
        const fcsFlag = fhd >> 6;
        const didBytes = [0, 1, 2, 4][fhd & 3] as number;
        const fcsBytes = [single ? 1 : 0, 2, 4, 8][fcsFlag] as number;
        const full = 5 + (single ? 0 : 1) + didBytes + fcsBytes;
        if (this.need < full) {
          this.need = full;
          return Unit.More;
        }
        if ((fhd & 0x08) !== 0) throw this.corrupt('reserved bit set in a frame header');
        let at = single ? 5 : 6;
        const dictionaryId = didBytes === 0 ? 0 : h.readUIntLE(at, didBytes);
        at += didBytes;
        if (dictionaryId !== 0) {
          throw this.corrupt(`frame needs zstd dictionary ${dictionaryId}, which is not supported`);
        }
        let window: number;
        if (single) {
          window = fcsBytes === 8 ? Number(h.readBigUInt64LE(at)) : h.readUIntLE(at, fcsBytes);
          if (fcsBytes === 2) window += 256;
        } else {
          const descriptor = h[5] as number;
          const base = 2 ** (10 + (descriptor >> 3));
          window = base + (base / 8) * (descriptor & 7);
        }
        if (window > this.maxWindowBytes) {
          throw new CryptoStreamError(
            'ERR_ZSTD_WINDOW_TOO_LARGE',
            `zstd frame needs a ${window}-byte window, more than the ${this.maxWindowBytes}-byte limit`,
            this.where(this.frameStart),
          );
        }
        this.frameOutputBound = 0;
        this.checksum = (fhd & 0x04) !== 0;
        this.frameHeaderLength = full;
        this.expect(Part.BlockHeader, 3);
        return Unit.FrameHeader;
      }
      case Part.BlockHeader: {
        const value = h.readUIntLE(0, 3);
        this.lastBlock = (value & 1) === 1;
        const type = (value >> 1) & 3;
        const size = value >>> 3;
        if (type === 3) throw this.corrupt('reserved block type');
        if (size > MAX_BLOCK_BYTES) throw this.corrupt(`block of ${size} bytes exceeds 128 KiB`);
        // raw and RLE blocks regenerate `size` bytes; a compressed one at most 128 KiB
        this.frameOutputBound += type === 2 ? MAX_BLOCK_BYTES : size;
        this.remaining = type === 1 ? 1 : size;
        this.part = Part.BlockBody;
        this.headerLength = 0;
        return this.remaining === 0 ? this.endBlock() : Unit.More;
      }
      case Part.Checksum:
        this.frames++;
        this.expect(Part.Magic, 4);
        return Unit.FrameEnd;
      case Part.SkipSize:
        this.remaining = h.readUInt32LE(4);
        if (this.remaining === 0) {
          this.frames++;
          this.expect(Part.Magic, 4);
        } else {
          this.part = Part.SkipBody;
          this.headerLength = 0;
        }
        return Unit.Skip;
      default:
        throw new Error('unreachable zstd walker state');
    }
  }

  private endBlock(): Unit {
    if (!this.lastBlock) {
      this.expect(Part.BlockHeader, 3);
      return Unit.Block;
    }
    if (this.checksum) {
      this.expect(Part.Checksum, 4);
      return Unit.Block;
    }
    this.frames++;
    this.expect(Part.Magic, 4);
    return Unit.FrameEnd;
  }

  /** Call at end of input: throws when the stream stops inside a frame. */
  finish(): void {
    if (this.atFrameBoundary) return;
    if (this.frames === 0 && this.offset < 4 && this.part === Part.Magic) throw this.badMagic();
    throw new CryptoStreamError(
      'ERR_ZSTD_TRUNCATED',
      `truncated zstd stream: it ends inside frame ${this.frames + 1}, which starts at byte ${this.frameStart}`,
      this.where(this.offset),
    );
  }

  private badMagic(): CryptoStreamError {
    const start = this.offset - this.headerLength;
    if (start > 0) {
      return this.corrupt('no zstd frame magic where the next frame should start', start);
    }
    const head = this.header.subarray(0, this.headerLength);
    if (this.encryption !== undefined) {
      return new CryptoStreamError(
        'ERR_WRONG_KEY',
        `decrypted data is not zstd-compressed: wrong key or not encrypted with ${this.encryption}? (or written without -z zstd)`,
        this.where(0),
      );
    }
    const looksAsb = head.toString('latin1') === 'Vers'.slice(0, head.length);
    return new CryptoStreamError(
      'ERR_NOT_COMPRESSED',
      looksAsb
        ? 'not zstd-compressed: it starts like a plain .asb file ("Version"); drop -z/--compress'
        : `not zstd-compressed: it starts with bytes ${head.toString('hex')}, not the zstd magic 28b52ffd`,
      this.where(0),
    );
  }

  private corrupt(what: string, at = this.offset): CryptoStreamError {
    return new CryptoStreamError('ERR_ZSTD_CORRUPT', `corrupt zstd stream: ${what}`, this.where(at));
  }

  private where(offset: number): { file?: string; offset: number } {
    return this.fileName === undefined ? { offset } : { file: this.fileName, offset };
  }
}
