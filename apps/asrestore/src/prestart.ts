// The row workers' starter, kept in a module of its own so the executable can start the first
// worker before it loads the rest of the program (the check pass needs that worker first).
import { WorkerStarter } from '@asbkit/cli-common/threads';

/** Whether row workers are used: the compiled worker exists and ASRESTORE_WORKERS is not 0. */
export function useRowWorkers(env: Record<string, string | undefined>): boolean {
  return import.meta.url.endsWith('.js') && env.ASRESTORE_WORKERS !== '0';
}

export const rowWorkers = new WorkerStarter(new URL('./row-worker.js', import.meta.url));

/** Starts a row worker now when they are used. */
export function prestartRowWorker(env: Record<string, string | undefined>): void {
  if (useRowWorkers(env)) rowWorkers.start();
}
