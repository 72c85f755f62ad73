import { defineConfig } from 'vitest/config';
import SlowFirst from './test/slow-first.ts';

/**
 * The unit tests of the mutation selection (vitest.mutate.config.ts runs
 * them without isolation for every mutant): pure functions of the model,
 * no process, browser or module mock.
 */
const UNIT = ['test/model/**/*.test.ts', 'test/properties/**/*.test.ts', 'test/counterexamples/**/*.test.ts', 'test/explorer/**/*.test.ts'];
/** Slow or process-level files there: searches of every design, isolated as the rest. */
const ISOLATED_THERE = ['test/properties/designs.test.ts', 'test/properties/design-mutants.test.ts'];
/**
 * Files run apart: the one that replaces a module (vi.mock of node:fs) needs a module graph of its own, and
 * the two halves of npm run check (the sources bundled, test/check-kit.ts) are the slowest files.
 */
const MOCKING = ['test/check-defaults.test.ts', 'test/check-defaults-more.test.ts', 'test/counterexamples/save-errors.test.ts', 'test/unknown-expectation.test.ts'];

export default defineConfig({
  test: {
    testTimeout: 120_000,
    pool: 'forks',
    // A larger young generation: the searches allocate a fresh immutable state per call, and with V8's
    // default semi-space the scavenger runs so often that the two check-defaults files take 8% longer
    // (44.1 s against 47.9 s for the pair; docs/performance.md).
    execArgv: ['--max-semi-space-size=64'],
    // Vitest leaves one core free by default; this machine has two, and the
    // slow files (design searches, the CLI, the browser) are independent.
    maxWorkers: 2,
    sequence: { sequencer: SlowFirst },
    // The bundle the CLI tests spawn (test/cli-bin.ts), built once from the sources.
    globalSetup: ['test/cli-bin-setup.ts'],
    // The JSON report lets .ci/run print its closing count line.
    reporters: ['default', 'json'],
    outputFile: { json: '.vitest-results.json' },
    projects: [
      {
        extends: true,
        // One module graph per worker for the unit tests: loading vitest, fast-check and
        // model/ again for each of some 90 small files cost more than most of them take.
        test: { name: 'unit', include: UNIT, exclude: [...ISOLATED_THERE, ...MOCKING, '**/node_modules/**'], isolate: false },
      },
      {
        extends: true,
        // The CLI, docs, packaging and browser files: each starts what it tests (a process, a page), and shares
        // the loaded sources as the unit files do.
        test: { name: 'cli', include: ['test/*.test.ts', 'test/html/**/*.test.ts'], exclude: [...MOCKING, '**/node_modules/**'], isolate: false },
      },
      {
        extends: true,
        test: { name: 'isolated', include: [...MOCKING, ...ISOLATED_THERE] },
      },
    ],
  },
});
