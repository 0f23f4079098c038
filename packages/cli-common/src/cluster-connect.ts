// The connection part of both CLIs' options, as cluster-client wants it. TLS files given as
// Secret Agent values arrive as content and are passed as content, never written to disk.
import type { AuthMode, ClusterOptions as ConnectOptions, TlsConfig } from '@asbkit/cluster-client';
import type { ClusterOptions, FileValue } from './options/types.js';

const pathOf = (v: FileValue | undefined) => (v?.kind === 'path' ? v.path : undefined);
const contentOf = (v: FileValue | undefined) => (v?.kind === 'content' ? v.data : undefined);

/** Seeds, port, TLS and authentication; each CLI adds its own timeouts and pool sizes. */
export function clusterConnectOptions(
  c: ClusterOptions,
): Pick<ConnectOptions, 'hosts' | 'port' | 'tls' | 'auth' | 'servicesAlternate'> {
  const t = c.tls;
  const tls: TlsConfig = {
    enable: t.enable,
    caFile: pathOf(t.cafile),
    ca: contentOf(t.cafile),
    caPath: t.capath,
    certFile: pathOf(t.certfile),
    cert: contentOf(t.certfile),
    keyFile: pathOf(t.keyfile),
    key: contentOf(t.keyfile),
    keyPassword: t.keyfilePassword,
    protocols: t.protocols,
    cipherSuite: t.cipherSuite,
    crlCheck: t.crlCheck,
    crlCheckAll: t.crlCheckAll,
    certBlacklist: t.certBlacklist,
  };
  const mode = c.authMode.toUpperCase() as AuthMode;
  return {
    hosts: c.host,
    port: c.port,
    tls: t.enable ? tls : undefined,
    // PKI logs in with the client certificate alone; the other modes need a user.
    auth: c.user !== undefined || mode === 'PKI' ? { mode, user: c.user, password: c.password } : undefined,
    servicesAlternate: c.servicesAlternate,
  };
}
