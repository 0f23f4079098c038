#!/usr/bin/env node
// aerospike-emulator: starts an emulated cluster on 127.0.0.1 and prints one JSON line
// `{"hosts":"127.0.0.1:P1,...","nodes":[...]}` on stdout. Then reads JSON control lines on stdin
// (see control.ts); exits on `{"cmd":"stop"}`, end of stdin, SIGINT or SIGTERM.
//
//   aerospike-emulator [--nodes N] [--namespaces test,bar] [--replication-factor R]
//                      [--seed file.asb ...] [--user name:password ...] [--ports P1,P2]
//                      [--tls-key key.pem --tls-cert cert.pem [--tls-ca ca.pem]]

import { readFileSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { parseArgs } from 'node:util';
import { type ControlRequest, runControl } from './control.js';
import { startEmulator } from './emulator.js';
import { seedFromAsbFiles } from './seed.js';

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      nodes: { type: 'string', default: '1' },
      namespaces: { type: 'string', default: 'test' },
      'replication-factor': { type: 'string', default: '1' },
      seed: { type: 'string', multiple: true, default: [] },
      user: { type: 'string', multiple: true, default: [] },
      ports: { type: 'string' },
      'tls-key': { type: 'string' },
      'tls-cert': { type: 'string' },
      'tls-ca': { type: 'string' },
    },
  });
  const users = values.user.length
    ? Object.fromEntries(values.user.map((u) => [u.slice(0, u.indexOf(':')), u.slice(u.indexOf(':') + 1)]))
    : undefined;
  const tls =
    values['tls-key'] && values['tls-cert']
      ? {
          key: readFileSync(values['tls-key']),
          cert: readFileSync(values['tls-cert']),
          ca: values['tls-ca'] ? readFileSync(values['tls-ca']) : undefined,
        }
      : undefined;
  const emulator = await startEmulator({
    nodes: Number(values.nodes),
    namespaces: values.namespaces.split(','),
    replicationFactor: Number(values['replication-factor']),
    ports: values.ports?.split(',').map(Number),
    users,
    tls,
  });
  for (const file of values.seed) await seedFromAsbFiles(emulator, [file]);
  process.stdout.write(`${JSON.stringify({ hosts: emulator.hosts, nodes: emulator.nodes })}\n`);

  let stopping = false;
  const stop = async () => {
    if (stopping) return;
    stopping = true;
    await emulator.stop();
    process.exit(0);
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
  const lines = createInterface({ input: process.stdin });
  lines.on('line', async (line) => {
    if (!line.trim()) return;
    let answer: Record<string, unknown>;
    try {
      answer = await runControl(emulator, JSON.parse(line) as ControlRequest);
    } catch (err) {
      answer = { ok: false, error: (err as Error).message };
    }
    process.stdout.write(`${JSON.stringify(answer)}\n`);
    if ((JSON.parse(line) as ControlRequest).cmd === 'stop') process.exit(0);
  });
  lines.on('close', stop);
}

main().catch((err) => {
  process.stderr.write(`aerospike-emulator: ${(err as Error).stack ?? err}\n`);
  process.exit(1);
});
