import { describe, expect, it } from 'vitest';
import { formatLocalTime, isUtcZoneName, zoneAbbreviation } from './format.js';

describe('local times in log lines', () => {
  it('knows the zone names that always read UTC', () => {
    for (const name of ['UTC', ':UTC', 'Etc/UTC', '/usr/share/zoneinfo/Etc/UTC', 'Zulu', 'Etc/Universal'])
      expect(isUtcZoneName(name), name).toBe(true);
    for (const name of ['', 'Europe/London', 'GMT', 'Etc/GMT+1', '/usr/share/zoneinfo/America/New_York'])
      expect(isUtcZoneName(name), name).toBe(false);
  });

  it('names the zone as Intl does, with or without the UTC shortcut', () => {
    for (const ms of [0, Date.UTC(2026, 6, 1, 12), Date.UTC(2026, 0, 15, 3)]) {
      const date = new Date(ms);
      expect(zoneAbbreviation(date)).toBe(zoneAbbreviation(date, false));
    }
    expect(formatLocalTime(new Date(2026, 10, 22, 9, 5, 7))).toMatch(/^2026-11-22 09:05:07 \S+$/);
  });
});
