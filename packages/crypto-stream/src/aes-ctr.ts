import { type Cipher, createCipheriv, createDecipheriv, type Decipher, randomBytes } from 'node:crypto';
import { Transform, type TransformCallback } from 'node:stream';
import { CryptoStreamError } from './errors.js';
import type { EncryptionKey } from './key.js';

/** Size of the AES-ECB-encrypted counter block that starts every encrypted file. */
export const IV_BLOCK_BYTES = 16;

/** Where a CTR stream stands: resume an encryptor or decryptor from here. */
export interface CtrPosition {
  /** Counter block of the first payload byte (`IV0 + 1`), 16 bytes. */
  readonly firstCounter: Buffer;
  /** Payload (ciphertext) bytes already produced after the 16-byte IV block. */
  readonly payloadBytes: number;
}

/** Adds `n` to a 16-byte big-endian counter with carry across all 128 bits (wraps at 2^128). */
export function addToCounter(counter: Buffer, n: number | bigint): Buffer {
  if (counter.length !== 16) throw new RangeError('a CTR counter block is 16 bytes');
  const sum = (counter.readBigUInt64BE(0) << 64n) + counter.readBigUInt64BE(8) + BigInt(n);
  const wrapped = sum & ((1n << 128n) - 1n);
  const out = Buffer.allocUnsafe(16);
  out.writeBigUInt64BE(wrapped >> 64n, 0);
  out.writeBigUInt64BE(wrapped & 0xffffffffffffffffn, 8);
  return out;
}

/** Counter block in use for payload byte `payloadOffset`, and the offset inside that block. */
export function counterAt(position: CtrPosition): { counter: Buffer; blockOffset: number } {
  const blocks = Math.floor(position.payloadBytes / 16);
  return {
    counter: addToCounter(position.firstCounter, blocks),
    blockOffset: position.payloadBytes % 16,
  };
}

/** C writer's IV0: 4 bytes of big-endian Unix time, then 12 random bytes. */
export function createIv0(nowSeconds = Math.floor(Date.now() / 1000)): Buffer {
  const iv = randomBytes(16);
  iv.writeUInt32BE(nowSeconds >>> 0, 0);
  return iv;
}

function ecb(key: EncryptionKey, block: Buffer, decrypt: boolean): Buffer {
  const algorithm = `aes-${key.key.length * 8}-ecb`;
  const cipher = decrypt
    ? createDecipheriv(algorithm, key.key, null)
    : createCipheriv(algorithm, key.key, null);
  cipher.setAutoPadding(false);
  return Buffer.concat([cipher.update(block), cipher.final()]);
}

/** The file's first 16 bytes for a given IV0: `AES-ECB_K(IV0)`. */
export function encryptIvBlock(key: EncryptionKey, iv0: Buffer): Buffer {
  return ecb(key, iv0, false);
}

/** First CTR counter for a file whose first 16 bytes are `ivBlock`: `AES-ECB-decrypt(ivBlock) + 1`. */
export function firstCounterFromIvBlock(key: EncryptionKey, ivBlock: Buffer): Buffer {
  return addToCounter(ecb(key, ivBlock, true), 1);
}

// Node's aes-*-ctr (OpenSSL CRYPTO_ctr128_encrypt) increments the whole 128-bit block, as the
// official tool's does; a test pins that down. Decryption is the same operation.
function ctrCipher(key: EncryptionKey, position: CtrPosition): Cipher {
  const { counter, blockOffset } = counterAt(position);
  const cipher = createCipheriv(`aes-${key.key.length * 8}-ctr`, key.key, counter);
  if (blockOffset > 0) cipher.update(Buffer.alloc(blockOffset));
  return cipher;
}

export interface AesCtrEncryptOptions {
  key: EncryptionKey;
  /** Continue an existing file: no IV block is written, the CTR stream continues from here. */
  resume?: CtrPosition;
  /** Fixed IV0 (tests only); default: time + random like the C writer. */
  iv0?: Buffer;
}

/**
 * Encrypts a byte stream the way the official tools do: `E_K(IV0)` (16 bytes), then
 * AES-CTR with the counter starting at `IV0 + 1`.
 */
export class AesCtrEncryptor extends Transform {
  readonly firstCounter: Buffer;
  /** Ciphertext bytes after the IV block produced so far (including a resumed start). */
  payloadBytes: number;
  /** Plaintext bytes taken in by this transform. */
  bytesIn = 0;
  /** Bytes this transform emitted (the IV block counts when this transform wrote it). */
  bytesOut = 0;
  private readonly cipher: Cipher;
  private ivBlock: Buffer | undefined;

  constructor(options: AesCtrEncryptOptions) {
    super();
    if (options.resume) {
      checkPosition(options.resume);
      this.firstCounter = Buffer.from(options.resume.firstCounter);
      this.payloadBytes = options.resume.payloadBytes;
    } else {
      const iv0 = options.iv0 ?? createIv0();
      this.ivBlock = encryptIvBlock(options.key, iv0);
      this.firstCounter = addToCounter(iv0, 1);
      this.payloadBytes = 0;
    }
    this.cipher = ctrCipher(options.key, {
      firstCounter: this.firstCounter,
      payloadBytes: this.payloadBytes,
    });
  }

  /** Current position, to save in a state file and pass back as `resume`. */
  position(): CtrPosition {
    return { firstCounter: Buffer.from(this.firstCounter), payloadBytes: this.payloadBytes };
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, done: TransformCallback): void {
    this.pushIvBlock();
    this.bytesIn += chunk.length;
    const out = this.cipher.update(chunk);
    this.payloadBytes += out.length;
    this.bytesOut += out.length;
    done(null, out);
  }

  override _flush(done: TransformCallback): void {
    this.pushIvBlock(); // an empty encrypted file is still 16 bytes, like the C tool's
    done();
  }

  private pushIvBlock(): void {
    if (this.ivBlock === undefined) return;
    this.push(this.ivBlock);
    this.bytesOut += this.ivBlock.length;
    this.ivBlock = undefined;
  }
}

export interface AesCtrDecryptOptions {
  key: EncryptionKey;
  /** Decrypt from the middle of a file: no IV block is expected in the input. */
  resume?: CtrPosition;
  /** For error messages. */
  fileName?: string;
}

/** Reverses {@link AesCtrEncryptor}: reads the IV block, then CTR-decrypts the rest. */
export class AesCtrDecryptor extends Transform {
  private readonly key: EncryptionKey;
  private readonly fileName: string | undefined;
  private decipher: Decipher | undefined;
  private header: Buffer | undefined;
  private bytesIn = 0;

  constructor(options: AesCtrDecryptOptions) {
    super();
    this.key = options.key;
    this.fileName = options.fileName;
    if (options.resume) {
      checkPosition(options.resume);
      this.decipher = ctrCipher(options.key, options.resume);
    }
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, done: TransformCallback): void {
    this.bytesIn += chunk.length;
    if (this.decipher === undefined) {
      const have = this.header === undefined ? chunk : Buffer.concat([this.header, chunk]);
      if (have.length < IV_BLOCK_BYTES) {
        this.header = have;
        done();
        return;
      }
      this.header = undefined;
      const firstCounter = firstCounterFromIvBlock(this.key, have.subarray(0, IV_BLOCK_BYTES));
      this.decipher = ctrCipher(this.key, { firstCounter, payloadBytes: 0 });
      chunk = have.subarray(IV_BLOCK_BYTES);
      if (chunk.length === 0) {
        done();
        return;
      }
    }
    done(null, this.decipher.update(chunk));
  }

  override _flush(done: TransformCallback): void {
    if (this.decipher === undefined) {
      done(
        new CryptoStreamError(
          'ERR_ENCRYPTED_HEADER_TRUNCATED',
          `too short to be encrypted: ${this.bytesIn} bytes, less than the 16-byte IV block`,
          fileWhere(this.fileName),
        ),
      );
      return;
    }
    done();
  }
}

function checkPosition(position: CtrPosition): void {
  if (
    position.firstCounter.length !== 16 ||
    !Number.isSafeInteger(position.payloadBytes) ||
    position.payloadBytes < 0
  ) {
    throw new CryptoStreamError(
      'ERR_BAD_RESUME_STATE',
      'a CTR resume position needs a 16-byte counter and a non-negative byte count',
    );
  }
}

function fileWhere(file: string | undefined): { file?: string } {
  return file === undefined ? {} : { file };
}
