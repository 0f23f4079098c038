// A small in-process Aerospike node for unit tests: info tending commands, partition queries
// (with resume digests, max records, set filter, no-bins), admin login, and fault injection.
// It is deliberately minimal; the full emulator lives in tooling/aerospike-emulator.
import net from 'node:net';
import tls from 'node:tls';
import type { AsbRecord } from '@asbkit/asb-format';
import { AdminCommand, AdminField, decodeAdminMessage, encodeAdminMessage } from '../wire/admin.js';
import { decodeInfoRequest, encodeBitmap, encodeInfoResponse } from '../wire/info.js';
import {
  asMsgSize,
  decodeAsMsg,
  emptyHeader,
  FieldType,
  findField,
  Info1,
  Info3,
  writeAsMsg,
} from '../wire/message.js';
import {
  encodeProto,
  PROTO_HEADER_SIZE,
  ProtoType,
  readProtoHeader,
  writeProtoHeader,
} from '../wire/proto.js';
import { encodeRecordReply, partitionIdOfDigest } from '../wire/record-reply.js';

export interface FakeNodeOptions {
  name: string;
  /** Namespace → records held (all partitions). */
  namespaces?: Record<string, AsbRecord[]>;
  /** Partitions this node masters (default all 4096). */
  masterPartitions?: Iterable<number>;
  /** Extra/override info answers. */
  info?: Record<string, string | (() => string)>;
  /** Records per reply proto (default 100). */
  recordsPerProto?: number;
  tls?: tls.TlsOptions;
  /** TLS name announced for this node in `peers-tls-*` answers. */
  tlsName?: string;
  /** user → password crypt string (bcrypt) accepted by LOGIN; enables security. */
  users?: Record<string, string>;
  /** Session TTL seconds sent with a token (default 3600). */
  sessionTtl?: number;
  /** Replaces the built-in partition query answer (e.g. to stream pre-built replies in benchmarks). */
  queryHandler?: (socket: net.Socket, query: QueryLogEntry) => Promise<void>;
}

export interface QueryLogEntry {
  namespace: string;
  set: string | undefined;
  pids: number[];
  digests: Buffer[];
  maxRecords: bigint | undefined;
  filter: Buffer | undefined;
  info1: number;
  binNames: string[];
}

/** Fault hooks, consulted per partition query. */
export interface FakeFaults {
  /** Destroy the socket after sending this many records (once, then cleared). */
  dropAfterRecords?: number;
  /** Answer these partitions with an rc-11 unavailable marker (once, then cleared). */
  unavailable?: number[];
  /** Never answer queries (for timeout tests). */
  silent?: boolean;
  /** Reply to the query with this result code up front. */
  refuseWith?: number;
  /** Close the socket instead of answering the next N requests of any kind. */
  dropRequests?: number;
}

/** A fake node listening on 127.0.0.1. */
export class FakeNode {
  readonly opts: FakeNodeOptions;
  server!: net.Server;
  port = 0;
  partitionGeneration = 1;
  peersGeneration = 1;
  peers: FakeNode[] = [];
  masters: Set<number>;
  readonly queries: QueryLogEntry[] = [];
  /** Every info command received. */
  readonly infoLog: string[] = [];
  faults: FakeFaults = {};
  /** Total bytes of reply protos written (for back-pressure tests). */
  bytesSent = 0;
  /** Sockets currently open. */
  readonly sockets = new Set<net.Socket>();
  logins = 0;
  authentications = 0;
  private readonly tokens = new Set<string>();
  private readonly index = new Map<AsbRecord[], Map<number, AsbRecord[]>>();

  /** Records of a namespace grouped by partition, each group in descending digest order. */
  private byPartition(records: AsbRecord[]): Map<number, AsbRecord[]> {
    let m = this.index.get(records);
    if (!m) {
      m = new Map();
      for (const r of records) {
        const pid = partitionIdOfDigest(r.digest);
        const g = m.get(pid);
        if (g) g.push(r);
        else m.set(pid, [r]);
      }
      for (const g of m.values()) g.sort((a, b) => Buffer.compare(b.digest, a.digest));
      this.index.set(records, m);
    }
    return m;
  }

  constructor(opts: FakeNodeOptions) {
    this.opts = opts;
    this.masters = new Set(opts.masterPartitions ?? Array.from({ length: 4096 }, (_, i) => i));
  }

  static async start(opts: FakeNodeOptions): Promise<FakeNode> {
    const node = new FakeNode(opts);
    const onConn = (s: net.Socket) => node.serve(s);
    node.server = opts.tls ? tls.createServer(opts.tls, onConn) : net.createServer(onConn);
    await new Promise<void>((resolve) => node.server.listen(0, '127.0.0.1', resolve));
    node.port = (node.server.address() as net.AddressInfo).port;
    return node;
  }

  get host(): string {
    return `127.0.0.1:${this.port}`;
  }

  async stop(): Promise<void> {
    for (const s of this.sockets) s.destroy();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private replicas(): string {
    const bm = encodeBitmap(this.masters).toString('base64');
    return Object.keys(this.opts.namespaces ?? {})
      .map((ns) => `${ns}:0,1,${bm}`)
      .join(';');
  }

  private infoValue(cmd: string): string {
    const o = this.opts.info?.[cmd];
    if (o !== undefined) return typeof o === 'function' ? o() : o;
    switch (cmd) {
      case 'node':
        return this.opts.name;
      case 'build':
        return '8.1.2.0';
      case 'features':
        return 'batch-any;batch-index;pquery;pscans;peers;replicas';
      case 'partition-generation':
        return String(this.partitionGeneration);
      case 'peers-generation':
        return String(this.peersGeneration);
      case 'replicas':
        return this.replicas();
      case 'namespaces':
        return Object.keys(this.opts.namespaces ?? {}).join(';');
      case 'peers-clear-std':
      case 'peers-tls-std':
      case 'peers-clear-alt':
      case 'peers-tls-alt': {
        const tlsPeers = cmd.startsWith('peers-tls');
        const list = this.peers
          .filter((p) => (p.opts.tls !== undefined) === tlsPeers)
          .map((p) => `[${p.opts.name},${tlsPeers ? (p.opts.tlsName ?? '') : ''},[127.0.0.1:${p.port}]]`);
        return `${this.peersGeneration},3000,[${list.join(',')}]`;
      }
      default:
        return 'ERROR:4:unrecognized command';
    }
  }

  private serve(socket: net.Socket): void {
    this.sockets.add(socket);
    socket.on('close', () => this.sockets.delete(socket));
    socket.on('error', () => {});
    let pending = Buffer.alloc(0);
    let busy = false;
    const pump = async () => {
      if (busy) return;
      busy = true;
      try {
        while (pending.length >= PROTO_HEADER_SIZE) {
          const h = readProtoHeader(pending);
          if (pending.length < PROTO_HEADER_SIZE + h.size) break;
          const body = pending.subarray(PROTO_HEADER_SIZE, PROTO_HEADER_SIZE + h.size);
          pending = pending.subarray(PROTO_HEADER_SIZE + h.size);
          await this.handle(socket, h.type, Buffer.from(body));
        }
      } catch {
        socket.destroy();
      } finally {
        busy = false;
      }
    };
    socket.on('data', (chunk: Buffer) => {
      pending = Buffer.concat([pending, chunk]);
      void pump();
    });
  }

  private async handle(socket: net.Socket, type: number, body: Buffer): Promise<void> {
    if (this.faults.dropRequests) {
      this.faults.dropRequests--;
      socket.destroy();
      return;
    }
    if (type === ProtoType.INFO) {
      const cmds = decodeInfoRequest(body);
      this.infoLog.push(...cmds);
      socket.write(encodeProto(ProtoType.INFO, encodeInfoResponse(cmds.map((c) => [c, this.infoValue(c)]))));
      return;
    }
    if (type === ProtoType.ADMIN) {
      socket.write(this.admin(body));
      return;
    }
    const { msg } = decodeAsMsg(body);
    if (msg.info1 & Info1.READ && msg.info3 & Info3.PARTITION_DONE) await this.query(socket, msg);
    else socket.write(encodeProto(ProtoType.MESSAGE, encodeHeaderOnly(4, Info3.LAST)));
  }

  private admin(body: Buffer): Buffer {
    const msg = decodeAdminMessage(body);
    const users = this.opts.users;
    if (!users) return encodeAdminMessage(msg.command, [], 51);
    const get = (id: number) => msg.fields.find((f) => f.id === id)?.data;
    if (msg.command === AdminCommand.LOGIN) {
      this.logins++;
      const user = get(AdminField.USER)?.toString();
      const cred = get(AdminField.CREDENTIAL)?.toString();
      if (!user || users[user] === undefined) return encodeAdminMessage(msg.command, [], 60);
      if (users[user] !== cred) return encodeAdminMessage(msg.command, [], 62);
      const token = `tok-${user}-${this.tokens.size}`;
      this.tokens.add(token);
      const ttl = Buffer.alloc(4);
      ttl.writeUInt32BE(this.opts.sessionTtl ?? 3600);
      return encodeAdminMessage(msg.command, [
        { id: AdminField.SESSION_TOKEN, data: Buffer.from(token) },
        { id: AdminField.SESSION_TTL, data: ttl },
      ]);
    }
    if (msg.command === AdminCommand.AUTHENTICATE) {
      this.authentications++;
      const token = get(AdminField.SESSION_TOKEN)?.toString() ?? '';
      return encodeAdminMessage(msg.command, [], this.tokens.has(token) ? 0 : 80);
    }
    return encodeAdminMessage(msg.command, [], 54);
  }

  private async query(socket: net.Socket, msg: ReturnType<typeof decodeAsMsg>['msg']): Promise<void> {
    const ns = findField(msg, FieldType.NAMESPACE)!.toString();
    const set = findField(msg, FieldType.SET)?.toString();
    const pidField = findField(msg, FieldType.PID_ARRAY);
    const digField = findField(msg, FieldType.DIGEST_ARRAY);
    const maxField = findField(msg, FieldType.MAX_RECORDS);
    const entry: QueryLogEntry = {
      namespace: ns,
      set,
      pids: pidField
        ? Array.from({ length: pidField.length / 2 }, (_, i) => pidField.readUInt16LE(2 * i))
        : [],
      digests: digField
        ? Array.from({ length: digField.length / 20 }, (_, i) =>
            Buffer.from(digField.subarray(20 * i, 20 * i + 20)),
          )
        : [],
      maxRecords: maxField?.readBigUInt64BE(),
      filter: findField(msg, FieldType.FILTER_EXP),
      info1: msg.info1,
      binNames: msg.ops.map((o) => o.name.toString()),
    };
    this.queries.push(entry);
    if (this.opts.queryHandler) return this.opts.queryHandler(socket, entry);
    const faults = this.faults;
    if (faults.silent) return;
    if (faults.refuseWith !== undefined) {
      socket.write(encodeProto(ProtoType.MESSAGE, encodeHeaderOnly(faults.refuseWith, 0)));
      return;
    }
    const records = this.opts.namespaces?.[ns];
    if (!records) {
      socket.write(encodeProto(ProtoType.MESSAGE, encodeHeaderOnly(20, 0)));
      return;
    }
    const unavailable = new Set(faults.unavailable ?? []);
    faults.unavailable = undefined;
    const after = new Map(entry.digests.map((d) => [partitionIdOfDigest(d), d]));
    const wanted = [...entry.pids, ...after.keys()];
    const out: Buffer[] = [];
    let sent = 0;
    let max = entry.maxRecords === undefined ? Number.POSITIVE_INFINITY : Number(entry.maxRecords);
    const flush = async (last: boolean) => {
      if (last) out.push(encodeHeaderOnly(0, Info3.LAST));
      if (out.length === 0) return;
      const body = Buffer.concat(out.splice(0));
      const proto = Buffer.allocUnsafe(PROTO_HEADER_SIZE + body.length);
      writeProtoHeader(proto, 0, ProtoType.MESSAGE, body.length);
      body.copy(proto, PROTO_HEADER_SIZE);
      this.bytesSent += proto.length;
      if (!socket.write(proto)) await new Promise((r) => socket.once('drain', r));
    };
    for (const pid of wanted) {
      if (!this.masters.has(pid) || unavailable.has(pid)) {
        out.push(encodeHeaderOnly(11, Info3.PARTITION_DONE, pid));
        continue;
      }
      // descending digest order within a partition, like the server
      const inPart = this.byPartition(records).get(pid) ?? [];
      const from = after.get(pid);
      for (const r of inPart) {
        if (set !== undefined && r.set !== set) continue;
        if (from && Buffer.compare(r.digest, from) >= 0) continue;
        if (max <= 0) break;
        if (faults.dropAfterRecords !== undefined && sent >= faults.dropAfterRecords) {
          faults.dropAfterRecords = undefined;
          await flush(false);
          socket.destroy();
          return;
        }
        out.push(encodeRecord(r, (msg.info1 & Info1.NOBINDATA) !== 0));
        sent++;
        max--;
        if (out.length >= (this.opts.recordsPerProto ?? 100)) await flush(false);
      }
    }
    await flush(true);
  }
}

/** A header-only as_msg (LAST, markers, errors). */
export function encodeHeaderOnly(resultCode: number, info3: number, generation = 0): Buffer {
  const b = Buffer.allocUnsafe(22);
  writeAsMsg(b, 0, { ...emptyHeader(), resultCode, info3, generation }, [], []);
  return b;
}

/** One scan reply record as the server sends it (GeoJSON with one computed cell, like 8.1.2). */
export function encodeRecord(r: AsbRecord, noBins = false): Buffer {
  const buf = encodeRecordReply(r, noBins);
  if (noBins || !r.bins.some((b) => b.type === 23)) return buf;
  const { msg } = decodeAsMsg(buf);
  const cell = Buffer.concat([Buffer.from('000001', 'hex'), Buffer.alloc(8, 1)]);
  const ops = msg.ops.map((o) =>
    o.particleType === 23 ? { ...o, value: Buffer.concat([cell, o.value.subarray(3)]) } : o,
  );
  const out = Buffer.allocUnsafe(asMsgSize(msg.fields, ops));
  writeAsMsg(out, 0, msg, msg.fields, ops);
  return out;
}

/** Starts `n` fake nodes that know each other as peers, partitions split round-robin. */
export async function startFakeCluster(
  n: number,
  base: Omit<FakeNodeOptions, 'name' | 'masterPartitions'>,
): Promise<FakeNode[]> {
  const nodes: FakeNode[] = [];
  for (let i = 0; i < n; i++) {
    const masters = Array.from({ length: 4096 }, (_, p) => p).filter((p) => p % n === i);
    nodes.push(await FakeNode.start({ ...base, name: `FAKE${i}`, masterPartitions: masters }));
  }
  for (const node of nodes) node.peers = nodes.filter((x) => x !== node);
  return nodes;
}
