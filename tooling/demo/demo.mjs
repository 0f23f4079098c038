// The README's main command: an in-memory two-node Aerospike emulator with sample data of every
// type, backed up with asbkit's asbackup, validated and restored with asrestore into a second
// namespace, then compared record by record.
import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { compareRecords, readAllRecords, startEmulator } from '@asbkit/aerospike-emulator';
import { sampleRecords } from './sample-data.mjs';

const cliOf = (app) => fileURLToPath(new URL(`../../apps/${app}/bundle/cli.js`, import.meta.url));

function run(title, cli, args) {
  console.log(`\n$ ${title} ${args.join(' ')}`);
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [cli, ...args], { stdio: ['ignore', 'inherit', 'inherit'] });
    child.on('error', reject);
    child.on('exit', (code) => (code === 0 ? resolve() : reject(new Error(`${title} exited with ${code}`))));
  });
}

const work = mkdtempSync(join(tmpdir(), 'asbkit-demo-'));
const emulator = await startEmulator({ namespaces: ['test', 'bar'], nodes: 2, log: () => {} });
try {
  const source = sampleRecords('test', 1000);
  emulator.load(source);
  console.log(`emulator: 2 nodes at ${emulator.hosts}, ${source.length} records in namespace test`);
  const dir = join(work, 'backup');
  await run('asbackup', cliOf('asbackup'), [
    '-h',
    emulator.hosts,
    '-n',
    'test',
    '-d',
    dir,
    '--parallel',
    '4',
    '-z',
    'zstd',
  ]);
  const files = readdirSync(dir).filter((f) => f.endsWith('.asb'));
  const bytes = files.reduce((n, f) => n + statSync(join(dir, f)).size, 0);
  console.log(`backup: ${files.length} file(s), ${bytes} bytes (zstd) in ${dir}`);
  await run('asrestore', cliOf('asrestore'), ['--validate', '-d', dir, '-z', 'zstd']);
  await run('asrestore', cliOf('asrestore'), [
    '-h',
    emulator.hosts,
    '-n',
    'test,bar',
    '-d',
    dir,
    '-z',
    'zstd',
  ]);
  const restored = readAllRecords(emulator, 'bar').map((r) => ({ ...r, namespace: 'test' }));
  const diffs = compareRecords(readAllRecords(emulator, 'test'), restored, {
    ignoreGeneration: true,
    voidTimeToleranceSeconds: 5,
  });
  if (diffs.length > 0) throw new Error(`restored data differs:\n${diffs.slice(0, 20).join('\n')}`);
  console.log(
    `\ndemo: ${restored.length} records restored into namespace bar, equal to the source record by record`,
  );
} finally {
  await emulator.stop();
  rmSync(work, { recursive: true, force: true });
}
