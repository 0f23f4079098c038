import { createPrivateKey, generateKeyPairSync } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { CryptoStreamError } from './errors.js';
import { deriveEncryptionKey, keyMaterialFromPem, rawEncryptionKey, resolveEncryptionKey } from './key.js';
import { fixturePath } from './test/index.js';

const keyFile = fixturePath('test_key.pem');
const TEST_KEY_SHA256 = '84a1baf3fe4111b646cf2e688b1585018989ad61973ed302a56be2fe8cadb6a2';
const TEST_KEY2_SHA256 = 'cb1d11829f7916144ed60ebf5eab2793ac51f0bc9231e03c83b7ba61b491294e';

async function codeOf(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
  } catch (error) {
    expect(error).toBeInstanceOf(CryptoStreamError);
    return (error as CryptoStreamError).code;
  }
  return 'no error';
}

describe('resolveEncryptionKey', () => {
  it('hashes the PKCS#1 DER of the PEM key (spec test vectors)', async () => {
    const k256 = await resolveEncryptionKey({ encrypt: 'aes256', encryptionKeyFile: keyFile });
    expect(k256?.key.toString('hex')).toBe(TEST_KEY_SHA256);
    const k128 = await resolveEncryptionKey({ encrypt: 'aes128', encryptionKeyFile: keyFile });
    expect(k128?.key.toString('hex')).toBe(TEST_KEY_SHA256.slice(0, 32));
    const k2 = await resolveEncryptionKey({
      encrypt: 'aes256',
      encryptionKeyFile: fixturePath('test_key2.pem'),
    });
    expect(k2?.key.toString('hex')).toBe(TEST_KEY2_SHA256);
  });

  it('gives the same key for the PKCS#8 form of an RSA key', async () => {
    const pkcs8 = createPrivateKey(readFileSync(keyFile)).export({ type: 'pkcs8', format: 'pem' });
    expect(pkcs8).toContain('BEGIN PRIVATE KEY');
    const key = await resolveEncryptionKey({ encrypt: 'aes256', encryptionKeyPem: pkcs8 });
    expect(key?.key.toString('hex')).toBe(TEST_KEY_SHA256);
  });

  it('uses SEC1 DER for EC keys', () => {
    const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const pem = privateKey.export({ type: 'pkcs8', format: 'pem' });
    const sec1 = privateKey.export({ type: 'sec1', format: 'der' });
    expect(keyMaterialFromPem(pem, 'ec.pem').equals(sec1)).toBe(true);
  });

  it('hashes the base64-decoded env value directly (C behaviour)', async () => {
    const body = readFileSync(keyFile, 'latin1')
      .split('\n')
      .filter((line) => line !== '' && !line.startsWith('-----'))
      .join('');
    const key = await resolveEncryptionKey({
      encrypt: 'aes256',
      encryptionKeyEnv: 'ASB_KEY',
      env: { ASB_KEY: body },
    });
    expect(key?.key.toString('hex')).toBe(TEST_KEY_SHA256);
    const other = await resolveEncryptionKey({
      encrypt: 'aes128',
      encryptionKeyEnv: 'K',
      env: { K: Buffer.from('abc').toString('base64') },
    });
    expect(other?.key.equals(deriveEncryptionKey('aes128', Buffer.from('abc')).key)).toBe(true);
  });

  it('returns undefined without encryption', async () => {
    expect(await resolveEncryptionKey({})).toBeUndefined();
  });

  it('rejects each bad combination with its own code', async () => {
    const env = { K: 'YWJj' };
    expect(await codeOf(resolveEncryptionKey({ encrypt: 'aes256' }))).toBe('ERR_KEY_MISSING');
    expect(await codeOf(resolveEncryptionKey({ encryptionKeyFile: keyFile }))).toBe('ERR_KEY_WITHOUT_MODE');
    expect(
      await codeOf(
        resolveEncryptionKey({
          encrypt: 'aes256',
          encryptionKeyFile: keyFile,
          encryptionKeyEnv: 'K',
          env,
        }),
      ),
    ).toBe('ERR_KEY_CONFLICT');
    expect(await codeOf(resolveEncryptionKey({ encrypt: 'AES256', encryptionKeyFile: keyFile }))).toBe(
      'ERR_BAD_ENCRYPTION_MODE',
    );
    expect(await codeOf(resolveEncryptionKey({ encrypt: 'aes256', encryptionKeyEnv: 'NOPE', env }))).toBe(
      'ERR_KEY_ENV_MISSING',
    );
    expect(
      await codeOf(resolveEncryptionKey({ encrypt: 'aes256', encryptionKeyEnv: 'K', env: { K: 'a b=' } })),
    ).toBe('ERR_KEY_ENV_INVALID');
  });

  it('names the file for a malformed or unreadable PEM', async () => {
    const bad = fixturePath('bad_test_key.pem');
    await expect(resolveEncryptionKey({ encrypt: 'aes128', encryptionKeyFile: bad })).rejects.toMatchObject({
      code: 'ERR_KEY_PEM_INVALID',
      file: bad,
      option: '--encryption-key-file',
    });
    await expect(
      resolveEncryptionKey({ encrypt: 'aes128', encryptionKeyFile: '/nonexistent/key.pem' }),
    ).rejects.toMatchObject({ code: 'ERR_KEY_FILE_UNREADABLE', file: '/nonexistent/key.pem' });
    await expect(
      resolveEncryptionKey({ encrypt: 'aes128', encryptionKeyPem: 'not a key' }),
    ).rejects.toMatchObject({ code: 'ERR_KEY_PEM_INVALID' });
  });

  it('never puts key material into messages', async () => {
    const secret = 'c2VjcmV0IGtleSBtYXRlcmlhbA';
    const error = await resolveEncryptionKey({
      encrypt: 'aes128',
      encryptionKeyEnv: 'K',
      env: { K: secret },
    }).catch((e: Error) => e);
    expect((error as Error).message).not.toContain(secret);
  });

  it('wraps raw keys by length', () => {
    expect(rawEncryptionKey(Buffer.alloc(16)).mode).toBe('aes128');
    expect(rawEncryptionKey(Buffer.alloc(32)).mode).toBe('aes256');
    expect(() => rawEncryptionKey(Buffer.alloc(20))).toThrow(/16 or 32 bytes/);
  });
});
