// Connecting to the cluster with asrestore's options.
import type { AsrestoreOptions, FileValue } from '@asbkit/cli-common';
import { type AuthMode, Cluster, type ClusterOptions, type TlsConfig } from '@asbkit/cluster-client';
import { RestoreError } from './errors.js';

function pathOf(value: FileValue | undefined, option: string): string | undefined {
  if (value === undefined) return undefined;
  if (value.kind === 'path') return value.path;
  // cluster-client's TLS layer reads files by path; a secret with the file content would need a temp file.
  throw new RestoreError(
    'UNSUPPORTED',
    `${option} given as a secret (file content) is not supported; give a path`,
    {
      option,
    },
  );
}

/** cluster-client settings from the parsed command line. */
export function clusterOptionsOf(o: AsrestoreOptions): ClusterOptions {
  const t = o.cluster.tls;
  const tls: TlsConfig = {
    enable: t.enable,
    caFile: pathOf(t.cafile, '--tls-cafile'),
    caPath: t.capath,
    certFile: pathOf(t.certfile, '--tls-certfile'),
    keyFile: pathOf(t.keyfile, '--tls-keyfile'),
    keyPassword: t.keyfilePassword,
    protocols: t.protocols,
    cipherSuite: t.cipherSuite,
    crlCheck: t.crlCheck,
    crlCheckAll: t.crlCheckAll,
    certBlacklist: t.certBlacklist,
  };
  const mode = o.cluster.authMode.toUpperCase() as AuthMode;
  const auth =
    o.cluster.user !== undefined || mode === 'PKI'
      ? { mode, user: o.cluster.user, password: o.cluster.password }
      : undefined;
  return {
    hosts: o.cluster.host,
    port: o.cluster.port,
    tls: t.enable ? tls : undefined,
    auth,
    servicesAlternate: o.cluster.servicesAlternate,
    // -T/--timeout covers connecting and info commands (spec §7.7).
    connectTimeoutMs: o.timeoutMs,
    socketTimeoutMs: o.socketTimeoutMs,
    // Enough idle sockets per node for every batch group in flight.
    maxIdlePerNode: Math.max(16, o.maxAsyncBatches),
    tendIntervalMs: 1000,
  };
}

export function connectCluster(o: AsrestoreOptions): Promise<Cluster> {
  return Cluster.connect(clusterOptionsOf(o));
}
