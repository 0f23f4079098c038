export { CLIENT_CREDENTIAL_SALT, credentialOf } from './auth.js';
export { type CompareOptions, compareRecords, readAllRecords, toAsbRecord } from './compare.js';
export { type ControlRequest, type FaultSwitchesJson, faultsFromJson } from './control.js';
export {
  type Emulator,
  type EmulatorOptions,
  type EmulatorTlsOptions,
  startEmulator,
  storedRecordOf,
} from './emulator.js';
export { type FaultSwitches, ResultCode } from './faults.js';
export { type EmulatorProcess, startEmulatorProcess } from './process.js';
export type { StoredBin, StoredRecord } from './record.js';
export { type SeedSummary, seedFromAsbFiles } from './seed.js';
