// Throwaway PKI for TLS tests, made with the openssl CLI: a CA, server certificates for a TLS
// name (one of them revoked in a CRL), and a client certificate with an encrypted key.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface TestCerts {
  dir: string;
  caFile: string;
  caKey: string;
  /** Server certificate/key for TLS name `tlsName` (serial 1001). */
  serverCert: string;
  serverKey: string;
  /** Same name, serial 1002, revoked in `crlFile`. */
  revokedCert: string;
  revokedKey: string;
  crlFile: string;
  /** Client certificate (serial 2001) and its key encrypted with `clientKeyPassword`. */
  clientCert: string;
  clientKey: string;
  clientKeyPassword: string;
  tlsName: string;
}

export function generateTestCerts(tlsName = 'fake-tls'): TestCerts {
  const dir = mkdtempSync(join(tmpdir(), 'asbkit-tls-'));
  const p = (f: string) => join(dir, f);
  const ssl = (...args: string[]) => execFileSync('openssl', args, { cwd: dir, stdio: 'pipe' });
  const ec = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1'];
  ssl(
    'req',
    '-x509',
    ...ec,
    '-nodes',
    '-keyout',
    'ca.key',
    '-out',
    'ca.pem',
    '-days',
    '2',
    '-subj',
    '/CN=asbkit test CA',
  );
  writeFileSync(p('san.ext'), `subjectAltName=DNS:${tlsName}\n`);
  const issue = (name: string, cn: string, serial: string, keyArgs: string[] = ['-nodes']) => {
    ssl('req', ...ec, ...keyArgs, '-keyout', `${name}.key`, '-out', `${name}.csr`, '-subj', `/CN=${cn}`);
    ssl(
      'x509',
      '-req',
      '-in',
      `${name}.csr`,
      '-CA',
      'ca.pem',
      '-CAkey',
      'ca.key',
      '-set_serial',
      serial,
      '-days',
      '2',
      '-out',
      `${name}.pem`,
      '-extfile',
      'san.ext',
    );
  };
  issue('server', tlsName, '0x1001');
  issue('revoked', tlsName, '0x1002');
  const clientKeyPassword = 'client-key-pw';
  issue('client', 'client', '0x2001', ['-passout', `pass:${clientKeyPassword}`]);
  writeFileSync(p('index.txt'), '');
  writeFileSync(p('crlnumber'), '01\n');
  writeFileSync(
    p('ca.cnf'),
    '[ ca ]\ndefault_ca = CA_default\n[ CA_default ]\ndatabase = index.txt\ncrlnumber = crlnumber\ndefault_md = sha256\ndefault_crl_days = 2\n',
  );
  ssl('ca', '-config', 'ca.cnf', '-keyfile', 'ca.key', '-cert', 'ca.pem', '-revoke', 'revoked.pem');
  ssl('ca', '-config', 'ca.cnf', '-keyfile', 'ca.key', '-cert', 'ca.pem', '-gencrl', '-out', 'crl.pem');
  return {
    dir,
    caFile: p('ca.pem'),
    caKey: p('ca.key'),
    serverCert: p('server.pem'),
    serverKey: p('server.key'),
    revokedCert: p('revoked.pem'),
    revokedKey: p('revoked.key'),
    crlFile: p('crl.pem'),
    clientCert: p('client.pem'),
    clientKey: p('client.key'),
    clientKeyPassword,
    tlsName,
  };
}
