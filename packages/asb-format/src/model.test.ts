import { describe, expect, it } from 'vitest';
import { CITRUSLEAF_EPOCH, ParticleType } from './index.js';

describe('model constants', () => {
  it('uses the wire particle ids and the 2010 epoch', () => {
    expect(ParticleType.LIST).toBe(20);
    expect(ParticleType.GEOJSON).toBe(23);
    expect(new Date(CITRUSLEAF_EPOCH * 1000).toISOString()).toBe('2010-01-01T00:00:00.000Z');
  });
});
