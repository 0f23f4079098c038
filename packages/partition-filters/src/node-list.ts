import { isIPv4, isIPv6 } from 'node:net';
import { PARTITION_COUNT } from './digest.js';
import { PartitionFilterError } from './errors.js';
import type { PartitionFilter } from './filters.js';

/** One `-l/--node-list` entry. */
export interface NodeSpec {
  address: string;
  family: 4 | 6;
  tlsName: string | undefined;
  port: number;
}

/**
 * `-l/--node-list`: `ip:port`, `ip:tlsname:port`, `[ipv6]:port`, `[ipv6]:tlsname:port`,
 * separated by `,` or `;`, items trimmed. Error texts follow asbackup's.
 */
export function parseNodeList(text: string, option = '--node-list'): NodeSpec[] {
  const fail = (why: string) =>
    new PartitionFilterError('INVALID_NODE_LIST', `Invalid node list ${text} (${why})`, option);
  if (text.length === 0) throw new PartitionFilterError('EMPTY_NODE_LIST', 'Empty node list', option);
  const specs: NodeSpec[] = [];
  for (const raw of text.replaceAll(';', ',').split(',')) {
    const item = raw.trim();
    let family: 4 | 6;
    let address: string;
    let rest: string; // after the address and its ':'
    if (item.startsWith('[')) {
      family = 6;
      const closing = item.indexOf(']');
      if (closing < 0) throw fail('missing "]"');
      if (item[closing + 1] !== ':') throw fail('missing ":"');
      address = item.slice(1, closing);
      rest = item.slice(closing + 2);
    } else {
      family = 4;
      const colon = item.indexOf(':');
      if (colon < 0) throw fail('missing ":"');
      address = item.slice(0, colon);
      rest = item.slice(colon + 1);
    }
    if (address.length === 0 || address.length > 110) throw fail('invalid IP address');
    if (family === 4 ? !isIPv4(address) : !isIPv6(address)) throw fail(`invalid IP address ${address}`);
    let tlsName: string | undefined;
    const colon = rest.indexOf(':');
    if (colon >= 0) {
      tlsName = rest.slice(0, colon);
      rest = rest.slice(colon + 1);
    }
    const port = /^[+-]?\d+$/.test(rest) ? Number(rest) : Number.NaN;
    if (!(port >= 1 && port <= 65535)) throw fail(`invalid port value ${rest}`);
    specs.push({ address, family, tlsName, port });
  }
  return specs;
}

/**
 * Filters for the partitions whose master (replica 0) is one of `nodes`. `masters[p]` is the
 * master node name of partition p (undefined when unknown). Consecutive partitions are merged.
 */
export function filtersForNodes(
  masters: ArrayLike<string | undefined>,
  nodes: Iterable<string>,
): PartitionFilter[] {
  if (masters.length !== PARTITION_COUNT) {
    throw new RangeError(
      `filtersForNodes: partition map has ${masters.length} entries, expected ${PARTITION_COUNT}`,
    );
  }
  const wanted = new Set(nodes);
  const filters: PartitionFilter[] = [];
  let open: PartitionFilter | undefined;
  for (let p = 0; p < PARTITION_COUNT; p++) {
    const master = masters[p];
    if (master !== undefined && wanted.has(master)) {
      if (open) open.count++;
      else {
        open = { begin: p, count: 1 };
        filters.push(open);
      }
    } else open = undefined;
  }
  return filters;
}
