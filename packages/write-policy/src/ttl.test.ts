import { CITRUSLEAF_EPOCH } from '@asbkit/asb-format';
import { describe, expect, it } from 'vitest';
import { EXPIRED, NEVER_EXPIRE, parseExtraTtl, restoreTtl } from './ttl.js';

const now = CITRUSLEAF_EPOCH + 1000;

describe('restoreTtl', () => {
  it('sends never-expire (0xFFFFFFFF) for void time 0, whatever the extra TTL', () => {
    expect(restoreTtl(0, 0, now)).toBe(NEVER_EXPIRE);
    expect(restoreTtl(0, 50, now)).toBe(NEVER_EXPIRE);
  });

  it('gives the remaining seconds for a future void time', () => {
    expect(restoreTtl(1001, 0, now)).toBe(1);
    expect(restoreTtl(2000, 0, now)).toBe(1000);
    expect(restoreTtl(2000, 0, now + 0.9)).toBe(1000);
  });

  it('counts a void time at or before now as expired', () => {
    expect(restoreTtl(1000, 0, now)).toBe(EXPIRED);
    expect(restoreTtl(1, 0, now)).toBe(EXPIRED);
  });

  it('adds --extra-ttl before deciding', () => {
    expect(restoreTtl(1000, 1, now)).toBe(1);
    expect(restoreTtl(900, 100, now)).toBe(EXPIRED);
    expect(restoreTtl(900, 150, now)).toBe(50);
  });

  it('expires the official test file record (void time 2023) today', () => {
    expect(restoreTtl(428179113, 0, Date.UTC(2026, 0, 1) / 1000)).toBe(EXPIRED);
  });

  it('wraps like the C u32 arithmetic when void + extra passes 2^32', () => {
    expect(restoreTtl(0xffffffff, 2, now)).toBe(EXPIRED);
  });
});

describe('parseExtraTtl', () => {
  it('accepts 0..2^31-1 and names the bad value otherwise', () => {
    expect(parseExtraTtl('0')).toBe(0);
    expect(parseExtraTtl('2147483647')).toBe(2147483647);
    for (const bad of ['-1', '2147483648', 'x', '', '1.5']) {
      expect(() => parseExtraTtl(bad)).toThrow(`Invalid extra-ttl value ${bad}`);
    }
  });
});
