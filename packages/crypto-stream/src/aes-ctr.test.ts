import { createCipheriv, randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  AesCtrDecryptor,
  AesCtrEncryptor,
  addToCounter,
  counterAt,
  encryptIvBlock,
  firstCounterFromIvBlock,
} from './aes-ctr.js';
import { rawEncryptionKey } from './key.js';
import { randomChunks, runThrough, seededRandom } from './test/index.js';

const key128 = rawEncryptionKey(Buffer.from('000102030405060708090a0b0c0d0e0f', 'hex'));
const key256 = rawEncryptionKey(Buffer.alloc(32, 7));

describe('CTR counter', () => {
  it('adds with carry across all 128 bits and wraps', () => {
    const allOnesLow = Buffer.from('00000000000000ffffffffffffffffff', 'hex');
    expect(addToCounter(allOnesLow, 1).toString('hex')).toBe('00000000000001000000000000000000');
    expect(addToCounter(Buffer.alloc(16, 0xff), 1).equals(Buffer.alloc(16))).toBe(true);
    const position = { firstCounter: Buffer.alloc(16), payloadBytes: 16 * 5 + 3 };
    const { counter, blockOffset } = counterAt(position);
    expect(counter.readUInt8(15)).toBe(5);
    expect(blockOffset).toBe(3);
  });

  it("Node's aes-128-ctr increments the full 128-bit block like OpenSSL's ctr128", () => {
    // Start one block before the 64-bit boundary: the second block must use counter 0x..01 0000...
    const start = Buffer.from('0000000000000000ffffffffffffffff', 'hex');
    const keystream = createCipheriv('aes-128-ctr', key128.key, start).update(Buffer.alloc(48));
    for (let block = 0; block < 3; block++) {
      const ecb = createCipheriv('aes-128-ecb', key128.key, null).setAutoPadding(false);
      const expected = ecb.update(addToCounter(start, block));
      expect(keystream.subarray(block * 16, block * 16 + 16).equals(expected)).toBe(true);
    }
    // and wraps from all ones to zero
    const top = Buffer.alloc(16, 0xff);
    const wrapStream = createCipheriv('aes-128-ctr', key128.key, top).update(Buffer.alloc(32));
    const zero = createCipheriv('aes-128-ecb', key128.key, null).setAutoPadding(false);
    expect(wrapStream.subarray(16).equals(zero.update(Buffer.alloc(16)))).toBe(true);
  });

  it('stores E(IV0) and starts the counter at IV0 + 1', async () => {
    const iv0 = Buffer.from('5f5e100000000000000000000000000f', 'hex');
    const data = Buffer.from('Version 3.1\n# namespace test\n');
    const out = await runThrough([new AesCtrEncryptor({ key: key128, iv0 })], [data]);
    expect(out.subarray(0, 16).equals(encryptIvBlock(key128, iv0))).toBe(true);
    const expected = createCipheriv('aes-128-ctr', key128.key, addToCounter(iv0, 1)).update(data);
    expect(out.subarray(16).equals(expected)).toBe(true);
    expect(firstCounterFromIvBlock(key128, out.subarray(0, 16)).equals(addToCounter(iv0, 1))).toBe(true);
  });
});

describe('AES-CTR transforms', () => {
  it('round-trips random data over random chunkings for both key sizes', async () => {
    const random = seededRandom(42);
    for (const key of [key128, key256]) {
      for (let round = 0; round < 5; round++) {
        const data = randomBytes(Math.floor(random() * 200_000));
        const encrypted = await runThrough([new AesCtrEncryptor({ key })], randomChunks(data, random, 5000));
        expect(encrypted.length).toBe(data.length + 16);
        const decrypted = await runThrough(
          [new AesCtrDecryptor({ key })],
          randomChunks(encrypted, random, 37),
        );
        expect(decrypted.equals(data)).toBe(true);
      }
    }
  });

  it('resumes encryption at any byte offset with the saved position', async () => {
    const random = seededRandom(7);
    const data = randomBytes(10_000);
    const iv0 = randomBytes(16);
    const whole = await runThrough([new AesCtrEncryptor({ key: key256, iv0 })], [data]);
    for (const cut of [0, 1, 15, 16, 17, 4095, 9999, 10_000]) {
      const first = new AesCtrEncryptor({ key: key256, iv0 });
      const head = await runThrough([first], randomChunks(data.subarray(0, cut), random, 300));
      const second = new AesCtrEncryptor({ key: key256, resume: first.position() });
      const tail = await runThrough([second], [data.subarray(cut)]);
      expect(Buffer.concat([head, tail]).equals(whole)).toBe(true);
      expect(second.position().payloadBytes).toBe(data.length);
      // and decrypting from the middle of the file
      const middle = await runThrough(
        [new AesCtrDecryptor({ key: key256, resume: first.position() })],
        [whole.subarray(16 + cut)],
      );
      expect(middle.equals(data.subarray(cut))).toBe(true);
    }
  });

  it('writes only the IV block for an empty stream and reads it back as empty', async () => {
    const encrypted = await runThrough([new AesCtrEncryptor({ key: key128 })], []);
    expect(encrypted.length).toBe(16);
    expect((await runThrough([new AesCtrDecryptor({ key: key128 })], [encrypted])).length).toBe(0);
  });

  it('rejects a file shorter than the IV block', async () => {
    await expect(
      runThrough([new AesCtrDecryptor({ key: key128, fileName: 'x.asb' })], [Buffer.alloc(9)]),
    ).rejects.toMatchObject({ code: 'ERR_ENCRYPTED_HEADER_TRUNCATED', file: 'x.asb' });
  });
});
