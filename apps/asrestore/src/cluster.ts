// Connecting to the cluster with asrestore's options.
import { type AsrestoreOptions, clusterConnectOptions } from '@asbkit/cli-common';
import { Cluster, type ClusterOptions } from '@asbkit/cluster-client';

/** cluster-client settings from the parsed command line. */
export function clusterOptionsOf(o: AsrestoreOptions): ClusterOptions {
  return {
    ...clusterConnectOptions(o.cluster),
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
