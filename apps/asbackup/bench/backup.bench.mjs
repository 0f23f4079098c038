// Backup throughput: 1,000,000 records of ~240 bytes (`+ k I`, a set, 4 bins: int, 54-byte
// string, double, 32-byte blob) from the emulator (or from a real server when AEROSPIKE_HOSTS is
// set: it then backs up the existing set `bench` of namespace `test`, populated beforehand, or
// BENCH_NAMESPACE / BENCH_SET), and
// from a replay server that serves pre-encoded replies, to show asbackup's own speed.
// The backup runs as shipped (bundle/cli.js, its own process) and reports its wall time, CPU
// and peak RSS through @asbkit/config/exit-report.
// Env: BENCH_RECORDS (default 1000000), BENCH_PARALLEL (default "1,4"), BENCH_SERVER
// (default "emulator,replay"; "real" with AEROSPIKE_HOSTS), BENCH_CPU_PROF (a
// directory: profile the backup process there).
import { spawn } from 'node:child_process';
import { mkdtemp, readdir, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startEmulator } from '@asbkit/aerospike-emulator';
import { computeDigest } from '@asbkit/partition-filters';
import { startReplayServer } from './replay-server.mjs';

const COUNT = Number(process.env.BENCH_RECORDS ?? 1_000_000);
const PARALLEL = (process.env.BENCH_PARALLEL ?? '1,4').split(',').map(Number);
const CLI = new URL('../bundle/cli.js', import.meta.url).pathname;
const REPORTER = fileURLToPath(import.meta.resolve('@asbkit/config/exit-report'));
const NAMESPACE = process.env.BENCH_NAMESPACE ?? 'test';
const SET = process.env.BENCH_SET ?? 'bench';

function record(i) {
  const key = { type: 1, value: i };
  const blob = Buffer.alloc(32, i & 0xff);
  blob.writeUInt32BE(i >>> 0, 0);
  return {
    kind: 'record',
    namespace: 'test',
    digest: computeDigest('bench', key),
    set: 'bench',
    key,
    generation: 1,
    voidTime: 0,
    bins: [
      { name: 'int', type: 1, value: i },
      { name: 'str', type: 3, value: Buffer.from(`value-${String(i).padStart(12, '0')}-${'x'.repeat(35)}`) },
      { name: 'dbl', type: 2, value: i / 7 },
      { name: 'blob', type: 4, value: blob },
    ],
  };
}

function runBackup(args) {
  return new Promise((resolve, reject) => {
    const profile = process.env.BENCH_CPU_PROF
      ? ['--cpu-prof', '--cpu-prof-dir', process.env.BENCH_CPU_PROF]
      : [];
    const child = spawn(
      process.execPath,
      [...profile, '--import', REPORTER, CLI, '--no-config-file', ...args],
      {
        stdio: ['ignore', 'ignore', 'pipe', 'pipe'],
        env: { ...process.env, CI: '1' },
      },
    );
    let stderr = '';
    let report = '';
    let scanStart;
    child.stderr.on('data', (c) => {
      stderr += c;
      if (scanStart === undefined && stderr.includes('Starting backup for')) scanStart = performance.now();
    });
    child.stdio[3].on('data', (c) => (report += c));
    child.on('error', reject);
    child.on('close', (code) => {
      if (code !== 0) reject(new Error(`asbackup exited ${code}:\n${stderr}`));
      else
        resolve({
          ...JSON.parse(report),
          scanSecs: (performance.now() - scanStart) / 1000,
          records: Number(/Backed up (\d+) record/.exec(stderr)?.[1] ?? 0),
        });
    });
  });
}

const SERVERS = (
  process.env.BENCH_SERVER ?? (process.env.AEROSPIKE_HOSTS ? 'real' : 'emulator,replay')
).split(',');

/** Starts a server holding the records; `hosts` to back up from, `stop()`. */
async function startServer(kind) {
  if (kind === 'real')
    return { hosts: process.env.AEROSPIKE_HOSTS, stop: async () => {}, cpu: 'bench process' };
  const t0 = performance.now();
  let server;
  if (kind === 'emulator') {
    const emulator = await startEmulator({ namespaces: ['test'], log: () => {} });
    for (let i = 0; i < COUNT; i += 10_000) {
      const batch = [];
      for (let j = i; j < Math.min(COUNT, i + 10_000); j++) batch.push(record(j));
      emulator.load(batch);
    }
    server = { hosts: emulator.hosts, stop: () => emulator.stop(), cpu: 'emulator' };
  } else {
    const records = Array.from({ length: COUNT }, (_, i) => record(i));
    const replay = await startReplayServer(records);
    server = { hosts: replay.hosts, stop: replay.stop, cpu: 'replay server' };
  }
  console.log(`${kind}: loaded ${COUNT} records in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
  return server;
}

const work = await mkdtemp(join(tmpdir(), 'asbackup-bench-'));
try {
  for (const kind of SERVERS) {
    const server = await startServer(kind);
    try {
      for (const parallel of PARALLEL) {
        const dir = join(work, `p${parallel}`);
        const t0 = performance.now();
        const cpu0 = process.cpuUsage();
        const { maxRssKiB, cpuMs, scanSecs, records } = await runBackup([
          '-h',
          server.hosts,
          '-n',
          kind === 'real' ? NAMESPACE : 'test',
          '-s',
          kind === 'real' ? SET : 'bench',
          '-d',
          dir,
          '--parallel',
          String(parallel),
        ]);
        const secs = (performance.now() - t0) / 1000;
        const cpu = process.cpuUsage(cpu0);
        const serverCpu = (cpu.user + cpu.system) / 1e6;
        let bytes = 0;
        for (const f of await readdir(dir)) bytes += (await stat(join(dir, f))).size;
        // The scan phase (first job start to exit) excludes connecting and the record count, which
        // the emulator answers slowly for large data sets.
        console.log(
          `asbackup from ${kind} --parallel ${parallel}: ${Math.round(records / scanSecs)} records/s, ${(bytes / 1048576 / scanSecs).toFixed(1)} MiB/s ` +
            `(${records} records, ${(bytes / 1048576).toFixed(1)} MiB; scan ${scanSecs.toFixed(2)} s, whole run ${secs.toFixed(2)} s, ` +
            `peak RSS ${(maxRssKiB / 1024).toFixed(0)} MiB; CPU: asbackup ${(cpuMs / 1000).toFixed(2)} s = ${((cpuMs * 1000) / Math.max(records, 1)).toFixed(2)} µs/record, ` +
            `${server.cpu} ${serverCpu.toFixed(2)} s)`,
        );
        await rm(dir, { recursive: true, force: true });
      }
    } finally {
      await server.stop();
    }
  }
} finally {
  await rm(work, { recursive: true, force: true });
}
