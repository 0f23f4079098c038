// Info protocol (proto type 1, wire spec §2): `\n`-terminated commands; answers are
// `<command>\t<value>\n` lines.
import { WireDecodeError, WireEncodeError } from './errors.js';
import { PROTO_HEADER_SIZE, ProtoType, writeProtoHeader } from './proto.js';

/** A complete info request proto for the given commands. */
export function encodeInfoRequest(commands: readonly string[]): Buffer {
  for (const c of commands) {
    if (c.includes('\n')) throw new WireEncodeError(`info command contains a newline: ${JSON.stringify(c)}`);
  }
  const text = commands.length === 0 ? '' : `${commands.join('\n')}\n`;
  const size = Buffer.byteLength(text, 'utf8');
  const buf = Buffer.allocUnsafe(PROTO_HEADER_SIZE + size);
  writeProtoHeader(buf, 0, ProtoType.INFO, size);
  buf.write(text, PROTO_HEADER_SIZE, 'utf8');
  return buf;
}

/** Commands of an info request body (server side). */
export function decodeInfoRequest(body: Buffer): string[] {
  const text = body.toString('utf8');
  const lines = text.split('\n');
  lines.pop(); // text after the last '\n' is not a command
  return lines;
}

/** Info response body → map of echoed command → value (the first TAB splits). */
export function decodeInfoResponse(body: Buffer): Map<string, string> {
  const out = new Map<string, string>();
  const text = body.toString('utf8');
  let start = 0;
  while (start < text.length) {
    let nl = text.indexOf('\n', start);
    if (nl < 0) nl = text.length;
    const line = text.slice(start, nl);
    start = nl + 1;
    if (line === '') continue;
    const tab = line.indexOf('\t');
    if (tab < 0) out.set(line, '');
    else out.set(line.slice(0, tab), line.slice(tab + 1));
  }
  return out;
}

/** Server side: a response body for `[command, value]` pairs. */
export function encodeInfoResponse(pairs: Iterable<readonly [string, string]>): Buffer {
  let text = '';
  for (const [k, v] of pairs) text += `${k}\t${v}\n`;
  return Buffer.from(text, 'utf8');
}

export interface InfoErrorValue {
  code: number | undefined;
  message: string;
}

/**
 * `ERROR:<code>:<text>`, `FAIL:<code>:<text>` or `error=<word>...` → the error; undefined for a
 * normal value.
 */
export function parseInfoError(value: string): InfoErrorValue | undefined {
  const m = /^(?:ERROR|FAIL)(?::(-?\d+))?(?::(.*))?$/is.exec(value);
  if (m) return { code: m[1] === undefined ? undefined : Number(m[1]), message: m[2] ?? value };
  if (value.startsWith('error=')) return { code: undefined, message: value.slice(6) };
  return undefined;
}

/** `a=1;b=2` → Map (also `a=1:b=2` with pairSep ':'). Values keep any further `=`. */
export function parseKeyValues(value: string, pairSep = ';', kvSep = '='): Map<string, string> {
  const out = new Map<string, string>();
  for (const part of value.split(pairSep)) {
    if (part === '') continue;
    const i = part.indexOf(kvSep);
    if (i < 0) out.set(part, '');
    else out.set(part.slice(0, i), part.slice(i + kvSep.length));
  }
  return out;
}

/** `ns=test:set=a:objects=1;ns=test:set=b:...;` → one Map per entry. */
export function parseInfoList(value: string, entrySep = ';', pairSep = ':'): Map<string, string>[] {
  return value
    .split(entrySep)
    .filter((e) => e !== '')
    .map((e) => parseKeyValues(e, pairSep));
}

export const PARTITIONS = 4096;
const BITMAP_BYTES = PARTITIONS / 8;

export interface NamespaceReplicas {
  regime: number;
  /** One 512-byte bitmap per replica index (0 = master), MSB-first within each byte. */
  bitmaps: Buffer[];
}

/** `replicas` answer (wire spec §2.3) → per-namespace regime and bitmaps. */
export function parseReplicas(value: string): Map<string, NamespaceReplicas> {
  const out = new Map<string, NamespaceReplicas>();
  for (const entry of value.split(';')) {
    if (entry === '') continue;
    const colon = entry.lastIndexOf(':');
    if (colon <= 0) throw new WireDecodeError(`replicas entry without namespace: ${entry.slice(0, 40)}`);
    const ns = entry.slice(0, colon);
    const parts = entry.slice(colon + 1).split(',');
    if (parts.length < 2) throw new WireDecodeError(`replicas entry for ${ns} is truncated`);
    const regime = Number(parts[0]);
    const count = Number(parts[1]);
    if (!Number.isInteger(regime) || !Number.isInteger(count) || parts.length !== 2 + count) {
      throw new WireDecodeError(`replicas entry for ${ns}: bad regime/count or ${parts.length - 2} bitmaps`);
    }
    const bitmaps: Buffer[] = [];
    for (let i = 0; i < count; i++) {
      const b64 = parts[2 + i];
      if (b64.length !== 684)
        throw new WireDecodeError(`replicas bitmap ${i} of ${ns}: ${b64.length} base64 chars`);
      const bm = Buffer.from(b64, 'base64');
      if (bm.length !== BITMAP_BYTES)
        throw new WireDecodeError(`replicas bitmap ${i} of ${ns}: ${bm.length} bytes`);
      bitmaps.push(bm);
    }
    out.set(ns, { regime, bitmaps });
  }
  return out;
}

/** True when partition `pid` is set in a replicas bitmap (MSB-first). */
export function bitmapHas(bitmap: Buffer, pid: number): boolean {
  return (bitmap[pid >> 3] & (0x80 >> (pid & 7))) !== 0;
}

/** Builds a replicas bitmap from a list of partition ids (server side / tests). */
export function encodeBitmap(pids: Iterable<number>): Buffer {
  const bm = Buffer.alloc(BITMAP_BYTES);
  for (const p of pids) bm[p >> 3] |= 0x80 >> (p & 7);
  return bm;
}

export interface PeerHost {
  host: string;
  port: number;
}
export interface Peer {
  nodeName: string;
  tlsName: string;
  hosts: PeerHost[];
}
export interface PeersAnswer {
  generation: number;
  defaultPort: number;
  peers: Peer[];
}

/** `peers-*` answer (wire spec §2.4): `<gen>,<port>,[[name,tls,[h[:p],...]],...]`. */
export function parsePeers(value: string): PeersAnswer {
  let pos = 0;
  const fail = (what: string): never => {
    throw new WireDecodeError(`peers answer: ${what}: ${value.slice(0, 80)}`, pos);
  };
  const readUntil = (stops: string): string => {
    const start = pos;
    while (pos < value.length && !stops.includes(value[pos])) pos++;
    return value.slice(start, pos);
  };
  const expect = (ch: string): void => {
    if (value[pos] !== ch) fail(`expected '${ch}'`);
    pos++;
  };
  const generation = Number(readUntil(','));
  expect(',');
  const defaultPort = Number(readUntil(','));
  expect(',');
  if (!Number.isInteger(generation) || !Number.isInteger(defaultPort)) fail('bad generation or port');
  const peers: Peer[] = [];
  expect('[');
  while (value[pos] !== ']') {
    if (peers.length > 0) expect(',');
    expect('[');
    const nodeName = readUntil(',');
    expect(',');
    const tlsName = readUntil(',');
    expect(',');
    expect('[');
    const hosts: PeerHost[] = [];
    while (value[pos] !== ']') {
      if (hosts.length > 0) expect(',');
      let host: string;
      if (value[pos] === '[') {
        pos++;
        host = readUntil(']');
        expect(']');
      } else {
        host = readUntil(':,]');
      }
      let port = defaultPort;
      if (value[pos] === ':') {
        pos++;
        port = Number(readUntil(',]'));
        if (!Number.isInteger(port) || port <= 0 || port > 65535) fail('bad port');
      }
      if (host === '') fail('empty host');
      hosts.push({ host, port });
      if (pos >= value.length) fail('unterminated host list');
    }
    expect(']');
    expect(']');
    peers.push({ nodeName, tlsName, hosts });
    if (pos >= value.length) fail('unterminated peer list');
  }
  expect(']');
  if (pos !== value.length) fail('trailing characters');
  return { generation, defaultPort, peers };
}
