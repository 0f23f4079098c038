#!/usr/bin/env node
// The asbackup executable: real process I/O, SIGINT/SIGTERM stop the run and save its state.
import { main } from './main.js';

const controller = new AbortController();
let signals = 0;
const onSignal = (name: NodeJS.Signals) => {
  signals++;
  // A second signal means "stop now": the state of the first may not be saved.
  if (signals > 1) process.exit(1);
  controller.abort(name);
};
process.on('SIGINT', onSignal);
process.on('SIGTERM', onSignal);
// A closed pipe on stdout (`asbackup -o - | head`) ends the run as an interrupt would.
process.stdout.on('error', () => controller.abort('EPIPE'));

main(process.argv.slice(2), { signal: controller.signal }).then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    process.stderr.write(`${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    process.exitCode = 1;
  },
);
