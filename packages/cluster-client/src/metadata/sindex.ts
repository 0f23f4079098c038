// Secondary indexes for restore (wire spec §2.5-2.6, asb spec §7.5): list, compare, create with
// the syntax the server build wants, drop, and wait for the build to finish.

import type { SecondaryIndex, SindexIndexType, SindexPathType } from '@asbkit/asb-format';
import { parseInfoError, parseInfoList } from '../wire/info.js';
import {
  buildNumber,
  defaultSleep,
  type InfoClient,
  MetadataError,
  type PollOptions,
} from './info-client.js';

const INDEX_TYPE_OF: Record<string, SindexIndexType> = {
  default: 'N',
  none: 'N',
  list: 'L',
  mapkeys: 'K',
  mapvalues: 'V',
};
const PATH_TYPE_OF: Record<string, SindexPathType> = {
  string: 'S',
  text: 'S',
  numeric: 'N',
  integer: 'N',
  'int signed': 'N',
  blob: 'B',
  geo2dsphere: 'G',
  geojson: 'G',
};
const INDEX_TYPE_NAME: Record<SindexIndexType, string> = {
  N: 'DEFAULT',
  L: 'LIST',
  K: 'MAPKEYS',
  V: 'MAPVALUES',
};
const PATH_TYPE_NAME: Record<SindexPathType, string> = {
  S: 'STRING',
  N: 'NUMERIC',
  B: 'BLOB',
  G: 'GEO2DSPHERE',
};

/** Builds from which the server takes `namespace=...;bin=...;type=...` (older: `ns=...;indexdata=`). */
const NEW_SYNTAX_BUILD = buildNumber('6.1.0');
/** Builds that name the integer index type INTEGER rather than NUMERIC (wire spec §2.6). */
const INTEGER_NAME_BUILD = buildNumber('8.1.3');

const nullable = (v: string | undefined): string | undefined =>
  v === undefined || v === 'null' || v === 'NULL' ? undefined : v;

/**
 * Parses a `sindex-list:ns=<ns>;b64=true` answer into indexes (entries `ns=..:indexname=..:set=..:
 * bin=..:type=..:indextype=..:context=..:exp=..:state=..`, `;`-separated).
 */
export function parseSindexList(value: string): SecondaryIndex[] {
  const out: SecondaryIndex[] = [];
  for (const entry of parseInfoList(value)) {
    const name = entry.get('indexname');
    if (name === undefined) continue;
    const typeText = (entry.get('type') ?? '').toLowerCase();
    const pathType = PATH_TYPE_OF[typeText];
    const indexType = INDEX_TYPE_OF[(entry.get('indextype') ?? 'default').toLowerCase()];
    if (!pathType || !indexType) {
      throw new MetadataError(
        'SINDEX_LIST',
        'sindex-list',
        `index ${name}: unknown type ${typeText}/${entry.get('indextype')}`,
      );
    }
    const index: SecondaryIndex = {
      kind: 'sindex',
      namespace: entry.get('ns') ?? entry.get('namespace') ?? '',
      set: nullable(entry.get('set')) ?? '',
      name,
      indexType,
      // Older servers name the bin `bins` (and `path`).
      paths: [
        { path: nullable(entry.get('bin') ?? entry.get('bins') ?? entry.get('path')) ?? '', type: pathType },
      ],
    };
    const context = nullable(entry.get('context'));
    if (context) index.context = context;
    const expression = nullable(entry.get('exp'));
    if (expression) index.expression = expression;
    out.push(index);
  }
  return out;
}

/** SAME in the official sense: set, index type, bin, path type, context (and expression) equal; '' = none. */
export function sameSindex(a: SecondaryIndex, b: SecondaryIndex): boolean {
  const pa = a.paths[0];
  const pb = b.paths[0];
  return (
    a.set === b.set &&
    a.indexType === b.indexType &&
    pa?.path === pb?.path &&
    pa?.type === pb?.type &&
    (a.context ?? '') === (b.context ?? '') &&
    (a.expression ?? '') === (b.expression ?? '')
  );
}

function checkToken(what: string, value: string): string {
  if (/[;:\n\t]/.test(value)) {
    throw new MetadataError(
      'SINDEX_NAME',
      'sindex-create',
      `${what} ${JSON.stringify(value)} cannot be sent in an info command`,
    );
  }
  return value;
}

/** The `sindex-create` command for an index on a server of build `build` (e.g. '8.1.2.0'). */
export function sindexCreateCommand(index: SecondaryIndex, build: string): string {
  const path = index.paths[0];
  if (!path || index.paths.length !== 1) {
    throw new MetadataError(
      'SINDEX_PATHS',
      'sindex-create',
      `index ${index.name} must have exactly one path`,
    );
  }
  const version = buildNumber(build);
  const ns = checkToken('namespace', index.namespace);
  const name = checkToken('index name', index.name);
  const set = index.set === '' ? '' : `;set=${checkToken('set', index.set)}`;
  let type = PATH_TYPE_NAME[path.type];
  if (type === 'NUMERIC' && version >= INTEGER_NAME_BUILD) type = 'INTEGER';
  const indexType = INDEX_TYPE_NAME[index.indexType];
  if (version < NEW_SYNTAX_BUILD) {
    if (index.context || index.expression) {
      throw new MetadataError(
        'SINDEX_UNSUPPORTED',
        'sindex-create',
        `server ${build} cannot create index ${index.name} with a context or expression`,
      );
    }
    // The pre-6.1 form: indextype only when it is not DEFAULT, as older servers expect.
    const typed = indexType === 'DEFAULT' ? '' : `;indextype=${indexType}`;
    const data = `indexdata=${checkToken('bin', path.path)},${type}`;
    return `sindex-create:ns=${ns}${set};indexname=${name};numbins=1${typed};${data};priority=normal`;
  }
  if (index.expression) {
    return `sindex-create:namespace=${ns}${set};indexname=${name};exp=${index.expression};indextype=${indexType};type=${type}`;
  }
  const context = index.context ? `;context=${index.context}` : '';
  return `sindex-create:namespace=${ns}${set};indexname=${name}${context};indextype=${indexType};bin=${checkToken('bin', path.path)};type=${type}`;
}

function checkOk(command: string, value: string): void {
  const err = parseInfoError(value);
  if (err)
    throw new MetadataError(
      `INFO_ERROR_${err.code ?? 'UNKNOWN'}`,
      command,
      `server answered ${value.trim()}`,
    );
}

/** Indexes of a namespace on the cluster (asked with b64=true so contexts come back as base64). */
export async function listSindexes(client: InfoClient, namespace: string): Promise<SecondaryIndex[]> {
  const command = `sindex-list:ns=${namespace};b64=true`;
  const value = await client.info(command);
  checkOk(command, value);
  return parseSindexList(value);
}

async function findSindex(
  client: InfoClient,
  namespace: string,
  name: string,
): Promise<SecondaryIndex | undefined> {
  return (await listSindexes(client, namespace)).find((i) => i.name === name);
}

export async function createSindex(client: InfoClient, index: SecondaryIndex, build: string): Promise<void> {
  const command = sindexCreateCommand(index, build);
  checkOk(command, await client.info(command));
}

export async function dropSindex(
  client: InfoClient,
  namespace: string,
  name: string,
  build: string,
): Promise<void> {
  const nsKey = buildNumber(build) < NEW_SYNTAX_BUILD ? 'ns' : 'namespace';
  const command = `sindex-delete:${nsKey}=${checkToken('namespace', namespace)};indexname=${checkToken('index name', name)}`;
  checkOk(command, await client.info(command));
}

/**
 * What `ensureSindex` did: `created` (absent, created), `matched` (an identical index exists),
 * `recreated` (a different one was dropped, then this one created), `mismatched` (a different
 * one was dropped but an identical one showed up while polling).
 */
export type SindexOutcome = 'created' | 'matched' | 'recreated' | 'mismatched';

export interface EnsureSindexOptions extends PollOptions {
  /** Server build, for the command syntax (e.g. from the `build` info command). */
  build: string;
}

/**
 * Restores one index with the official semantics (asb spec §7.5): SAME → skip; ABSENT → create;
 * DIFFERENT → drop, then poll (default 10 × 1 s) until it is absent (create it) or the same (skip);
 * still different after polling → MetadataError SINDEX_CONFLICT.
 */
export async function ensureSindex(
  client: InfoClient,
  index: SecondaryIndex,
  options: EnsureSindexOptions,
): Promise<SindexOutcome> {
  const existing = await findSindex(client, index.namespace, index.name);
  if (!existing) {
    await createSindex(client, index, options.build);
    return 'created';
  }
  if (sameSindex(existing, index)) return 'matched';
  await dropSindex(client, index.namespace, index.name, options.build);
  const sleep = options.sleep ?? defaultSleep;
  const polls = options.maxPolls ?? 10;
  for (let i = 0; i < polls; i++) {
    await sleep(options.intervalMs ?? 1000);
    const now = await findSindex(client, index.namespace, index.name);
    if (!now) {
      await createSindex(client, index, options.build);
      return 'recreated';
    }
    if (sameSindex(now, index)) return 'mismatched';
  }
  throw new MetadataError(
    'SINDEX_CONFLICT',
    `sindex-list:ns=${index.namespace};b64=true`,
    `index ${index.name} still differs from the backup after dropping it`,
  );
}

/** True when every node reports the index fully built (`load_pct=100`); "not found" = not yet. */
async function sindexBuilt(client: InfoClient, command: string): Promise<boolean> {
  const answers = await client.infoAll(command);
  for (const value of answers.values()) {
    const err = parseInfoError(value);
    if (err) {
      if (err.code === 201 || /not.found/i.test(err.message)) return false;
      throw new MetadataError(
        `INFO_ERROR_${err.code ?? 'UNKNOWN'}`,
        command,
        `server answered ${value.trim()}`,
      );
    }
    if (!/(?:^|;)load_pct=100(?:;|$)/.test(value.trim())) return false;
  }
  return answers.size > 0;
}

/** `--wait`: polls every node (default every 500 ms) until the index build is complete. */
export async function waitForSindexBuild(
  client: InfoClient,
  namespace: string,
  name: string,
  options: PollOptions & { build: string },
): Promise<void> {
  const command =
    buildNumber(options.build) < NEW_SYNTAX_BUILD
      ? `sindex/${namespace}/${name}`
      : `sindex-stat:namespace=${namespace};indexname=${name}`;
  const sleep = options.sleep ?? defaultSleep;
  for (let poll = 1; ; poll++) {
    if (await sindexBuilt(client, command)) return;
    if (options.maxPolls !== undefined && poll >= options.maxPolls) {
      throw new MetadataError('SINDEX_WAIT', command, `index ${name} not built after ${poll} polls`);
    }
    await sleep(options.intervalMs ?? 500);
  }
}
