export { dataViewOf, LastDataView } from './data-view.js';
export {
  type AsbBinSink,
  type AsbByteSource,
  type AsbDecodeOptions,
  AsbDecoder,
  type AsbRecordHead,
  type AsbRecordSink,
  type AsbValidationSummary,
  type BytesBinType,
  decodeAsb,
  decodeAsbBatches,
  validateAsb,
} from './decoder.js';
export {
  AsbEncoder,
  type AsbEncoderOptions,
  type AsbHeaderInit,
  type AsbName,
  createAsbEncodeStream,
  encodeAsb,
  escapeAsbBytes,
  escapeAsbName,
} from './encoder.js';
export { AsbEncodeError, AsbParseError } from './errors.js';
export { formatDouble, parseDoubleToken } from './float.js';
export * from './model.js';
