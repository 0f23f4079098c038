// The checking pass: parses a whole file without building records (like --validate) and keeps
// its secondary indexes and UDF modules. A restore runs it over every file before writing
// anything, so a corrupt file is found before any of its records reach the cluster.
import type { Readable } from 'node:stream';
import { type AsbDecodeOptions, AsbDecoder, type SecondaryIndex, type UdfModule } from '@asbkit/asb-format';

/** The decoder in validation mode: values are checked, records are not built, globals are. */
class CheckingDecoder extends AsbDecoder {
  constructor(opts: AsbDecodeOptions) {
    super(opts);
    this.build = false;
  }
}

export interface FileScan {
  records: number;
  indexes: SecondaryIndex[];
  udfs: UdfModule[];
  /** Plaintext bytes parsed. */
  bytes: number;
}

/**
 * Parses every byte of `stream`; throws AsbParseError (file, line, column) on the first problem.
 * `onChunk` sees each chunk's size (progress, throttling); it may pause by returning a promise.
 */
export async function scanFile(
  stream: Readable,
  opts: AsbDecodeOptions,
  onChunk?: (plainBytes: number) => void | Promise<void>,
): Promise<FileScan> {
  const dec = new CheckingDecoder(opts);
  const indexes: SecondaryIndex[] = [];
  const udfs: UdfModule[] = [];
  let bytes = 0;
  const drain = () => {
    for (let e = dec.next(); e !== undefined; e = dec.next()) {
      if (e.kind === 'sindex') indexes.push(e);
      else if (e.kind === 'udf') udfs.push(e);
    }
  };
  for await (const chunk of stream as AsyncIterable<Buffer>) {
    bytes += chunk.length;
    dec.push(chunk);
    drain();
    const wait = onChunk?.(chunk.length);
    if (wait) await wait;
  }
  dec.end();
  drain();
  return { records: dec.records, indexes, udfs, bytes };
}
