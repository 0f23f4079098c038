// Server result codes (wire spec §3) with their names, for messages and retry decisions. The
// table lives in @asbkit/write-policy (dependency-free) so restore decisions and the wire agree.
import { serverResultCodeName } from '@asbkit/write-policy';

export {
  ServerResultCode as ResultCode,
  /** `KEY_EXISTS` for 5; `RESULT_CODE_<n>` for codes without a name. */
  serverResultCodeName as resultCodeName,
} from '@asbkit/write-policy';

/** An error answer from the server for a request (non-zero result code). */
export class ServerResultError extends Error {
  readonly code = 'SERVER_RESULT';
  readonly resultCode: number;
  constructor(resultCode: number, where: string) {
    super(`${where}: server answered ${serverResultCodeName(resultCode)} (${resultCode})`);
    this.name = 'ServerResultError';
    this.resultCode = resultCode;
  }
}
