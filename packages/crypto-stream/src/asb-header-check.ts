import { Transform, type TransformCallback } from 'node:stream';
import { CryptoStreamError } from './errors.js';

const ASB_START = Buffer.from('Version ', 'latin1');
const ZSTD_MAGIC = Buffer.from([0x28, 0xb5, 0x2f, 0xfd]);

export interface AsbHeaderCheckOptions {
  /** Encryption mode the data was decrypted with, to word the wrong-key error. */
  encryption?: string | undefined;
  /** Whether the data went through the zstd decoder. */
  compressed?: boolean;
  fileName?: string | undefined;
}

/**
 * Passes bytes through after checking they start with `Version ` — the cheap, early way to tell a
 * wrong key or a missing/extra `-z`/`-y` from a real parse error later on.
 */
export class AsbHeaderCheck extends Transform {
  private readonly options: AsbHeaderCheckOptions;
  private head: Buffer | undefined = Buffer.alloc(0);

  constructor(options: AsbHeaderCheckOptions = {}) {
    super();
    this.options = options;
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, done: TransformCallback): void {
    if (this.head === undefined) {
      done(null, chunk);
      return;
    }
    const have = this.head.length === 0 ? chunk : Buffer.concat([this.head, chunk]);
    if (have.length < ASB_START.length) {
      this.head = have;
      done();
      return;
    }
    this.head = undefined;
    if (!have.subarray(0, ASB_START.length).equals(ASB_START)) {
      done(this.mismatch(have));
      return;
    }
    done(null, have);
  }

  override _flush(done: TransformCallback): void {
    if (this.head !== undefined) done(this.mismatch(this.head));
    else done();
  }

  private mismatch(head: Buffer): CryptoStreamError {
    const where = this.options.fileName === undefined ? {} : { file: this.options.fileName };
    if (!this.options.compressed && head.subarray(0, 4).equals(ZSTD_MAGIC)) {
      return new CryptoStreamError(
        'ERR_UNEXPECTED_COMPRESSION',
        'the data is zstd-compressed: add -z zstd (--compress zstd)',
        where,
      );
    }
    if (this.options.encryption !== undefined) {
      return new CryptoStreamError(
        'ERR_WRONG_KEY',
        `decrypted data is not an .asb backup: wrong key or not encrypted with ${this.options.encryption}?`,
        where,
      );
    }
    const what = head.length === 0 ? 'it is empty' : 'it does not start with "Version "';
    return new CryptoStreamError(
      'ERR_NOT_ASB',
      `not an .asb backup: ${what} (encrypted? then give -y and a key)`,
      where,
    );
  }
}
