export {
  type AesCtrDecryptOptions,
  AesCtrDecryptor,
  type AesCtrEncryptOptions,
  AesCtrEncryptor,
  addToCounter,
  type CtrPosition,
  counterAt,
  createIv0,
  encryptIvBlock,
  firstCounterFromIvBlock,
  IV_BLOCK_BYTES,
} from './aes-ctr.js';
export { AsbHeaderCheck, type AsbHeaderCheckOptions } from './asb-header-check.js';
export {
  CryptoStreamError,
  type CryptoStreamErrorCode,
  type CryptoStreamErrorWhere,
} from './errors.js';
export {
  deriveEncryptionKey,
  type EncryptionKey,
  type EncryptionKeyOptions,
  keyMaterialFromEnv,
  keyMaterialFromFile,
  keyMaterialFromPem,
  rawEncryptionKey,
  resolveEncryptionKey,
} from './key.js';
export {
  type CompressionMode,
  type EncryptionMode,
  parseCompressionLevel,
  parseCompressionMode,
  parseEncryptionMode,
  ZSTD_DEFAULT_LEVEL,
  ZSTD_MAX_LEVEL,
  ZSTD_MIN_LEVEL,
} from './options.js';
export {
  BackupFileWriter,
  createReadTransforms,
  createWriteTransforms,
  type LayerOptions,
  type ReadLayerOptions,
  type WriteLayerOptions,
  type WriterState,
  type WriteTransforms,
  wrapReader,
  wrapWriter,
} from './pipeline.js';
export {
  asCompressedFrame,
  compressZstdFrame,
  DEFAULT_FRAME_BYTES,
  type ZstdCompressOptions,
  ZstdCompressor,
} from './zstd-compress.js';
export { type ZstdDecompressOptions, ZstdDecompressor } from './zstd-decompress.js';
export { DEFAULT_MAX_WINDOW_BYTES, ZstdFrameWalker } from './zstd-frames.js';
export { createZstdReadTransforms, nodeZstd, ZstdFrameCheck } from './zstd-native-stream.js';
