import { CITRUSLEAF_EPOCH } from '@asbkit/asb-format';
import { describe, expect, it } from 'vitest';
import { WritePolicyError } from './errors.js';
import { RestoreWritePolicy, validateRestorePolicyOptions } from './policy.js';
import { NEVER_EXPIRE } from './ttl.js';

const NOW = CITRUSLEAF_EPOCH + 500_000_000;
const keyed = { voidTime: 0, key: { type: 3 as const, value: Buffer.from('k') } };
const keyless = { voidTime: 500_000_100, key: undefined };

describe('RestoreWritePolicy', () => {
  it.each([
    [{}, 'update', 'gt'],
    [{ noGeneration: true }, 'update', 'none'],
    [{ replace: true }, 'create-or-replace', 'gt'],
    [{ replace: true, noGeneration: true }, 'create-or-replace', 'none'],
    [{ unique: true }, 'create-only', 'gt'],
  ])('%o → exists %s, generation %s', (opts, exists, generation) => {
    const p = new RestoreWritePolicy(opts);
    expect(p.forRecord(keyed, NOW)).toEqual({ exists, generation, ttl: NEVER_EXPIRE, sendKey: true });
    expect(p.forRecord(keyless, NOW)).toEqual({ exists, generation, ttl: 100, sendKey: false });
  });

  it('refuses --unique with --replace or --no-generation, with the official text', () => {
    for (const opts of [
      { unique: true, replace: true },
      { unique: true, noGeneration: true },
    ]) {
      expect(() => new RestoreWritePolicy(opts)).toThrow(
        'Invalid options: --unique is mutually exclusive with --replace and --no-generation.',
      );
      expect(() => validateRestorePolicyOptions(opts)).toThrow(WritePolicyError);
      try {
        validateRestorePolicyOptions(opts);
      } catch (e) {
        expect((e as WritePolicyError).text).toBe(
          'Invalid options: --unique is mutually exclusive with --replace and --no-generation.',
        );
        expect((e as WritePolicyError).option).toBe('--unique');
      }
    }
  });

  it('skips expired records and applies --extra-ttl', () => {
    const expired = { voidTime: 500_000_000, key: undefined };
    expect(new RestoreWritePolicy().forRecord(expired, NOW)).toBeUndefined();
    expect(new RestoreWritePolicy({ extraTtl: 10 }).forRecord(expired, NOW)?.ttl).toBe(10);
  });
});
