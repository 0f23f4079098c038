import { packageConfig } from '@asbkit/config/vitest';

const config = packageConfig({
  test: {
    // s3rver makes ListObjectsV2 continuation tokens with DES, which Node 20's OpenSSL 3 only
    // offers through the legacy provider; without it, listings over 1,000 objects fail.
    poolOptions: { forks: { execArgv: ['--openssl-legacy-provider'] } },
  },
});
// The AWS SDK's "module" build (dist-es) uses extensionless imports that only bundlers resolve,
// so resolve packages the way Node does.
const conditions = ['source', 'node', 'import', 'default'];
if (config.resolve) config.resolve.conditions = conditions;
if (config.ssr?.resolve) config.ssr.resolve.conditions = conditions;

export default config;
