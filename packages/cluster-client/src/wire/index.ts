// @asbkit/cluster-client/wire — the pure Aerospike wire codec (no I/O).
export * from './admin.js';
export * from './errors.js';
export * from './expression.js';
export * from './info.js';
export * from './message.js';
export * from './particle.js';
export * from './proto.js';
export * from './query.js';
export * from './record-reply.js';
export * from './result-code.js';
