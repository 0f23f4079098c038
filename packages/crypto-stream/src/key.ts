import { createHash, createPrivateKey, type KeyObject } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { CryptoStreamError } from './errors.js';
import { type EncryptionMode, parseEncryptionMode } from './options.js';

/** An AES key ready for the CTR layer: 16 bytes for aes128, 32 for aes256. */
export interface EncryptionKey {
  readonly mode: EncryptionMode;
  readonly key: Buffer;
}

export interface EncryptionKeyOptions {
  /** `-y/--encrypt` value (validated here). */
  encrypt?: string | undefined;
  /** `--encryption-key-file`: path of a PEM private key. */
  encryptionKeyFile?: string | undefined;
  /** `--encryption-key-env`: name of an environment variable holding base64 key material. */
  encryptionKeyEnv?: string | undefined;
  /** PEM text given directly (a Secret Agent value for `--encryption-key-file`). */
  encryptionKeyPem?: string | Buffer | undefined;
  /** Environment to read `encryptionKeyEnv` from; defaults to `process.env`. */
  env?: NodeJS.ProcessEnv;
}

/**
 * Checks the option combination the way the official tools do and loads the key.
 * Returns `undefined` when no encryption was asked for.
 */
export async function resolveEncryptionKey(
  options: EncryptionKeyOptions,
): Promise<EncryptionKey | undefined> {
  const given: string[] = [];
  if (options.encryptionKeyFile !== undefined) given.push('--encryption-key-file');
  if (options.encryptionKeyEnv !== undefined) given.push('--encryption-key-env');
  if (options.encryptionKeyPem !== undefined) given.push('--encryption-key-file');
  if (given.length > 1) {
    throw new CryptoStreamError(
      'ERR_KEY_CONFLICT',
      'only one of --encryption-key-file and --encryption-key-env may be given',
      { option: given.join(' and ') },
    );
  }
  if (options.encrypt === undefined) {
    if (given.length === 0) return undefined;
    throw new CryptoStreamError(
      'ERR_KEY_WITHOUT_MODE',
      'an encryption key was given without an encryption algorithm (-y aes128|aes256)',
      { option: given[0] },
    );
  }
  const mode = parseEncryptionMode(options.encrypt);
  if (given.length === 0) {
    throw new CryptoStreamError(
      'ERR_KEY_MISSING',
      `encryption ${mode} needs a key: give --encryption-key-file or --encryption-key-env`,
      { option: '--encrypt' },
    );
  }
  let material: Buffer;
  if (options.encryptionKeyPem !== undefined) {
    material = keyMaterialFromPem(options.encryptionKeyPem, '<secret>');
  } else if (options.encryptionKeyFile !== undefined) {
    material = await keyMaterialFromFile(options.encryptionKeyFile);
  } else {
    const name = options.encryptionKeyEnv as string;
    material = keyMaterialFromEnv(name, (options.env ?? process.env)[name]);
  }
  return deriveEncryptionKey(mode, material);
}

/** SHA-256 of the key material, truncated to 16 bytes for aes128 (as the C tool does). */
export function deriveEncryptionKey(mode: EncryptionMode, material: Buffer): EncryptionKey {
  const digest = createHash('sha256').update(material).digest();
  return { mode, key: mode === 'aes128' ? digest.subarray(0, 16) : digest };
}

/** Wraps raw AES key bytes (16 or 32) without any hashing, e.g. for tests or other tools. */
export function rawEncryptionKey(key: Buffer): EncryptionKey {
  if (key.length === 16) return { mode: 'aes128', key };
  if (key.length === 32) return { mode: 'aes256', key };
  throw new CryptoStreamError('ERR_BAD_KEY_LENGTH', `an AES key must be 16 or 32 bytes, not ${key.length}`);
}

export async function keyMaterialFromFile(path: string): Promise<Buffer> {
  let pem: Buffer;
  try {
    pem = await readFile(path);
  } catch (error) {
    const reason = (error as NodeJS.ErrnoException).code ?? 'read error';
    throw new CryptoStreamError(
      'ERR_KEY_FILE_UNREADABLE',
      `cannot read the encryption key file (${reason})`,
      { option: '--encryption-key-file', file: path },
    );
  }
  return keyMaterialFromPem(pem, path);
}

/**
 * The bytes the official tool hashes: OpenSSL `i2d_PrivateKey` of the PEM key, i.e. PKCS#1 DER for
 * RSA (even when the PEM is PKCS#8), SEC1 DER for EC, PKCS#8 DER for the other key types.
 */
export function keyMaterialFromPem(pem: string | Buffer, file: string): Buffer {
  let key: KeyObject;
  try {
    key = createPrivateKey({ key: pem, format: 'pem' });
  } catch (error) {
    const encrypted = /ENCRYPTED/.test(String(pem));
    const detail = encrypted
      ? 'encrypted (passphrase-protected) keys are not supported'
      : ((error as NodeJS.ErrnoException).code ?? 'unparseable');
    throw new CryptoStreamError(
      'ERR_KEY_PEM_INVALID',
      `unable to parse the private key, make sure it is a PEM private key (${detail})`,
      { option: '--encryption-key-file', file },
    );
  }
  switch (key.asymmetricKeyType) {
    case 'rsa':
      return key.export({ format: 'der', type: 'pkcs1' });
    case 'ec':
      return key.export({ format: 'der', type: 'sec1' });
    default:
      return key.export({ format: 'der', type: 'pkcs8' });
  }
}

const STRICT_BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

/** `--encryption-key-env`: strict base64, decoded bytes hashed as they are (C behaviour). */
export function keyMaterialFromEnv(name: string, value: string | undefined): Buffer {
  if (value === undefined || value === '') {
    throw new CryptoStreamError('ERR_KEY_ENV_MISSING', `environment variable ${name} is not set or empty`, {
      option: '--encryption-key-env',
    });
  }
  if (!STRICT_BASE64.test(value)) {
    throw new CryptoStreamError(
      'ERR_KEY_ENV_INVALID',
      `environment variable ${name} does not hold strict base64 key material`,
      { option: '--encryption-key-env' },
    );
  }
  return Buffer.from(value, 'base64');
}
