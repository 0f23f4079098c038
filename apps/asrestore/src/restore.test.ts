import { useEmulator } from '@asbkit/aerospike-emulator/test';
import { describe, expect, it } from 'vitest';
import { FIXTURES, run, summaryOf } from './testing.js';

const emu = useEmulator({ namespaces: ['test', 'bar'], nodes: 2 });

describe('smoke', () => {
  it('restores the official full backup', async () => {
    const r = await run(['-h', emu.current.hosts, '-d', `${FIXTURES}official-backups/full`]);
    console.log(r.lines.join('\n'));
    expect(r.code).toBe(0);
    expect(summaryOf(r.lines).inserted).toBeGreaterThan(100);
  });
});
