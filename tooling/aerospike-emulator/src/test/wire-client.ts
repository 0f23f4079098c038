// A bare wire client for protocol-level tests: sends raw request protos and collects the whole
// reply (one proto for info/admin/single-record commands; up to LAST for queries and batches).

import { connect, type Socket } from 'node:net';
import {
  type AsMsg,
  decodeAsMsgs,
  FieldType,
  findField,
  Info1,
  Info3,
  PROTO_HEADER_SIZE,
  type Proto,
  ProtoType,
  readMessageHeader,
  readProtoHeader,
} from '@asbkit/cluster-client/wire';

export class WireTestClient {
  private chunks: Buffer[] = [];
  private waiter: (() => void) | undefined;
  private ended = false;

  private constructor(private readonly socket: Socket) {
    socket.on('data', (c: Buffer) => {
      this.chunks.push(c);
      this.waiter?.();
    });
    socket.on('close', () => {
      this.ended = true;
      this.waiter?.();
    });
    socket.on('error', () => {});
  }

  static connect(port: number, host = '127.0.0.1'): Promise<WireTestClient> {
    return new Promise((resolve, reject) => {
      const socket = connect({ port, host }, () => resolve(new WireTestClient(socket)));
      socket.once('error', reject);
    });
  }

  get closed(): boolean {
    return this.ended;
  }

  /** Reads one whole proto; undefined when the server closed the connection first. */
  async readProto(): Promise<Proto | undefined> {
    for (;;) {
      const all = Buffer.concat(this.chunks);
      this.chunks = [all];
      if (all.length >= PROTO_HEADER_SIZE) {
        const h = readProtoHeader(all, 0);
        if (all.length >= PROTO_HEADER_SIZE + h.size) {
          this.chunks = [all.subarray(PROTO_HEADER_SIZE + h.size)];
          return { type: h.type, body: all.subarray(PROTO_HEADER_SIZE, PROTO_HEADER_SIZE + h.size) };
        }
      }
      if (this.ended) return undefined;
      await new Promise<void>((resolve) => {
        this.waiter = resolve;
      });
      this.waiter = undefined;
    }
  }

  /**
   * Sends `request` (one or more whole protos) and reads the complete reply of the last one.
   * Multi-part replies end with LAST or with a record-less error message without LAST.
   */
  async request(request: Buffer): Promise<Proto[]> {
    const h = readProtoHeader(request, 0);
    let multi = false;
    let batch = false;
    if (h.type === ProtoType.MESSAGE) {
      const header = readMessageHeader(request, PROTO_HEADER_SIZE);
      const msg = decodeAsMsgs(request.subarray(PROTO_HEADER_SIZE, PROTO_HEADER_SIZE + h.size))[0];
      batch = (header.info1 & Info1.BATCH) !== 0;
      multi = batch || ((header.info1 & Info1.READ) !== 0 && !findField(msg, FieldType.DIGEST));
    }
    this.socket.write(request);
    const replies: Proto[] = [];
    for (;;) {
      const proto = await this.readProto();
      if (!proto) return replies;
      replies.push(proto);
      if (!multi || proto.type !== ProtoType.MESSAGE) return replies;
      const msgs = decodeAsMsgs(proto.body);
      const last = msgs[msgs.length - 1];
      // Batch rows may fail one by one; only LAST ends a batch reply.
      if (batch ? (last.info3 & Info3.LAST) !== 0 : isEndOfReply(last)) return replies;
    }
  }

  close(): void {
    this.socket.destroy();
  }
}

/** LAST, or a record-less error without PARTITION_DONE (a request refused up front). */
export function isEndOfReply(msg: AsMsg): boolean {
  if (msg.info3 & Info3.LAST) return true;
  return msg.resultCode !== 0 && !(msg.info3 & Info3.PARTITION_DONE) && msg.fields.length === 0;
}

/** All as_msg of a multi-proto reply. */
export function replyMessages(protos: Proto[]): AsMsg[] {
  return protos.filter((p) => p.type === ProtoType.MESSAGE).flatMap((p) => decodeAsMsgs(p.body));
}
