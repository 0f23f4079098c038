import { DIGEST_SIZE, PARTITION_COUNT, partitionIdOf } from './digest.js';
import { PartitionFilterError } from './errors.js';

/**
 * A scan filter: partitions `begin … begin+count-1`, or with `digest`, only the records of that
 * digest's partition that come after the digest (then `begin` is its partition and `count` 1).
 */
export interface PartitionFilter {
  begin: number;
  count: number;
  digest?: Buffer;
}

const STRICT_BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

/** The whole namespace. */
export function allPartitions(): PartitionFilter {
  return { begin: 0, count: PARTITION_COUNT };
}

export function digestFilter(digest: Buffer): PartitionFilter {
  return { begin: partitionIdOf(digest), count: 1, digest };
}

/** C's `strtol` + "whole string consumed" (better_atoi), without its leading-space leniency. */
function parseDecimal(text: string): number | undefined {
  if (!/^[+-]?\d+$/.test(text)) return undefined;
  return Number(text);
}

function parseRange(item: string): PartitionFilter | undefined {
  const dash = item.indexOf('-');
  const begin = parseDecimal(dash < 0 ? item : item.slice(0, dash));
  if (begin === undefined || begin < 0 || begin >= PARTITION_COUNT) return undefined;
  if (dash < 0) return { begin, count: 1 };
  const count = parseDecimal(item.slice(dash + 1));
  if (count === undefined || count < 0 || begin + count > PARTITION_COUNT) return undefined;
  return { begin, count };
}

/** Strict standard base64 of exactly 20 bytes, or undefined. */
export function decodeDigest(text: string): Buffer | undefined {
  if (text.length === 0 || text.length % 4 !== 0 || !STRICT_BASE64.test(text)) return undefined;
  const bytes = Buffer.from(text, 'base64');
  return bytes.length === DIGEST_SIZE ? bytes : undefined;
}

const FILTER_FORMAT_HELP = [
  'format: <filter1>[,<filter2>][,...]',
  'filter: <begin partition>[-<partition count>]|<digest>',
  'begin partition: 0-4095',
  'partition count: 1-4096 Default: 1',
  'digest: base64 encoded string',
].join('\n');

/**
 * `-X/--partition-list`: comma-separated items, each trimmed, tried as `begin[-count]` then as a
 * base64 digest. Sorted by begin; overlaps are an error. Messages follow asbackup's.
 * Unlike asbackup, a count of 0 is refused here rather than later by the client.
 */
export function parsePartitionList(text: string, option = '--partition-list'): PartitionFilter[] {
  if (text.length === 0)
    throw new PartitionFilterError('EMPTY_PARTITION_LIST', 'Empty partition list', option);
  const filters: PartitionFilter[] = [];
  for (const raw of text.split(',')) {
    const item = raw.trim();
    const range = parseRange(item);
    if (range && range.count === 0) {
      throw new PartitionFilterError(
        'INVALID_PARTITION_COUNT',
        `Invalid partition filter '${item}': partition count must be 1-4096`,
        option,
      );
    }
    const digest = range ? undefined : decodeDigest(item);
    if (!range && !digest) {
      throw new PartitionFilterError(
        'INVALID_PARTITION_FILTER',
        `Invalid partition filter '${item}'\n${FILTER_FORMAT_HELP}`,
        option,
      );
    }
    filters.push(range ?? digestFilter(digest!));
  }
  filters.sort((a, b) => a.begin - b.begin);
  for (let i = 1; i < filters.length; i++) {
    const prev = filters[i - 1];
    if (prev.begin + prev.count > filters[i].begin) {
      throw new PartitionFilterError('RANGE_OVERLAP', `Range overlap in partition list '${text}'`, option);
    }
  }
  return filters;
}

/**
 * `-D/--after-digest`: the digest's partition after the digest, plus every later partition.
 */
export function parseAfterDigest(text: string, option = '--after-digest'): PartitionFilter[] {
  const digest = decodeDigest(text);
  if (!digest) {
    const why = describeDigestProblem(text);
    throw new PartitionFilterError(
      'INVALID_DIGEST',
      `Error while parsing after-digest '${text}' (${why})`,
      option,
    );
  }
  const first = digestFilter(digest);
  const next = first.begin + 1;
  return next < PARTITION_COUNT ? [first, { begin: next, count: PARTITION_COUNT - next }] : [first];
}

function describeDigestProblem(text: string): string {
  if (text.length === 0) return 'empty digest';
  if (text.length % 4 !== 0 || !STRICT_BASE64.test(text)) return 'invalid base64';
  return `digest must be ${DIGEST_SIZE} bytes, got ${Buffer.from(text, 'base64').length}`;
}

/** The selection options that asbackup forbids together. Values are as given (undefined = unset). */
export interface SelectionOptions {
  partitionList?: string;
  afterDigest?: string;
  nodeList?: string;
  maxRecords?: number;
}

/**
 * The official mutual exclusions, with asbackup's messages. The docs also exclude
 * `--max-records` with `-X`/`-D`; asbackup 4.5.8 does not enforce that, so it is only checked
 * when `strictMaxRecords` is set.
 */
export function checkSelectionExclusions(opts: SelectionOptions, strictMaxRecords = false): void {
  const has = (v: unknown) => v !== undefined && v !== null;
  if (has(opts.partitionList) && has(opts.afterDigest)) {
    throw new PartitionFilterError(
      'MUTUALLY_EXCLUSIVE',
      'after-digest and partition-list arguments are mutually exclusive',
    );
  }
  if (has(opts.nodeList) && (has(opts.partitionList) || has(opts.afterDigest))) {
    throw new PartitionFilterError(
      'MUTUALLY_EXCLUSIVE',
      'node-list is mutually exclusive with after-digest and partition-list',
    );
  }
  if (strictMaxRecords && (opts.maxRecords ?? 0) > 0 && (has(opts.partitionList) || has(opts.afterDigest))) {
    throw new PartitionFilterError(
      'MUTUALLY_EXCLUSIVE',
      'max-records is mutually exclusive with after-digest and partition-list',
    );
  }
}

/** Human description of a filter as asbackup logs it per job. */
export function describeFilter(filter: PartitionFilter): string {
  if (filter.digest) return `partition ${filter.begin} after ${filter.digest.toString('base64')}`;
  if (filter.count === 1) return `partition ${filter.begin}`;
  return `${filter.count} partitions from ${filter.begin} to ${filter.begin + filter.count - 1}`;
}
