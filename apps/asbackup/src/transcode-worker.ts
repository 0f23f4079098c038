// Worker thread of the backup's record path: scan reply bodies in, `.asb` chunks out (see
// transcode.ts).
import { parentPort, workerData } from 'node:worker_threads';
import { serveTranscodes } from './transcode.js';

const port = parentPort;
if (!port) throw new Error('transcode-worker.js runs as a worker thread');
const { compact } = workerData as { compact: boolean };
port.on(
  'message',
  serveTranscodes(compact, (m, transfer) => port.postMessage(m, transfer)),
);
