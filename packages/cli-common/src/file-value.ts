import { readFile } from 'node:fs/promises';
import { UsageError } from './errors.js';
import type { FileValue } from './options/types.js';

/** The bytes of a file-valued option: the content itself, or the file read from its path. */
export async function readFileValue(value: FileValue, option: string): Promise<Buffer> {
  if (value.kind === 'content') return value.data;
  try {
    return await readFile(value.path);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code ?? 'error';
    throw new UsageError(`Unable to read --${option} file ${value.path} (${code})`, {
      option,
      file: value.path,
    });
  }
}
