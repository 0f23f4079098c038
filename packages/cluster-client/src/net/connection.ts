// One socket to one node. Reads whole protos, each assembled in one buffer of its own as the
// bytes arrive (plain TCP reads go straight into that buffer or into one reused read buffer: no
// allocation per read). Complete protos wait in a queue for the consumer; while
// `highWaterMark` bytes wait there the socket is paused, which is what stops the server (TCP
// back-pressure) during a scan.
import net from 'node:net';
import tls from 'node:tls';
import {
  decodeCompressedProto,
  PROTO_HEADER_SIZE,
  type Proto,
  ProtoType,
  readProtoHeader,
} from '../wire/proto.js';
import { ConnectionError } from './errors.js';
import { replyMemory } from './reply-memory.js';

export interface Endpoint {
  host: string;
  port: number;
  /** TLS name to verify the server certificate against (TLS only). */
  tlsName?: string;
}

export interface ConnectOptions {
  /** TLS options (already resolved: CA, cert, key...). Undefined = plain TCP. */
  tls?: tls.ConnectionOptions;
  /** Extra check after the TLS handshake (e.g. certificate blacklist); an Error refuses the peer. */
  verifyPeer?: (socket: tls.TLSSocket) => Error | undefined;
  connectTimeoutMs?: number;
  /** Bytes of complete, unread protos held before the socket is paused (default 256 KiB). */
  highWaterMark?: number;
}

export const endpointName = (e: Endpoint): string =>
  `${e.host.includes(':') ? `[${e.host}]` : e.host}:${e.port}${e.tlsName ? ` (${e.tlsName})` : ''}`;

/** Plain TCP reads land in one buffer of this size per connection (or straight in a body). */
const READ_BUFFER_BYTES = 64 * 1024;
const DEFAULT_HIGH_WATER_MARK = 256 * 1024;

type Waiter = { resolve: (p: Proto) => void; reject: (e: Error) => void; timer?: NodeJS.Timeout; ms: number };

export class Connection {
  readonly endpoint: Endpoint;
  private readonly socket: net.Socket;
  private readonly highWaterMark: number;
  /** Complete protos the consumer has not read yet, and their body bytes. */
  private readonly queue: Proto[] = [];
  private queued = 0;
  // the proto being assembled: its header bytes, then its body
  private readonly header = Buffer.allocUnsafe(PROTO_HEADER_SIZE);
  private headerFill = 0;
  private bodyType = 0;
  private body: Buffer | undefined;
  private bodyFill = 0;
  private waiter: Waiter | undefined;
  private failure: Error | undefined;
  private paused = false;
  /** Milliseconds of silence tolerated while waiting for a proto (0 = none). */
  socketTimeoutMs = 0;
  /** Set by the pool's owner once this connection has authenticated. */
  lastUsed = Date.now();

  private constructor(endpoint: Endpoint, socket: net.Socket, highWaterMark: number) {
    this.endpoint = endpoint;
    this.socket = socket;
    this.highWaterMark = highWaterMark;
    // plain sockets read through `onread` (see `connect`); TLS ones hand out chunks
    if (socket instanceof tls.TLSSocket)
      socket.on('data', (chunk: Buffer) => this.received(chunk, chunk.length));
    socket.on('error', (err) =>
      this.fail(new ConnectionError('CONNECTION', this.where, err.message, { cause: err })),
    );
    socket.on('close', () =>
      this.fail(new ConnectionError('CONNECTION', this.where, 'connection closed by peer')),
    );
  }

  get where(): string {
    return endpointName(this.endpoint);
  }

  get isOpen(): boolean {
    return this.failure === undefined;
  }

  static connect(endpoint: Endpoint, opts: ConnectOptions = {}): Promise<Connection> {
    const where = endpointName(endpoint);
    return new Promise((resolve, reject) => {
      let socket: net.Socket;
      let conn: Connection | undefined;
      const highWaterMark = opts.highWaterMark ?? DEFAULT_HIGH_WATER_MARK;
      const onError = (err: Error) => {
        clearTimeout(timer);
        socket.destroy();
        const code =
          opts.tls && /certificate|tls|ssl|handshake|self.signed|revoked|blacklist/i.test(err.message)
            ? 'TLS'
            : 'CONNECTION';
        reject(
          err instanceof ConnectionError
            ? err
            : new ConnectionError(code, where, err.message, { cause: err }),
        );
      };
      const ready = () => {
        clearTimeout(timer);
        socket.off('error', onError);
        socket.setNoDelay(true);
        resolve(conn ?? new Connection(endpoint, socket, highWaterMark));
      };
      if (opts.tls) {
        // The certificate is checked against the TLS name when one is given, else the host.
        const servername = endpoint.tlsName ?? (net.isIP(endpoint.host) ? undefined : endpoint.host);
        const checkName = endpoint.tlsName ?? endpoint.host;
        const options: tls.ConnectionOptions = {
          host: endpoint.host,
          port: endpoint.port,
          ...opts.tls,
          servername,
          checkServerIdentity: (_host, cert) => tls.checkServerIdentity(checkName, cert),
        };
        socket = tls.connect(options, () => {
          const err = opts.verifyPeer?.(socket as tls.TLSSocket);
          if (err) onError(err);
          else ready();
        });
      } else {
        const readBuffer = Buffer.allocUnsafeSlow(READ_BUFFER_BYTES);
        socket = net.connect(
          {
            host: endpoint.host,
            port: endpoint.port,
            onread: {
              buffer: () => conn?.readTarget(readBuffer) ?? readBuffer,
              callback: (n: number, buf: Uint8Array) => {
                conn?.received(buf as Buffer, n);
                return true;
              },
            },
          },
          ready,
        );
        conn = new Connection(endpoint, socket, highWaterMark);
      }
      socket.once('error', onError);
      const ms = opts.connectTimeoutMs ?? 0;
      const timer = ms
        ? setTimeout(
            () => onError(new ConnectionError('TIMEOUT', where, `connect timed out after ${ms} ms`)),
            ms,
          )
        : undefined;
    });
  }

  /** Writes bytes; resolves when handed to the kernel (or at once if the buffer has room). */
  send(buf: Buffer): Promise<void> {
    if (this.failure) return Promise.reject(this.failure);
    return new Promise((resolve, reject) => {
      this.socket.write(buf, (err) => (err ? reject(this.failure ?? err) : resolve()));
    });
  }

  /** Sends a request and reads exactly one proto in reply. */
  async request(buf: Buffer, timeoutMs = this.socketTimeoutMs): Promise<Proto> {
    await this.send(buf);
    return this.readProto(timeoutMs);
  }

  /**
   * Next whole proto (type-4 protos are inflated transparently). `timeoutMs` bounds the silence
   * while waiting; time the consumer spends elsewhere does not count.
   */
  readProto(timeoutMs = this.socketTimeoutMs): Promise<Proto> {
    const p = this.queue.shift();
    if (p) {
      this.queued -= p.body.length;
      if (this.hasRoom()) {
        const held = this.held;
        this.held = undefined;
        if (held) this.received(held, held.length);
        if (this.paused && this.held === undefined && this.hasRoom()) this.resume();
      }
      return Promise.resolve(p);
    }
    if (this.failure) return Promise.reject(this.failure);
    if (this.waiter)
      return Promise.reject(new Error('Connection.readProto called while another read is pending'));
    return new Promise((resolve, reject) => {
      this.waiter = { resolve, reject, ms: timeoutMs };
      this.armTimer(timeoutMs);
      this.resume();
    });
  }

  close(): void {
    this.fail(new ConnectionError('CONNECTION', this.where, 'connection closed'));
  }

  private armTimer(timeoutMs: number): void {
    const w = this.waiter;
    if (!w || !timeoutMs) return;
    clearTimeout(w.timer);
    w.timer = setTimeout(() => {
      this.fail(new ConnectionError('TIMEOUT', this.where, `no reply for ${timeoutMs} ms (socket timeout)`));
    }, timeoutMs);
  }

  /** The body part a plain TCP read went straight into (see `readTarget`). */
  private direct: Buffer | undefined;

  /**
   * Where the next plain TCP read lands: straight into the body being assembled while much of it
   * is missing (no copy), else the connection's read buffer.
   */
  private readTarget(readBuffer: Buffer): Buffer {
    const body = this.body;
    if (body !== undefined && body.length - this.bodyFill >= READ_BUFFER_BYTES) {
      this.direct = body.subarray(this.bodyFill);
      return this.direct;
    }
    this.direct = undefined;
    return readBuffer;
  }

  /**
   * Bytes of the protos after the queued ones, read before the socket paused: kept as they are
   * (at most one read's worth) rather than started as a new body, so a slow consumer holds one
   * complete reply per connection, not one and a half.
   */
  private held: Buffer | undefined;

  /**
   * Takes `n` bytes read into `buf` (which the caller may reuse afterwards), or read straight
   * into the body being assembled (`readTarget`).
   */
  private received(buf: Buffer, n: number): void {
    if (this.failure) return;
    try {
      if (buf === this.direct) {
        this.direct = undefined;
        this.bodyFill += n;
        if (this.bodyFill === this.body!.length) this.bodyDone();
      } else this.ingest(buf, n);
    } catch (err) {
      this.fail(err as Error); // the byte stream is corrupt: this connection is unusable
      return;
    }
    const w = this.waiter;
    if (w) this.armTimer(w.ms); // bytes arrived: the silence starts over
  }

  /** Assembles protos from `src[0, n)`; throws on a corrupt stream. */
  private ingest(src: Buffer, n: number): void {
    if (this.held) {
      // TLS may hand out a chunk after the pause: behind what is held already
      this.held = Buffer.concat([this.held, src.subarray(0, n)]);
      return;
    }
    for (let off = 0; off < n; ) {
      if (this.body === undefined && this.headerFill === 0 && !this.hasRoom()) {
        this.held = Buffer.from(src.subarray(off, n));
        this.pause();
        return;
      }
      if (this.body === undefined) {
        const take = Math.min(PROTO_HEADER_SIZE - this.headerFill, n - off);
        src.copy(this.header, this.headerFill, off, off + take);
        this.headerFill += take;
        off += take;
        if (this.headerFill < PROTO_HEADER_SIZE) return;
        const h = readProtoHeader(this.header, 0);
        this.bodyType = h.type;
        // big bodies get memory of their own (they can be handed to another thread whole)
        this.body = replyMemory.take(h.size);
        this.bodyFill = 0;
      }
      const body = this.body;
      const take = Math.min(body.length - this.bodyFill, n - off);
      src.copy(body, this.bodyFill, off, off + take);
      this.bodyFill += take;
      off += take;
      if (this.bodyFill === body.length) this.bodyDone();
    }
  }

  /** Whether more may be read: nothing waits for the consumer, or less than the high-water mark. */
  private hasRoom(): boolean {
    return this.queue.length === 0 || this.queued < this.highWaterMark;
  }

  /** The body being assembled is whole: hand it on (inflated when compressed). */
  private bodyDone(): void {
    const body = this.body!;
    this.body = undefined;
    this.headerFill = 0;
    this.complete(
      this.bodyType === ProtoType.COMPRESSED ? decodeCompressedProto(body) : { type: this.bodyType, body },
    );
  }

  private complete(p: Proto): void {
    const w = this.waiter;
    if (w && this.queue.length === 0) {
      clearTimeout(w.timer);
      this.waiter = undefined;
      w.resolve(p);
      return;
    }
    this.queue.push(p);
    this.queued += p.body.length;
    if (!this.hasRoom()) this.pause();
  }

  private pause(): void {
    if (!this.paused) {
      this.paused = true;
      this.socket.pause();
    }
  }

  private resume(): void {
    if (this.paused) {
      this.paused = false;
      this.socket.resume();
    }
  }

  private fail(err: Error): void {
    if (this.failure) return;
    this.failure = err;
    this.socket.destroy();
    const w = this.waiter;
    if (w) {
      clearTimeout(w.timer);
      this.waiter = undefined;
      w.reject(err);
    }
  }
}
