// Memory for reply bodies. A scan brings ~1 MiB replies by the hundred; allocating each anew
// (and freeing it on some later GC) costs page faults, malloc churn and RSS. Bodies of 4 KiB and
// more get an ArrayBuffer of their own, so a consumer may move them to another thread and, once
// done, give the memory back here for the next reply.

/** Bodies at least this big own their whole ArrayBuffer (see `ownsMemory`). */
export const OWN_MEMORY_BYTES = 4096;
/** Kept buffers are at least this big; sizes are rounded up to a multiple of it. */
const REUSE_GRAIN = 64 * 1024;

export class ReplyMemory {
  private readonly free: ArrayBuffer[] = [];
  private freeBytes = 0;
  private readonly owned = new WeakSet<ArrayBuffer>();

  /** `maxFreeBytes`: memory kept for reuse at most (beyond it, given buffers are dropped). */
  constructor(private readonly maxFreeBytes = 8 * 1024 * 1024) {}

  /** A buffer of `size` bytes for a body (owning its memory when `size >= OWN_MEMORY_BYTES`). */
  take(size: number): Buffer {
    if (size < OWN_MEMORY_BYTES) return Buffer.allocUnsafe(size);
    let ab: ArrayBuffer | undefined;
    if (size >= REUSE_GRAIN) {
      const i = this.free.findIndex((b) => b.byteLength >= size && b.byteLength < 2 * size);
      if (i >= 0) {
        ab = this.free.splice(i, 1)[0]!;
        this.freeBytes -= ab.byteLength;
      }
    }
    if (!ab) {
      const rounded = size >= REUSE_GRAIN ? Math.ceil(size / REUSE_GRAIN) * REUSE_GRAIN : size;
      ab = Buffer.allocUnsafeSlow(rounded).buffer as ArrayBuffer;
    }
    this.owned.add(ab);
    return Buffer.from(ab, 0, size);
  }

  /** True when `body` came from `take` and owns its memory (it may be transferred). */
  ownsMemory(body: Buffer): boolean {
    return body.byteOffset === 0 && this.owned.has(body.buffer as ArrayBuffer);
  }

  /** Hands back a body's memory (nothing may use it any more); kept while there is room. */
  give(memory: ArrayBuffer): void {
    if (memory.byteLength < REUSE_GRAIN || this.freeBytes + memory.byteLength > this.maxFreeBytes) return;
    this.free.push(memory);
    this.freeBytes += memory.byteLength;
  }
}

/** The memory every connection takes its reply bodies from. */
export const replyMemory = new ReplyMemory();
