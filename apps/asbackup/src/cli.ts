#!/usr/bin/env node
// The asbackup executable: real process I/O, SIGINT/SIGTERM stop the run and save its state.
import { detachOnce } from '@asbkit/cli-common/threads';
import { prestartTranscodeWorker } from './prestart.js';

// the first encoding thread boots while the modules below load
prestartTranscodeWorker(process.env);
// this thread moves memory to and from its workers: settle that before any code is hot
detachOnce();
const { exitWith, interruptController } = await import('@asbkit/cli-common');
const { main } = await import('./main.js');

const controller = interruptController();
// A closed pipe on stdout (`asbackup -o - | head`) ends the run as an interrupt would.
process.stdout.on('error', () => controller.abort('EPIPE'));
exitWith(main(process.argv.slice(2), { signal: controller.signal }));
