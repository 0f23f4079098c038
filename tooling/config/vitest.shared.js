// Shared Vitest settings: every package resolves workspace imports to their TypeScript
// sources (the "source" export condition), so tests never depend on a stale dist/.
import { defineConfig, mergeConfig } from 'vitest/config';

/** @param {import('vitest/config').UserConfig} [overrides] */
export function packageConfig(overrides = {}) {
  const base = defineConfig({
    resolve: { conditions: ['source', 'node', 'import', 'default'] },
    ssr: { resolve: { conditions: ['source', 'node', 'import', 'default'] } },
    test: {
      include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
      environment: 'node',
      testTimeout: 30_000,
      hookTimeout: 30_000,
      reporters: ['default', ['json', { outputFile: 'test-results.json' }]],
    },
  });
  return mergeConfig(base, overrides);
}
