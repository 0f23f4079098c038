import { fileURLToPath } from 'node:url';
import type { AsbRecord } from '@asbkit/asb-format';
import { buildWriteRequest } from '@asbkit/cluster-client';
import { describe, expect, it } from 'vitest';
import {
  compareRecords,
  readAllRecords,
  seedFromAsbFiles,
  startEmulatorProcess,
  useEmulator,
  WireTestClient,
} from './index.js';

const backup = fileURLToPath(
  new URL('../../../../../shared/fixtures/official-backups/full-compact.asb', import.meta.url),
);

const record = (n: number, extra: Partial<AsbRecord> = {}): AsbRecord => ({
  kind: 'record',
  namespace: 'test',
  digest: Buffer.alloc(20, n),
  set: 'x',
  key: { type: 3, value: Buffer.from(`k${n}`) },
  generation: 1,
  voidTime: 0,
  bins: [
    { name: 'i', type: 1, value: 2n ** 62n },
    { name: 'g', type: 23, value: Buffer.from('{"type":"Point","coordinates":[1,2]}') },
    { name: 'f', type: 2, value: Number.NaN },
  ],
  ...extra,
});

describe('test helpers', () => {
  const emulator = useEmulator({ namespaces: ['test', 'bar'] });

  it('reads back what a client wrote, as model records, and compares record by record', async () => {
    const client = await WireTestClient.connect(emulator.current.nodes[0].port);
    const written = [record(1), record(2, { set: undefined, key: undefined })];
    for (const r of written) {
      await client.request(
        buildWriteRequest(r, { exists: 'update', generation: 'none', ttl: 0xffffffff, sendKey: true }),
      );
    }
    client.close();
    const back = readAllRecords(emulator.current, 'test');
    expect(compareRecords(written, back)).toEqual([]);
    expect(compareRecords([record(1, { generation: 3 }), record(3)], back)).toEqual([
      `test/${'01'.repeat(20)}: generation 3 != 1`,
      `test/${'03'.repeat(20)}: missing`,
      `test/${'02'.repeat(20)}: unexpected`,
    ]);
    expect(
      compareRecords([record(1, { generation: 3 })], back.slice(0, 1), { ignoreGeneration: true }),
    ).toEqual([]);
    const changed = record(1, { bins: [{ name: 'i', type: 1, value: 5 }] });
    expect(compareRecords([changed], back.slice(0, 1))[0]).toMatch(/bins \[i:1=5\] != \[f:2=NaN, g:23=0x7b/);
  });

  it('seeds from an official backup file (records, secondary indexes, UDFs)', async () => {
    const summary = await seedFromAsbFiles(emulator.current, [backup]);
    expect(summary).toEqual({ records: 163, sindexes: 3, udfs: 1 });
    expect(readAllRecords(emulator.current, 'test').length).toBe(163 + 2);
  });
});

describe('emulator as a child process', () => {
  it('prints its ports, loads seed files and obeys control lines', async () => {
    const child = await startEmulatorProcess(['--nodes', '2', '--namespaces', 'test,bar', '--seed', backup]);
    try {
      expect(child.nodes.length).toBe(2);
      expect(child.hosts).toBe(child.nodes.map((n) => `127.0.0.1:${n.port}`).join(','));
      expect(await child.control({ cmd: 'count', namespace: 'test' })).toEqual({ ok: true, count: 163 });
      expect(await child.control({ cmd: 'setFaults', faults: { unavailablePartitions: [1] } })).toEqual({
        ok: true,
      });
      expect(await child.control({ cmd: 'count', namespace: 'nope' })).toMatchObject({ ok: false });
    } finally {
      await child.stop();
    }
  });
});
