// WriteTransport over the net layer: requests go through each Node's connection pool.

import type { Connection } from '../net/connection.js';
import type { WriteTransport } from './transport.js';

/** The part of a net-layer `Node` used here. */
export interface PooledNode {
  readonly name: string;
  withConnection<T>(fn: (conn: Connection) => Promise<T>): Promise<T>;
}

export interface NodeTransportOptions<N extends PooledNode> {
  /** The node that masters a partition, e.g. `(ns, pid) => cluster.masterNode(ns, pid)`. */
  masterNode(namespace: string, partitionId: number): N;
  /** One info command on any node (build, get-config), e.g. `(c) => cluster.info(c)`. */
  info(command: string): Promise<string>;
  /** Silence tolerated while waiting for reply protos, ms (asrestore --socket-timeout, 10000); 0 = none. */
  socketTimeoutMs?: number;
}

/** Adapts the net layer (Cluster + Node) to what BatchWriter and writeRecord need. */
export function nodeWriteTransport<N extends PooledNode>(
  options: NodeTransportOptions<N>,
): WriteTransport<N> {
  const timeoutMs = options.socketTimeoutMs;
  return {
    masterNode: (namespace, partitionId) => options.masterNode(namespace, partitionId),
    exchange: (node, request, onReply) =>
      node.withConnection(async (conn) => {
        await conn.send(request);
        for (;;) {
          const proto = await conn.readProto(timeoutMs);
          if (onReply(proto.type, proto.body)) return;
        }
      }),
    info: (command) => options.info(command),
  };
}

/** The part of the net-layer `Cluster` used here. */
export interface WriteCluster<N extends PooledNode> {
  masterNode(namespace: string, partitionId: number): N;
  info(command: string): Promise<string>;
}

/** `nodeWriteTransport` for a connected `Cluster`. */
export function clusterWriteTransport<N extends PooledNode>(
  cluster: WriteCluster<N>,
  options: { socketTimeoutMs?: number } = {},
): WriteTransport<N> {
  return nodeWriteTransport({
    masterNode: (namespace, partitionId) => cluster.masterNode(namespace, partitionId),
    info: (command) => cluster.info(command),
    socketTimeoutMs: options.socketTimeoutMs,
  });
}
