// Internal authentication (admin protocol) and TLS, as the clients use them.

import { readFileSync, rmSync } from 'node:fs';
import { connect as tlsConnect } from 'node:tls';
import { generateTestCerts, type TestCerts } from '@asbkit/cluster-client/test';
import {
  decodeAdminMessage,
  decodeInfoResponse,
  encodeAuthenticate,
  encodeInfoRequest,
  encodeLogin,
  PROTO_HEADER_SIZE,
  readProtoHeader,
} from '@asbkit/cluster-client/wire';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { credentialOf } from './auth.js';
import { type Emulator, startEmulator } from './emulator.js';
import { WireTestClient } from './test/wire-client.js';

/** bcrypt("admin") with the clients' fixed salt (wire-protocol §9). */
const ADMIN_CREDENTIAL = '$2a$10$7EqJtq98hPqEX7fNZaFWoO1mVO/4MLpGzsqojz6E9Gef6iXDjXdDa';

describe('internal authentication', () => {
  let emulator: Emulator;
  beforeAll(async () => {
    emulator = await startEmulator({ users: { admin: 'admin' }, log: () => {} });
  });
  afterAll(() => emulator.stop());

  const admin = async (client: WireTestClient, request: Buffer) =>
    decodeAdminMessage((await client.request(request))[0].body);
  const info = async (client: WireTestClient, command: string) =>
    decodeInfoResponse((await client.request(encodeInfoRequest([command])))[0].body).get(command);

  it('hashes passwords like the clients do', () => {
    expect(credentialOf('admin')).toBe(ADMIN_CREDENTIAL);
  });

  it('logs in, hands out a session token and accepts it on a new connection', async () => {
    const first = await WireTestClient.connect(emulator.nodes[0].port);
    expect(await info(first, 'node')).toBe('ERROR:80:not authenticated');
    const login = await admin(
      first,
      encodeLogin({ mode: 'internal', user: 'admin', credential: ADMIN_CREDENTIAL }),
    );
    expect(login.resultCode).toBe(0);
    const token = login.fields.find((f) => f.id === 5)!.data;
    expect(login.fields.find((f) => f.id === 6)!.data.readUInt32BE(0)).toBeGreaterThan(60);
    expect(await info(first, 'node')).toBe(emulator.nodes[0].name);
    first.close();

    const second = await WireTestClient.connect(emulator.nodes[0].port);
    expect((await admin(second, encodeAuthenticate('admin', Buffer.from(token)))).resultCode).toBe(0);
    expect(await info(second, 'build')).toBe('8.1.2.0');
    second.close();

    emulator.expireSessions();
    const third = await WireTestClient.connect(emulator.nodes[0].port);
    expect((await admin(third, encodeAuthenticate('admin', Buffer.from(token)))).resultCode).toBe(66);
    third.close();
  });

  it('refuses unknown users and wrong passwords', async () => {
    const client = await WireTestClient.connect(emulator.nodes[0].port);
    const bad = credentialOf('nope');
    expect(
      (await admin(client, encodeLogin({ mode: 'internal', user: 'admin', credential: bad }))).resultCode,
    ).toBe(62);
    expect(
      (await admin(client, encodeLogin({ mode: 'internal', user: 'who', credential: bad }))).resultCode,
    ).toBe(60);
    client.close();
  });

  it('answers 51 (security not supported) like Community Edition when no users are configured', async () => {
    const ce = await startEmulator({ log: () => {} });
    const client = await WireTestClient.connect(ce.nodes[0].port);
    const reply = await client.request(
      encodeLogin({ mode: 'internal', user: 'admin', credential: ADMIN_CREDENTIAL }),
    );
    expect(reply[0].body[1]).toBe(51);
    client.close();
    await ce.stop();
  });
});

describe('TLS', () => {
  let certs: TestCerts;
  let emulator: Emulator;
  beforeAll(async () => {
    certs = generateTestCerts('localhost');
    emulator = await startEmulator({
      nodes: 2,
      tls: { key: readFileSync(certs.serverKey), cert: readFileSync(certs.serverCert), name: 'localhost' },
      log: () => {},
    });
  });
  afterAll(async () => {
    await emulator.stop();
    rmSync(certs.dir, { recursive: true, force: true });
  });

  it('serves info over TLS verified against the test CA and advertises TLS peers', async () => {
    const socket = tlsConnect({
      host: '127.0.0.1',
      port: emulator.nodes[0].port,
      ca: readFileSync(certs.caFile),
      servername: 'localhost',
    });
    await new Promise<void>((resolve, reject) => socket.once('secureConnect', resolve).once('error', reject));
    socket.write(encodeInfoRequest(['node', 'peers-tls-std', 'peers-clear-std']));
    let reply = Buffer.alloc(0);
    while (
      reply.length < PROTO_HEADER_SIZE ||
      reply.length < PROTO_HEADER_SIZE + readProtoHeader(reply).size
    ) {
      reply = Buffer.concat([reply, await new Promise<Buffer>((resolve) => socket.once('data', resolve))]);
    }
    socket.destroy();
    const answers = decodeInfoResponse(reply.subarray(PROTO_HEADER_SIZE));
    expect(answers.get('node')).toBe(emulator.nodes[0].name);
    expect(answers.get('peers-tls-std')).toBe(
      `2,3000,[[${emulator.nodes[1].name},localhost,[127.0.0.1:${emulator.nodes[1].port}]]]`,
    );
    expect(answers.get('peers-clear-std')).toBe('2,3000,[]');
  });

  it('demands a client certificate signed by the given CA with requestCert (mutual TLS)', async () => {
    const ca = readFileSync(certs.caFile);
    const mutual = await startEmulator({
      tls: {
        key: readFileSync(certs.serverKey),
        cert: readFileSync(certs.serverCert),
        ca,
        requestCert: true,
      },
      log: () => {},
    });
    const client = {
      key: readFileSync(certs.clientKey),
      passphrase: certs.clientKeyPassword,
      cert: readFileSync(certs.clientCert),
    };
    const attempt = (withCert: boolean) =>
      new Promise<string>((resolve) => {
        const socket = tlsConnect({
          host: '127.0.0.1',
          port: mutual.nodes[0].port,
          ca,
          servername: 'localhost',
          ...(withCert ? client : {}),
        });
        socket.once('error', (err) => resolve(`error: ${err.message}`));
        socket.once('close', () => resolve('closed'));
        socket.once('secureConnect', () => socket.write(encodeInfoRequest(['node'])));
        socket.once('data', (data) => {
          resolve(data.subarray(PROTO_HEADER_SIZE).toString());
          socket.destroy();
        });
      });
    expect(await attempt(true)).toBe(`node\t${mutual.nodes[0].name}\n`);
    expect(await attempt(false)).toMatch(/error|closed/);
    await mutual.stop();
  });
});
