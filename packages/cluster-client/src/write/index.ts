// Writes for restore: request builders, reply parsers and executors (single and batch writes).
export { BATCH_FLAGS, type BatchWriteRequestOptions, buildBatchWriteRequest } from './batch.js';
export type { WriteRecord } from './encode.js';
export {
  clusterWriteTransport,
  type NodeTransportOptions,
  nodeWriteTransport,
  type PooledNode,
} from './node-transport.js';
export {
  type ExistsPolicy,
  expectedGenerationOf,
  type GenerationPolicy,
  info2Of,
  info3Of,
  type RecordWritePolicy,
} from './policy.js';
export {
  BatchReplyDecoder,
  type BatchRowCallback,
  readSingleBody,
  readSingleReply,
  type WriteResult,
} from './reply.js';
export { buildWriteRequest, parseWriteReply, type WriteRequestOptions } from './single.js';
export type { WriteNode, WriteTransport } from './transport.js';
export {
  BatchWriteError,
  BatchWriter,
  type BatchWriterOptions,
  type GroupFailure,
  supportsBatchWrites,
  type WriteOptions,
  writeRecord,
} from './writer.js';
