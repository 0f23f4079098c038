// Test-only: a fake Aerospike node on 127.0.0.1 speaking just enough protocol for writes and info
// commands, and a socket transport implementing WriteTransport against such nodes.
import { createServer, type Server, Socket } from 'node:net';
import { decodeInfoRequest, encodeBitmap, encodeInfoResponse } from '../wire/info.js';
import { Info1, MSG_HEADER_SIZE } from '../wire/message.js';
import { encodeProto, PROTO_HEADER_SIZE, ProtoType, writeProtoHeader } from '../wire/proto.js';
import type { WriteNode, WriteTransport } from './transport.js';

/** Splits a stream into whole protos. */
class ProtoReader {
  private pending: Buffer = Buffer.alloc(0);
  constructor(private readonly onProto: (type: number, body: Buffer) => void) {}
  push(chunk: Buffer): void {
    let buf = this.pending.length > 0 ? Buffer.concat([this.pending, chunk]) : chunk;
    let off = 0;
    while (buf.length - off >= PROTO_HEADER_SIZE) {
      const size = buf.readUIntBE(off + 2, 6);
      if (buf.length - off < PROTO_HEADER_SIZE + size) break;
      const type = buf[off + 1];
      const start = off + PROTO_HEADER_SIZE;
      off = start + size;
      this.onProto(type, buf.subarray(start, off));
    }
    buf = buf.subarray(off);
    this.pending = buf;
  }
}

export interface WrittenRow {
  namespace: string;
  set: string;
  digest: Buffer;
  info2: number;
  info3: number;
  generation: number;
  ttl: number;
  hasKey: boolean;
  /** The whole row or message from its digest (batch) / header (single) on, for byte checks. */
  bins: number;
}

export interface FakeServerOptions {
  /** Info answers by command (exact text); `build` and `get-config:context=service` have defaults. */
  info?: Record<string, string>;
  /** Dynamic info answers; `undefined` falls back to `info`. */
  infoHandler?(command: string): string | undefined;
  /** Result code of a written row or single write (default 0). */
  resultOf?(row: WrittenRow): number;
  /** Keep a copy of each row (off for the benchmark). */
  record?: boolean;
  /** Answer the next N batch requests with this batch-level code and no rows. */
  failBatches?: { count: number; resultCode: number };
  /** Close the connection instead of answering the next N AS_MSG requests. */
  dropRequests?: number;
}

export interface FakeServer {
  port: number;
  rows: WrittenRow[];
  batchRequests: number;
  singleRequests: number;
  infoRequests: string[];
  options: FakeServerOptions;
  close(): Promise<void>;
}

const LAST_MSG = Buffer.from('16000001000000000000000000000000000000000000', 'hex');

function readFields(body: Buffer, off: number, n: number, row: WrittenRow): number {
  for (let i = 0; i < n; i++) {
    const size = body.readUInt32BE(off);
    const type = body[off + 4];
    if (type === 0) row.namespace = body.toString('utf8', off + 5, off + 4 + size);
    else if (type === 1) row.set = body.toString('utf8', off + 5, off + 4 + size);
    else if (type === 4) row.digest = body.subarray(off + 5, off + 25);
    else if (type === 2) row.hasKey = true;
    off += 4 + size;
  }
  return off;
}

function skipOps(body: Buffer, off: number, n: number): number {
  for (let i = 0; i < n; i++) off += 4 + body.readUInt32BE(off);
  return off;
}

function rowMsg(out: Buffer, off: number, rc: number, index: number): number {
  out[off] = MSG_HEADER_SIZE;
  out.fill(0, off + 1, off + 22);
  out[off + 5] = rc;
  out.writeUInt32BE(rc === 0 ? 1 : 0, off + 6);
  out.writeUInt32BE(index, off + 14);
  return off + MSG_HEADER_SIZE;
}

export async function startFakeServer(options: FakeServerOptions = {}): Promise<FakeServer> {
  const sockets = new Set<Socket>();
  const state: FakeServer = {
    port: 0,
    rows: [],
    batchRequests: 0,
    singleRequests: 0,
    infoRequests: [],
    options,
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
  const allPartitions = encodeBitmap(Array.from({ length: 4096 }, (_, i) => i)).toString('base64');
  const info: Record<string, string> = {
    // Enough for the net layer's Cluster to tend a one-node cluster mastering namespace `test`.
    node: 'FAKE000000000001',
    features: 'batch-any;batch-index;pquery',
    'partition-generation': '1',
    'peers-generation': '1',
    'peers-clear-std': '1,3000,[]',
    replicas: `test:0,1,${allPartitions}`,
    build: '8.1.2.0',
    'get-config:context=service': 'advertise-ipv6=false;batch-index-threads=2;batch-max-requests=0',
    ...options.info,
  };
  const scratch: WrittenRow = {
    namespace: '',
    set: '',
    digest: Buffer.alloc(0),
    info2: 0,
    info3: 0,
    generation: 0,
    ttl: 0,
    hasKey: false,
    bins: 0,
  };
  const keep = (row: WrittenRow): void => {
    if (options.record !== false) state.rows.push({ ...row, digest: Buffer.from(row.digest) });
  };

  const answer = (socket: Socket, type: number, body: Buffer): void => {
    if (type === ProtoType.INFO) {
      const commands = decodeInfoRequest(body);
      state.infoRequests.push(...commands);
      socket.write(
        encodeProto(
          ProtoType.INFO,
          encodeInfoResponse(
            commands.map(
              (c) => [c, options.infoHandler?.(c) ?? info[c] ?? 'ERROR:4:unrecognized command'] as const,
            ),
          ),
        ),
      );
      return;
    }
    if (options.dropRequests && options.dropRequests > 0) {
      options.dropRequests--;
      socket.destroy();
      return;
    }
    if (body[1] & Info1.BATCH) {
      state.batchRequests++;
      let off = MSG_HEADER_SIZE + 5;
      const count = body.readUInt32BE(off);
      off += 5;
      if (options.failBatches && options.failBatches.count > 0) {
        options.failBatches.count--;
        const out = Buffer.alloc(PROTO_HEADER_SIZE + MSG_HEADER_SIZE);
        writeProtoHeader(out, 0, ProtoType.MESSAGE, MSG_HEADER_SIZE);
        LAST_MSG.copy(out, PROTO_HEADER_SIZE);
        out[PROTO_HEADER_SIZE + 5] = options.failBatches.resultCode;
        socket.write(out);
        return;
      }
      // Rows answered in reverse order, as two protos, then LAST in its own proto.
      const out = Buffer.allocUnsafe(
        2 * PROTO_HEADER_SIZE + count * MSG_HEADER_SIZE + PROTO_HEADER_SIZE + 22,
      );
      const firstHalf = count >> 1;
      for (let i = 0; i < count; i++) {
        const index = body.readUInt32BE(off);
        scratch.digest = body.subarray(off + 4, off + 24);
        scratch.info2 = body[off + 26];
        scratch.info3 = body[off + 27];
        scratch.generation = body.readUInt16BE(off + 28);
        scratch.ttl = body.readUInt32BE(off + 30);
        const nFields = body.readUInt16BE(off + 34);
        scratch.bins = body.readUInt16BE(off + 36);
        scratch.hasKey = false;
        scratch.set = '';
        off = readFields(body, off + 38, nFields, scratch);
        off = skipOps(body, off, scratch.bins);
        keep(scratch);
        const rc = options.resultOf ? options.resultOf(scratch) : 0;
        // Reverse order: row i goes to slot count-1-i.
        const slot = count - 1 - i;
        const base = slot < firstHalf ? PROTO_HEADER_SIZE : 2 * PROTO_HEADER_SIZE;
        rowMsg(out, base + slot * MSG_HEADER_SIZE, rc, index);
      }
      writeProtoHeader(out, 0, ProtoType.MESSAGE, firstHalf * MSG_HEADER_SIZE);
      let w = PROTO_HEADER_SIZE + firstHalf * MSG_HEADER_SIZE;
      writeProtoHeader(out, w, ProtoType.MESSAGE, (count - firstHalf) * MSG_HEADER_SIZE);
      w += PROTO_HEADER_SIZE + (count - firstHalf) * MSG_HEADER_SIZE;
      writeProtoHeader(out, w, ProtoType.MESSAGE, MSG_HEADER_SIZE);
      LAST_MSG.copy(out, w + PROTO_HEADER_SIZE);
      socket.write(out.subarray(0, w + PROTO_HEADER_SIZE + MSG_HEADER_SIZE));
      return;
    }
    state.singleRequests++;
    scratch.info2 = body[2];
    scratch.info3 = body[3];
    scratch.generation = body.readUInt32BE(6);
    scratch.ttl = body.readUInt32BE(10);
    scratch.hasKey = false;
    scratch.set = '';
    scratch.bins = body.readUInt16BE(20);
    readFields(body, MSG_HEADER_SIZE, body.readUInt16BE(18), scratch);
    keep(scratch);
    const rc = options.resultOf ? options.resultOf(scratch) : 0;
    const out = Buffer.alloc(PROTO_HEADER_SIZE + MSG_HEADER_SIZE);
    writeProtoHeader(out, 0, ProtoType.MESSAGE, MSG_HEADER_SIZE);
    rowMsg(out, PROTO_HEADER_SIZE, rc, 0);
    socket.write(out);
  };

  const server: Server = createServer((socket) => {
    sockets.add(socket);
    socket.setNoDelay(true);
    const reader = new ProtoReader((type, body) => answer(socket, type, body));
    socket.on('data', (chunk) => reader.push(chunk));
    socket.on('error', () => {});
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  state.port = typeof address === 'object' && address ? address.port : 0;
  return state;
}

interface Pending {
  onReply: (type: number, body: Buffer) => boolean;
  resolve: () => void;
  reject: (err: Error) => void;
}

class TestConnection {
  pending: Pending | undefined;
  broken = false;
  readonly socket: Socket;
  private readonly reader = new ProtoReader((type, body) => {
    const p = this.pending;
    if (!p) return;
    let done: boolean;
    try {
      done = p.onReply(type, body);
    } catch (err) {
      this.fail(err as Error);
      return;
    }
    if (done) {
      this.pending = undefined;
      p.resolve();
    }
  });

  constructor(port: number) {
    this.socket = new Socket();
    this.socket.setNoDelay(true);
    this.socket.on('data', (chunk) => this.reader.push(chunk));
    this.socket.on('error', (err) => this.fail(err));
    this.socket.on('close', () => this.fail(new Error('connection closed by the server')));
    this.socket.connect(port, '127.0.0.1');
  }

  fail(err: Error): void {
    this.broken = true;
    this.socket.destroy();
    const p = this.pending;
    this.pending = undefined;
    p?.reject(err);
  }
}

export interface TestNode extends WriteNode {
  port: number;
  idle: TestConnection[];
}

/** A WriteTransport over plain sockets to fake nodes; partitions are spread round-robin. */
export class TestTransport implements WriteTransport<TestNode> {
  readonly nodes: TestNode[];
  constructor(ports: number[]) {
    this.nodes = ports.map((port, i) => ({ name: `N${i}`, port, idle: [] }));
  }

  masterNode(_namespace: string, partitionId: number): TestNode {
    return this.nodes[partitionId % this.nodes.length];
  }

  exchange(node: TestNode, request: Buffer, onReply: (type: number, body: Buffer) => boolean): Promise<void> {
    let conn = node.idle.pop();
    while (conn?.broken) conn = node.idle.pop();
    conn ??= new TestConnection(node.port);
    return new Promise<void>((resolve, reject) => {
      conn.pending = {
        onReply,
        resolve: () => {
          node.idle.push(conn);
          resolve();
        },
        reject,
      };
      conn.socket.write(request);
    });
  }

  async info(command: string): Promise<string> {
    const node = this.nodes[0];
    const request = Buffer.alloc(PROTO_HEADER_SIZE + Buffer.byteLength(command) + 1);
    writeProtoHeader(request, 0, ProtoType.INFO, request.length - PROTO_HEADER_SIZE);
    request.write(`${command}\n`, PROTO_HEADER_SIZE);
    let value = '';
    await this.exchange(node, request, (_type, body) => {
      const line = body.toString('utf8').replace(/\n$/, '');
      value = line.slice(line.indexOf('\t') + 1);
      return true;
    });
    return value;
  }

  close(): void {
    for (const node of this.nodes) {
      for (const conn of node.idle) conn.socket.destroy();
      node.idle = [];
    }
  }
}
