// Partition ownership of the emulated cluster: every partition has a master node (replica 0)
// and, with replication factor 2+, proles on the following nodes. Masters are spread with a
// hash so each node owns an interleaved set, as on a real cluster.

import { PARTITIONS } from './store.js';

export class PartitionMap {
  /** masters[pid] = node index. */
  readonly masters: number[];
  /** Bumped on every node whose ownership changes; per node, as on a real cluster. */
  readonly generations: number[];

  constructor(
    readonly nodeCount: number,
    readonly replicationFactor: number,
    masters?: number[],
  ) {
    if (nodeCount < 1) throw new Error('emulator needs at least one node');
    if (replicationFactor < 1 || replicationFactor > nodeCount) {
      throw new Error(`replication factor ${replicationFactor} must be 1..${nodeCount}`);
    }
    if (masters && (masters.length !== PARTITIONS || masters.some((n) => !(n >= 0 && n < nodeCount)))) {
      throw new Error(`partition masters must be ${PARTITIONS} node indexes below ${nodeCount}`);
    }
    this.masters = masters
      ? [...masters]
      : Array.from({ length: PARTITIONS }, (_, pid) => spread(pid) % nodeCount);
    this.generations = Array.from({ length: nodeCount }, () => 1);
  }

  /** Node index holding `pid` at replica index `replica` (0 = master). */
  ownerAt(pid: number, replica: number): number {
    return (this.masters[pid] + replica) % this.nodeCount;
  }

  holds(node: number, pid: number): boolean {
    for (let r = 0; r < this.replicationFactor; r++) if (this.ownerAt(pid, r) === node) return true;
    return false;
  }

  masterPartitions(node: number): number[] {
    const out: number[] = [];
    for (let pid = 0; pid < PARTITIONS; pid++) if (this.masters[pid] === node) out.push(pid);
    return out;
  }

  /** Hands `pids` to `toNode` as master and bumps the partition generation of every node. */
  move(pids: Iterable<number>, toNode: number): void {
    if (toNode < 0 || toNode >= this.nodeCount) throw new Error(`no node ${toNode}`);
    for (const pid of pids) this.masters[pid] = toNode;
    for (let n = 0; n < this.nodeCount; n++) this.generations[n]++;
  }

  /** 4096-bit bitmap, MSB-first within each byte (wire-protocol §2.3), base64. */
  bitmap(node: number, replica: number): string {
    const bits = Buffer.alloc(PARTITIONS / 8);
    for (let pid = 0; pid < PARTITIONS; pid++) {
      if (this.ownerAt(pid, replica) === node) bits[pid >> 3] |= 0x80 >> (pid & 7);
    }
    return bits.toString('base64');
  }
}

function spread(pid: number): number {
  let x = Math.imul(pid + 1, 0x9e3779b1) >>> 0;
  x ^= x >>> 15;
  return Math.imul(x, 0x85ebca6b) >>> 16;
}
