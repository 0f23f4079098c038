// Writes for restore: request builders, reply parsers and executors (single and batch writes).
export {
  BATCH_FLAGS,
  type BatchWriteRequestOptions,
  buildBatchWriteRequest,
  buildBatchWriteRequestFromRows,
} from './batch.js';
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
export { BatchRowEncoder, type EncodedRows, type RowHead, rowIdentity } from './rows.js';
export { buildWriteRequest, parseWriteReply, type WriteRequestOptions } from './single.js';
export type { WriteNode, WriteTransport } from './transport.js';
export {
  BatchWriteError,
  BatchWriter,
  type BatchWriterOptions,
  type GroupFailure,
  groupFailureSize,
  supportsBatchWrites,
  type WriteOptions,
  writeRecord,
} from './writer.js';
