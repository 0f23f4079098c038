// Starts the first row worker while the rest of the program loads: the check pass needs it
// before anything else, and a thread takes as long to boot as the main one takes to load.
import { Worker } from 'node:worker_threads';

const started: Worker[] = [];

/** Starts a row worker now when the compiled one is there (not for ASRESTORE_WORKERS=0). */
export function prestartRowWorker(env: Record<string, string | undefined>): void {
  if (!import.meta.url.endsWith('.js') || env.ASRESTORE_WORKERS === '0') return;
  const worker = new Worker(new URL('./row-worker.js', import.meta.url));
  worker.unref(); // never keeps the process alive, used or not
  started.push(worker);
}

/** A worker `prestartRowWorker` started and nothing took yet. */
export function takePrestartedWorker(): Worker | undefined {
  return started.pop();
}
