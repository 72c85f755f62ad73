import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 120_000,
    pool: 'forks',
    // The JSON report lets .ci/run print its closing count line.
    reporters: ['default', 'json'],
    outputFile: { json: '.vitest-results.json' },
  },
});
