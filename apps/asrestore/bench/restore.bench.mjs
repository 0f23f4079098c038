// asrestore benchmark: restores RECORDS (default 1,000,000) records of ~240 bytes each from one
// .asb file into a local server and prints records/s, MiB/s, CPU and peak RSS of the restore
// process. Server: a real one when AEROSPIKE_HOSTS is set; else the emulator (its own process)
// and then the ack server (acknowledges every write unread), which shows asrestore's own limit.
//   pnpm --filter @asbkit/asrestore... build && pnpm --filter @asbkit/asrestore bench
import { spawn } from 'node:child_process';
import { createWriteStream, existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startEmulatorProcess } from '@asbkit/aerospike-emulator';
import { AsbEncoder, ParticleType } from '@asbkit/asb-format';

const CLI = new URL('../bundle/cli.js', import.meta.url).pathname;
const REPORTER = fileURLToPath(import.meta.resolve('@asbkit/config/exit-report'));
const RECORDS = Number(process.env.RECORDS ?? 1_000_000);
const EXTRA = (process.env.ASRESTORE_ARGS ?? '').split(' ').filter(Boolean);
const dir = mkdtempSync(join(tmpdir(), 'asrestore-bench-'));
// BENCH_FILE=path keeps the generated file there (and reuses it when it exists).
const file = process.env.BENCH_FILE ?? join(dir, 'bench.asb');

async function writeBackup() {
  const out = createWriteStream(file);
  const enc = new AsbEncoder({ compact: false });
  enc.writeHeader({ namespace: 'test', firstFile: true });
  const text = Buffer.from('x'.repeat(60));
  const blob = Buffer.alloc(24, 7);
  for (let i = 0; i < RECORDS; i++) {
    const digest = Buffer.alloc(20);
    digest.writeUInt32LE((i * 2654435761) >>> 0, 0);
    digest.writeUInt32LE(i, 4);
    enc.writeRecord({
      kind: 'record',
      namespace: 'test',
      digest,
      set: 'bench',
      key: { type: ParticleType.INTEGER, value: i },
      generation: 1,
      voidTime: 0,
      bins: [
        { name: 'id', type: ParticleType.INTEGER, value: i },
        { name: 'name', type: ParticleType.STRING, value: text },
        { name: 'score', type: ParticleType.FLOAT, value: i / 7 },
        { name: 'blob', type: ParticleType.BLOB, value: blob },
      ],
    });
    if (enc.length > 1 << 20 && !out.write(enc.takeChunk())) await new Promise((r) => out.once('drain', r));
  }
  out.end(enc.takeChunk());
  await new Promise((r) => out.on('finish', r));
}

/** CPU seconds used so far by a local process (Linux /proc), or undefined. */
function cpuSecondsOf(pid) {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
    return (Number(fields[11]) + Number(fields[12])) / 100;
  } catch {
    return undefined;
  }
}

function runRestore(hosts) {
  const args = ['--no-config-file', '-h', hosts, '-i', file, ...EXTRA];
  // the restore runs as shipped; @asbkit/config/exit-report writes its numbers to fd 3
  const child = spawn(process.execPath, ['--import', REPORTER, CLI, ...args], {
    stdio: ['ignore', 'ignore', 'pipe', 'pipe'],
    env: { ...process.env, CI: '1' },
  });
  let out = '';
  let err = '';
  child.stdio[3].on('data', (c) => (out += c));
  child.stderr.on('data', (c) => (err += c));
  return new Promise((resolve) =>
    child.on('close', () => resolve({ ...JSON.parse(out.trim().split('\n').at(-1) ?? '{}'), log: err })),
  );
}

/** The ack server in a child process. */
async function startAckServer() {
  const child = spawn(process.execPath, [new URL('./ack-server.mjs', import.meta.url).pathname], {
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  const port = await new Promise((resolve) => child.stdout.once('data', (d) => resolve(String(d).trim())));
  return { hosts: `127.0.0.1:${port}`, pid: child.pid, stop: () => child.stdin.end() };
}

function report(name, r, serverCpu) {
  if (r.code !== 0) {
    console.error(r.log);
    process.exitCode = 1;
    return;
  }
  const secs = r.ms / 1000;
  console.log(
    `${name}: ${Math.round(RECORDS / secs)} records/s, ${(bytes / 1048576 / secs).toFixed(1)} MiB/s, ` +
      `${secs.toFixed(2)} s wall, ${(r.cpuMs / 1000).toFixed(2)} s CPU (${((r.cpuMs * 1000) / RECORDS).toFixed(2)} µs/record), ` +
      `peak RSS ${Math.round(r.maxRssKiB / 1024)} MiB` +
      (serverCpu === undefined ? '' : `; server used ${serverCpu.toFixed(2)} s CPU`),
  );
}

if (!process.env.BENCH_FILE || !existsSync(file)) await writeBackup();
const bytes = statSync(file).size;
console.log(`backup: ${RECORDS} records, ${bytes} bytes (${(bytes / RECORDS).toFixed(0)} B/record)`);
try {
  if (process.env.AEROSPIKE_HOSTS) {
    report(`asrestore → ${process.env.AEROSPIKE_HOSTS}`, await runRestore(process.env.AEROSPIKE_HOSTS));
  } else {
    const ack = await startAckServer();
    try {
      const before = cpuSecondsOf(ack.pid);
      const r = await runRestore(ack.hosts);
      report('asrestore → ack server', r, cpuSecondsOf(ack.pid) - before);
    } finally {
      ack.stop();
    }
    if (!process.env.SKIP_EMULATOR) {
      const emulator = await startEmulatorProcess(['--namespaces', 'test']);
      try {
        const before = cpuSecondsOf(emulator.pid);
        const r = await runRestore(emulator.hosts);
        report('asrestore → emulator', r, cpuSecondsOf(emulator.pid) - before);
        const held = await emulator.control({ cmd: 'count', namespace: 'test' });
        if (held.count !== RECORDS) {
          console.error(`the emulator holds ${held.count} records, expected ${RECORDS}`);
          process.exitCode = 1;
        }
      } finally {
        await emulator.stop();
      }
    }
  }
} finally {
  if (!process.env.BENCH_FILE) rmSync(dir, { recursive: true, force: true });
}
