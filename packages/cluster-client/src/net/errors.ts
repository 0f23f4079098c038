/** Network-level failure talking to a node: connect, timeout, closed socket, TLS. */
export class ConnectionError extends Error {
  readonly code: 'CONNECTION' | 'TIMEOUT' | 'TLS' | 'AUTH';
  /** `host:port` (and node name when known) of the other side. */
  readonly where: string;
  constructor(code: ConnectionError['code'], where: string, message: string, options?: { cause?: unknown }) {
    super(`${where}: ${message}`, options);
    this.name = 'ConnectionError';
    this.code = code;
    this.where = where;
  }
}

/** Cluster-level problem: no seed reachable, unknown namespace, no master for a partition. */
export class ClusterError extends Error {
  readonly code: string;
  constructor(code: string, message: string) {
    super(message);
    this.name = 'ClusterError';
    this.code = code;
  }
}
