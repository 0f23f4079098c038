import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface TestCert {
  /** PEM certificate (also usable as its own CA: self-signed). */
  cert: Buffer;
  key: Buffer;
}

/**
 * A fresh self-signed RSA-2048 certificate made with the `openssl` CLI. Defaults mirror the
 * official secret-agent test: CN=mysite.com, SAN DNS:localhost only.
 */
export function makeSelfSignedCert(opts: { cn?: string; san?: string } = {}): TestCert {
  const dir = mkdtempSync(join(tmpdir(), 'asbkit-cert-'));
  try {
    const keyPath = join(dir, 'key.pem');
    const certPath = join(dir, 'cert.pem');
    const confPath = join(dir, 'req.cnf');
    writeFileSync(
      confPath,
      [
        '[req]',
        'distinguished_name=dn',
        'x509_extensions=ext',
        'prompt=no',
        '[dn]',
        `CN=${opts.cn ?? 'mysite.com'}`,
        '[ext]',
        `subjectAltName=${opts.san ?? 'DNS:localhost'}`,
        'basicConstraints=critical,CA:TRUE',
        '',
      ].join('\n'),
    );
    execFileSync(
      'openssl',
      [
        'req',
        '-x509',
        '-newkey',
        'rsa:2048',
        '-nodes',
        '-days',
        '2',
        '-config',
        confPath,
        '-keyout',
        keyPath,
        '-out',
        certPath,
      ],
      { stdio: 'ignore' },
    );
    return { cert: readFileSync(certPath), key: readFileSync(keyPath) };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
