import { CryptoStreamError } from './errors.js';

export type CompressionMode = 'zstd';
export type EncryptionMode = 'aes128' | 'aes256';

/** zstd's own bounds (`ZSTD_minCLevel()` / `ZSTD_maxCLevel()`); 0 means zstd's default, 3. */
export const ZSTD_MIN_LEVEL = -131072;
export const ZSTD_MAX_LEVEL = 22;
export const ZSTD_DEFAULT_LEVEL = 3;

/** `-z/--compress` value; exact, case-sensitive match like the C tool's `strcmp`. */
export function parseCompressionMode(value: string, option = '--compress'): CompressionMode {
  if (value === 'zstd') return value;
  throw new CryptoStreamError(
    'ERR_BAD_COMPRESSION_MODE',
    `unknown compression algorithm ${JSON.stringify(value)}: the only one is "zstd"`,
    { option },
  );
}

/** `-y/--encrypt` value; exactly `aes128` or `aes256`. */
export function parseEncryptionMode(value: string, option = '--encrypt'): EncryptionMode {
  if (value === 'aes128' || value === 'aes256') return value;
  throw new CryptoStreamError(
    'ERR_BAD_ENCRYPTION_MODE',
    `unknown encryption algorithm ${JSON.stringify(value)}: use "aes128" or "aes256"`,
    { option },
  );
}

/**
 * `--compression-level`: an integer within zstd's bounds, only together with `-z`.
 * Returns the effective level (0 and absent become zstd's default, 3).
 */
export function parseCompressionLevel(
  value: string | number | undefined,
  compression: CompressionMode | undefined,
  option = '--compression-level',
): number {
  if (value === undefined) return ZSTD_DEFAULT_LEVEL;
  const text = String(value).trim();
  const level = /^[+-]?\d+$/.test(text) ? Number(text) : Number.NaN;
  if (!Number.isSafeInteger(level) || level < ZSTD_MIN_LEVEL || level > ZSTD_MAX_LEVEL) {
    throw new CryptoStreamError(
      'ERR_BAD_COMPRESSION_LEVEL',
      `invalid compression level ${JSON.stringify(String(value))}: expected an integer from ${ZSTD_MIN_LEVEL} to ${ZSTD_MAX_LEVEL}`,
      { option },
    );
  }
  if (compression === undefined) {
    throw new CryptoStreamError(
      'ERR_LEVEL_WITHOUT_COMPRESSION',
      'a compression level was given without a compression algorithm (-z zstd)',
      { option },
    );
  }
  return level === 0 ? ZSTD_DEFAULT_LEVEL : level;
}
