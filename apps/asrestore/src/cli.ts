#!/usr/bin/env node
// The asrestore executable: real process I/O; SIGINT/SIGTERM stop the restore (exit 1).
import { exitWith, interruptController } from '@asbkit/cli-common';
import { main } from './main.js';

const controller = interruptController();
exitWith(main(process.argv.slice(2), { signal: controller.signal, stdin: process.stdin }));
