#!/usr/bin/env node
// The asrestore executable: real process I/O; SIGINT/SIGTERM stop the restore (exit 1).
import { detachOnce } from '@asbkit/cli-common/threads';
import { prestartRowWorker } from './prestart.js';

// the worker boots while the modules below load
prestartRowWorker(process.env);
// this thread moves memory to and from its workers: settle that before any code is hot
detachOnce();
const { exitWith, interruptController } = await import('@asbkit/cli-common');
const { main } = await import('./main.js');

const controller = interruptController();
exitWith(main(process.argv.slice(2), { signal: controller.signal, stdin: process.stdin }));
