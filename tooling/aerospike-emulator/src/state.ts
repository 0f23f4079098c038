// Everything the nodes of one emulated cluster share: data, partition ownership, metadata
// (secondary indexes, UDF modules), fault switches and options.

import type { PartitionMap } from './cluster-map.js';
import type { FaultSwitches } from './faults.js';
import type { NamespaceStore } from './store.js';

export interface SindexDef {
  namespace: string;
  set: string | undefined;
  name: string;
  bin: string | undefined;
  /** numeric | string | blob | geo2dsphere */
  type: string;
  /** default | list | mapkeys | mapvalues */
  indexType: string;
  /** base64 of the msgpack context, when given. */
  context: string | undefined;
  /** base64 of the expression, for expression indexes. */
  exp: string | undefined;
}

export interface NodeAddress {
  name: string;
  port: number;
}

export interface EmulatorState {
  namespaces: Map<string, NamespaceStore>;
  map: PartitionMap;
  nodes: NodeAddress[];
  sindexes: Map<string, SindexDef>; // key `${ns}/${name}`
  udfs: Map<string, Buffer>;
  faults: FaultSwitches;
  clusterName: string;
  build: string;
  /** TLS name advertised in peers-tls answers; undefined when TLS is off. */
  tlsName: string | undefined;
  log: (line: string) => void;
}
