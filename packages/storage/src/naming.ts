/** File naming shared by local and S3 storage (spec §2.1, §11). */

export const BACKUP_EXTENSION = '.asb';
/** Suffix of a file still being written; it never ends in `.asb`, so no reader takes it for a backup. */
export const PARTIAL_SUFFIX = '.part';

/** `<prefix>_<NNNNN>.asb`: at least five digits, growing past 99999 without cutting anything off. */
export function backupFileName(prefix: string, index: number): string {
  if (!Number.isSafeInteger(index) || index < 0) {
    throw new RangeError(`backup file index must be a non-negative integer, got ${index}`);
  }
  return `${prefix}_${String(index).padStart(5, '0')}${BACKUP_EXTENSION}`;
}

/** The official test: a name longer than 4 bytes that ends in `.asb`. */
export function isBackupFileName(name: string): boolean {
  return name.length > BACKUP_EXTENSION.length && name.endsWith(BACKUP_EXTENSION);
}

/** A temporary file left by an unfinished write (ours), e.g. `test_00003.asb.part`. */
export function isPartialBackupFileName(name: string): boolean {
  return name.endsWith(BACKUP_EXTENSION + PARTIAL_SUFFIX);
}

/** `<prefix>.asb.state`: the state file name in directory mode (spec §4.1). */
export function stateFileName(prefix: string): string {
  return `${prefix}.asb.state`;
}

/** Case-insensitive `s3://` test, as the official tools do. */
export function isS3Url(path: string): boolean {
  return path.slice(0, 5).toLowerCase() === 's3://';
}

/** `-` means stdin/stdout. */
export function isStdPath(path: string): boolean {
  return path === '-';
}

const digitRuns = /(\d+)/;

/**
 * Name order used for listings: digit runs compare by value, so `ns_99999.asb` comes before
 * `ns_100000.asb`; ties fall back to plain code-unit order, so the order is total and stable.
 */
export function compareBackupNames(a: string, b: string): number {
  const pa = a.split(digitRuns);
  const pb = b.split(digitRuns);
  const n = Math.min(pa.length, pb.length);
  for (let i = 0; i < n; i++) {
    const x = pa[i]!;
    const y = pb[i]!;
    if (x === y) continue;
    if (i % 2 === 1) {
      const diff = BigInt(x) - BigInt(y);
      if (diff !== 0n) return diff < 0n ? -1 : 1;
    }
    return x < y ? -1 : 1;
  }
  if (pa.length !== pb.length) return pa.length - pb.length;
  return a < b ? -1 : a > b ? 1 : 0;
}
