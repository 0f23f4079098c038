import net from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { encodeCompressedProto, encodeProto } from '../wire/proto.js';
import { Connection } from './connection.js';
import { replyMemory } from './reply-memory.js';

const servers: net.Server[] = [];
const sockets = new Set<net.Socket>();
afterEach(async () => {
  for (const s of sockets) s.destroy();
  sockets.clear();
  for (const s of servers.splice(0)) await new Promise((r) => s.close(r));
});

async function serve(onConn: (s: net.Socket) => void): Promise<number> {
  const server = net.createServer((s) => {
    sockets.add(s);
    onConn(s);
  });
  servers.push(server);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return (server.address() as net.AddressInfo).port;
}

describe('Connection', () => {
  it('reassembles protos split across and packed into TCP chunks, inflating type 4', async () => {
    const a = encodeProto(1, Buffer.from('node\tA\n'));
    const b = encodeProto(3, Buffer.alloc(70_000, 7));
    const c = encodeCompressedProto(encodeProto(3, Buffer.alloc(300, 9)));
    const empty = encodeProto(3, Buffer.alloc(0));
    const all = Buffer.concat([a, b, c, empty]);
    const port = await serve((s) => {
      s.once('data', async () => {
        // dribble: 1 byte, then 5, then the rest in 3 pieces
        const cuts = [1, 6, 20_000, 60_000, all.length - empty.length, all.length];
        let prev = 0;
        for (const cut of cuts) {
          s.write(all.subarray(prev, cut));
          prev = cut;
          await new Promise((r) => setTimeout(r, 5));
        }
      });
    });
    const conn = await Connection.connect({ host: '127.0.0.1', port });
    await conn.send(Buffer.from('go'));
    const p1 = await conn.readProto(5000);
    const p2 = await conn.readProto(5000);
    const p3 = await conn.readProto(5000);
    expect(p1).toEqual({ type: 1, body: Buffer.from('node\tA\n') });
    expect(p2.type).toBe(3);
    expect(p2.body.equals(Buffer.alloc(70_000, 7))).toBe(true);
    // a big body owns its memory whole, so it can be transferred to a worker thread
    expect(replyMemory.ownsMemory(p2.body)).toBe(true);
    expect(replyMemory.ownsMemory(p1.body)).toBe(false);
    expect(p3).toEqual({ type: 3, body: Buffer.alloc(300, 9) });
    expect(await conn.readProto(5000)).toEqual({ type: 3, body: Buffer.alloc(0) });
    conn.close();
  });

  it('reads big bodies straight into their memory, cut anywhere, followed by small protos', async () => {
    const pattern = (n: number, seed: number) =>
      Buffer.from(Array.from({ length: n }, (_, i) => (i * 7 + seed) & 0xff));
    const bodies = [pattern(300_000, 1), pattern(10, 2), pattern(200_000, 3), pattern(65_536, 4)];
    const all = Buffer.concat([
      ...bodies.map((b) => encodeProto(3, b)),
      encodeCompressedProto(encodeProto(3, pattern(150_000, 5))),
    ]);
    const port = await serve((s) => {
      s.once('data', async () => {
        // uneven pieces, some ending inside headers
        for (let at = 0, step = 1; at < all.length; step = (step * 5 + 3) % 90_000) {
          s.write(all.subarray(at, at + step + 1));
          at += step + 1;
          await new Promise((r) => setImmediate(r));
        }
      });
    });
    const conn = await Connection.connect({ host: '127.0.0.1', port });
    await conn.send(Buffer.from('go'));
    for (const b of bodies) expect((await conn.readProto(5000)).body.equals(b)).toBe(true);
    expect((await conn.readProto(5000)).body.equals(pattern(150_000, 5))).toBe(true);
    conn.close();
  });

  it('holds the bytes after a waiting reply as they are, and finishes them when it is read', async () => {
    const pattern = (n: number, seed: number) =>
      Buffer.from(Array.from({ length: n }, (_, i) => (i * 13 + seed) & 0xff));
    const bodies = [pattern(300_000, 1), pattern(20, 2), pattern(300_000, 3), pattern(5, 4)];
    const port = await serve((s) =>
      s.on('data', () => s.write(Buffer.concat(bodies.map((b) => encodeProto(3, b))))),
    );
    for (const highWaterMark of [undefined, 0]) {
      const conn = await Connection.connect({ host: '127.0.0.1', port }, { highWaterMark });
      await conn.send(Buffer.from('go'));
      await new Promise((r) => setTimeout(r, 100)); // everything has arrived; nothing was read
      for (const b of bodies) expect((await conn.readProto(5000)).body.equals(b)).toBe(true);
      // with nothing queued, a reply is read whole even when no read-ahead is allowed
      await conn.send(Buffer.from('go'));
      for (const b of bodies) expect((await conn.readProto(5000)).body.equals(b)).toBe(true);
      conn.close();
    }
  });

  it('times out when the server stays silent, naming the host', async () => {
    const port = await serve(() => {});
    const conn = await Connection.connect({ host: '127.0.0.1', port });
    await expect(conn.request(Buffer.from('x'), 50)).rejects.toMatchObject({
      code: 'TIMEOUT',
      message: expect.stringContaining(`127.0.0.1:${port}`),
    });
    expect(conn.isOpen).toBe(false);
  });

  it('rejects a pending read when the peer closes, and refuses a bad proto header', async () => {
    const port = await serve((s) => s.once('data', () => s.end(Buffer.from('0203', 'hex'))));
    const conn = await Connection.connect({ host: '127.0.0.1', port });
    await expect(conn.request(Buffer.from('x'), 5000)).rejects.toMatchObject({ code: 'CONNECTION' });
    const port2 = await serve((s) => s.once('data', () => s.write(Buffer.from('0903000000000000', 'hex'))));
    const conn2 = await Connection.connect({ host: '127.0.0.1', port: port2 });
    await expect(conn2.request(Buffer.from('x'), 5000)).rejects.toThrow(/proto version 9/);
  });

  it('fails to connect with a clear error', async () => {
    const port = await serve(() => {});
    await new Promise((r) => servers.pop()!.close(r));
    await expect(Connection.connect({ host: '127.0.0.1', port })).rejects.toMatchObject({
      code: 'CONNECTION',
      message: expect.stringMatching(new RegExp(`127.0.0.1:${port}: .*ECONNREFUSED`)),
    });
  });

  it('pauses the socket while the consumer is slow (bounded buffering)', async () => {
    const proto = encodeProto(3, Buffer.alloc(64 * 1024, 1));
    let written = 0;
    let stop = false;
    let resolveFull: () => void;
    const full = new Promise<void>((r) => (resolveFull = r));
    const port = await serve((s) => {
      s.once('data', async () => {
        while (!stop) {
          written += proto.length;
          if (!s.write(proto)) {
            // the kernel buffers filled up: the client stopped reading
            resolveFull();
            await new Promise((r) => s.once('drain', r));
          }
        }
      });
      s.on('error', () => {});
    });
    const conn = await Connection.connect({ host: '127.0.0.1', port }, { highWaterMark: 256 * 1024 });
    await conn.send(Buffer.from('go'));
    // Without pausing, the client would swallow everything and the server would never stall.
    await full;
    expect(written).toBeLessThan(32 * 1024 * 1024);
    // Reading resumes the flow: every proto arrives intact.
    for (let i = 0; i < 40; i++) {
      const p = await conn.readProto(5000);
      expect(p.body.length).toBe(64 * 1024);
    }
    stop = true;
    conn.close();
  }, 10_000);
});
