import { createHash } from 'node:crypto';
import type { UserKey } from '@asbkit/asb-format';

/** Number of partitions of every Aerospike namespace. */
export const PARTITION_COUNT = 4096;
/** Byte length of a record digest (RIPEMD-160). */
export const DIGEST_SIZE = 20;

// Particle type ids as they appear inside the digest input (same as the wire ids).
const KEY_TYPE_INTEGER = 1;
const KEY_TYPE_FLOAT = 2;
const KEY_TYPE_STRING = 3;
const KEY_TYPE_BLOB = 4;

/** Partition of a digest: the little-endian u16 of its first two bytes, modulo 4096. */
export function partitionIdOf(digest: Buffer): number {
  return (digest[0] | (digest[1] << 8)) & (PARTITION_COUNT - 1);
}

/**
 * RIPEMD-160 over `set bytes ‖ key type byte ‖ key bytes`, as the clients compute it.
 * Integers are 8-byte big-endian two's complement; strings and blobs are their raw bytes.
 * Float keys hash as type 2 with the 8-byte big-endian IEEE value (what the Java client does);
 * the server itself only stores integer, string and blob keys.
 */
export function computeDigest(set: string | Buffer | undefined, key: UserKey): Buffer {
  const hash = createHash('ripemd160');
  if (set !== undefined && set.length > 0) hash.update(typeof set === 'string' ? Buffer.from(set) : set);
  const head = Buffer.allocUnsafe(9);
  switch (key.type) {
    case KEY_TYPE_INTEGER:
      head[0] = KEY_TYPE_INTEGER;
      head.writeBigInt64BE(BigInt(key.value), 1);
      hash.update(head);
      break;
    case KEY_TYPE_FLOAT:
      head[0] = KEY_TYPE_FLOAT;
      head.writeDoubleBE(key.value, 1);
      hash.update(head);
      break;
    case KEY_TYPE_STRING:
    case KEY_TYPE_BLOB:
      head[0] = key.type;
      hash.update(head.subarray(0, 1));
      hash.update(key.value);
      break;
    default:
      throw new TypeError(`computeDigest: unsupported user key type ${(key as { type: unknown }).type}`);
  }
  return hash.digest();
}
