// The backup state file written on interrupt and read by `--continue` (spec §4). asbkit uses its
// own format (the spec allows it): every file of the run is closed cleanly before the state is
// saved, so the state only needs the partition cursors, the file count, the counters and, for a
// single output file, where to append (size and AES-CTR position).
import { open, readFile, rename, unlink } from 'node:fs/promises';
import { PARTITION_COUNT, PartitionCursors } from '@asbkit/partition-filters';

const MAGIC = 'asbkit-backup-state';
const VERSION = 1;

export interface SingleFileState {
  /** `-o` value (`-` for stdout). */
  path: string;
  /** Bytes the file holds (after compression/encryption). */
  fileBytes: number;
  /** AES-CTR position to continue the key stream, when encrypted. */
  ctr?: { firstCounter: Buffer; payloadBytes: number };
}

export interface BackupState {
  namespace: string;
  cursors: PartitionCursors;
  /** Backup files created so far (directory mode numbering continues here). */
  fileCount: number;
  records: number;
  bytes: number;
  indexCount: number;
  udfCount: number;
  singleFile?: SingleFileState;
}

export class StateFileError extends Error {
  readonly code = 'BAD_STATE_FILE';
  constructor(
    readonly file: string,
    message: string,
  ) {
    super(`${message} in state file ${file}`);
    this.name = 'StateFileError';
  }
}

/** Writes the state next to its final name, then renames: a crash never leaves half a state. */
export async function saveState(path: string, state: BackupState): Promise<void> {
  const doc = {
    magic: MAGIC,
    version: VERSION,
    namespace: state.namespace,
    cursors: state.cursors.toBase64(),
    fileCount: state.fileCount,
    records: state.records,
    bytes: state.bytes,
    indexCount: state.indexCount,
    udfCount: state.udfCount,
    singleFile: state.singleFile && {
      path: state.singleFile.path,
      fileBytes: state.singleFile.fileBytes,
      ctr: state.singleFile.ctr && {
        firstCounter: state.singleFile.ctr.firstCounter.toString('base64'),
        payloadBytes: state.singleFile.ctr.payloadBytes,
      },
    },
  };
  const temp = `${path}.tmp`;
  const handle = await open(temp, 'w');
  try {
    await handle.writeFile(`${JSON.stringify(doc)}\n`);
    await handle.sync();
  } finally {
    await handle.close();
  }
  try {
    await rename(temp, path);
  } catch (err) {
    await unlink(temp).catch(() => {});
    throw err;
  }
}

const isCount = (v: unknown): v is number => typeof v === 'number' && Number.isSafeInteger(v) && v >= 0;

export async function loadState(path: string): Promise<BackupState> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code ?? 'error';
    throw new StateFileError(path, `Cannot read the backup state (${code})`);
  }
  // biome-ignore lint/suspicious/noExplicitAny: validated field by field below
  let doc: any;
  try {
    doc = JSON.parse(text);
  } catch {
    doc = undefined;
  }
  if (!doc || doc.magic !== MAGIC) {
    throw new StateFileError(
      path,
      'Not an asbkit backup state (state files of the official asbackup cannot be resumed by asbkit)',
    );
  }
  if (doc.version !== VERSION) throw new StateFileError(path, `Unsupported version ${doc.version}`);
  if (typeof doc.namespace !== 'string' || typeof doc.cursors !== 'string') {
    throw new StateFileError(path, 'Missing namespace or cursors');
  }
  for (const f of ['fileCount', 'records', 'bytes', 'indexCount', 'udfCount']) {
    if (!isCount(doc[f])) throw new StateFileError(path, `Bad ${f}`);
  }
  let cursors: PartitionCursors;
  try {
    cursors = PartitionCursors.fromBase64(doc.cursors);
  } catch (err) {
    throw new StateFileError(path, `Bad partition cursors (${(err as Error).message})`);
  }
  let singleFile: SingleFileState | undefined;
  if (doc.singleFile) {
    const s = doc.singleFile;
    if (typeof s.path !== 'string' || !isCount(s.fileBytes))
      throw new StateFileError(path, 'Bad single-file entry');
    singleFile = { path: s.path, fileBytes: s.fileBytes };
    if (s.ctr) {
      const counter = Buffer.from(String(s.ctr.firstCounter), 'base64');
      if (counter.length !== 16 || !isCount(s.ctr.payloadBytes))
        throw new StateFileError(path, 'Bad CTR position');
      singleFile.ctr = { firstCounter: counter, payloadBytes: s.ctr.payloadBytes };
    }
  }
  return {
    namespace: doc.namespace,
    cursors,
    fileCount: doc.fileCount,
    records: doc.records,
    bytes: doc.bytes,
    indexCount: doc.indexCount,
    udfCount: doc.udfCount,
    singleFile,
  };
}

/** Partitions of the state that are finished (for logging). */
export function completedPartitions(cursors: PartitionCursors): number {
  let done = 0;
  for (let p = 0; p < PARTITION_COUNT; p++) {
    const s = cursors.statusOf(p);
    if (s === 1 || s === 4) done++;
  }
  return done;
}
