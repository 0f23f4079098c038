// A one-node Aerospike stand-in for the benchmark that costs (almost) nothing per record: every
// partition's reply proto is encoded once up front, and a partition query just writes the protos
// of the partitions it asks for (with back-pressure). It answers the info commands asbackup
// sends. Not a test double for behaviour: no filters, resume digests or limits.
import net from 'node:net';
import {
  decodeAsMsg,
  decodeInfoRequest,
  emptyHeader,
  encodeAsMsg,
  encodeBitmap,
  encodeInfoResponse,
  encodeProto,
  encodeRecordReply,
  FieldType,
  findField,
  Info3,
  PROTO_HEADER_SIZE,
  ProtoType,
  partitionIdOfDigest,
  readProtoHeader,
} from '@asbkit/cluster-client/wire';

/** Starts the server with `records` (model records of one namespace and set). */
export async function startReplayServer(records, { namespace = 'test', set = 'bench' } = {}) {
  const perPartition = Array.from({ length: 4096 }, () => []);
  for (const r of records) perPartition[partitionIdOfDigest(r.digest)].push(encodeRecordReply(r));
  const protos = perPartition.map((msgs) =>
    msgs.length > 0 ? encodeProto(ProtoType.MESSAGE, Buffer.concat(msgs)) : undefined,
  );
  const last = encodeProto(ProtoType.MESSAGE, encodeAsMsg({ ...emptyHeader(), info3: Info3.LAST }, [], []));
  const allMasters = encodeBitmap(Array.from({ length: 4096 }, (_, p) => p)).toString('base64');
  const info = {
    node: 'BENCH000000001',
    build: '8.1.2.0',
    features: 'batch-any;batch-index;pquery;pscans;peers;replicas',
    'partition-generation': '1',
    'peers-generation': '1',
    'peers-clear-std': '1,3000,[]',
    replicas: `${namespace}:0,1,${allMasters}`,
    namespaces: namespace,
    [`namespace/${namespace}`]: `objects=${records.length};effective_replication_factor=1;replication-factor=1`,
    [`sets/${namespace}`]: `ns=${namespace}:set=${set}:objects=${records.length};`,
    [`sindex-list:ns=${namespace};b64=true`]: '',
    'udf-list': '',
  };

  const write = (socket, buf) =>
    socket.write(buf) ? undefined : new Promise((resolve) => socket.once('drain', resolve));

  async function answer(socket, type, body) {
    if (type === ProtoType.INFO) {
      const pairs = decodeInfoRequest(body).map((cmd) => [cmd, info[cmd] ?? '']);
      await write(socket, encodeProto(ProtoType.INFO, encodeInfoResponse(pairs)));
      return;
    }
    const { msg } = decodeAsMsg(body);
    const pids = findField(msg, FieldType.PID_ARRAY);
    for (let i = 0; pids && i + 1 < pids.length; i += 2) {
      const proto = protos[pids.readUInt16LE(i)];
      if (proto) await write(socket, proto);
    }
    await write(socket, last);
  }

  const server = net.createServer((socket) => {
    socket.setNoDelay(true);
    let pending = Buffer.alloc(0);
    let busy = Promise.resolve();
    socket.on('error', () => {});
    socket.on('data', (chunk) => {
      pending = pending.length === 0 ? chunk : Buffer.concat([pending, chunk]);
      while (pending.length >= PROTO_HEADER_SIZE) {
        const h = readProtoHeader(pending, 0);
        if (pending.length < PROTO_HEADER_SIZE + h.size) break;
        const body = Buffer.from(pending.subarray(PROTO_HEADER_SIZE, PROTO_HEADER_SIZE + h.size));
        pending = pending.subarray(PROTO_HEADER_SIZE + h.size);
        busy = busy.then(() => answer(socket, h.type, body));
      }
    });
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    hosts: `127.0.0.1:${server.address().port}`,
    stop: () => new Promise((resolve) => server.close(resolve)),
  };
}
