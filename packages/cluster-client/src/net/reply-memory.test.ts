import { describe, expect, it } from 'vitest';
import { OWN_MEMORY_BYTES, ReplyMemory } from './reply-memory.js';

describe('ReplyMemory', () => {
  it('gives small bodies pooled memory and big ones memory of their own', () => {
    const m = new ReplyMemory();
    const small = m.take(100);
    expect(small.length).toBe(100);
    expect(m.ownsMemory(small)).toBe(false);
    const big = m.take(OWN_MEMORY_BYTES);
    expect(m.ownsMemory(big)).toBe(true);
    expect(big.buffer.byteLength).toBe(OWN_MEMORY_BYTES);
    // a view into owned memory that does not start at 0 does not own it
    expect(m.ownsMemory(big.subarray(1))).toBe(false);
  });

  it('reuses memory given back for a body of about the same size, within its limit', () => {
    const m = new ReplyMemory(3 * 1024 * 1024);
    const a = m.take(1_048_740);
    const memory = a.buffer as ArrayBuffer;
    m.give(memory);
    const b = m.take(1_000_000);
    expect(b.buffer).toBe(memory);
    expect(b.length).toBe(1_000_000);
    expect(m.ownsMemory(b)).toBe(true);
    // not for a body less than half its size: that would pin twice the memory needed
    m.give(memory);
    expect(m.take(200_000).buffer).not.toBe(memory);
    // beyond the limit, memory given back is dropped
    const many = [m.take(1_048_576), m.take(1_048_576), m.take(1_048_576), m.take(1_048_576)];
    for (const x of many) m.give(x.buffer as ArrayBuffer);
    const again = [m.take(1_048_576), m.take(1_048_576), m.take(1_048_576), m.take(1_048_576)];
    const reused = again.filter((x) => many.some((y) => y.buffer === x.buffer)).length;
    expect(reused).toBeLessThan(4);
    expect(reused).toBeGreaterThan(0);
  });
});
