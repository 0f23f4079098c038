#!/usr/bin/env node
// The asbackup executable: real process I/O, SIGINT/SIGTERM stop the run and save its state.
import { prestartTranscodeWorker } from './prestart.js';

// the first encoding thread boots while the modules below load
prestartTranscodeWorker(process.env);
const { exitWith, interruptController } = await import('@asbkit/cli-common');
const { main } = await import('./main.js');

const controller = interruptController();
// A closed pipe on stdout (`asbackup -o - | head`) ends the run as an interrupt would.
process.stdout.on('error', () => controller.abort('EPIPE'));
exitWith(main(process.argv.slice(2), { signal: controller.signal }));
