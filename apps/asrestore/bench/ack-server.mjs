// A one-node "server" that acknowledges every write as fast as it can, to measure asrestore's
// own throughput without a real server's (or the emulator's) cost. It answers the info commands
// a client needs to connect (one namespace `test`, every partition mastered here), batch writes
// (one OK row per record, then LAST) and single writes (OK). Prints its port, then serves.
import net from 'node:net';

const NODE = 'BENCHACK00000001';
const allPartitions = Buffer.alloc(512, 0xff).toString('base64');
const INFO = {
  node: NODE,
  build: '8.1.2.0',
  edition: 'Aerospike Community Edition',
  features: 'batch-any;batch-index;peers;pquery;replicas',
  'partition-generation': '1',
  'peers-generation': '1',
  'peers-clear-std': '0,3000,[]',
  namespaces: 'test',
  replicas: `test:0,1,${allPartitions}`,
  'get-config:context=service': 'batch-index-threads=4',
};

function proto(type, body) {
  const head = Buffer.alloc(8);
  head[0] = 2;
  head[1] = type;
  head.writeUIntBE(body.length, 2, 6);
  return Buffer.concat([head, body]);
}

function infoReply(body) {
  const out = body
    .toString('utf8')
    .split('\n')
    .filter((c) => c !== '')
    .map(
      (c) => `${c}\t${c.startsWith('user-agent-set') ? 'ok' : (INFO[c] ?? 'ERROR:4:unrecognized command')}\n`,
    )
    .join('');
  return proto(1, Buffer.from(out));
}

/** A 22-byte as_msg with `result`, `index` in transaction_ttl and info3 `info3`. */
function putAck(buf, off, index, info3) {
  buf[off] = 22;
  buf[off + 3] = info3;
  buf.writeUInt32BE(1, off + 6); // generation
  buf.writeUInt32BE(index, off + 14);
}

/** Row indexes of a batch-write body (as_msg + fields), following the row layout of spec §8.1. */
function batchRowIndexes(body) {
  const nFields = body.readUInt16BE(18);
  let off = 22;
  for (let f = 0; f < nFields; f++) {
    const size = body.readUInt32BE(off);
    if (body[off + 4] === 41) {
      const count = body.readUInt32BE(off + 5);
      let p = off + 10;
      const indexes = new Array(count);
      for (let r = 0; r < count; r++) {
        indexes[r] = body.readUInt32BE(p);
        const flags = body[p + 24];
        p += 25;
        if (flags & 0x01) continue; // REPEAT: nothing else in the row
        p += 1; // info1
        if (flags & 0x02) p += 2;
        if (flags & 0x10) p += 1;
        if (flags & 0x04) p += 2;
        if (flags & 0x08) p += 4;
        const fields = body.readUInt16BE(p);
        const ops = body.readUInt16BE(p + 2);
        p += 4;
        for (let i = 0; i < fields + ops; i++) p += 4 + body.readUInt32BE(p);
      }
      return indexes;
    }
    off += 4 + size;
  }
  return [];
}

function messageReply(body) {
  if (body[1] & 0x08) {
    const rows = batchRowIndexes(body);
    const out = Buffer.alloc(22 * (rows.length + 1));
    for (let i = 0; i < rows.length; i++) putAck(out, 22 * i, rows[i], 0);
    putAck(out, 22 * rows.length, 0, 0x01);
    return proto(3, out);
  }
  const out = Buffer.alloc(22);
  putAck(out, 0, 0, 0);
  return proto(3, out);
}

const server = net.createServer((sock) => {
  sock.setNoDelay(true);
  let pending = Buffer.alloc(0);
  sock.on('data', (chunk) => {
    pending = pending.length === 0 ? chunk : Buffer.concat([pending, chunk]);
    const replies = [];
    while (pending.length >= 8) {
      const size = pending.readUIntBE(2, 6);
      if (pending.length < 8 + size) break;
      const body = pending.subarray(8, 8 + size);
      replies.push(pending[1] === 1 ? infoReply(body) : messageReply(body));
      pending = pending.subarray(8 + size);
    }
    if (replies.length > 0) sock.write(replies.length === 1 ? replies[0] : Buffer.concat(replies));
  });
  sock.on('error', () => {});
});
server.listen(0, '127.0.0.1', () => {
  process.stdout.write(`${server.address().port}\n`);
});
process.stdin.on('end', () => process.exit(0));
process.stdin.resume();
