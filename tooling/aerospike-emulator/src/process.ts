// Runs the emulator as a child process (the `bin` script). Needed when the client under test
// blocks the event loop, as the official `aerospike` client does while it connects. From the
// TypeScript sources the child runs under tsx with the `source` condition; from dist, plainly.

import { type ChildProcess, spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { createInterface, type Interface } from 'node:readline';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { ControlRequest } from './control.js';

export interface EmulatorProcess {
  hosts: string;
  nodes: { name: string; host: string; port: number }[];
  pid: number;
  /** Sends one control request and waits for its answer line. */
  control(request: ControlRequest): Promise<Record<string, unknown>>;
  stop(): Promise<void>;
}

/** `args` are the bin's command-line options, e.g. `['--nodes', '2', '--namespaces', 'test,bar']`. */
export async function startEmulatorProcess(args: string[] = []): Promise<EmulatorProcess> {
  const here = fileURLToPath(import.meta.url);
  const fromSource = here.endsWith('.ts');
  const nodeArgs = fromSource
    ? [
        '--conditions=source',
        '--import',
        pathToFileURL(
          join(dirname(createRequire(import.meta.url).resolve('tsx/package.json')), 'dist/loader.mjs'),
        ).href,
        join(dirname(here), 'bin.ts'),
      ]
    : [join(dirname(here), 'bin.js')];
  const child = spawn(process.execPath, [...nodeArgs, ...args], { stdio: ['pipe', 'pipe', 'inherit'] });
  const lines = createInterface({ input: child.stdout! });
  const waiting: ((line: string) => void)[] = [];
  const early: string[] = [];
  lines.on('line', (line) => {
    const next = waiting.shift();
    if (next) next(line);
    else early.push(line);
  });
  const nextLine = (): Promise<string> =>
    new Promise((resolve, reject) => {
      const queued = early.shift();
      if (queued !== undefined) return resolve(queued);
      const onExit = (code: number | null) => reject(new Error(`emulator process exited with ${code}`));
      child.once('exit', onExit);
      waiting.push((line) => {
        child.off('exit', onExit);
        resolve(line);
      });
    });
  const started = JSON.parse(await nextLine()) as Pick<EmulatorProcess, 'hosts' | 'nodes'>;
  return {
    ...started,
    pid: child.pid!,
    async control(request) {
      child.stdin!.write(`${JSON.stringify(request)}\n`);
      return JSON.parse(await nextLine()) as Record<string, unknown>;
    },
    stop: () => stopChild(child, lines),
  };
}

async function stopChild(child: ChildProcess, lines: Interface): Promise<void> {
  if (child.exitCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill('SIGTERM');
  await exited;
  lines.close();
}
