// Seed host lists: `host[:tlsname][:port],...`, IPv6 in brackets (`[::1]:3000`).
import type { Endpoint } from './connection.js';
import { ClusterError } from './errors.js';

export const DEFAULT_PORT = 3000;

function badHost(item: string, why: string): never {
  throw new ClusterError('BAD_HOST', `--host: bad host "${item}": ${why}`);
}

function parsePort(text: string, item: string): number {
  if (!/^\d+$/.test(text)) badHost(item, `port "${text}" is not a number`);
  const port = Number(text);
  if (port < 1 || port > 65535) badHost(item, `port ${port} out of range`);
  return port;
}

/** Parses one `host[:tlsname][:port]` item. */
export function parseHost(item: string, defaultPort = DEFAULT_PORT): Endpoint {
  const s = item.trim();
  if (s === '') badHost(item, 'empty');
  let host: string;
  let rest: string;
  if (s.startsWith('[')) {
    const end = s.indexOf(']');
    if (end < 0) badHost(item, 'missing "]"');
    host = s.slice(1, end);
    rest = s.slice(end + 1);
    if (rest !== '' && !rest.startsWith(':')) badHost(item, 'expected ":" after "]"');
    rest = rest.slice(1);
  } else {
    const i = s.indexOf(':');
    host = i < 0 ? s : s.slice(0, i);
    rest = i < 0 ? '' : s.slice(i + 1);
  }
  if (host === '') badHost(item, 'empty host name');
  const parts = rest === '' ? [] : rest.split(':');
  if (parts.length > 2) badHost(item, 'too many ":" (use [..] around IPv6 addresses)');
  if (parts.length === 0) return { host, port: defaultPort };
  if (parts.length === 1) {
    return /^\d+$/.test(parts[0])
      ? { host, port: parsePort(parts[0], item) }
      : { host, port: defaultPort, tlsName: parts[0] };
  }
  if (parts[0] === '') badHost(item, 'empty TLS name');
  return { host, port: parsePort(parts[1], item), tlsName: parts[0] };
}

/** Parses a comma-separated seed list (`--host`), using `defaultPort` (`--port`) when absent. */
export function parseHosts(spec: string, defaultPort = DEFAULT_PORT): Endpoint[] {
  const out = spec
    .split(',')
    .filter((s) => s.trim() !== '')
    .map((s) => parseHost(s, defaultPort));
  if (out.length === 0) throw new ClusterError('BAD_HOST', '--host: no seed host given');
  return out;
}
