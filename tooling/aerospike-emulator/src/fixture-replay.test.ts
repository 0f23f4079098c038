// Replays the requests of real client traffic (shared/fixtures/wire) against the emulator and
// checks that every answer has the structure the real 8.1.2 server gave: info formats, the
// records of each partition query (same digests, fields, generations, void times, bins), and the
// result codes and generations of every single and batch write.

import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { ParticleType } from '@asbkit/asb-format';
import {
  type AsMsg,
  bitmapHas,
  decodeAsMsgs,
  decodeInfoResponse,
  FieldType,
  findField,
  Info3,
  PROTO_HEADER_SIZE,
  type Proto,
  ProtoType,
  parseKeyValues,
  parsePeers,
  parseReplicas,
  splitProtos,
} from '@asbkit/cluster-client/wire';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Emulator, startEmulator } from './emulator.js';
import { seedFromAsbFiles } from './seed.js';
import { WireTestClient } from './test/wire-client.js';

const fixtures = new URL('../../../../shared/fixtures/', import.meta.url);

interface Conversation {
  stream: number;
  server_port?: number;
  phase: string;
  messages: { dir: 'c2s' | 's2c'; hex: string }[];
}

function load(name: string): Conversation[] {
  return JSON.parse(readFileSync(new URL(`wire/${name}`, fixtures), 'utf8')) as Conversation[];
}

const HEX_NODE = /^[0-9A-F]{15}$/;

/** Compares one info answer of the emulator with the captured one, by command. */
function checkInfo(command: string, real: string, ours: string): void {
  const where = `info ${JSON.stringify(command)}`;
  const name = command.split(/[:/]/)[0];
  if (/^(ERROR|FAIL)/.test(real) || real.startsWith('error=')) {
    expect(ours.split(':').slice(0, 2).join(':'), where).toBe(real.split(':').slice(0, 2).join(':'));
    return;
  }
  const bitmap = /[A-Za-z0-9+/]{682}[A-Za-z0-9+/=]{2}/g;
  switch (name) {
    case 'node':
      expect(ours, where).toMatch(HEX_NODE);
      return;
    case 'build':
      expect(ours, where).toMatch(/^\d+\.\d+\.\d+\.\d+$/);
      return;
    case 'partition-generation':
    case 'peers-generation':
      expect(ours, where).toMatch(/^\d+$/);
      return;
    case 'replicas':
    case 'replicas-all':
    case 'replicas-master':
      expect(ours.replace(bitmap, 'B'), where).toBe(real.replace(bitmap, 'B'));
      return;
    case 'service-clear-std':
      expect(ours, where).toMatch(/^[\d.]+:\d+$/);
      return;
    case 'peers-clear-std':
    case 'peers-clear-alt': {
      const shape = (v: string) => {
        const p = parsePeers(v);
        return {
          defaultPort: p.defaultPort,
          peers: p.peers.map((x) => ({ tls: x.tlsName, hosts: x.hosts.length })),
        };
      };
      expect(shape(ours), where).toEqual(shape(real));
      return;
    }
    case 'cluster-stable':
      expect(ours, where).toMatch(/^[0-9A-F]{12}$/);
      return;
    case 'udf-list':
      expect(ours.replace(/hash=[0-9a-f]{40}/g, 'hash=H'), where).toBe(
        real.replace(/hash=[0-9a-f]{40}/g, 'hash=H'),
      );
      return;
    case 'namespace': {
      const r = parseKeyValues(real);
      const o = parseKeyValues(ours);
      for (const key of o.keys()) expect(r.has(key), `${where}: key ${key} unknown to the server`).toBe(true);
      for (const key of ['objects', 'effective_replication_factor', 'master_objects']) {
        expect(o.get(key), `${where}: ${key}`).toBe(r.get(key));
      }
      return;
    }
    case 'get-config': {
      const r = parseKeyValues(real);
      const o = parseKeyValues(ours);
      for (const key of o.keys()) expect(r.has(key), `${where}: key ${key} unknown to the server`).toBe(true);
      expect(o.get('batch-index-threads'), where).toBeDefined();
      return;
    }
    case 'sets': {
      // Same key order in every entry, and the same object counts for the namespaces replayed.
      const entries = (v: string) =>
        v
          .split(';')
          .filter(Boolean)
          .map((e) => parseKeyValues(e, ':'));
      const realEntries = entries(real);
      for (const entry of entries(ours)) {
        const match = realEntries.find(
          (e) => e.get('ns') === entry.get('ns') && e.get('set') === entry.get('set'),
        );
        expect(match, `${where}: ${entry.get('ns')}/${entry.get('set')}`).toBeDefined();
        expect([...entry.keys()], where).toEqual([...match!.keys()]);
        expect(entry.get('objects'), where).toBe(match!.get('objects'));
      }
      return;
    }
    case 'sindex': {
      expect([...parseKeyValues(ours).keys()], where).toEqual([...parseKeyValues(real).keys()]);
      return;
    }
    default:
      // features, namespaces, peers on one node, sindex-list, sindex-create, udf-get, udf-put,
      // user-agent-set: the same text.
      expect(ours, where).toBe(real);
  }
}

/** The bytes of a bin value the way a backup keeps them (GeoJSON without the server's cells). */
function backupValueOf(op: AsMsg['ops'][number]): string {
  if (op.particleType === ParticleType.GEOJSON) {
    const cells = op.value.readUInt16BE(1);
    return op.value.subarray(3 + 8 * cells).toString('hex');
  }
  return op.value.toString('hex');
}

/** Void times are compared exactly for seeded data; for data written during the replay only
 *  "never expires" vs "expires" (the TTL was counted from the capture's clock). */
function recordView(msg: AsMsg, exactVoidTime: boolean) {
  return {
    info1: msg.info1,
    generation: msg.generation,
    voidTime: exactVoidTime ? msg.recordTtl : msg.recordTtl === 0,
    fields: msg.fields.map((f) => f.type),
    key: findField(msg, FieldType.KEY)?.toString('hex'),
    set: findField(msg, FieldType.SET)?.toString('utf8'),
    bins: msg.ops
      .map((o) => `${o.op}/${o.particleType}/${o.name.toString('utf8')}=${backupValueOf(o)}`)
      .sort(),
  };
}

function messagesOf(protos: Proto[]): AsMsg[] {
  return protos.filter((p) => p.type === ProtoType.MESSAGE).flatMap((p) => decodeAsMsgs(p.body));
}

/** Compares the emulator's reply to an AS_MSG request with the captured reply. */
interface ReplayStats {
  requests: number;
  infoCommands: number;
  records: number;
  replies: number;
  /** Requests with ops the emulator refuses (CDT/HLL modify): answered with 4, record skipped. */
  refused: number;
  skippedDigests: Set<string>;
  exactVoidTime: boolean;
}

function checkMessageReply(phase: string, real: AsMsg[], ours: AsMsg[], stats: ReplayStats): void {
  const records = (msgs: AsMsg[]) =>
    new Map(
      msgs
        .filter((m) => findField(m, FieldType.DIGEST))
        .map((m) => [findField(m, FieldType.DIGEST)!.toString('hex'), m] as const)
        .filter(([digest]) => !stats.skippedDigests.has(digest)),
    );
  const realRecords = records(real);
  const ourRecords = records(ours);
  expect([...ourRecords.keys()].sort(), `${phase}: digests returned`).toEqual([...realRecords.keys()].sort());
  for (const [digest, msg] of realRecords) {
    expect(recordView(ourRecords.get(digest)!, stats.exactVoidTime), `${phase}: record ${digest}`).toEqual(
      recordView(msg, stats.exactVoidTime),
    );
    stats.records++;
  }
  // Record-less messages: write results, batch rows (by index), markers and LAST.
  const rest = (msgs: AsMsg[]) =>
    msgs
      .filter((m) => !findField(m, FieldType.DIGEST))
      .map((m) => ({
        result: m.resultCode,
        info3: m.info3 & (Info3.LAST | Info3.PARTITION_DONE),
        generation: m.generation,
        neverExpires: m.recordTtl === 0,
        row: m.transactionTtl,
        ops: m.ops.map((o) => `${o.op}/${o.particleType}/${o.name.toString('utf8')}/${o.value.length}`),
      }))
      .sort((a, b) => a.row - b.row);
  const realRest = rest(real);
  expect(rest(ours), `${phase}: replies`).toEqual(realRest);
  stats.replies += realRest.length;
}

/** Digest of a single-record request carrying ops other than READ/WRITE, else undefined. */
function refusedOps(request: Buffer): string | undefined {
  const [msg] = decodeAsMsgs(request.subarray(PROTO_HEADER_SIZE));
  const digest = findField(msg, FieldType.DIGEST);
  if (!digest || msg.ops.every((o) => o.op === 1 || o.op === 2)) return undefined;
  return digest.toString('hex');
}

async function replay(
  emulator: Emulator,
  conversations: Conversation[],
  exactVoidTime: boolean,
  portOf?: (c: Conversation) => number,
): Promise<ReplayStats> {
  const stats: ReplayStats = {
    requests: 0,
    infoCommands: 0,
    records: 0,
    replies: 0,
    refused: 0,
    skippedDigests: new Set(),
    exactVoidTime,
  };
  for (const conversation of conversations) {
    const client = await WireTestClient.connect(portOf ? portOf(conversation) : emulator.nodes[0].port);
    try {
      const msgs = conversation.messages;
      for (let i = 0; i < msgs.length; i++) {
        if (msgs[i].dir !== 'c2s') continue;
        const request = Buffer.from(msgs[i].hex, 'hex');
        const realReply = msgs[i + 1]?.dir === 's2c' ? splitProtos(Buffer.from(msgs[i + 1].hex, 'hex')) : [];
        const ours = await client.request(request);
        stats.requests++;
        if (request[1] === ProtoType.INFO) {
          const asked = request.subarray(PROTO_HEADER_SIZE).toString('utf8').split('\n').filter(Boolean);
          const real = decodeInfoResponse(realReply[0].body);
          const answer = decodeInfoResponse(ours[0].body);
          expect([...answer.keys()]).toEqual(asked);
          for (const command of asked) checkInfo(command, real.get(command)!, answer.get(command)!);
          stats.infoCommands += asked.length;
        } else if (refusedOps(request)) {
          // Ops outside what the emulator implements must be refused loudly, never half-applied.
          const reply = messagesOf(ours);
          expect(reply.map((m) => m.resultCode)).toEqual([4]);
          stats.refused++;
          stats.skippedDigests.add(refusedOps(request)!);
        } else {
          checkMessageReply(
            `${conversation.phase}#${conversation.stream}`,
            messagesOf(realReply),
            messagesOf(ours),
            stats,
          );
        }
      }
    } finally {
      client.close();
    }
  }
  return stats;
}

describe('replay of official asbackup/asrestore 4.5.8 traffic', () => {
  let emulator: Emulator;
  beforeAll(async () => {
    emulator = await startEmulator({ namespaces: ['test', 'bar'], log: () => {} });
    await seedFromAsbFiles(emulator, [fileURLToPath(new URL('official-backups/full-compact.asb', fixtures))]);
  });
  afterAll(() => emulator.stop());

  it('answers every request with the structure of the real server', async () => {
    const conversations = load('official-tools-wire.json');
    const stats = await replay(emulator, conversations, true);
    const sent = conversations.flatMap((c) => c.messages).filter((m) => m.dir === 'c2s').length;
    // Every request replayed; 9 backups' records compared one by one; every write result checked.
    expect(stats).toMatchObject({ requests: sent, records: 1071, refused: 0 });
    expect(stats.infoCommands).toBeGreaterThan(250);
    expect(stats.replies).toBeGreaterThan(163 * 5);
    expect(emulator.records('bar').length).toBe(163);
  });
});

describe('replay of official Node.js client 6.7.1 traffic', () => {
  let emulator: Emulator;
  beforeAll(async () => {
    emulator = await startEmulator({ namespaces: ['test', 'bar'], log: () => {} });
  });
  afterAll(() => emulator.stop());

  it('answers every request with the structure of the real server', async () => {
    const conversations = load('node-client-wire.json');
    const stats = await replay(emulator, conversations, false);
    const sent = conversations.flatMap((c) => c.messages).filter((m) => m.dir === 'c2s').length;
    expect(stats.requests).toBe(sent);
    // The three ordered-CDT puts use CDT_MODIFY ops, which the emulator refuses with 4.
    expect(stats).toMatchObject({ requests: sent, refused: 3, records: 181 });
    expect(stats.replies).toBeGreaterThan(150);
  });
});

describe('replay of the 2-node cluster traffic (Node.js client and asbackup)', () => {
  let emulator: Emulator;
  const conversations = load('two-node-wire.json');
  const ports = [3000, 3100];

  beforeAll(async () => {
    // Give the emulator the captured cluster's partition ownership, read from its replicas answer.
    const first = conversations.find((c) => c.server_port === 3000)!;
    let masters: number[] | undefined;
    for (const m of first.messages) {
      const body = Buffer.from(m.hex, 'hex');
      if (m.dir !== 's2c' || body[1] !== ProtoType.INFO) continue;
      const replicas = decodeInfoResponse(body.subarray(PROTO_HEADER_SIZE)).get('replicas');
      if (!replicas) continue;
      const bitmap = parseReplicas(replicas).get('test')!.bitmaps[0];
      masters = Array.from({ length: 4096 }, (_, pid) => (bitmapHas(bitmap, pid) ? 0 : 1));
      break;
    }
    emulator = await startEmulator({
      namespaces: ['test', 'bar'],
      nodes: 2,
      replicationFactor: 2,
      partitionMasters: masters,
      log: () => {},
    });
  });
  afterAll(() => emulator.stop());

  it('answers every request of each node like that node did', async () => {
    const stats = await replay(
      emulator,
      conversations,
      false,
      (c) => emulator.nodes[ports.indexOf(c.server_port!)].port,
    );
    const sent = conversations.flatMap((c) => c.messages).filter((m) => m.dir === 'c2s').length;
    expect(stats).toMatchObject({ requests: sent, refused: 0 });
    // 2000 records in the all-partitions query, 978 in the 0-2047 one, 2000 in the backup.
    expect(stats.records).toBeGreaterThan(4000);
  });
});
