import { type AddressInfo, createServer, type Server, type Socket } from 'node:net';
import { createServer as createTlsServer, type TLSSocket } from 'node:tls';
import { SA_MAGIC } from '../secret-agent/client.js';

/** How the fake agent misbehaves (one per test); `normal` answers from its store. */
export type FakeAgentMode =
  | { kind: 'normal' }
  | { kind: 'silent' }
  | { kind: 'closeImmediately' }
  | { kind: 'badMagic' }
  | { kind: 'tooBig' }
  | { kind: 'truncated' }
  | { kind: 'rawBody'; body: string }
  | { kind: 'delay'; ms: number }
  | { kind: 'splitWrites' }
  /** Plain server: accept, read nothing, never answer (a TLS client's handshake stalls). */
  | { kind: 'tlsStall' };

export interface FakeAgentRequest {
  resource: string | undefined;
  key: string;
  rawBody: string;
  /** SNI sent by a TLS client (false when none). */
  servername: string | false | null | undefined;
}

export interface FakeAgentOptions {
  /** Serve TLS with this certificate/key. */
  tls?: { cert: Buffer; key: Buffer };
  /** Listen address; default 127.0.0.1. */
  host?: string;
  /** Store plain values and base64-encode when replying (AWS/GCP `convert-to-base64`). */
  convertToBase64?: boolean;
}

/**
 * A fake Aerospike Secret Agent for tests: file-backend semantics (resource → key → stored
 * string, normally already base64), request log, and fault injection.
 */
export class FakeSecretAgent {
  readonly requests: FakeAgentRequest[] = [];
  mode: FakeAgentMode = { kind: 'normal' };
  private readonly store = new Map<string, Map<string, string>>();
  private readonly sockets = new Set<Socket>();
  private server!: Server;
  port = 0;
  host: string;

  constructor(private readonly opts: FakeAgentOptions = {}) {
    this.host = opts.host ?? '127.0.0.1';
  }

  /** Stores a string exactly as the backend would hold it (base64 expected by clients). */
  put(resource: string, key: string, stored: string): this {
    let res = this.store.get(resource);
    if (!res) {
      res = new Map();
      this.store.set(resource, res);
    }
    res.set(key, stored);
    return this;
  }

  /** Stores a plain value, base64-encoded like the official tests' secret files. */
  putPlain(resource: string, key: string, value: string | Buffer): this {
    const bytes = typeof value === 'string' ? Buffer.from(value, 'utf8') : value;
    return this.put(
      resource,
      key,
      this.opts.convertToBase64 ? bytes.toString('utf8') : bytes.toString('base64'),
    );
  }

  async start(): Promise<this> {
    const onConnection = (socket: Socket) => this.handle(socket);
    if (this.opts.tls) {
      const tlsServer = createTlsServer({ cert: this.opts.tls.cert, key: this.opts.tls.key }, onConnection);
      tlsServer.on('connection', (raw: Socket) => {
        this.sockets.add(raw);
        raw.on('close', () => this.sockets.delete(raw));
      });
      tlsServer.on('tlsClientError', () => {});
      this.server = tlsServer;
    } else {
      this.server = createServer((socket) => {
        this.sockets.add(socket);
        socket.on('close', () => this.sockets.delete(socket));
        onConnection(socket);
      });
    }
    await new Promise<void>((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(0, this.host, () => resolve());
    });
    this.port = (this.server.address() as AddressInfo).port;
    return this;
  }

  async stop(): Promise<void> {
    for (const s of this.sockets) s.destroy();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private handle(socket: Socket): void {
    if (this.mode.kind === 'tlsStall') return;
    if (this.mode.kind === 'closeImmediately') {
      socket.destroy();
      return;
    }
    socket.on('error', () => {});
    let buf = Buffer.alloc(0);
    socket.on('data', (chunk: Buffer) => {
      buf = Buffer.concat([buf, chunk]);
      while (buf.length >= 8) {
        if (buf.readUInt32BE(0) !== SA_MAGIC) {
          socket.destroy();
          return;
        }
        const length = buf.readUInt32BE(4);
        if (length > 1024 * 1024) {
          socket.destroy();
          return;
        }
        if (buf.length < 8 + length) return;
        const rawBody = buf.subarray(8, 8 + length).toString('utf8');
        buf = buf.subarray(8 + length);
        this.reply(socket, rawBody);
      }
    });
  }

  private reply(socket: Socket, rawBody: string): void {
    let parsed: { Resource?: string; SecretKey?: string } = {};
    try {
      parsed = JSON.parse(rawBody);
    } catch {
      socket.destroy();
      return;
    }
    this.requests.push({
      resource: parsed.Resource,
      key: parsed.SecretKey ?? '',
      rawBody,
      servername: (socket as TLSSocket).servername,
    });
    const mode = this.mode;
    if (mode.kind === 'silent') return;
    if (mode.kind === 'badMagic') {
      socket.write(frame(Buffer.from('{}'), 0xdeadbeef));
      return;
    }
    if (mode.kind === 'tooBig') {
      const header = Buffer.alloc(8);
      header.writeUInt32BE(SA_MAGIC, 0);
      header.writeUInt32BE(102401, 4);
      socket.write(header);
      return;
    }
    const body = Buffer.from(
      mode.kind === 'rawBody' ? mode.body : JSON.stringify(this.lookup(parsed)),
      'utf8',
    );
    const out = frame(body, SA_MAGIC);
    if (mode.kind === 'truncated') {
      socket.end(out.subarray(0, out.length - 5));
    } else if (mode.kind === 'delay') {
      setTimeout(() => socket.write(out), mode.ms);
    } else if (mode.kind === 'splitWrites') {
      void (async () => {
        for (const byte of out) {
          if (socket.destroyed) return;
          socket.write(Buffer.of(byte));
          await new Promise((r) => setImmediate(r));
        }
      })();
    } else {
      socket.write(out);
    }
  }

  private lookup(req: { Resource?: string; SecretKey?: string }): Record<string, string> {
    const res = this.store.get(req.Resource ?? '');
    if (!res) return { Error: `resource not found in config: ${req.Resource ?? ''}` };
    const value = res.get(req.SecretKey ?? '');
    if (value === undefined) {
      return { Error: `${req.SecretKey} not present in file /fake/${req.Resource}.json` };
    }
    return {
      SecretValue: this.opts.convertToBase64 ? Buffer.from(value, 'utf8').toString('base64') : value,
    };
  }
}

function frame(body: Buffer, magic: number): Buffer {
  const header = Buffer.alloc(8);
  header.writeUInt32BE(magic, 0);
  header.writeUInt32BE(body.length, 4);
  return Buffer.concat([header, body]);
}

/** A 127.0.0.1 port with nothing listening (bound, then closed). */
export async function unusedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}
