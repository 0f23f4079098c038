// The transcode workers' starter, kept in a module of its own so the executable can start the
// first worker before it loads the rest of the program (the scan's first replies need it).
import { WorkerStarter } from '@asbkit/cli-common/threads';

/** Young generation of a transcode worker's heap, MiB: it allocates little besides messages,
 * and a small one keeps RSS down (measured: 10 MB less at --parallel 4, no slower). */
const WORKER_YOUNG_GENERATION_MB = 2;

/** Whether worker threads are used: the compiled worker exists and ASBACKUP_WORKERS is not 0. */
export function useTranscodeWorkers(env: Record<string, string | undefined>): boolean {
  return import.meta.url.endsWith('.js') && env.ASBACKUP_WORKERS !== '0';
}

export const transcodeWorkers = new WorkerStarter(new URL('./transcode-worker.js', import.meta.url), {
  resourceLimits: { maxYoungGenerationSizeMb: WORKER_YOUNG_GENERATION_MB },
});

/** Starts one worker now (when workers are used); the pool takes it over. */
export function prestartTranscodeWorker(env: Record<string, string | undefined>): void {
  if (useTranscodeWorkers(env)) transcodeWorkers.start();
}
