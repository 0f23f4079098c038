import { pipeline, type Readable, Transform, type TransformCallback, type Writable } from 'node:stream';
import { AesCtrDecryptor, AesCtrEncryptor, type CtrPosition } from './aes-ctr.js';
import { AsbHeaderCheck } from './asb-header-check.js';
import type { EncryptionKey } from './key.js';
import type { CompressionMode } from './options.js';
import { ZstdCompressor } from './zstd-compress.js';
import { createZstdReadTransforms } from './zstd-native-stream.js';

export interface LayerOptions {
  /** `-z zstd`. */
  compression?: CompressionMode | undefined;
  /** Key from `resolveEncryptionKey` (`-y` plus key option). */
  encryption?: EncryptionKey | undefined;
}

export interface WriteLayerOptions extends LayerOptions {
  /** Effective zstd level (see `parseCompressionLevel`); default 3. */
  level?: number;
  /** Plaintext bytes per zstd frame. */
  frameBytes?: number;
  /** Continue a file from a saved {@link WriterState} (see {@link BackupFileWriter.checkpoint}). */
  resume?: WriterState | undefined;
}

export interface ReadLayerOptions extends LayerOptions {
  /** For error messages. */
  fileName?: string;
  /** Check that the decoded bytes start with `Version ` (default true). */
  checkAsbHeader?: boolean;
  /** Largest zstd window accepted (default 128 MiB, zstd's own default limit). */
  maxWindowBytes?: number;
  /** Largest frame decoded whole by native libzstd (see `ZstdDecompressOptions`). */
  nativeFrameLimit?: number;
  /** Use `node:zlib`'s streaming zstd decoder when the runtime has it (default true). */
  useNodeZlib?: boolean;
}

/** Position of a file being written, enough to append to it later. */
export interface WriterState {
  /** Plaintext bytes written into the file so far. */
  readonly plainBytes: number;
  /** Bytes the file holds (including the 16-byte IV block when encrypted). */
  readonly fileBytes: number;
  /** CTR position when encrypted. */
  readonly ctr?: CtrPosition | undefined;
}

export interface WriteTransforms {
  /** In pipeline order: compressor, then encryptor (either may be absent). */
  readonly transforms: Transform[];
  readonly compressor: ZstdCompressor | undefined;
  readonly encryptor: AesCtrEncryptor | undefined;
}

/** The write-side layers in the official order: compress, then encrypt. */
export function createWriteTransforms(options: WriteLayerOptions): WriteTransforms {
  const compressor =
    options.compression === 'zstd'
      ? new ZstdCompressor({
          ...(options.level === undefined ? {} : { level: options.level }),
          ...(options.frameBytes === undefined ? {} : { frameBytes: options.frameBytes }),
        })
      : undefined;
  const encryptor =
    options.encryption === undefined
      ? undefined
      : new AesCtrEncryptor({
          key: options.encryption,
          ...(options.resume?.ctr === undefined ? {} : { resume: options.resume.ctr }),
        });
  const transforms: Transform[] = [];
  if (compressor) transforms.push(compressor);
  if (encryptor) transforms.push(encryptor);
  return { transforms, compressor, encryptor };
}

/** The read-side layers in the official order: decrypt, decompress, then the header check. */
export function createReadTransforms(options: ReadLayerOptions): Transform[] {
  const transforms: Transform[] = [];
  const mode = options.encryption?.mode;
  if (options.encryption) {
    transforms.push(
      new AesCtrDecryptor({
        key: options.encryption,
        ...(options.fileName === undefined ? {} : { fileName: options.fileName }),
      }),
    );
  }
  if (options.compression === 'zstd') {
    transforms.push(
      ...createZstdReadTransforms({
        ...(options.fileName === undefined ? {} : { fileName: options.fileName }),
        ...(mode === undefined ? {} : { encryption: mode }),
        ...(options.maxWindowBytes === undefined ? {} : { maxWindowBytes: options.maxWindowBytes }),
        ...(options.nativeFrameLimit === undefined ? {} : { nativeFrameLimit: options.nativeFrameLimit }),
      }),
    );
  }
  if (options.checkAsbHeader !== false) {
    transforms.push(
      new AsbHeaderCheck({
        encryption: mode,
        compressed: options.compression === 'zstd',
        fileName: options.fileName,
      }),
    );
  }
  return transforms;
}

/** Plaintext bytes in → stored bytes out to `sink`, with a way to checkpoint for resume. */
export class BackupFileWriter {
  /** Write plaintext (.asb bytes) here; `end()` it to finish the file. */
  readonly input: Writable;
  /** Settles when the sink has finished (or any stage failed). */
  readonly done: Promise<void>;
  private readonly stages: Transform[];
  private readonly layers: WriteTransforms;
  private readonly counter: ByteCounter | undefined;
  private readonly base: WriterState;

  constructor(sink: Writable, options: WriteLayerOptions) {
    this.layers = createWriteTransforms(options);
    this.base = options.resume ?? { plainBytes: 0, fileBytes: 0 };
    this.stages = [...this.layers.transforms];
    if (this.stages.length === 0) {
      this.counter = new ByteCounter();
      this.stages.push(this.counter);
    }
    this.input = this.stages[0] as Transform;
    this.done = new Promise((resolve, reject) => {
      pipeline([...this.stages, sink] as unknown as [Readable, Writable], (error) =>
        error ? reject(error) : resolve(),
      );
    });
    this.done.catch(() => {}); // observed by whoever awaits it; never an unhandled rejection
  }

  /** Stops writing (an interrupted backup): tears the stages down, leaves the sink as it is. */
  abort(): void {
    for (const stage of this.stages) stage.destroy();
  }

  /**
   * Ends the open zstd frame and waits until every byte written so far has reached `sink.write`.
   * The returned state is valid once the sink has persisted those bytes.
   */
  async checkpoint(): Promise<WriterState> {
    if (this.layers.compressor) await this.layers.compressor.flushFrame();
    const last = this.stages[this.stages.length - 1] as Transform;
    while (this.stages.some((stage) => stage.writableLength > 0) || last.readableLength > 0) {
      await new Promise((resolve) => setTimeout(resolve, 1));
    }
    return this.state();
  }

  /** Position right now; only consistent after {@link checkpoint} or once `done` resolved. */
  state(): WriterState {
    const { compressor, encryptor } = this.layers;
    const plain = compressor?.bytesIn ?? encryptor?.bytesIn ?? this.counter?.bytes ?? 0;
    const out = encryptor?.bytesOut ?? compressor?.bytesOut ?? plain;
    return {
      plainBytes: this.base.plainBytes + plain,
      fileBytes: this.base.fileBytes + out,
      ...(encryptor ? { ctr: encryptor.position() } : {}),
    };
  }
}

/** Stacks the write layers in front of `sink`. */
export function wrapWriter(sink: Writable, options: WriteLayerOptions): BackupFileWriter {
  return new BackupFileWriter(sink, options);
}

/** Stacks the read layers behind `source`; returns the plaintext stream. */
export function wrapReader(source: Readable, options: ReadLayerOptions): Readable {
  const transforms = createReadTransforms(options);
  if (transforms.length === 0) return source;
  const streams = [source, ...transforms] as unknown as [Readable, Transform];
  return pipeline(streams, () => {}) as unknown as Readable;
}

/** Pass-through that counts bytes, for files written without any layer. */
class ByteCounter extends Transform {
  bytes = 0;
  override _transform(chunk: Buffer, _encoding: BufferEncoding, done: TransformCallback): void {
    this.bytes += chunk.length;
    done(null, chunk);
  }
}
