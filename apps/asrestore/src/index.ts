export { describeError, RestoreError, type RestoreErrorCode } from './errors.js';
export { main, type RestoreIo } from './main.js';
