// @asbkit/cluster-client — Aerospike wire-protocol client for backup and restore.
// The pure codec is also available on its own as `@asbkit/cluster-client/wire`.
export * from './metadata/index.js';
export * from './net/index.js';
export * from './scan/index.js';
export * from './wire/index.js';
// Also defined by write/ (same function); name the wire one explicitly to settle the ambiguity.
export { partitionIdOfDigest } from './wire/index.js';
export * from './write/index.js';
