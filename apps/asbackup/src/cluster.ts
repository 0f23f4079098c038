// Connecting with the CLI's options, and the info lookups asbackup makes before scanning.
import type { UdfModule } from '@asbkit/asb-format';
import { type AsbackupOptions, clusterConnectOptions } from '@asbkit/cli-common';
import {
  Cluster,
  type ClusterOptions,
  listUdfs,
  type Node,
  parseInfoError,
  parseInfoList,
  parseKeyValues,
} from '@asbkit/cluster-client';
import type { NodeSpec } from '@asbkit/partition-filters';

export class BackupSetupError extends Error {
  readonly code: string;
  constructor(code: string, message: string) {
    super(message);
    this.name = 'BackupSetupError';
    this.code = code;
  }
}

/** The seed list and connection settings from the options (`-l` seeds from its first node). */
export function clusterOptionsOf(o: AsbackupOptions, firstListedNode?: NodeSpec): ClusterOptions {
  const connect = clusterConnectOptions(o.cluster);
  return {
    ...connect,
    hosts: firstListedNode
      ? [
          {
            host: firstListedNode.address,
            port: firstListedNode.port,
            tlsName: firstListedNode.tlsName ?? o.cluster.tls.name,
          },
        ]
      : connect.hosts,
    socketTimeoutMs: o.socketTimeoutMs,
    // No background tend: scans refresh the map before each retry round, and a busy node's
    // slow info answer must not cost the partition map in the middle of a scan.
    tendIntervalMs: 0,
  };
}

export async function connectCluster(o: AsbackupOptions, firstListedNode?: NodeSpec): Promise<Cluster> {
  return Cluster.connect(clusterOptionsOf(o, firstListedNode));
}

/** Every UDF module with its content (`udf-list`, then `udf-get` per file). */
export async function fetchUdfs(cluster: Cluster): Promise<UdfModule[]> {
  const modules: UdfModule[] = [];
  for (const entry of await listUdfs(cluster)) {
    const command = `udf-get:filename=${entry.name}`;
    const value = await cluster.info(command);
    const err = parseInfoError(value.trim());
    if (err)
      throw new BackupSetupError('UDF_GET', `Error while fetching UDF file ${entry.name}: ${err.message}`);
    const fields = parseKeyValues(value.trim());
    const content = fields.get('content');
    if (content === undefined) throw new BackupSetupError('UDF_GET', `No content for UDF file ${entry.name}`);
    modules.push({ kind: 'udf', language: 'L', name: entry.name, content: Buffer.from(content, 'base64') });
  }
  return modules;
}

export interface NodeCount {
  node: Node;
  objects: number;
  replication: number;
}

/**
 * Records per node and the estimate of the backup's record count: the sum over nodes divided by
 * the replication factor (spec §5.1). With sets, the per-set `objects` are summed instead.
 */
export async function countRecords(
  cluster: Cluster,
  namespace: string,
  sets: readonly string[],
): Promise<{ perNode: NodeCount[]; total: number }> {
  const perNode: NodeCount[] = [];
  for (const node of cluster.nodes) {
    const nsInfo = parseKeyValues(await cluster.info(`namespace/${namespace}`, node));
    const replication = Number(
      nsInfo.get('effective_replication_factor') ?? nsInfo.get('replication-factor') ?? 1,
    );
    let objects = Number(nsInfo.get('objects') ?? 0);
    if (sets.length > 0) {
      objects = 0;
      for (const entry of parseInfoList(await cluster.info(`sets/${namespace}`, node))) {
        const set = entry.get('set') ?? entry.get('set_name');
        if (set !== undefined && sets.includes(set))
          objects += Number(entry.get('objects') ?? entry.get('n_objects') ?? 0);
      }
    }
    perNode.push({ node, objects: Number.isFinite(objects) ? objects : 0, replication: replication || 1 });
  }
  const sum = perNode.reduce((a, n) => a + n.objects, 0);
  const rf = perNode[0]?.replication || 1;
  return { perNode, total: Math.floor(sum / rf) };
}

/** Node names that master each partition of the namespace (for `--node-list`). */
export function partitionMasters(cluster: Cluster, namespace: string): (string | undefined)[] {
  const masters: (string | undefined)[] = [];
  for (let p = 0; p < 4096; p++) {
    try {
      masters.push(cluster.masterNode(namespace, p).name);
    } catch {
      masters.push(undefined);
    }
  }
  return masters;
}

/** Cluster node names for the `--node-list` entries; every entry must be a node of the cluster. */
export function nodesOfList(cluster: Cluster, specs: readonly NodeSpec[]): string[] {
  return specs.map((spec) => {
    const node = cluster.nodes.find((n) => n.address.host === spec.address && n.address.port === spec.port);
    if (!node)
      throw new BackupSetupError(
        'NODE_NOT_FOUND',
        `Node ${spec.address}:${spec.port} not found in the cluster`,
      );
    return node.name;
  });
}
