// One cluster node: identity, a pool of connections, and request helpers.
import { decodeInfoResponse, encodeInfoRequest } from '../wire/info.js';
import { ProtoType } from '../wire/proto.js';
import type { AuthSession } from './auth.js';
import { Connection, type ConnectOptions, type Endpoint, endpointName } from './connection.js';
import { ConnectionError } from './errors.js';

export interface NodeOptions {
  connect: ConnectOptions;
  auth?: AuthSession;
  /** Socket (silence) timeout for requests, ms; 0 = none. */
  socketTimeoutMs: number;
  /** Idle connections kept per node. */
  maxIdle: number;
}

export class Node {
  /** Node name from the `node` info command, e.g. `BB901000000FC02`. */
  readonly name: string;
  readonly address: Endpoint;
  readonly build: string;
  readonly features: ReadonlySet<string>;
  partitionGeneration = -1;
  peersGeneration = -1;
  private readonly opts: NodeOptions;
  private readonly idle: Connection[] = [];
  private closed = false;

  constructor(name: string, address: Endpoint, build: string, features: Iterable<string>, opts: NodeOptions) {
    this.name = name;
    this.address = address;
    this.build = build;
    this.features = new Set(features);
    this.opts = opts;
  }

  toString(): string {
    return `${this.name} ${endpointName(this.address)}`;
  }

  /** Opens and (if configured) authenticates a connection to an endpoint. */
  static async open(address: Endpoint, opts: NodeOptions): Promise<Connection> {
    const conn = await Connection.connect(address, opts.connect);
    conn.socketTimeoutMs = opts.socketTimeoutMs;
    if (opts.auth) {
      try {
        await opts.auth.authenticate(conn, opts.socketTimeoutMs);
      } catch (err) {
        conn.close();
        throw err;
      }
    }
    return conn;
  }

  /** An idle pooled connection or a new one. Give it back with `release`. */
  async acquire(): Promise<Connection> {
    if (this.closed) throw new ConnectionError('CONNECTION', this.toString(), 'node is closed');
    while (this.idle.length > 0) {
      const c = this.idle.pop()!;
      if (c.isOpen) return c;
    }
    return Node.open(this.address, this.opts);
  }

  /** Returns a connection to the pool; `broken` (or a closed socket) discards it. */
  release(conn: Connection, broken = false): void {
    if (broken || !conn.isOpen || this.closed || this.idle.length >= this.opts.maxIdle) {
      conn.close();
      return;
    }
    conn.socketTimeoutMs = this.opts.socketTimeoutMs;
    this.idle.push(conn);
  }

  /**
   * Runs `fn` with a pooled connection. The connection returns to the pool when `fn` resolves and
   * is discarded when it throws (its stream state is unknown).
   */
  async withConnection<T>(fn: (conn: Connection) => Promise<T>): Promise<T> {
    const conn = await this.acquire();
    try {
      const out = await fn(conn);
      this.release(conn);
      return out;
    } catch (err) {
      this.release(conn, true);
      throw err;
    }
  }

  /** Sends a request and returns the body of its single reply proto (info, single write...). */
  request(buf: Buffer, timeoutMs = this.opts.socketTimeoutMs): Promise<Buffer> {
    return this.withConnection(async (c) => (await c.request(buf, timeoutMs)).body);
  }

  /** Info commands → map of command → value. */
  async info(commands: readonly string[]): Promise<Map<string, string>> {
    return this.withConnection(async (c) => {
      const reply = await c.request(encodeInfoRequest(commands));
      if (reply.type !== ProtoType.INFO) {
        throw new ConnectionError(
          'CONNECTION',
          this.toString(),
          `info answered with proto type ${reply.type}`,
        );
      }
      return decodeInfoResponse(reply.body);
    });
  }

  /** One info command → its value ('' when the server did not answer it). */
  async info1(command: string): Promise<string> {
    return (await this.info([command])).get(command) ?? '';
  }

  hasFeature(f: string): boolean {
    return this.features.has(f);
  }

  close(): void {
    this.closed = true;
    for (const c of this.idle.splice(0)) c.close();
  }
}
