// UDF modules for restore (wire spec §2.5): register from content (`udf-put`), list, and wait until
// every node has them.

import type { UdfModule } from '@asbkit/asb-format';
import { parseInfoError, parseInfoList } from '../wire/info.js';
import { defaultSleep, type InfoClient, MetadataError, type PollOptions } from './info-client.js';

export interface UdfListEntry {
  name: string;
  /** SHA-1 of the content, hex, as the server reports it. */
  hash: string;
  type: string;
}

/** Parses a `udf-list` answer: `filename=a.lua,hash=<sha1>,type=LUA;...`. */
export function parseUdfList(value: string): UdfListEntry[] {
  return parseInfoList(value, ';', ',')
    .filter((e) => e.has('filename'))
    .map((e) => ({ name: e.get('filename')!, hash: e.get('hash') ?? '', type: e.get('type') ?? '' }));
}

/**
 * The `udf-put` command: content is base64 of the file and `content-len` the length of that base64
 * text (not of the file).
 */
export function udfPutCommand(module: Pick<UdfModule, 'name' | 'content'>): string {
  if (/[;:\n\t]/.test(module.name) || module.name === '') {
    throw new MetadataError('UDF_NAME', 'udf-put', `UDF name ${JSON.stringify(module.name)} cannot be sent`);
  }
  const content = module.content.toString('base64');
  return `udf-put:filename=${module.name};content=${content};content-len=${content.length};udf-type=LUA;`;
}

/** Registers a Lua module. Compile errors come back with their (base64-decoded) message. */
export async function putUdf(client: InfoClient, module: Pick<UdfModule, 'name' | 'content'>): Promise<void> {
  const value = await client.info(udfPutCommand(module));
  const err = parseInfoError(value.trim());
  if (!err) return;
  const where = `udf-put:filename=${module.name}`;
  const fields = new Map(
    value.split(';').map((p) => [p.slice(0, p.indexOf('=')), p.slice(p.indexOf('=') + 1)]),
  );
  const message = fields.get('message');
  const detail = message
    ? `${fields.get('error')}: ${Buffer.from(message, 'base64').toString('utf8')}`
    : value.trim();
  throw new MetadataError('UDF_PUT', where, `server refused the module: ${detail}`);
}

export async function listUdfs(client: InfoClient): Promise<UdfListEntry[]> {
  const value = await client.info('udf-list');
  const err = parseInfoError(value);
  if (err) throw new MetadataError('UDF_LIST', 'udf-list', `server answered ${value.trim()}`);
  return parseUdfList(value);
}

/** `--wait`: polls `udf-list` on every node (default every 500 ms) until all `names` are present. */
export async function waitForUdfs(
  client: InfoClient,
  names: readonly string[],
  options: PollOptions = {},
): Promise<void> {
  const sleep = options.sleep ?? defaultSleep;
  for (let poll = 1; ; poll++) {
    const answers = await client.infoAll('udf-list');
    let ready = answers.size > 0;
    for (const value of answers.values()) {
      const present = new Set(parseUdfList(value).map((e) => e.name));
      if (!names.every((n) => present.has(n))) ready = false;
    }
    if (ready) return;
    if (options.maxPolls !== undefined && poll >= options.maxPolls) {
      throw new MetadataError(
        'UDF_WAIT',
        'udf-list',
        `UDF(s) ${names.join(', ')} not on every node after ${poll} polls`,
      );
    }
    await sleep(options.intervalMs ?? 500);
  }
}
