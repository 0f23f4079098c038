// One client connection to one emulated node: reads whole protos, answers them one at a time
// (clients send a request and read its complete reply before the next), with back-pressure.

import type { Socket } from 'node:net';
import {
  type AsMsg,
  decodeAsMsg,
  decodeInfoRequest,
  emptyHeader,
  encodeAsMsg,
  encodeInfoResponse,
  encodeProto,
  FieldType,
  findField,
  Info1,
  Info3,
  PROTO_HEADER_SIZE,
  ProtoType,
  readProtoHeader,
} from '@asbkit/cluster-client/wire';
import type { AuthState } from './auth.js';
import { BatchFlag, parseBatchIndex } from './batch.js';
import { ResultCode } from './faults.js';
import { answerInfo } from './info.js';
import { headerOnlyReply, runQuery } from './query.js';
import { runRecordCommand } from './record-ops.js';
import type { EmulatorState } from './state.js';

export class EmulatorConnection {
  private buffered: Buffer[] = [];
  private bufferedBytes = 0;
  private busy = false;
  private closed = false;

  constructor(
    private readonly state: EmulatorState,
    private readonly node: number,
    private readonly socket: Socket,
    private readonly auth: AuthState | undefined,
  ) {
    socket.on('data', (chunk: Buffer) => {
      this.buffered.push(chunk);
      this.bufferedBytes += chunk.length;
      void this.pump();
    });
    socket.on('close', () => {
      this.closed = true;
    });
    socket.on('error', () => {
      this.closed = true;
    });
  }

  /** Takes the next whole proto off the input buffer, if there is one. */
  private nextProto(): { type: number; body: Buffer } | undefined {
    if (this.bufferedBytes < PROTO_HEADER_SIZE) return undefined;
    const all = this.buffered.length === 1 ? this.buffered[0] : Buffer.concat(this.buffered);
    this.buffered = [all];
    const header = readProtoHeader(all, 0);
    const end = PROTO_HEADER_SIZE + header.size;
    if (all.length < end) return undefined;
    const body = all.subarray(PROTO_HEADER_SIZE, end);
    const rest = all.subarray(end);
    this.buffered = rest.length > 0 ? [rest] : [];
    this.bufferedBytes = rest.length;
    return { type: header.type, body };
  }

  private async pump(): Promise<void> {
    if (this.busy) return;
    this.busy = true;
    try {
      for (;;) {
        if (this.closed) return;
        let proto: { type: number; body: Buffer } | undefined;
        try {
          proto = this.nextProto();
        } catch (err) {
          this.state.log(`closing connection: bad proto header: ${(err as Error).message}`);
          this.socket.destroy();
          return;
        }
        if (!proto) return;
        await this.handle(proto.type, proto.body);
      }
    } catch (err) {
      this.state.log(`closing connection after internal error: ${(err as Error).stack ?? err}`);
      this.socket.destroy();
    } finally {
      this.busy = false;
    }
  }

  private write(chunk: Buffer): Promise<boolean> {
    if (this.closed || this.socket.destroyed) return Promise.resolve(false);
    if (this.socket.write(chunk)) return Promise.resolve(true);
    return new Promise((resolve) => {
      const done = () => {
        this.socket.off('drain', done);
        this.socket.off('close', done);
        resolve(!this.closed && !this.socket.destroyed);
      };
      this.socket.once('drain', done);
      this.socket.once('close', done);
    });
  }

  private async handle(type: number, body: Buffer): Promise<void> {
    if (type === ProtoType.ADMIN) {
      if (!this.auth) {
        // Community Edition answers every admin message with SECURITY_NOT_SUPPORTED.
        await this.write(adminReply(ResultCode.SECURITY_NOT_SUPPORTED, body[2] ?? 0));
        return;
      }
      await this.write(await this.auth.handle(body));
      return;
    }
    if (this.auth && !this.auth.authenticated) {
      this.state.log(`request refused: connection to node ${this.node} is not authenticated`);
      if (type === ProtoType.INFO) {
        const lines = decodeInfoRequest(body);
        await this.write(
          encodeProto(
            ProtoType.INFO,
            encodeInfoResponse(lines.map((l) => [l, 'ERROR:80:not authenticated'])),
          ),
        );
      } else await this.write(headerOnlyReply(ResultCode.NOT_AUTHENTICATED));
      return;
    }
    if (type === ProtoType.INFO) {
      const lines = decodeInfoRequest(body);
      const pairs = lines.map((line) => [line, answerInfo(this.state, this.node, line)] as const);
      await this.write(encodeProto(ProtoType.INFO, encodeInfoResponse(pairs)));
      return;
    }
    if (type === ProtoType.COMPRESSED) {
      this.state.log('request refused with 25: compressed requests (Enterprise only)');
      await this.write(headerOnlyReply(ResultCode.ENTERPRISE_ONLY));
      return;
    }
    if (type !== ProtoType.MESSAGE) {
      this.state.log(`closing connection: proto type ${type} is not handled`);
      this.socket.destroy();
      return;
    }
    let msg: AsMsg;
    try {
      const decoded = decodeAsMsg(body, 0);
      if (decoded.end !== body.length) throw new Error(`${body.length - decoded.end} bytes after the as_msg`);
      msg = decoded.msg;
    } catch (err) {
      this.state.log(`request refused with 4: undecodable as_msg: ${(err as Error).message}`);
      await this.write(headerOnlyReply(ResultCode.PARAMETER));
      return;
    }
    await this.handleMessage(msg);
  }

  private async handleMessage(msg: AsMsg): Promise<void> {
    if (msg.info1 & Info1.BATCH) {
      await this.handleBatch(msg);
      return;
    }
    if (!findField(msg, FieldType.DIGEST) && msg.info1 & Info1.READ) {
      await runQuery(this.state, this.node, msg, {
        write: (chunk) => this.write(chunk),
        // end() first so the records already written reach the client before the close.
        destroy: () => {
          this.closed = true;
          this.socket.end(() => this.socket.destroy());
        },
      });
      return;
    }
    const result = runRecordCommand(this.state, msg);
    const header = {
      ...emptyHeader(),
      resultCode: result.resultCode,
      generation: result.generation,
      recordTtl: result.voidTime,
    };
    await this.write(encodeProto(ProtoType.MESSAGE, encodeAsMsg(header, [], result.ops)));
  }

  private async handleBatch(msg: AsMsg): Promise<void> {
    if (this.state.faults.oldServerNoBatchWrites) {
      this.state.log('fault: batch request refused with 4 (emulating a 5.x server without batch writes)');
      await this.write(headerOnlyReply(ResultCode.PARAMETER, Info3.LAST));
      return;
    }
    const field = findField(msg, FieldType.BATCH_INDEX);
    if (!field) {
      this.state.log(
        'batch refused with 4: no BATCH_INDEX field (the old BATCH_INDEX_WITH_SET protocol is not emulated)',
      );
      await this.write(headerOnlyReply(ResultCode.PARAMETER, Info3.LAST));
      return;
    }
    let request: ReturnType<typeof parseBatchIndex>;
    try {
      request = parseBatchIndex(field);
    } catch (err) {
      this.state.log(`batch refused with 4: ${(err as Error).message}`);
      await this.write(headerOnlyReply(ResultCode.PARAMETER, Info3.LAST));
      return;
    }
    const reportAll = (request.flags & BatchFlag.REPORT_ALL_ERRORS) !== 0;
    const reportRecord = (request.flags & BatchFlag.REPORT_ERROR_RECORD) !== 0;
    const parts: Buffer[] = [];
    let firstFailure = 0;
    for (const row of request.rows) {
      const result = runRecordCommand(this.state, row.command);
      if (result.resultCode !== 0 && firstFailure === 0) firstFailure = result.resultCode;
      if (result.resultCode !== 0 && !reportAll && !reportRecord) break;
      const header = {
        ...emptyHeader(),
        resultCode: result.resultCode,
        generation: result.generation,
        recordTtl: result.voidTime,
        transactionTtl: row.index,
      };
      parts.push(encodeAsMsg(header, [], result.ops));
      if (parts.length >= 64) {
        if (!(await this.write(encodeProto(ProtoType.MESSAGE, Buffer.concat(parts.splice(0)))))) return;
      }
    }
    const lastCode = reportAll ? 0 : firstFailure;
    parts.push(encodeAsMsg({ ...emptyHeader(), info3: Info3.LAST, resultCode: lastCode }));
    await this.write(encodeProto(ProtoType.MESSAGE, Buffer.concat(parts)));
  }
}

/** A header-only admin reply. */
export function adminReply(resultCode: number, command: number): Buffer {
  const body = Buffer.alloc(16);
  body[1] = resultCode;
  body[2] = command;
  return encodeProto(ProtoType.ADMIN, body);
}
