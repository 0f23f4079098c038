// Cluster view: seeds → all nodes (via peers), partition map per namespace from `replicas`,
// refreshed when a node's partition-generation changes.
import {
  bitmapHas,
  decodeInfoResponse,
  encodeInfoRequest,
  PARTITIONS,
  parseInfoError,
  parsePeers,
  parseReplicas,
} from '../wire/info.js';
import { type AuthConfig, AuthSession } from './auth.js';
import { type ConnectOptions, type Endpoint, endpointName } from './connection.js';
import { ClusterError, ConnectionError } from './errors.js';
import { DEFAULT_PORT, parseHosts } from './hosts.js';
import { Node, type NodeOptions } from './node.js';
import { resolveTls, type TlsConfig } from './tls-config.js';

export interface ClusterOptions {
  /** Seeds: `host[:tlsname][:port],...` or endpoints. */
  hosts: string | Endpoint[];
  /** Port for seeds without one (`--port`), default 3000. */
  port?: number;
  tls?: TlsConfig;
  auth?: AuthConfig;
  /** `--services-alternate`: use `peers-*-alt` addresses. */
  servicesAlternate?: boolean;
  /** Connect timeout per socket, ms (default 10000). */
  connectTimeoutMs?: number;
  /** Silence tolerated while waiting for a reply, ms (default 10000; 0 = none). */
  socketTimeoutMs?: number;
  /** Idle connections kept per node (default 16). */
  maxIdlePerNode?: number;
  /** Background tend period, ms (default 1000; 0 = only on `refresh()`). */
  tendIntervalMs?: number;
  /** Retries of an info request after a network error (default 2). Scans have their own. */
  maxRetries?: number;
  /** Pause before each of those retries, ms (default 0). */
  retryDelayMs?: number;
}

interface NamespaceMap {
  masters: (Node | undefined)[];
  regimes: Int32Array;
}

interface NodeIdentity {
  name: string;
  build: string;
  features: string[];
  partitionGeneration: number;
  peersGeneration: number;
}

const IDENTITY = ['node', 'build', 'features', 'partition-generation', 'peers-generation'];
/** Consecutive tends a node may miss before it is dropped from the cluster. */
const MAX_TEND_FAILURES = 3;

export class Cluster {
  private readonly nodeOpts: NodeOptions;
  private readonly seeds: Endpoint[];
  private readonly peersCommand: string;
  private readonly byName = new Map<string, Node>();
  private partitions = new Map<string, NamespaceMap>();
  private readonly tendFailures = new Map<Node, number>();
  private timer: NodeJS.Timeout | undefined;
  private tending: Promise<void> | undefined;
  private closed = false;
  private maxRetries = 2;
  private retryDelayMs = 0;

  private constructor(seeds: Endpoint[], nodeOpts: NodeOptions, peersCommand: string) {
    this.seeds = seeds;
    this.nodeOpts = nodeOpts;
    this.peersCommand = peersCommand;
  }

  /** Connects to the seeds, discovers every node and loads the partition map. */
  static async connect(opts: ClusterOptions): Promise<Cluster> {
    const seeds =
      typeof opts.hosts === 'string' ? parseHosts(opts.hosts, opts.port ?? DEFAULT_PORT) : opts.hosts;
    const connect: ConnectOptions = { connectTimeoutMs: opts.connectTimeoutMs ?? 10_000 };
    const tlsOn = opts.tls?.enable === true;
    if (tlsOn) {
      const r = resolveTls(opts.tls!);
      connect.tls = r.options;
      connect.verifyPeer = r.verifyPeer;
    }
    const nodeOpts: NodeOptions = {
      connect,
      auth: opts.auth ? new AuthSession(opts.auth) : undefined,
      socketTimeoutMs: opts.socketTimeoutMs ?? 10_000,
      maxIdle: opts.maxIdlePerNode ?? 16,
    };
    const peers = `peers-${tlsOn ? 'tls' : 'clear'}-${opts.servicesAlternate ? 'alt' : 'std'}`;
    const cluster = new Cluster(seeds, nodeOpts, peers);
    cluster.maxRetries = opts.maxRetries ?? 2;
    cluster.retryDelayMs = opts.retryDelayMs ?? 0;
    await cluster.seed();
    await cluster.refresh(true);
    const every = opts.tendIntervalMs ?? 1000;
    if (every > 0) {
      cluster.timer = setInterval(() => {
        cluster.refresh().catch(() => {
          /* the next tend or the caller's own refresh reports persistent problems */
        });
      }, every);
      cluster.timer.unref();
    }
    return cluster;
  }

  get nodes(): Node[] {
    return [...this.byName.values()];
  }

  /** Master node of a partition, or a ClusterError naming the namespace and partition. */
  masterNode(namespace: string, partitionId: number): Node {
    const map = this.partitions.get(namespace);
    if (!map)
      throw new ClusterError('NAMESPACE_NOT_FOUND', `namespace ${namespace} not found in the cluster`);
    const node = map.masters[partitionId];
    if (!node)
      throw new ClusterError(
        'NO_MASTER',
        `no master node for partition ${partitionId} of namespace ${namespace}`,
      );
    return node;
  }

  /** Partitions of `namespace` whose master is `node`, ascending (for `--node-list`). */
  masterPartitions(namespace: string, node: Node): number[] {
    const map = this.partitions.get(namespace);
    if (!map)
      throw new ClusterError('NAMESPACE_NOT_FOUND', `namespace ${namespace} not found in the cluster`);
    const out: number[] = [];
    for (let p = 0; p < PARTITIONS; p++) if (map.masters[p] === node) out.push(p);
    return out;
  }

  /** Namespaces the partition map knows. */
  get namespaces(): string[] {
    return [...this.partitions.keys()];
  }

  nodeByName(name: string): Node | undefined {
    return this.byName.get(name);
  }

  /** One info command on `node` (default: any node). Returns the raw value. */
  async info(command: string, node?: Node): Promise<string> {
    return this.withRetries(() => (node ?? this.anyNode()).info1(command));
  }

  /** One info command on every node. */
  async infoAll(command: string): Promise<Map<Node, string>> {
    const nodes = this.nodes;
    const values = await Promise.all(nodes.map((n) => this.withRetries(() => n.info1(command))));
    return new Map(nodes.map((n, i) => [n, values[i]]));
  }

  /** Retries network failures (a fresh pooled connection each time); server answers are final. */
  private async withRetries<T>(fn: () => Promise<T>): Promise<T> {
    for (let attempt = 0; ; attempt++) {
      try {
        return await fn();
      } catch (err) {
        if (!(err instanceof ConnectionError) || err.code === 'AUTH' || attempt >= this.maxRetries) throw err;
        if (this.retryDelayMs > 0) await new Promise((r) => setTimeout(r, this.retryDelayMs));
      }
    }
  }

  /**
   * Re-reads generations; re-discovers peers and re-loads `replicas` when they changed (or when
   * `force`). Nodes that stop answering are dropped. Concurrent calls share one run.
   */
  refresh(force = false): Promise<void> {
    if (!this.tending) {
      this.tending = this.tend(force).finally(() => {
        this.tending = undefined;
      });
    }
    return this.tending;
  }

  close(): void {
    this.closed = true;
    clearInterval(this.timer);
    for (const n of this.byName.values()) n.close();
    this.byName.clear();
  }

  private anyNode(): Node {
    const nodes = this.nodes;
    if (nodes.length === 0) throw new ClusterError('NO_NODES', 'no cluster node is reachable');
    return nodes[Math.floor(Math.random() * nodes.length)];
  }

  private async identify(address: Endpoint): Promise<NodeIdentity> {
    const conn = await Node.open(address, this.nodeOpts);
    try {
      const reply = await conn.request(encodeInfoRequest(IDENTITY));
      const m = decodeInfoResponse(reply.body);
      const name = m.get('node') ?? '';
      if (name === '' || parseInfoError(name))
        throw new ClusterError('BAD_NODE', `${endpointName(address)}: no node name`);
      return {
        name,
        build: m.get('build') ?? '',
        features: (m.get('features') ?? '').split(';').filter((f) => f !== ''),
        partitionGeneration: Number(m.get('partition-generation') ?? -1),
        peersGeneration: Number(m.get('peers-generation') ?? -1),
      };
    } finally {
      conn.close();
    }
  }

  private addNode(address: Endpoint, id: NodeIdentity): Node {
    const node = new Node(id.name, address, id.build, id.features, this.nodeOpts);
    this.byName.set(id.name, node);
    return node;
  }

  private async seed(): Promise<void> {
    const errors: string[] = [];
    await Promise.all(
      this.seeds.map(async (s) => {
        try {
          const id = await this.identify(s);
          if (!this.byName.has(id.name)) this.addNode(s, id);
        } catch (err) {
          errors.push(`${endpointName(s)} (${(err as Error).message})`);
        }
      }),
    );
    if (this.byName.size === 0) {
      throw new ClusterError('NO_SEEDS', `could not connect to any seed host: ${errors.join('; ')}`);
    }
  }

  private async tend(force: boolean): Promise<void> {
    if (this.closed) return;
    if (this.byName.size === 0) await this.seed();
    let peersChanged = force;
    let partitionsChanged = force;
    for (const node of this.nodes) {
      try {
        const m = await node.info(['partition-generation', 'peers-generation']);
        const pg = Number(m.get('partition-generation'));
        const peg = Number(m.get('peers-generation'));
        if (pg !== node.partitionGeneration) partitionsChanged = true;
        if (peg !== node.peersGeneration) peersChanged = true;
        this.tendFailures.delete(node);
      } catch {
        // One missed answer (a busy node) is not a lost node: drop it only after several tends.
        const failures = (this.tendFailures.get(node) ?? 0) + 1;
        this.tendFailures.set(node, failures);
        if (failures >= MAX_TEND_FAILURES) {
          this.tendFailures.delete(node);
          this.byName.delete(node.name);
          node.close();
          partitionsChanged = true;
        }
      }
    }
    if (peersChanged) await this.discover();
    if (partitionsChanged) await this.loadPartitions();
  }

  /** Follows peers lists until no new node appears. */
  private async discover(): Promise<void> {
    const queue = this.nodes;
    const seen = new Set<Node>();
    while (queue.length > 0) {
      const node = queue.shift()!;
      if (seen.has(node)) continue;
      seen.add(node);
      let value: string;
      let peersGen: number;
      try {
        const m = await node.info([this.peersCommand, 'peers-generation']);
        value = m.get(this.peersCommand) ?? '';
        peersGen = Number(m.get('peers-generation'));
      } catch {
        continue; // the next tend drops it if it stays silent
      }
      const err = parseInfoError(value);
      if (err) throw new ClusterError('PEERS', `${node}: ${this.peersCommand} failed: ${err.message}`);
      const answer = parsePeers(value);
      node.peersGeneration = peersGen;
      for (const peer of answer.peers) {
        if (this.byName.has(peer.nodeName)) continue;
        for (const h of peer.hosts) {
          const address: Endpoint = { host: h.host, port: h.port, tlsName: peer.tlsName || undefined };
          try {
            const id = await this.identify(address);
            if (id.name !== peer.nodeName) continue; // address now belongs to another node
            queue.push(this.addNode(address, id));
            break;
          } catch {
            // try the peer's next address
          }
        }
      }
    }
  }

  private async loadPartitions(): Promise<void> {
    const next = new Map<string, NamespaceMap>();
    let answered = 0;
    for (const node of this.nodes) {
      let m: Map<string, string>;
      try {
        m = await node.info(['partition-generation', 'replicas']);
      } catch {
        continue;
      }
      answered++;
      const value = m.get('replicas') ?? '';
      const err = parseInfoError(value);
      if (err) throw new ClusterError('REPLICAS', `${node}: replicas failed: ${err.message}`);
      node.partitionGeneration = Number(m.get('partition-generation'));
      for (const [ns, reps] of parseReplicas(value)) {
        let map = next.get(ns);
        if (!map) {
          map = {
            masters: new Array(PARTITIONS).fill(undefined),
            regimes: new Int32Array(PARTITIONS).fill(-1),
          };
          next.set(ns, map);
        }
        const master = reps.bitmaps[0];
        if (!master) continue;
        for (let p = 0; p < PARTITIONS; p++) {
          if (bitmapHas(master, p) && reps.regime >= map.regimes[p]) {
            map.masters[p] = node;
            map.regimes[p] = reps.regime;
          }
        }
      }
    }
    // Without any answer there is nothing better than the map we have. Partitions whose master
    // did not answer this time keep that master while it is still a member.
    if (answered === 0) return;
    for (const [ns, old] of this.partitions) {
      const map = next.get(ns) ?? {
        masters: new Array(PARTITIONS).fill(undefined),
        regimes: new Int32Array(PARTITIONS).fill(-1),
      };
      let kept = false;
      for (let p = 0; p < PARTITIONS; p++) {
        const was = old.masters[p];
        if (map.masters[p] === undefined && was !== undefined && this.byName.get(was.name) === was) {
          map.masters[p] = was;
          map.regimes[p] = old.regimes[p];
          kept = true;
        }
      }
      if (kept && !next.has(ns)) next.set(ns, map);
    }
    this.partitions = next;
  }
}
