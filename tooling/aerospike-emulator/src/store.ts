// The cluster-wide record store: one map per namespace and partition, keyed by digest hex (hex
// order equals bytewise order, which gives the server's descending-digest scan order cheaply).

import { isExpired, partitionOf, type StoredRecord } from './record.js';

export const PARTITIONS = 4096;

export class NamespaceStore {
  private readonly partitions: Map<string, StoredRecord>[] = Array.from(
    { length: PARTITIONS },
    () => new Map(),
  );

  constructor(readonly name: string) {}

  get(digest: Buffer, nowMs: number = Date.now()): StoredRecord | undefined {
    const record = this.partitions[partitionOf(digest)].get(digest.toString('hex'));
    if (record && isExpired(record, nowMs)) {
      this.delete(digest);
      return undefined;
    }
    return record;
  }

  put(record: StoredRecord): void {
    this.partitions[partitionOf(record.digest)].set(record.digest.toString('hex'), record);
  }

  delete(digest: Buffer): boolean {
    return this.partitions[partitionOf(digest)].delete(digest.toString('hex'));
  }

  /** Live records of one partition in descending digest order, optionally strictly after `after`. */
  partitionRecords(pid: number, after?: Buffer, nowMs: number = Date.now()): StoredRecord[] {
    const map = this.partitions[pid];
    let keys = [...map.keys()].sort().reverse();
    if (after) {
      const afterHex = after.toString('hex');
      keys = keys.filter((k) => k < afterHex);
    }
    const out: StoredRecord[] = [];
    for (const k of keys) {
      const record = map.get(k)!;
      if (!isExpired(record, nowMs)) out.push(record);
    }
    return out;
  }

  *all(nowMs: number = Date.now()): Generator<StoredRecord> {
    for (let pid = 0; pid < PARTITIONS; pid++) yield* this.partitionRecords(pid, undefined, nowMs);
  }

  count(nowMs: number = Date.now()): number {
    let n = 0;
    for (const _ of this.all(nowMs)) n++;
    return n;
  }

  clear(): void {
    for (const map of this.partitions) map.clear();
  }
}
