// Turns the asbackup/asrestore TLS options into node:tls connection options.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type tls from 'node:tls';
import { ConnectionError } from './errors.js';

export interface TlsConfig {
  /** `--tls-enable`. */
  enable: boolean;
  /** `--tls-cafile`: PEM file of trusted CAs. */
  caFile?: string;
  /** The same PEM content given directly (a Secret Agent value); wins over `caFile`. */
  ca?: Buffer;
  /** `--tls-capath`: directory of PEM CA certificates (and CRLs for `--tls-crl-check`). */
  caPath?: string;
  /** `--tls-certfile` / `--tls-keyfile`: client certificate chain and key (PEM). */
  certFile?: string;
  keyFile?: string;
  /** Certificate chain / key PEM content given directly (Secret Agent values); win over the files. */
  cert?: Buffer;
  key?: Buffer;
  /** Key password, already resolved by the CLI (`--tls-keyfile-password`). Never logged. */
  keyPassword?: string;
  /** `--tls-protocols`, e.g. `TLSv1.2`, `TLSv1.2 TLSv1.3`, `+TLSv1.2 -TLSv1.3`, `all`. */
  protocols?: string;
  /** `--tls-cipher-suite`: OpenSSL cipher list. */
  cipherSuite?: string;
  /** `--tls-crl-check` (leaf) / `--tls-crl-check-all` (whole chain). */
  crlCheck?: boolean;
  crlCheckAll?: boolean;
  /** `--tls-cert-blacklist`: file of revoked serial numbers (hex), one per line, optional issuer. */
  certBlacklist?: string;
}

export interface ResolvedTls {
  options: tls.ConnectionOptions;
  verifyPeer?: (socket: tls.TLSSocket) => Error | undefined;
}

const readOption = (path: string, option: string): Buffer => {
  try {
    return readFileSync(path);
  } catch (err) {
    throw new ConnectionError(
      'TLS',
      option,
      `cannot read ${path}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`,
    );
  }
};

const VERSIONS = ['TLSv1', 'TLSv1.1', 'TLSv1.2', 'TLSv1.3'] as const;
type TlsVersion = (typeof VERSIONS)[number];

/** `--tls-protocols` → min/max version (node cannot skip versions in the middle of a range). */
export function parseTlsProtocols(spec: string): { minVersion: TlsVersion; maxVersion: TlsVersion } {
  const on = new Set<TlsVersion>();
  for (const raw of spec.trim().split(/[\s,]+/)) {
    if (raw === '') continue;
    const sign = raw[0] === '+' || raw[0] === '-' ? raw[0] : '';
    const name = sign ? raw.slice(1) : raw;
    const names: TlsVersion[] =
      name.toLowerCase() === 'all'
        ? [...VERSIONS]
        : VERSIONS.filter((v) => v.toLowerCase() === name.toLowerCase());
    if (names.length === 0) throw new ConnectionError('TLS', '--tls-protocols', `unknown protocol "${name}"`);
    for (const n of names) {
      if (sign === '-') on.delete(n);
      else on.add(n);
    }
  }
  const list = VERSIONS.filter((v) => on.has(v));
  if (list.length === 0)
    throw new ConnectionError('TLS', '--tls-protocols', `no protocol enabled by "${spec}"`);
  const min = VERSIONS.indexOf(list[0]);
  const max = VERSIONS.indexOf(list[list.length - 1]);
  if (max - min + 1 !== list.length) {
    throw new ConnectionError('TLS', '--tls-protocols', `"${spec}" is not a contiguous range of versions`);
  }
  return { minVersion: list[0], maxVersion: list[list.length - 1] };
}

function filesIn(dir: string, option: string): string[] {
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch (err) {
    throw new ConnectionError(
      'TLS',
      option,
      `cannot read directory ${dir}: ${(err as NodeJS.ErrnoException).code}`,
    );
  }
  return names.map((n) => join(dir, n)).filter((p) => statSync(p).isFile());
}

/** Splits PEM text into its certificate and CRL blocks. */
function pemBlocks(text: string, label: string): string[] {
  const re = new RegExp(`-----BEGIN ${label}-----[\\s\\S]+?-----END ${label}-----`, 'g');
  return text.match(re) ?? [];
}

/** Serial numbers (upper-case hex, no leading zeros) from a blacklist file. */
export function parseCertBlacklist(text: string): Set<string> {
  const out = new Set<string>();
  for (const line of text.split(/\r?\n/)) {
    const t = line.trim();
    if (t === '' || t.startsWith('#')) continue;
    const serial = t.split(/\s+/)[0].replace(/:/g, '');
    if (!/^[0-9a-fA-F]+$/.test(serial))
      throw new ConnectionError('TLS', '--tls-cert-blacklist', `bad serial "${serial}"`);
    out.add(serial.toUpperCase().replace(/^0+(?=.)/, ''));
  }
  return out;
}

/** Builds node:tls options; reads every file once, up front, so errors name the option. */
export function resolveTls(cfg: TlsConfig): ResolvedTls {
  const options: tls.ConnectionOptions = { rejectUnauthorized: true };
  const ca: string[] = [];
  const crl: string[] = [];
  if (cfg.ca || cfg.caFile) {
    const text = (cfg.ca ?? readOption(cfg.caFile!, '--tls-cafile')).toString('utf8');
    ca.push(...pemBlocks(text, 'CERTIFICATE'));
    crl.push(...pemBlocks(text, 'X509 CRL'));
    if (ca.length === 0)
      throw new ConnectionError(
        'TLS',
        '--tls-cafile',
        `no PEM certificate in ${cfg.ca ? 'the given content' : cfg.caFile}`,
      );
  }
  if (cfg.caPath) {
    for (const f of filesIn(cfg.caPath, '--tls-capath')) {
      const text = readOption(f, '--tls-capath').toString('utf8');
      ca.push(...pemBlocks(text, 'CERTIFICATE'));
      crl.push(...pemBlocks(text, 'X509 CRL'));
    }
  }
  if (ca.length > 0) options.ca = ca;
  if (cfg.crlCheck || cfg.crlCheckAll) {
    if (crl.length === 0) {
      throw new ConnectionError(
        'TLS',
        cfg.crlCheckAll ? '--tls-crl-check-all' : '--tls-crl-check',
        'no CRL found in --tls-cafile or --tls-capath',
      );
    }
    // OpenSSL (through node) then checks revocation for every certificate of the chain.
    options.crl = crl;
  }
  if (cfg.cert) options.cert = cfg.cert;
  else if (cfg.certFile) options.cert = readOption(cfg.certFile, '--tls-certfile');
  if (cfg.key) options.key = cfg.key;
  else if (cfg.keyFile) options.key = readOption(cfg.keyFile, '--tls-keyfile');
  if (cfg.keyPassword !== undefined) options.passphrase = cfg.keyPassword;
  if (cfg.cipherSuite) options.ciphers = cfg.cipherSuite;
  if (cfg.protocols) Object.assign(options, parseTlsProtocols(cfg.protocols));
  let verifyPeer: ResolvedTls['verifyPeer'];
  if (cfg.certBlacklist) {
    const banned = parseCertBlacklist(readOption(cfg.certBlacklist, '--tls-cert-blacklist').toString('utf8'));
    verifyPeer = (socket) => {
      let cert = socket.getPeerCertificate(true) as tls.DetailedPeerCertificate | undefined;
      const seen = new Set<string>();
      while (cert?.serialNumber && !seen.has(cert.fingerprint256)) {
        seen.add(cert.fingerprint256);
        const serial = cert.serialNumber.toUpperCase().replace(/^0+(?=.)/, '');
        if (banned.has(serial)) {
          return new ConnectionError(
            'TLS',
            '--tls-cert-blacklist',
            `server certificate serial ${serial} is blacklisted`,
          );
        }
        cert = cert.issuerCertificate;
      }
      return undefined;
    };
  }
  return { options, verifyPeer };
}
