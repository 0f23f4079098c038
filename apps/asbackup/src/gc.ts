// A young-generation GC on demand. The backup's hot path allocates almost no JS objects, so V8
// (which times its collections on the JS heap) rarely collects, while the sockets allocate a new
// 64 KiB read buffer for every read and each encoded chunk has its own slab: hundreds of MiB per
// second of garbage ArrayBuffers wait for the next collection and the malloc heap grows with
// them. A scavenge every few MiB frees them while they are young; it costs well under a
// millisecond (little survives). `gc` is exposed the way test runners do it (Jest's leak
// detector): the flag is set, a fresh context hands out the function, and the flag is cleared.
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

type GcFunction = (options?: { type?: 'minor' | 'major'; execution?: 'sync' | 'async' }) => void;

let gc: GcFunction | null | undefined;

function load(): GcFunction | null {
  const existing = (globalThis as { gc?: GcFunction }).gc;
  if (typeof existing === 'function') return existing;
  try {
    setFlagsFromString('--expose-gc');
    const fn = runInNewContext('gc') as GcFunction | undefined;
    return typeof fn === 'function' ? fn : null;
  } catch {
    return null;
  } finally {
    try {
      setFlagsFromString('--no-expose-gc');
    } catch {
      // keep going without
    }
  }
}

/** Scavenges the young generation now; does nothing where `gc` cannot be had. */
export function collectYoungGarbage(): void {
  if (gc === undefined) gc = load();
  if (gc === null) return;
  try {
    gc({ type: 'minor' });
  } catch {
    gc = null;
  }
}
