// Read-side info helpers for backup: namespace checks, set statistics and UDF contents.
// (Secondary indexes and the UDF list are parsed by `metadata/`: listSindexes, listUdfs.)
import type { UdfModule } from '@asbkit/asb-format';
import { parseInfoError, parseInfoList, parseKeyValues } from '../wire/info.js';
import { ClusterError } from './errors.js';

/** What these helpers need; a `Cluster` is one. */
export interface InfoSource {
  info(command: string): Promise<string>;
  infoAll(command: string): Promise<ReadonlyMap<unknown, string>>;
}

function checked(command: string, value: string): string {
  const err = parseInfoError(value.trim());
  if (err) throw new ClusterError('INFO_ERROR', `info ${command}: server answered ${value.trim()}`);
  return value;
}

/** Namespaces the cluster serves (`namespaces`). */
export async function listNamespaces(client: InfoSource): Promise<string[]> {
  const v = checked('namespaces', await client.info('namespaces'));
  return v
    .trim()
    .split(';')
    .filter((n) => n !== '');
}

export async function namespaceExists(client: InfoSource, namespace: string): Promise<boolean> {
  return (await listNamespaces(client)).includes(namespace);
}

/**
 * `namespace/<ns>` statistics of every node, e.g. `objects` and `effective_replication_factor`
 * for the record-count estimate. Throws if the namespace is unknown.
 */
export async function namespaceStats(client: InfoSource, namespace: string): Promise<Map<string, string>[]> {
  const command = `namespace/${namespace}`;
  const all = await client.infoAll(command);
  return [...all.values()].map((v) => {
    if (parseInfoError(v.trim()) || v.trim() === '') {
      throw new ClusterError(
        'NAMESPACE_NOT_FOUND',
        `namespace ${namespace} not found (info ${command}: ${v.trim() || 'empty'})`,
      );
    }
    return parseKeyValues(v.trim());
  });
}

export interface SetStats {
  namespace: string;
  set: string;
  objects: number;
  /** Every key=value the server gave. */
  raw: Map<string, string>;
}

/** Parses a `sets` / `sets/<ns>` answer (`ns=..:set=..:objects=..;...`). */
export function parseSets(value: string): SetStats[] {
  return parseInfoList(value.trim(), ';', ':')
    .filter((e) => e.has('set') && e.has('ns'))
    .map((e) => ({
      namespace: e.get('ns')!,
      set: e.get('set')!,
      objects: Number(e.get('objects') ?? 0),
      raw: e,
    }));
}

/** Set statistics of one namespace on every node (one list per node). */
export async function setStats(client: InfoSource, namespace: string): Promise<SetStats[][]> {
  const command = `sets/${namespace}`;
  const all = await client.infoAll(command);
  return [...all.values()].map((v) => parseSets(checked(command, v)));
}

/** Content of one UDF module (`udf-get`), base64-decoded. */
export async function getUdf(client: InfoSource, name: string): Promise<UdfModule> {
  const command = `udf-get:filename=${name}`;
  const value = checked(command, await client.info(command));
  const fields = parseKeyValues(value.trim());
  const content = fields.get('content');
  if (content === undefined)
    throw new ClusterError('INFO_ERROR', `info ${command}: no content in the answer`);
  const type = fields.get('type');
  if (type !== undefined && type.toUpperCase() !== 'LUA') {
    throw new ClusterError('INFO_ERROR', `info ${command}: unsupported UDF type ${type}`);
  }
  return { kind: 'udf', language: 'L', name, content: Buffer.from(content, 'base64') };
}
