// Helpers for other packages' tests: an emulator per test file, reading a namespace back as
// model records, and record-by-record comparison with readable differences.

import { afterAll, beforeAll } from 'vitest';
import { type Emulator, type EmulatorOptions, startEmulator } from '../emulator.js';

/**
 * Starts an emulator before the tests of the calling file and stops it after them. Read
 * `.current` inside tests (it is set once beforeAll ran).
 */
export function useEmulator(opts: EmulatorOptions = {}): { current: Emulator } {
  const holder = {} as { current: Emulator };
  beforeAll(async () => {
    holder.current = await startEmulator(opts);
  });
  afterAll(async () => {
    await holder.current?.stop();
  });
  return holder;
}

export { type CompareOptions, compareRecords, readAllRecords, toAsbRecord } from '../compare.js';
export { type Emulator, type EmulatorOptions, startEmulator } from '../emulator.js';
export { type EmulatorProcess, startEmulatorProcess } from '../process.js';
export { seedFromAsbFiles } from '../seed.js';
export { isEndOfReply, replyMessages, WireTestClient } from './wire-client.js';
