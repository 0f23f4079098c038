// Metadata for restore: secondary indexes and UDF modules over info commands.
export {
  buildNumber,
  defaultSleep,
  type InfoClient,
  MetadataError,
  type PollOptions,
} from './info-client.js';
export {
  createSindex,
  dropSindex,
  type EnsureSindexOptions,
  ensureSindex,
  listSindexes,
  parseSindexList,
  type SindexOutcome,
  sameSindex,
  sindexCreateCommand,
  waitForSindexBuild,
} from './sindex.js';
export { listUdfs, parseUdfList, putUdf, type UdfListEntry, udfPutCommand, waitForUdfs } from './udf.js';
