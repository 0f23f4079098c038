// Worker thread of the backup's record path: scan reply bodies in, `.asb` chunks out (see
// body-transcoder.ts).
import { parentPort } from 'node:worker_threads';
import { detachOnce } from '@asbkit/cli-common/threads';
import { serveTranscodes } from './body-transcoder.js';

detachOnce(); // bodies and slabs move between threads (see detachOnce)

const port = parentPort;
if (!port) throw new Error('transcode-worker.js runs as a worker thread');
port.on(
  'message',
  serveTranscodes((m, transfer) => port.postMessage(m, transfer)),
);
