export {
  OFFICIAL_COUNTERS_OFFSET,
  type OfficialState,
  type OfficialStateCounters,
  PartitionCursors,
  PartitionStatus,
  readOfficialState,
  writeOfficialState,
} from './cursors.js';
export { computeDigest, DIGEST_SIZE, PARTITION_COUNT, partitionIdOf } from './digest.js';
export { PartitionFilterError } from './errors.js';
export {
  allPartitions,
  checkSelectionExclusions,
  decodeDigest,
  describeFilter,
  digestFilter,
  type PartitionFilter,
  parseAfterDigest,
  parsePartitionList,
  type SelectionOptions,
} from './filters.js';
export { filtersForNodes, type NodeSpec, parseNodeList } from './node-list.js';
export { resumeFilters } from './resume.js';
export { type ParallelPlan, splitForParallel, splitPerPartition } from './split.js';
