import { defineConfig } from 'vitest/config';
import SlowFirst from './test/slow-first.ts';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 120_000,
    pool: 'forks',
    // Vitest leaves one core free by default; this machine has two, and the
    // slow files (design searches, the CLI, the browser) are independent.
    maxWorkers: 2,
    sequence: { sequencer: SlowFirst },
    // The JSON report lets .ci/run print its closing count line.
    reporters: ['default', 'json'],
    outputFile: { json: '.vitest-results.json' },
  },
});
