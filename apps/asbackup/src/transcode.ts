// Scan reply bodies → `.asb` text. The CPU-heavy half of a backup (one proto of ~1 MiB at a
// time), run in worker threads when the compiled code is in use so it runs beside the network
// and file half; else (tests from source, or ASBACKUP_WORKERS=0) in this thread behind the same
// interface. Bodies cross to the worker and chunks come back without copies (transferred
// memory); each body goes to the least busy worker and its caller awaits the result in order.
import { availableParallelism } from 'node:os';
import type { Worker } from 'node:worker_threads';
import { deserializeError } from '@asbkit/cli-common/threads';
import { replyMemory } from '@asbkit/cluster-client';
import {
  BodyTranscoder,
  type FromTranscodeWorker,
  isSlab,
  SlabPool,
  type ToTranscodeWorker,
  type TranscodedBody,
} from './body-transcoder.js';
import { transcodeWorkers, useTranscodeWorkers } from './prestart.js';

/** Slots per worker: bodies given to it, or about to be, and not answered yet (see `reserve`). */
const MAX_QUEUED_PER_WORKER = 2;

type Pending = { resolve: (r: TranscodedBody) => void; reject: (e: Error) => void };

/** One worker thread and the bodies it was given. */
class TranscodeWorker {
  readonly pending = new Map<number, Pending>();
  /** Why the worker is gone, once it is. */
  dead: Error | undefined;

  constructor(
    readonly worker: Worker,
    private readonly onReply: () => void,
  ) {
    this.worker.on('message', (m: FromTranscodeWorker) => {
      if (m.type === 'memory') {
        replyMemory.give(m.memory);
        return;
      }
      const p = this.pending.get(m.id);
      if (!p) return;
      this.pending.delete(m.id);
      this.onReply();
      if (m.type === 'done') {
        if (m.memory) replyMemory.give(m.memory);
        const chunk = Buffer.from(m.chunk.buffer, m.chunk.byteOffset, m.chunk.byteLength);
        const memory = chunk.buffer as ArrayBuffer;
        p.resolve({
          chunk,
          compressed: m.compressed,
          plainBytes: m.plainBytes,
          records: m.records,
          digests: Buffer.from(m.digests.buffer, m.digests.byteOffset, m.digests.byteLength),
          release:
            isSlab(chunk) && !m.compressed
              ? () => {
                  if (!this.dead)
                    this.worker.postMessage({ type: 'slab', memory } satisfies ToTranscodeWorker, [memory]);
                }
              : undefined,
        });
      } else p.reject(deserializeError(m.error));
    });
    const die = (err: Error) => {
      this.dead ??= err;
      for (const p of this.pending.values()) {
        this.onReply(); // never answered now
        p.reject(err);
      }
      this.pending.clear();
    };
    this.worker.on('error', die);
    this.worker.on('exit', (code) => die(new Error(`asbackup transcode worker exited (code ${code})`)));
  }
}

let nextBody = 1;

/**
 * Transcodes reply bodies on worker threads (each body to the least busy one, so jobs finish
 * together) or in this thread. Callers await results in their own order.
 */
export class TranscodePool {
  private readonly workers: TranscodeWorker[] = [];
  /** Slots taken (bodies given to workers and not answered yet, or about to be given). */
  private outstanding = 0;
  /** Jobs waiting for a slot; a freed slot passes straight to the first. */
  private readonly waiting: (() => void)[] = [];
  private local: { transcoder: BodyTranscoder; slabs: SlabPool } | undefined;

  private constructor(
    private readonly compact: boolean,
    private readonly threaded: boolean,
    private readonly threads: number,
    private readonly zstdLevel: number | undefined,
  ) {}

  /**
   * Worker threads (`threads`, at most one per core) when the compiled worker exists next to
   * this module and ASBACKUP_WORKERS is not 0. They start now: their start-up overlaps whatever
   * the caller does before the first body. With `zstdLevel`, worker threads also compress each
   * body's chunk into one zstd frame (`compressed`); in this thread chunks stay plain.
   */
  static create(
    env: Record<string, string | undefined>,
    compact: boolean,
    threads: number,
    zstdLevel?: number,
  ): TranscodePool {
    const workers = useTranscodeWorkers(env);
    const n = Math.max(1, Math.min(threads, availableParallelism()));
    const pool = new TranscodePool(compact, workers, n, workers ? zstdLevel : undefined);
    if (workers) {
      for (let i = 0; i < pool.threads; i++) {
        pool.workers.push(new TranscodeWorker(transcodeWorkers.take(), () => pool.freeSlot()));
      }
    }
    return pool;
  }

  /**
   * Takes ownership of `body` (its memory may move to another thread), in the slot `reserve`
   * gave the caller.
   */
  transcode(body: Buffer): Promise<TranscodedBody> {
    if (!this.threaded) return this.transcodeHere(body);
    const live = this.workers.filter((w) => !w.dead);
    if (live.length === 0) return Promise.reject(this.workers[0]?.dead ?? new Error('no transcode worker'));
    const worker = live.reduce((a, b) => (b.pending.size < a.pending.size ? b : a));
    return new Promise((resolve, reject) => {
      const id = nextBody++;
      worker.pending.set(id, { resolve, reject });
      // a body sharing its memory with other data is copied, else moved
      let own = body;
      if (!replyMemory.ownsMemory(body)) {
        own = Buffer.from(new ArrayBuffer(body.length));
        body.copy(own);
      }
      worker.worker.postMessage(
        {
          type: 'body',
          id,
          body: own,
          compact: this.compact,
          zstdLevel: this.zstdLevel,
        } satisfies ToTranscodeWorker,
        [own.buffer as ArrayBuffer],
      );
    });
  }

  private transcodeHere(body: Buffer): Promise<TranscodedBody> {
    if (!this.local) {
      const slabs = new SlabPool();
      this.local = { transcoder: new BodyTranscoder(this.compact, slabs), slabs };
    }
    const { transcoder, slabs } = this.local;
    try {
      const result = transcoder.run(body);
      if (replyMemory.ownsMemory(body)) replyMemory.give(body.buffer as ArrayBuffer);
      const { chunk } = result;
      if (isSlab(chunk)) result.release = () => slabs.give(chunk.buffer as ArrayBuffer);
      return Promise.resolve(result);
    } catch (err) {
      return Promise.reject(err);
    }
  }

  /**
   * Takes a slot for one body: resolves at once (undefined) or once the workers hold few
   * enough; more would only wait in their queues, in memory, while held back they wait in the
   * socket. Each slot is used by one `transcode` or handed back with `unreserve`.
   */
  reserve(): Promise<void> | undefined {
    if (!this.threaded) return undefined; // in this thread: nothing queues up
    if (this.outstanding < MAX_QUEUED_PER_WORKER * Math.max(1, this.workers.length)) {
      this.outstanding++;
      return undefined;
    }
    return new Promise((resolve) => this.waiting.push(resolve));
  }

  /** Hands back a slot `reserve` gave and no body used. */
  unreserve(): void {
    if (this.threaded) this.freeSlot();
  }

  freeSlot(): void {
    const next = this.waiting.shift();
    if (next)
      next(); // the slot passes on
    else this.outstanding--;
  }

  async close(): Promise<void> {
    for (const wake of this.waiting.splice(0)) wake();
    const workers = this.workers.splice(0);
    await Promise.all(workers.map((w) => w.worker.terminate()));
  }
}
