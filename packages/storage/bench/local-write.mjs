// Writes 240-byte records, batched into 64 KiB chunks, through a directory sink with rotation.
// Includes the fsync before each rename (as the official tool fsyncs on close), so it is disk-bound.
// Run after `pnpm build`: node bench/local-write.mjs
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openBackupSink } from '../dist/index.js';

const RECORD = Buffer.alloc(240, 0x61);
const RECORDS = 1_000_000;
const PER_CHUNK = Math.floor(65536 / RECORD.length);

const dir = await mkdtemp(join(tmpdir(), 'asbkit-bench-'));
try {
  const sink = await openBackupSink({ directory: join(dir, 'out'), prefix: 'bench', fileLimitMiB: 64 });
  const chunk = Buffer.concat(Array.from({ length: PER_CHUNK }, () => RECORD));
  const started = process.hrtime.bigint();
  let file = await sink.acquire();
  for (let written = 0; written < RECORDS; written += PER_CHUNK) {
    if (file.fileBytes >= 64 * 1048576) {
      await sink.closeFile(file);
      file = await sink.acquire();
    }
    await file.write(chunk);
  }
  await sink.release(file);
  await sink.finish();
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  const mib = (RECORDS * RECORD.length) / 1048576;
  console.log(
    `local directory write: ${Math.round(RECORDS / seconds)} records/s, ${(mib / seconds).toFixed(1)} MiB/s (${sink.fileCount} files)`,
  );
} finally {
  await rm(dir, { recursive: true, force: true });
}
