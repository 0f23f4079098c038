// startEmulator(): an in-memory cluster of 1..N nodes on 127.0.0.1, each on its own ephemeral
// port, sharing one store and one partition map.

import { createServer, type Server, type Socket } from 'node:net';
import { createServer as createTlsServer } from 'node:tls';
import type { AsbRecord } from '@asbkit/asb-format';
import { encodeBinValue, encodeUserKey } from '@asbkit/cluster-client/wire';
import { AuthState, UserRegistry } from './auth.js';
import { PartitionMap } from './cluster-map.js';
import { EmulatorConnection } from './connection.js';
import type { FaultSwitches } from './faults.js';
import type { StoredRecord } from './record.js';
import type { EmulatorState } from './state.js';
import { NamespaceStore } from './store.js';

export interface EmulatorTlsOptions {
  /** PEM server key and certificate. */
  key: Buffer | string;
  cert: Buffer | string;
  /** CA for client certificates; with `requestCert` the server demands one (mutual TLS). */
  ca?: Buffer | string;
  requestCert?: boolean;
  /** Name advertised in peers-tls answers (the certificate's name); default `localhost`. */
  name?: string;
}

export interface EmulatorOptions {
  /** Namespaces to serve; default `['test']`. */
  namespaces?: string[];
  /** Number of nodes; default 1. */
  nodes?: number;
  /** Replication factor (replicas answers carry this many bitmaps); default 1. */
  replicationFactor?: number;
  /** Master node index of each of the 4096 partitions (default: a hash spread). */
  partitionMasters?: number[];
  /** Records to load before the first connection. */
  records?: AsbRecord[];
  /** Internal users `{ name: password }`; when set every connection must authenticate. */
  users?: Record<string, string>;
  /** Serve TLS instead of plain TCP. */
  tls?: EmulatorTlsOptions;
  /** Fixed ports (default: ephemeral). */
  ports?: number[];
  clusterName?: string;
  /** Server version reported by `build`; default 8.1.2.0. */
  build?: string;
  /** Log sink for refusals and faults; default: stderr with a prefix. */
  log?: (line: string) => void;
}

export interface Emulator {
  /** `127.0.0.1:PORT,127.0.0.1:PORT2,...` */
  hosts: string;
  nodes: { name: string; host: string; port: number }[];
  namespaces: string[];
  /** Live fault switches (mutate, or use setFaults). */
  faults: FaultSwitches;
  setFaults(faults: FaultSwitches): void;
  clearFaults(): void;
  /** Adds records (as an asbackup file would hold them), last updated at `lastUpdateMs` (default now). */
  load(records: Iterable<AsbRecord>, lastUpdateMs?: number): void;
  /** All live records of a namespace, in partition order then descending digest. */
  records(namespace: string): StoredRecord[];
  /** Hands partitions to another node (bumps partition-generation). */
  movePartitions(partitions: number[], toNode: number): void;
  /** Master partitions of a node. */
  masterPartitions(node: number): number[];
  /** Drops every session token (clients must log in again). */
  expireSessions(): void;
  stop(): Promise<void>;
  /** Internal state, for white-box tests. */
  readonly state: EmulatorState;
}

function nodeName(index: number): string {
  return `EE9${(index + 1).toString(16).toUpperCase().padStart(2, '0')}000000AC02`;
}

/** Converts a model record into the emulator's raw form. */
export function storedRecordOf(record: AsbRecord, nowMs = Date.now()): StoredRecord {
  return {
    namespace: record.namespace,
    digest: Buffer.from(record.digest),
    set: record.set,
    key: record.key ? encodeUserKey(record.key) : undefined,
    generation: record.generation,
    voidTime: record.voidTime,
    lastUpdateMs: nowMs,
    bins: record.bins.map((bin) => ({
      name: bin.name,
      type: bin.type,
      data: Buffer.from(encodeBinValue(bin)),
    })),
  };
}

export async function startEmulator(opts: EmulatorOptions = {}): Promise<Emulator> {
  const namespaceNames = opts.namespaces ?? ['test'];
  const nodeCount = opts.nodes ?? 1;
  const log = opts.log ?? ((line: string) => process.stderr.write(`[aerospike-emulator] ${line}\n`));
  const state: EmulatorState = {
    namespaces: new Map(namespaceNames.map((n) => [n, new NamespaceStore(n)])),
    map: new PartitionMap(nodeCount, opts.replicationFactor ?? 1, opts.partitionMasters),
    nodes: [],
    sindexes: new Map(),
    udfs: new Map(),
    faults: {},
    clusterName: opts.clusterName ?? 'asbkit-emulator',
    build: opts.build ?? '8.1.2.0',
    tlsName: opts.tls ? (opts.tls.name ?? 'localhost') : undefined,
    log,
  };
  const users = opts.users ? new UserRegistry(opts.users) : undefined;
  const servers: Server[] = [];
  const sockets = new Set<Socket>();

  const load = (records: Iterable<AsbRecord>, lastUpdateMs = Date.now()) => {
    for (const record of records) {
      const store = state.namespaces.get(record.namespace);
      if (!store)
        throw new Error(`emulator: record for unknown namespace ${JSON.stringify(record.namespace)}`);
      store.put(storedRecordOf(record, lastUpdateMs));
    }
  };
  if (opts.records) load(opts.records);

  for (let i = 0; i < nodeCount; i++) {
    const onSocket = (socket: Socket) => {
      sockets.add(socket);
      socket.on('close', () => sockets.delete(socket));
      socket.setNoDelay(true);
      new EmulatorConnection(state, i, socket, users ? new AuthState(users, log) : undefined);
    };
    const server = opts.tls
      ? createTlsServer(
          {
            key: opts.tls.key,
            cert: opts.tls.cert,
            ca: opts.tls.ca,
            requestCert: opts.tls.requestCert ?? false,
            rejectUnauthorized: opts.tls.requestCert ?? false,
          },
          onSocket,
        )
      : createServer(onSocket);
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(opts.ports?.[i] ?? 0, '127.0.0.1', () => resolve());
    });
    servers.push(server);
    const address = server.address();
    const port = typeof address === 'object' && address ? address.port : 0;
    state.nodes.push({ name: nodeName(i), port });
  }

  const emulator: Emulator = {
    hosts: state.nodes.map((n) => `127.0.0.1:${n.port}`).join(','),
    nodes: state.nodes.map((n) => ({ name: n.name, host: '127.0.0.1', port: n.port })),
    namespaces: namespaceNames,
    get faults() {
      return state.faults;
    },
    setFaults(faults) {
      state.faults = { ...faults };
    },
    clearFaults() {
      state.faults = {};
    },
    load,
    records(namespace) {
      const store = state.namespaces.get(namespace);
      if (!store) throw new Error(`emulator: unknown namespace ${JSON.stringify(namespace)}`);
      return [...store.all()];
    },
    movePartitions(partitions, toNode) {
      state.map.move(partitions, toNode);
    },
    masterPartitions(node) {
      return state.map.masterPartitions(node);
    },
    expireSessions() {
      users?.expireSessions();
    },
    async stop() {
      for (const socket of sockets) socket.destroy();
      await Promise.all(servers.map((s) => new Promise<void>((resolve) => s.close(() => resolve()))));
    },
    state,
  };
  return emulator;
}
