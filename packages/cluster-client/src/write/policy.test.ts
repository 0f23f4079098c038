import { expect, it } from 'vitest';
import { expectedGenerationOf, info2Of, info3Of, type RecordWritePolicy } from './policy.js';

it('maps every exists and generation policy onto the info bits of wire spec §7.2', () => {
  const base: RecordWritePolicy = { exists: 'update', generation: 'none', ttl: 0, sendKey: false };
  const bits = (p: Partial<RecordWritePolicy>) => [info2Of({ ...base, ...p }), info3Of({ ...base, ...p })];
  expect(bits({})).toEqual([0x01, 0]);
  expect(bits({ exists: 'create-only' })).toEqual([0x21, 0]);
  expect(bits({ exists: 'update-only' })).toEqual([0x01, 0x08]);
  expect(bits({ exists: 'replace-only' })).toEqual([0x01, 0x20]);
  expect(bits({ exists: 'create-or-replace' })).toEqual([0x01, 0x10]);
  expect(bits({ generation: 'eq' })).toEqual([0x05, 0]);
  expect(bits({ generation: 'gt', exists: 'create-only' })).toEqual([0x29, 0]);
  expect(expectedGenerationOf({ ...base, generation: 'gt' }, 7)).toBe(7);
  expect(expectedGenerationOf(base, 7)).toBe(0);
});
