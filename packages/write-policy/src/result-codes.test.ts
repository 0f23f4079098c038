import { describe, expect, it } from 'vitest';
import { RestoreCounters } from './counters.js';
import {
  classifyCallResult,
  classifyRecordResult,
  fatalCallMessage,
  ResultCode,
  recordError,
} from './result-codes.js';
import { ServerResultCode, serverResultCodeName } from './server-codes.js';

const IGNORABLE = [13, 19, 21, 10, 22, 12, 17];
const PERMANENT = [
  -12, -2, -1, 4, 8, 16, 20, 25, 26, 27, 51, 52, 53, 54, 55, 56, 66, 70, 80, 81, 82, 160, 202, 203, 150,
];

describe('classifyCallResult', () => {
  it('hands OK, batch-failed, generation, exists and the ignorable codes to per-record evaluation', () => {
    for (const code of [0, -16, 3, 5, ...IGNORABLE])
      expect(classifyCallResult(code), `${code}`).toBe('per-record');
  });

  it('stops on the permanent codes', () => {
    for (const code of PERMANENT) expect(classifyCallResult(code), `${code}`).toBe('fatal');
  });

  it('retries everything else', () => {
    for (const code of [9, 14, 18, -10, -8, 7, 11, 1, 2, 6, 999, -999]) {
      expect(classifyCallResult(code), `${code}`).toBe('retry');
    }
  });

  it('gives the official fatal texts', () => {
    expect(fatalCallMessage(ResultCode.BATCH_DISABLED)).toBe(
      'Batch writes appear to be disabled, turn them off by passing --disable-batch-writes to asrestore',
    );
    expect(fatalCallMessage(8, 'Server memory error', 'src/main/aerospike/as_command.c:123')).toBe(
      'Error while storing record - code 8: Server memory error at src/main/aerospike/as_command.c:123',
    );
  });
});

describe('classifyRecordResult', () => {
  it('maps every per-record code', () => {
    expect(classifyRecordResult(0)).toBe('inserted');
    expect(classifyRecordResult(3)).toBe('fresher');
    expect(classifyRecordResult(5)).toBe('existed');
    for (const code of IGNORABLE) expect(classifyRecordResult(code)).toBe('ignorable');
    for (const code of [9, 14, 2, 4, -16]) expect(classifyRecordResult(code)).toBe('fatal');
    expect(recordError(9).message).toBe('Error while storing record - code 9');
  });

  it('counts err_ignored even when the error stops the run', () => {
    const c = new RestoreCounters();
    expect(c.countOutcome(classifyRecordResult(13), false)).toBe(false);
    expect(c.countOutcome(classifyRecordResult(13), true)).toBe(true);
    expect(c.countOutcome(classifyRecordResult(9), true)).toBe(false);
    expect(c.errIgnored).toBe(2);
  });
});

describe('ServerResultCode', () => {
  it('gives every server-side ResultCode alias the value of its wire name', () => {
    expect(serverResultCodeName(ResultCode.RECORD_EXISTS)).toBe('KEY_EXISTS');
    expect(serverResultCodeName(ResultCode.GENERATION)).toBe('GENERATION_ERROR');
    expect(serverResultCodeName(ResultCode.BIN_NAME)).toBe('BIN_NAME_TOO_LONG');
    for (const [name, code] of Object.entries(ResultCode)) {
      if (code >= 0) expect(serverResultCodeName(code), name).not.toMatch(/^RESULT_CODE_/);
    }
    expect(ServerResultCode.BATCH_DISABLED).toBe(150);
    expect(serverResultCodeName(999)).toBe('RESULT_CODE_999');
  });
});
