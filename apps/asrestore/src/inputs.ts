// The backup files to read (-d, --directory-list, -i, -i -, s3://) and their plaintext bytes
// (decrypt, decompress), with a count of the raw bytes read for progress and -N.
import type { Readable } from 'node:stream';
import { Transform, type TransformCallback } from 'node:stream';
import type { AsrestoreOptions } from '@asbkit/cli-common';
import { createReadTransforms, type EncryptionKey, resolveEncryptionKey } from '@asbkit/crypto-stream';
import { type BackupFileEntry, type BackupFileList, listBackupFiles, type S3Backend } from '@asbkit/storage';

/** Counts the raw (stored) bytes that pass, before decryption and decompression. */
export class RawByteCounter extends Transform {
  bytes = 0;
  override _transform(chunk: Buffer, _enc: BufferEncoding, done: TransformCallback): void {
    this.bytes += chunk.length;
    done(null, chunk);
  }
}

/** Where the restore reads from, as the official "from <...>" text. */
export function inputDescription(o: AsrestoreOptions): string {
  if (o.inputFile !== undefined)
    return o.inputFile === '-' || o.inputFile.startsWith('-:') ? '[stdin]' : o.inputFile;
  if (o.directory !== undefined) return o.directory;
  return (o.directoryList ?? []).join(',');
}

export function isStdinInput(o: AsrestoreOptions): boolean {
  return o.inputFile !== undefined && (o.inputFile === '-' || o.inputFile.startsWith('-:'));
}

/** Lists the input files in a stable order (storage sorts names inside each directory). */
export function listInputs(o: AsrestoreOptions, stdin?: Readable): Promise<BackupFileList> {
  return listBackupFiles({
    directory: o.directory,
    // cli-common has already prefixed --parent-directory to each entry.
    directoryList: o.directoryList?.join(','),
    inputFile: o.inputFile,
    stdin,
    s3: {
      region: o.s3.region,
      profile: o.s3.profile,
      endpointOverride: o.s3.endpointOverride,
      maxAsyncDownloads: o.s3.maxAsyncDownloads,
      connectTimeoutMs: o.s3.connectTimeoutMs,
      logLevel: o.s3.logLevel,
    },
    loadS3: () => import('@asbkit/storage-s3') as unknown as Promise<S3Backend>,
  });
}

/** The decryption key from -z/--encrypt and --encryption-key-file/-env, or undefined. */
export function loadKey(
  o: AsrestoreOptions,
  env: Record<string, string | undefined>,
): Promise<EncryptionKey | undefined> {
  const src = o.encryptionKey;
  return resolveEncryptionKey({
    encrypt: o.encrypt,
    encryptionKeyFile: src?.kind === 'file' && src.file.kind === 'path' ? src.file.path : undefined,
    encryptionKeyPem: src?.kind === 'file' && src.file.kind === 'content' ? src.file.data : undefined,
    encryptionKeyEnv: src?.kind === 'env' ? src.name : undefined,
    env: env as NodeJS.ProcessEnv,
  });
}

export interface OpenedInput {
  stream: Readable;
  counter: RawByteCounter;
}

/** Opens one file: raw bytes → counter → decrypt → decompress → `Version` check. */
export async function openInput(
  file: BackupFileEntry,
  o: Pick<AsrestoreOptions, 'compress'>,
  key: EncryptionKey | undefined,
): Promise<OpenedInput> {
  const counter = new RawByteCounter();
  const transforms = () => [
    counter,
    ...createReadTransforms({ compression: o.compress, encryption: key, fileName: file.path }),
  ];
  const stream = await file.open({ transforms });
  return { stream, counter };
}
