export * from './auth.js';
export * from './backup-info.js';
export * from './cluster.js';
export * from './connection.js';
export * from './errors.js';
export * from './hosts.js';
export * from './node.js';
export * from './tls-config.js';
