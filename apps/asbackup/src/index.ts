export { confidenceZ, erfinv, estimatedFileSize, SizeSampler, upperRecordSize } from './estimate-math.js';
export { type BackupIo, main } from './main.js';
export { type BackupState, loadState, saveState } from './state.js';
