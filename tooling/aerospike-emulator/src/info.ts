// Info protocol command handlers (wire-protocol §2): one request line in, one value out, with
// the structure the 8.1.2 server gives. Unknown commands answer `ERROR:4:unrecognized command`
// and are logged, never silently ignored.

import { createHash } from 'node:crypto';
import { partitionOf } from './record.js';
import type { EmulatorState, SindexDef } from './state.js';

const FEATURES =
  'batch-any;batch-index;blob-bits;cdt-index;cdt-list;cdt-map;cluster-stable;float;geo;sindex-exists;peers;' +
  'pipelining;pquery;pscans;query-show;relaxed-sc;replicas;replicas-all;replicas-master;replicas-max;' +
  'truncate-namespace;udf';
const OLD_BUILD = '5.7.0.0';
const DEFAULT_PORT = 3000;

/** Parses `key=value;key=value[;]` parameters. */
export function parseInfoParams(text: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const pair of text.split(';')) {
    if (!pair) continue;
    const eq = pair.indexOf('=');
    if (eq < 0) out.set(pair, '');
    else out.set(pair.slice(0, eq), pair.slice(eq + 1));
  }
  return out;
}

/** Answers one info command (the text between newlines, without the newline). */
export function answerInfo(state: EmulatorState, node: number, command: string): string {
  const colon = command.indexOf(':');
  const slash = command.indexOf('/');
  let name = command;
  let params = new Map<string, string>();
  let path: string[] = [];
  if (colon >= 0 && (slash < 0 || colon < slash)) {
    name = command.slice(0, colon);
    params = parseInfoParams(command.slice(colon + 1));
  } else if (slash >= 0) {
    name = command.slice(0, slash);
    path = command.slice(slash + 1).split('/');
  }
  const old = state.faults.oldServerNoBatchWrites === true;
  const nsNames = [...state.namespaces.keys()];

  switch (name) {
    case 'node':
      return state.nodes[node].name;
    case 'build':
      return old ? OLD_BUILD : state.build;
    case 'version':
      return `Aerospike Community Edition build ${old ? OLD_BUILD : state.build}`;
    case 'edition':
      return 'Aerospike Community Edition';
    case 'features':
      return old ? FEATURES.replace('batch-any;', '') : FEATURES;
    case 'cluster-name':
      return state.clusterName;
    case 'partition-generation':
      return String(state.map.generations[node]);
    case 'peers-generation':
      return String(state.nodes.length > 1 ? state.nodes.length : 0);
    case 'namespaces':
      return nsNames.join(';');
    case 'replicas':
    case 'replicas-all':
    case 'replicas-master':
      return replicas(state, node, name, params);
    case 'peers-clear-std':
    case 'peers-clear-alt':
    case 'peers-tls-std':
    case 'peers-tls-alt':
      return peers(state, node, name);
    case 'service-clear-std':
      return state.tlsName === undefined ? `127.0.0.1:${state.nodes[node].port}` : '';
    case 'service-tls-std':
      return state.tlsName === undefined ? '' : `127.0.0.1:${state.nodes[node].port}`;
    case 'service-clear-alt':
    case 'service-tls-alt':
      return '';
    case 'cluster-stable':
      return clusterStable(state, params);
    case 'user-agent-set':
      return 'ok';
    case 'namespace':
      return namespaceInfo(state, node, path[0] ?? '');
    case 'sets':
      return sets(state, node, path[0], path[1]);
    case 'get-config':
      return getConfig(state, node, params, command);
    case 'sindex-list':
      return sindexList(state, params);
    case 'sindex-create':
      return sindexCreate(state, params);
    case 'sindex-delete':
      return sindexDelete(state, params);
    case 'sindex':
      return sindexStat(state, path[0] ?? '', path[1] ?? '');
    case 'sindex-stat':
      return sindexStat(
        state,
        params.get('namespace') ?? params.get('ns') ?? '',
        params.get('indexname') ?? '',
      );
    case 'udf-list':
      return [...state.udfs]
        .map(([file, content]) => `filename=${file},hash=${sha1(content)},type=LUA;`)
        .join('');
    case 'udf-get': {
      const content = state.udfs.get(params.get('filename') ?? '');
      return content ? `type=LUA;content=${content.toString('base64')};` : 'error=not_found';
    }
    case 'udf-put':
      return udfPut(state, params);
    case 'udf-remove': {
      const file = params.get('filename') ?? '';
      return state.udfs.delete(file) ? 'ok' : 'error=not_found';
    }
    case 'truncate':
    case 'truncate-namespace':
      return truncate(state, name, params);
    default:
      state.log(`info command refused (not implemented by the emulator): ${JSON.stringify(command)}`);
      return 'ERROR:4:unrecognized command';
  }
}

function namespacesOf(state: EmulatorState, wanted: string | undefined): string[] {
  return wanted === undefined
    ? [...state.namespaces.keys()]
    : [...state.namespaces.keys()].filter((n) => n === wanted);
}

function replicas(state: EmulatorState, node: number, name: string, params: Map<string, string>): string {
  const max = params.has('max') ? Number(params.get('max')) : state.map.replicationFactor;
  const count = Math.max(0, Math.min(state.map.replicationFactor, max));
  const bitmaps = Array.from({ length: count }, (_, r) => state.map.bitmap(node, r));
  return [...state.namespaces.keys()]
    .map((ns) => {
      if (name === 'replicas-master') return `${ns}:${bitmaps[0]}`;
      if (name === 'replicas-all') return `${ns}:${count},${bitmaps.join(',')}`;
      return `${ns}:0,${count},${bitmaps.join(',')}`;
    })
    .join(';');
}

function peers(state: EmulatorState, node: number, name: string): string {
  const generation = state.nodes.length > 1 ? state.nodes.length : 0;
  const tls = name.startsWith('peers-tls');
  if (tls && state.tlsName === undefined) return 'ERROR:25:enterprise only';
  // Only the -std kind of the transport actually served has addresses; -alt is never configured.
  const served = tls === (state.tlsName !== undefined) && name.endsWith('-std');
  const list = served
    ? state.nodes
        .filter((_, i) => i !== node)
        .map((peer) => {
          const host = peer.port === DEFAULT_PORT ? '127.0.0.1' : `127.0.0.1:${peer.port}`;
          return `[${peer.name},${tls ? state.tlsName : ''},[${host}]]`;
        })
    : [];
  return `${generation},${DEFAULT_PORT},[${list.join(',')}]`;
}

function clusterStable(state: EmulatorState, params: Map<string, string>): string {
  const size = params.get('size');
  if (size !== undefined && Number(size) !== state.nodes.length) return 'ERROR:7:cluster not specified size';
  const key = createHash('sha1')
    .update(state.nodes.map((n) => n.name).join(','))
    .digest('hex');
  return key.slice(0, 12).toUpperCase();
}

/** Records held by `node` (as master or prole), per set. */
function countsOnNode(state: EmulatorState, node: number, ns: string) {
  const perSet = new Map<string, number>();
  let master = 0;
  let prole = 0;
  const store = state.namespaces.get(ns);
  if (store) {
    for (const record of store.all()) {
      const pid = partitionOf(record.digest);
      if (!state.map.holds(node, pid)) continue;
      if (state.map.masters[pid] === node) master++;
      else prole++;
      if (record.set !== undefined) perSet.set(record.set, (perSet.get(record.set) ?? 0) + 1);
    }
  }
  return { master, prole, perSet };
}

function namespaceInfo(state: EmulatorState, node: number, ns: string): string {
  if (!state.namespaces.has(ns)) return 'ERROR::namespace not found';
  const { master, prole } = countsOnNode(state, node, ns);
  const rf = state.map.replicationFactor;
  const pairs: [string, string | number | boolean][] = [
    ['ns_cluster_size', state.nodes.length],
    ['effective_replication_factor', rf],
    ['objects', master + prole],
    ['tombstones', 0],
    ['master_objects', master],
    ['master_tombstones', 0],
    ['prole_objects', prole],
    ['prole_tombstones', 0],
    ['non_replica_objects', 0],
    ['dead_partitions', 0],
    ['unavailable_partitions', 0],
    ['stop_writes', false],
    ['hwm_breached', false],
    ['truncate_lut', 0],
    ['truncating', false],
    ['allow-ttl-without-nsup', false],
    ['default-ttl', 0],
    ['nsup-period', 120],
    ['replication-factor', rf],
    ['storage-engine', 'memory'],
  ];
  return pairs.map(([k, v]) => `${k}=${v}`).join(';');
}

function sets(
  state: EmulatorState,
  node: number,
  onlyNs: string | undefined,
  onlySet: string | undefined,
): string {
  let out = '';
  for (const ns of namespacesOf(state, onlyNs)) {
    const { perSet } = countsOnNode(state, node, ns);
    for (const [set, objects] of perSet) {
      if (onlySet !== undefined && set !== onlySet) continue;
      const sindexes = [...state.sindexes.values()].filter((s) => s.namespace === ns && s.set === set).length;
      out +=
        `ns=${ns}:set=${set}:objects=${objects}:tombstones=0:data_used_bytes=0:truncate_lut=0:sindexes=${sindexes}` +
        ':index_populating=false:truncating=false:default-read-touch-ttl-pct=0:default-ttl=0:disable-eviction=false' +
        ':enable-index=false:stop-writes-count=0:stop-writes-size=0;';
    }
  }
  return out;
}

function getConfig(state: EmulatorState, node: number, params: Map<string, string>, command: string): string {
  if (params.get('context') !== 'service') {
    state.log(`info get-config refused (only context=service is emulated): ${JSON.stringify(command)}`);
    return 'ERROR:4:unrecognized context';
  }
  const batch = state.faults.oldServerNoBatchWrites ? '' : 'batch-index-threads=2;';
  return (
    `advertise-ipv6=false;auto-pin=none;${batch}batch-max-buffers-per-queue=255;batch-max-requests=0;` +
    `cluster-name=${state.clusterName};info-threads=16;migrate-threads=1;min-cluster-size=1;` +
    `node-id=${state.nodes[node].name};proto-fd-max=1024;query-threads-limit=128;service-threads=2;` +
    'transaction-max-ms=1000;transaction-retry-ms=1002'
  );
}

function sindexList(state: EmulatorState, params: Map<string, string>): string {
  const ns = params.get('namespace') ?? params.get('ns');
  // Without b64=true a real server prints a human form of context/exp; the emulator keeps only
  // the base64 form and prints that either way.
  return [...state.sindexes.values()]
    .filter((s) => ns === undefined || ns === '' || s.namespace === ns)
    .map(
      (s) =>
        `ns=${s.namespace}:indexname=${s.name}:set=${s.set ?? 'null'}:bin=${s.bin ?? 'null'}:type=${s.type}` +
        `:indextype=${s.indexType}:context=${s.context ?? 'null'}:exp=${s.exp ?? 'null'}:state=RW`,
    )
    .join(';');
}

const SINDEX_TYPES = new Set(['numeric', 'string', 'blob', 'geo2dsphere']);
const SINDEX_INDEX_TYPES = new Set(['default', 'list', 'mapkeys', 'mapvalues']);

function sindexCreate(state: EmulatorState, params: Map<string, string>): string {
  const ns = params.get('namespace') ?? params.get('ns') ?? '';
  const name = params.get('indexname') ?? '';
  if (!state.namespaces.has(ns)) return 'ERROR:4:invalid namespace';
  if (!name) return 'ERROR:4:missing indexname';
  let bin = params.get('bin');
  let type = params.get('type')?.toLowerCase();
  const indexData = params.get('indexdata');
  if (indexData !== undefined) {
    const [b, t] = indexData.split(',');
    bin = b;
    type = t?.toLowerCase();
  }
  const exp = params.get('exp');
  const context = params.get('context');
  const indexType = (params.get('indextype') ?? 'default').toLowerCase();
  if (type === undefined || !SINDEX_TYPES.has(type)) return 'ERROR:4:invalid type';
  if (!SINDEX_INDEX_TYPES.has(indexType)) return 'ERROR:4:invalid indextype';
  if ((bin === undefined) === (exp === undefined)) return 'ERROR:4:exactly one of bin and exp';
  if (exp !== undefined && context !== undefined) return 'ERROR:4:context and exp are mutually exclusive';
  const def: SindexDef = { namespace: ns, set: params.get('set'), name, bin, type, indexType, context, exp };
  const existing = state.sindexes.get(`${ns}/${name}`);
  if (existing) {
    return JSON.stringify(existing) === JSON.stringify(def) ? 'ok' : 'ERROR:200:index already exists';
  }
  state.sindexes.set(`${ns}/${name}`, def);
  return 'ok';
}

function sindexDelete(state: EmulatorState, params: Map<string, string>): string {
  const ns = params.get('namespace') ?? params.get('ns') ?? '';
  const name = params.get('indexname') ?? '';
  return state.sindexes.delete(`${ns}/${name}`) ? 'ok' : 'ERROR:201:index does not exist';
}

function sindexStat(state: EmulatorState, ns: string, name: string): string {
  const def = state.sindexes.get(`${ns}/${name}`);
  if (!def) return 'ERROR:201:no index';
  let entries = 0;
  for (const record of state.namespaces.get(ns)?.all() ?? []) {
    if (def.set !== undefined && record.set !== def.set) continue;
    if (def.bin !== undefined && record.bins.some((b) => b.name === def.bin)) entries++;
  }
  return `entries=${entries};used_bytes=0;entries_per_bval=1;entries_per_rec=1;load_pct=100;load_time=0;stat_gc_recs=0`;
}

function udfPut(state: EmulatorState, params: Map<string, string>): string {
  const file = params.get('filename');
  const content = params.get('content');
  const len = Number(params.get('content-len'));
  if (!file || content === undefined) return 'error=invalid_parameters';
  // content-len is the length of the base64 text, not of the decoded file (wire-protocol §2.5).
  if (len !== content.length || len % 4 !== 0) return 'error=invalid_content_len';
  const type = params.get('udf-type') ?? 'LUA';
  if (type !== 'LUA') return 'error=invalid_udf_type';
  state.udfs.set(file, Buffer.from(content, 'base64'));
  return 'ok';
}

function truncate(state: EmulatorState, name: string, params: Map<string, string>): string {
  const ns = params.get('namespace') ?? '';
  const store = state.namespaces.get(ns);
  if (!store) return 'ERROR:4:namespace not found';
  const set = params.get('set');
  if (name === 'truncate-namespace' && set !== undefined) return 'ERROR:4:set not allowed';
  // lut is in nanoseconds since the Unix epoch; records updated before it go.
  const lutMs = params.has('lut') ? Number(BigInt(params.get('lut')!) / 1_000_000n) : Date.now();
  for (const record of [...store.all()]) {
    if (set !== undefined && record.set !== set) continue;
    if (record.lastUpdateMs <= lutMs) store.delete(record.digest);
  }
  return 'ok';
}

function sha1(content: Buffer): string {
  return createHash('sha1').update(content).digest('hex');
}
