import { describe, expect, it } from 'vitest';
import { parseCompressionLevel, parseCompressionMode, parseEncryptionMode } from './options.js';

describe('option parsing', () => {
  it('accepts exactly the official mode names', () => {
    expect(parseCompressionMode('zstd')).toBe('zstd');
    expect(() => parseCompressionMode('ZSTD')).toThrow(/option --compress/);
    expect(parseEncryptionMode('aes128')).toBe('aes128');
    expect(parseEncryptionMode('aes256')).toBe('aes256');
    expect(() => parseEncryptionMode('aes192')).toThrow(/aes128.*aes256/);
  });

  it('validates the compression level', () => {
    expect(parseCompressionLevel(undefined, undefined)).toBe(3);
    expect(parseCompressionLevel('0', 'zstd')).toBe(3);
    expect(parseCompressionLevel('19', 'zstd')).toBe(19);
    expect(parseCompressionLevel(-5, 'zstd')).toBe(-5);
    expect(() => parseCompressionLevel('23', 'zstd')).toThrow(/--compression-level/);
    expect(() => parseCompressionLevel('3x', 'zstd')).toThrow(/invalid compression level "3x"/);
    expect(() => parseCompressionLevel('5', undefined)).toThrow(
      expect.objectContaining({ code: 'ERR_LEVEL_WITHOUT_COMPRESSION' }),
    );
  });
});
