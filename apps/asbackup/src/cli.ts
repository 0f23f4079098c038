#!/usr/bin/env node
// The asbackup executable: real process I/O, SIGINT/SIGTERM stop the run and save its state.
import { exitWith, interruptController } from '@asbkit/cli-common';
import { main } from './main.js';

const controller = interruptController();
// A closed pipe on stdout (`asbackup -o - | head`) ends the run as an interrupt would.
process.stdout.on('error', () => controller.abort('EPIPE'));
exitWith(main(process.argv.slice(2), { signal: controller.signal }));
