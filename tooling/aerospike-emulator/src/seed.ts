// Seeding from `.asb` files: records go into the store; secondary indexes and UDF modules of the
// file are registered as if a restore had created them.

import { createReadStream } from 'node:fs';
import { type AsbDecodeOptions, type AsbRecord, decodeAsb } from '@asbkit/asb-format';
import type { Emulator } from './emulator.js';

export interface SeedSummary {
  records: number;
  sindexes: number;
  udfs: number;
}

export async function seedFromAsbFiles(
  emulator: Emulator,
  files: string[],
  opts: Omit<AsbDecodeOptions, 'fileName'> = {},
): Promise<SeedSummary> {
  const summary: SeedSummary = { records: 0, sindexes: 0, udfs: 0 };
  for (const file of files) {
    let batch: AsbRecord[] = [];
    for await (const entry of decodeAsb(createReadStream(file), { ...opts, fileName: file })) {
      if (entry.kind === 'record') {
        batch.push(entry);
        summary.records++;
        if (batch.length >= 1024) {
          emulator.load(batch);
          batch = [];
        }
      } else if (entry.kind === 'sindex') {
        const path = entry.paths[0];
        const typeNames = { S: 'string', N: 'numeric', G: 'geo2dsphere', B: 'blob' } as const;
        const indexTypes = { N: 'default', L: 'list', K: 'mapkeys', V: 'mapvalues' } as const;
        emulator.state.sindexes.set(`${entry.namespace}/${entry.name}`, {
          namespace: entry.namespace,
          set: entry.set === '' ? undefined : entry.set,
          name: entry.name,
          bin: entry.expression === undefined ? path?.path : undefined,
          type: typeNames[path?.type ?? 'S'],
          indexType: indexTypes[entry.indexType],
          context: entry.context,
          exp: entry.expression,
        });
        summary.sindexes++;
      } else if (entry.kind === 'udf') {
        emulator.state.udfs.set(entry.name, Buffer.from(entry.content));
        summary.udfs++;
      }
    }
    emulator.load(batch);
  }
  return summary;
}
