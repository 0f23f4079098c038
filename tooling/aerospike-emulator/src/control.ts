// JSON control lines for an emulator running as a child process: one request object per stdin
// line, one answer object per stdout line.

import type { Emulator } from './emulator.js';
import type { FaultSwitches } from './faults.js';

/** Fault switches as JSON: `resultCodeByDigest` is a plain `{ digestHex: code }` object. */
export type FaultSwitchesJson = Omit<FaultSwitches, 'resultCodeByDigest'> & {
  resultCodeByDigest?: Record<string, number>;
};

export type ControlRequest =
  | { cmd: 'setFaults'; faults: FaultSwitchesJson }
  | { cmd: 'clearFaults' }
  | { cmd: 'movePartitions'; partitions: number[]; toNode: number }
  | { cmd: 'count'; namespace: string }
  | { cmd: 'stop' };

export function faultsFromJson(json: FaultSwitchesJson): FaultSwitches {
  const { resultCodeByDigest, ...rest } = json;
  return {
    ...rest,
    ...(resultCodeByDigest ? { resultCodeByDigest: new Map(Object.entries(resultCodeByDigest)) } : {}),
  };
}

export async function runControl(
  emulator: Emulator,
  request: ControlRequest,
): Promise<Record<string, unknown>> {
  switch (request.cmd) {
    case 'setFaults':
      emulator.setFaults(faultsFromJson(request.faults));
      return { ok: true };
    case 'clearFaults':
      emulator.clearFaults();
      return { ok: true };
    case 'movePartitions':
      emulator.movePartitions(request.partitions, request.toNode);
      return { ok: true };
    case 'count':
      return { ok: true, count: emulator.records(request.namespace).length };
    case 'stop':
      await emulator.stop();
      return { ok: true };
    default:
      return {
        ok: false,
        error: `unknown control command ${JSON.stringify((request as { cmd: unknown }).cmd)}`,
      };
  }
}
