// Starts the first transcode worker while the rest of the program loads: a thread takes about
// as long to boot as the main one takes to load, and the scan's first replies need it.
import { Worker } from 'node:worker_threads';

/** Young generation of a transcode worker's heap, MiB: it allocates little besides messages,
 * and a small one keeps RSS down (measured: 10 MB less at --parallel 4, no slower). */
const WORKER_YOUNG_GENERATION_MB = 2;

const started: Worker[] = [];

export const transcodeWorkerUrl = (): URL => new URL('./transcode-worker.js', import.meta.url);

/** Whether worker threads are used: the compiled worker exists and ASBACKUP_WORKERS is not 0. */
export function useTranscodeWorkers(env: Record<string, string | undefined>): boolean {
  return import.meta.url.endsWith('.js') && env.ASBACKUP_WORKERS !== '0';
}

/** A new transcode worker thread (never keeps the process alive). */
export function startTranscodeWorker(): Worker {
  const worker = new Worker(transcodeWorkerUrl(), {
    resourceLimits: { maxYoungGenerationSizeMb: WORKER_YOUNG_GENERATION_MB },
  });
  worker.unref();
  return worker;
}

/** Starts one worker now (when workers are used); the pool takes it over. */
export function prestartTranscodeWorker(env: Record<string, string | undefined>): void {
  if (useTranscodeWorkers(env)) started.push(startTranscodeWorker());
}

/** A worker `prestartTranscodeWorker` started, or a new one. */
export function takeTranscodeWorker(): Worker {
  return started.pop() ?? startTranscodeWorker();
}
