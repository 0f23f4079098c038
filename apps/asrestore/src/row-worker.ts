// Worker thread of the record path: `.asb` slices in, pre-encoded batch rows out (see rows.ts).
import { parentPort } from 'node:worker_threads';
import { detachOnce, serializeError } from '@asbkit/cli-common/threads';
import {
  encodeFileInWorker,
  type FromWorker,
  RecordRowEncoder,
  type ToWorker,
  transferList,
} from './rows.js';
import { scanTailSync } from './scan.js';

detachOnce(); // rows move to the main thread (see detachOnce)
const port = parentPort;
if (!port) throw new Error('row-worker.js runs as a worker thread');
let encoder: RecordRowEncoder | undefined;
let id = 0;
let failed = false;
port.on('message', (m: ToWorker) => {
  if (m.type === 'file') {
    encoder = undefined;
    encodeFileInWorker(m, (msg, transfer) => port.postMessage(msg, transfer));
    return;
  }
  if (m.type === 'scan-tail') {
    try {
      const scan = scanTailSync(m.path, m.start, m.version, m.decode, new Int32Array(m.stop));
      port.postMessage({ type: 'tail', id: m.id, scan } satisfies FromWorker);
    } catch (err) {
      port.postMessage({ type: 'error', id: m.id, error: serializeError(err) } satisfies FromWorker);
    }
    return;
  }
  if (m.type === 'init') {
    id = m.id;
    failed = false;
    try {
      encoder = new RecordRowEncoder(m.config);
    } catch (err) {
      failed = true;
      port.postMessage({ type: 'error', id, error: serializeError(err) } satisfies FromWorker);
    }
    return;
  }
  if (failed || !encoder) return;
  try {
    const output = encoder.push(m.data, m.nowSec, m.last);
    port.postMessage({ type: 'output', id, output } satisfies FromWorker, transferList(output));
  } catch (err) {
    failed = true;
    port.postMessage({ type: 'error', id, error: serializeError(err) } satisfies FromWorker);
  }
});
