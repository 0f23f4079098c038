import { lookup } from 'node:dns/promises';
import { isIP, isIPv4, Socket } from 'node:net';
import { type TLSSocket, connect as tlsConnect } from 'node:tls';

/** Frame magic of both directions ("sidekick" in hexspeak), big-endian. */
export const SA_MAGIC = 0x51dec1cc;
/** Largest reply body the official client accepts. */
export const SA_MAX_RESPONSE = 100 * 1024;
export const SA_DEFAULT_ADDRESS = '127.0.0.1';
export const SA_DEFAULT_PORT = '3005';
export const SA_DEFAULT_TIMEOUT_MS = 1000;
export const SECRET_PREFIX = 'secrets:';

/** Result codes of the official client (`sa_error_code`). */
export const SaCode = { BAD_REQUEST: 1, BAD_CONFIG: 2, INTERNAL: 3, TIMEOUT: 4 } as const;
export type SaCode = (typeof SaCode)[keyof typeof SaCode];

/**
 * A failed secret fetch. `details` are the client's `ERR: …` lines, never containing the
 * secret value; `message` is the tool-level line.
 */
export class SecretAgentError extends Error {
  readonly code: SaCode;
  readonly details: string[];
  constructor(code: SaCode, details: string[]) {
    super(`secret agent request failed err code: ${code}`);
    this.name = 'SecretAgentError';
    this.code = code;
    this.details = details;
  }
  /** The lines as the tools log them, prefix included, then the tool line. */
  logLines(): string[] {
    return [...this.details.map((d) => `secret-agent: ${d}`), this.message];
  }
}

/** Settings of the agent connection as accumulated from config files and `--sa-*`. */
export interface SecretAgentConfig {
  /** `--sa-address` text, possibly with an embedded port (`h:p`, `[v6]:p`). */
  address: string;
  /** Port given explicitly (`--sa-port` / TOML `sa-port`); beats a port in `address`. */
  port?: string;
  timeoutMs: number;
  /** CA file content; TLS is on exactly when this is set. */
  caPem?: Buffer;
}

export function defaultSecretAgentConfig(): SecretAgentConfig {
  return { address: SA_DEFAULT_ADDRESS, timeoutMs: SA_DEFAULT_TIMEOUT_MS };
}

export function isSecretRef(value: string): boolean {
  return value.startsWith(SECRET_PREFIX);
}

/** `secrets:[resource:]key`: split at the last colon; empty resource means none. */
export function splitSecretRef(ref: string): { resource: string; key: string } {
  const rest = ref.slice(SECRET_PREFIX.length);
  if (rest === '') throw new SecretAgentError(SaCode.BAD_REQUEST, ['ERR: empty secret key']);
  const i = rest.lastIndexOf(':');
  if (i < 0) return { resource: '', key: rest };
  return { resource: rest.slice(0, i), key: rest.slice(i + 1) };
}

/**
 * Host and port to dial. Fixes the official parser's IPv6 defects: `[v6]`, `[v6]:p`, bare
 * `v6` (two or more colons) all work; `h:` and `[v6]junk` are rejected. An explicit port wins.
 */
export function resolveAgentEndpoint(cfg: SecretAgentConfig): { host: string; port: number } {
  const badAddress = () =>
    new SecretAgentError(SaCode.BAD_CONFIG, [
      `ERR: failed to lookup address: ${cfg.address}`,
      'ERR: failed to create socket',
    ]);
  let host = cfg.address;
  let embeddedPort: string | undefined;
  if (host.startsWith('[')) {
    const close = host.indexOf(']');
    if (close < 0) throw badAddress();
    const after = host.slice(close + 1);
    if (after !== '' && !after.startsWith(':')) throw badAddress();
    if (after.startsWith(':')) embeddedPort = after.slice(1);
    host = host.slice(1, close);
  } else {
    const colons = host.split(':').length - 1;
    if (colons === 1) {
      const i = host.indexOf(':');
      embeddedPort = host.slice(i + 1);
      host = host.slice(0, i);
    }
  }
  if (host === '') throw badAddress();
  const portText = cfg.port ?? embeddedPort ?? SA_DEFAULT_PORT;
  const port = /^\d+$/.test(portText) ? Number(portText) : Number.NaN;
  if (!(port >= 1 && port <= 65535)) {
    throw new SecretAgentError(SaCode.BAD_CONFIG, [
      `ERR: port: ${portText} is outside the valid port range 1 - 65535`,
      'ERR: failed to create socket',
    ]);
  }
  return { host, port };
}

/** Strict base64 as the official client validates it (full match, padding required). */
const STRICT_BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

/** Interprets a reply body; returns the decoded secret bytes. */
export function decodeSecretReply(body: Buffer): Buffer {
  const fail = (line: string) =>
    new SecretAgentError(SaCode.BAD_REQUEST, [line, 'ERR: unable to fetch secret']);
  let doc: unknown;
  try {
    doc = JSON.parse(body.toString('utf8'));
  } catch {
    // The parser's own message may quote the body, which may hold the secret: never echo it.
    throw fail('ERR: failed to parse response JSON line 1 (invalid JSON)');
  }
  if (typeof doc !== 'object' || doc === null) {
    throw fail('ERR: failed to parse response JSON line 1 (not an object or array)');
  }
  const reply = doc as Record<string, unknown>;
  if (typeof reply.Error === 'string') throw fail(`ERR: response: ${reply.Error}`);
  const value = reply.SecretValue;
  if (typeof value !== 'string') throw fail('ERR: failed to find "SecretValue" in response');
  if (value === '') throw fail('ERR: empty secret');
  const trimmed = value.replace(/[ \t\n\r\f\v]+$/, '');
  if (trimmed === '') throw fail('ERR: whitespace-only secret');
  if (!STRICT_BASE64.test(trimmed)) throw fail('ERR: failed to base64-decode secret');
  return Buffer.from(trimmed, 'base64');
}

/** Secret bytes as a string option sees them: UTF-8, cut at the first NUL like the C tools. */
export function secretToString(secret: Buffer): string {
  const nul = secret.indexOf(0);
  return (nul < 0 ? secret : secret.subarray(0, nul)).toString('utf8');
}

export function encodeSecretRequest(resource: string, key: string): Buffer {
  const body = Buffer.from(
    JSON.stringify(resource === '' ? { SecretKey: key } : { Resource: resource, SecretKey: key }),
    'utf8',
  );
  const header = Buffer.alloc(8);
  header.writeUInt32BE(SA_MAGIC, 0);
  header.writeUInt32BE(body.length, 4);
  return Buffer.concat([header, body]);
}

const CERT_BLOCK = /-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g;

/**
 * Fetches one secret: one connection, one request, one reply. The timeout bounds the connect
 * and every idle wait (handshake, reads). Returns the decoded bytes.
 */
export async function fetchSecret(cfg: SecretAgentConfig, ref: string): Promise<Buffer> {
  const { resource, key } = splitSecretRef(ref);
  const { host, port } = resolveAgentEndpoint(cfg);
  const addresses = await lookupAll(host, cfg.address);
  let caCerts: string[] | undefined;
  if (cfg.caPem) {
    caCerts = cfg.caPem.toString('utf8').match(CERT_BLOCK) ?? [];
    if (caCerts.length === 0) {
      throw new SecretAgentError(SaCode.INTERNAL, [
        'ERR: unable to load ca certificate from ca_string',
        'ERR: failed to wrap socket for tls',
        'ERR: failed to create socket',
      ]);
    }
  }
  let lastError: SecretAgentError | undefined;
  for (const address of addresses) {
    let socket: Socket;
    try {
      socket = await connectTcp(address, port, cfg.timeoutMs);
    } catch (e) {
      lastError = e as SecretAgentError;
      if (lastError.code === SaCode.TIMEOUT) throw lastError;
      continue;
    }
    let stream: Socket | TLSSocket = socket;
    if (caCerts) stream = await wrapTls(socket, host, caCerts, cfg.timeoutMs);
    const reply = await exchange(stream, encodeSecretRequest(resource, key), cfg.timeoutMs);
    return decodeSecretReply(reply);
  }
  throw lastError ?? new SecretAgentError(SaCode.INTERNAL, ['ERR: failed to create socket']);
}

async function lookupAll(host: string, shown: string): Promise<string[]> {
  if (isIP(host)) return [host];
  // A dotted-number text that is not an IPv4 literal (e.g. 256.0.0.0) must not go to DNS.
  if (/^[\d.]+$/.test(host) && !isIPv4(host)) throw lookupError(shown);
  try {
    const found = await lookup(host, { all: true });
    return found.map((a) => a.address);
  } catch {
    throw lookupError(shown);
  }
}

function lookupError(shown: string): SecretAgentError {
  return new SecretAgentError(SaCode.BAD_CONFIG, [
    `ERR: failed to lookup address: ${shown}`,
    'ERR: failed to create socket',
  ]);
}

function connectTcp(host: string, port: number, timeoutMs: number): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const socket = new Socket();
    let timer: NodeJS.Timeout | undefined;
    if (timeoutMs > 0) {
      timer = setTimeout(() => {
        socket.destroy();
        reject(
          new SecretAgentError(SaCode.TIMEOUT, ['ERR: connect timed out', 'ERR: failed to create socket']),
        );
      }, timeoutMs);
    }
    socket.once('error', (err: NodeJS.ErrnoException) => {
      clearTimeout(timer);
      socket.destroy();
      reject(
        new SecretAgentError(SaCode.INTERNAL, [
          `ERR: connect failed: -1, errno: ${err.code ?? err.message}`,
          'ERR: failed to create socket',
        ]),
      );
    });
    socket.connect({ host, port }, () => {
      clearTimeout(timer);
      socket.removeAllListeners('error');
      resolve(socket);
    });
  });
}

function wrapTls(socket: Socket, host: string, ca: string[], timeoutMs: number): Promise<TLSSocket> {
  return new Promise((resolve, reject) => {
    const fail = (code: SaCode, first: string) => {
      tls.destroy();
      socket.destroy();
      reject(
        new SecretAgentError(code, [
          first,
          `ERR: tls connection failed: ${code}`,
          'ERR: failed to create socket',
        ]),
      );
    };
    const tls = tlsConnect({
      socket,
      ca,
      // Verify the chain against the CA file, but not the host name: the official test
      // connects to 0.0.0.0 with a certificate for DNS:localhost.
      rejectUnauthorized: true,
      checkServerIdentity: () => undefined,
      ...(isIP(host) ? {} : { servername: host }),
    });
    if (timeoutMs > 0) {
      tls.setTimeout(timeoutMs, () => fail(SaCode.TIMEOUT, 'ERR: socket poll timed out'));
    }
    tls.once('error', (err) => fail(SaCode.INTERNAL, `ERR: SSL_connect failed: ${err.message}`));
    tls.once('secureConnect', () => {
      tls.setTimeout(0);
      tls.removeAllListeners('error');
      resolve(tls);
    });
  });
}

/** Writes the request, reads exactly one framed reply, closes. */
function exchange(stream: Socket, request: Buffer, timeoutMs: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let have = 0;
    let need = 8;
    let header: Buffer | undefined;
    let done = false;
    const finish = (err: SecretAgentError | undefined, body?: Buffer) => {
      if (done) return;
      done = true;
      stream.destroy();
      if (err) reject(err);
      else resolve(body as Buffer);
    };
    const emptyReply = (line: string, code: SaCode) =>
      new SecretAgentError(code, [line, 'ERR: empty secret json response']);
    if (timeoutMs > 0) {
      stream.setTimeout(timeoutMs, () => finish(emptyReply('ERR: socket poll timed out', SaCode.TIMEOUT)));
    }
    stream.on('data', (chunk: Buffer) => {
      chunks.push(chunk);
      have += chunk.length;
      if (!header && have >= 8) {
        const all = Buffer.concat(chunks);
        header = all.subarray(0, 8);
        const magic = header.readUInt32BE(0);
        if (magic !== SA_MAGIC) {
          finish(emptyReply(`ERR: bad magic - ${magic.toString(16)}`, SaCode.INTERNAL));
          return;
        }
        const length = header.readUInt32BE(4);
        if (length > SA_MAX_RESPONSE) {
          finish(emptyReply(`ERR: response too big - ${length}`, SaCode.INTERNAL));
          return;
        }
        need = 8 + length;
        chunks.length = 0;
        chunks.push(all);
      }
      if (header && have >= need) finish(undefined, Buffer.concat(chunks).subarray(8, need));
    });
    stream.on('end', () => {
      const expected = header ? need - 8 : 8;
      const got = header ? have - 8 : have;
      finish(emptyReply(`ERR: socket closed after ${got} of ${expected} bytes`, SaCode.INTERNAL));
    });
    stream.on('error', (err: NodeJS.ErrnoException) =>
      finish(emptyReply(`ERR: socket error, errno: ${err.code ?? err.message}`, SaCode.INTERNAL)),
    );
    stream.write(request);
  });
}
