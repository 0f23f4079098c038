// Test helpers for other packages: `@asbkit/cluster-client/test`.
export * from './fake-server.js';
export * from './records.js';
export * from './rows.js';
export * from './tls-certs.js';
export * from './wire-fixtures.js';
