// One socket to one node. Reads whole protos; the socket is paused while more than
// `highWaterMark` bytes wait for a slow consumer, which is what stops the server (TCP
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
  /** Bytes buffered before the socket is paused. */
  highWaterMark?: number;
}

export const endpointName = (e: Endpoint): string =>
  `${e.host.includes(':') ? `[${e.host}]` : e.host}:${e.port}${e.tlsName ? ` (${e.tlsName})` : ''}`;

type Waiter = { resolve: (p: Proto) => void; reject: (e: Error) => void; timer?: NodeJS.Timeout; ms: number };

export class Connection {
  readonly endpoint: Endpoint;
  private readonly socket: net.Socket;
  private readonly highWaterMark: number;
  private chunks: Buffer[] = [];
  private head = 0; // read offset into chunks[0]
  private buffered = 0;
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
    socket.on('data', (chunk: Buffer) => this.onData(chunk));
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
        resolve(new Connection(endpoint, socket, opts.highWaterMark ?? 1 << 20));
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
        socket = net.connect({ host: endpoint.host, port: endpoint.port }, ready);
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
    let p: Proto | undefined;
    try {
      p = this.tryRead();
    } catch (err) {
      this.fail(err as Error); // the byte stream is corrupt: this connection is unusable
      return Promise.reject(err);
    }
    if (p) return Promise.resolve(p);
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

  private onData(chunk: Buffer): void {
    this.chunks.push(chunk);
    this.buffered += chunk.length;
    const w = this.waiter;
    if (w) {
      let p: Proto | undefined;
      try {
        p = this.tryRead();
      } catch (err) {
        this.fail(err as Error);
        return;
      }
      if (p) {
        clearTimeout(w.timer);
        this.waiter = undefined;
        w.resolve(p);
      } else {
        this.armTimer(w.ms);
        return; // keep reading: the proto is not complete yet
      }
    }
    if (this.buffered >= this.highWaterMark) this.pause();
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

  /** Copies `n` bytes starting at the read position into `out` without consuming them. */
  private peek(out: Buffer, n: number): void {
    let copied = 0;
    let off = this.head;
    for (let i = 0; copied < n; i++) {
      const c = this.chunks[i];
      const take = Math.min(n - copied, c.length - off);
      c.copy(out, copied, off, off + take);
      copied += take;
      off = 0;
    }
  }

  private take(n: number): Buffer {
    const first = this.chunks[0];
    let out: Buffer;
    if (first.length - this.head >= n) {
      out = first.subarray(this.head, this.head + n);
      this.head += n;
    } else {
      out = Buffer.allocUnsafe(n);
      let copied = 0;
      while (copied < n) {
        const c = this.chunks[0];
        const take = Math.min(n - copied, c.length - this.head);
        c.copy(out, copied, this.head, this.head + take);
        copied += take;
        this.head += take;
        if (this.head === c.length) {
          this.chunks.shift();
          this.head = 0;
        }
      }
    }
    if (this.chunks.length > 0 && this.head === this.chunks[0].length) {
      this.chunks.shift();
      this.head = 0;
    }
    this.buffered -= n;
    return out;
  }

  private readonly headerScratch = Buffer.allocUnsafe(PROTO_HEADER_SIZE);

  private tryRead(): Proto | undefined {
    if (this.buffered < PROTO_HEADER_SIZE) return undefined;
    const first = this.chunks[0];
    let hbuf: Buffer;
    let hoff: number;
    if (first.length - this.head >= PROTO_HEADER_SIZE) {
      hbuf = first;
      hoff = this.head;
    } else {
      this.peek(this.headerScratch, PROTO_HEADER_SIZE);
      hbuf = this.headerScratch;
      hoff = 0;
    }
    const h = readProtoHeader(hbuf, hoff);
    if (this.buffered < PROTO_HEADER_SIZE + h.size) return undefined;
    this.take(PROTO_HEADER_SIZE);
    const body = h.size === 0 ? Buffer.alloc(0) : this.take(h.size);
    if (this.paused && this.buffered < this.highWaterMark) this.resume();
    if (h.type === ProtoType.COMPRESSED) return decodeCompressedProto(body);
    return { type: h.type, body };
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
