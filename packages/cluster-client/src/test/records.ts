// Deterministic test records: integer keys, digests computed like the server (RIPEMD-160).
import { createHash } from 'node:crypto';
import { type AsbRecord, ParticleType } from '@asbkit/asb-format';

export function digestOf(set: string | undefined, key: number): Buffer {
  const k = Buffer.alloc(9);
  k[0] = ParticleType.INTEGER;
  k.writeBigInt64BE(BigInt(key), 1);
  const h = createHash('ripemd160');
  if (set) h.update(set);
  return h.update(k).digest();
}

/** `count` records with keys `0..count-1`, a string, an integer and a blob bin. */
export function makeRecords(
  count: number,
  namespace = 'test',
  set: string | undefined = 'demo',
  payload = 32,
): AsbRecord[] {
  const out: AsbRecord[] = [];
  for (let i = 0; i < count; i++) {
    out.push({
      kind: 'record',
      namespace,
      digest: digestOf(set, i),
      set,
      key: { type: ParticleType.INTEGER, value: i },
      generation: 1 + (i % 3),
      voidTime: i % 2 === 0 ? 0 : 500_000_000 + i,
      bins: [
        { name: 'name', type: ParticleType.STRING, value: Buffer.from(`user-${i}`) },
        { name: 'n', type: ParticleType.INTEGER, value: i },
        { name: 'blob', type: ParticleType.BLOB, value: Buffer.alloc(payload, i & 0xff) },
      ],
    });
  }
  return out;
}
