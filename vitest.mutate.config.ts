/**
 * The fast test selection StrykerJS runs for each mutant (`npm run mutate`):
 * the unit tests of the operations and the invariants, the counterexample
 * format/loader/paste tests, the explorer's reference model, the
 * shortest-trace confirmation, the fingerprints of every design and the
 * generated design catalogue (docs/designs.md holds every design's text).
 * Each test takes well under a second: Stryker reruns every test that
 * covers a mutant until one fails, so a survivor pays for all of them. The
 * design searches, the design mutants and most CLI tests of `npm test`
 * take seconds to tens of seconds each and stay out.
 */
import { defineConfig } from 'vitest/config';
import FastFirst from './test/fast-first.ts';

export default defineConfig({
  test: {
    include: [
      'test/model/**/*.test.ts',
      'test/properties/**/*.test.ts',
      'test/counterexamples/**/*.test.ts',
      'test/explorer/**/*.test.ts',
      'test/docs.test.ts',
    ],
    // The design searches and the design mutants take seconds to tens of seconds each
    // (the explorer-vs-search agreement is in test/check-defaults.test.ts, outside test/properties/).
    // save-errors.test.ts replaces node:fs, which this unisolated run would share with every file.
    exclude: ['test/properties/designs.test.ts', 'test/properties/design-mutants.test.ts', 'test/counterexamples/save-errors.test.ts', '**/node_modules/**'],
    // Fewer fast-check runs in the paste and malformed-file properties, and only
    // the small reference sizes of the explorer (test/explorer/reference.test.ts).
    env: { DMACHECK_MUTATE: '1', DMACHECK_PASTE_RUNS: '5', DMACHECK_MALFORMED_RUNS: '20' },
    testTimeout: 60_000,
    pool: 'forks',
    // Under Stryker: no mutant is active while a test file is imported (see the file).
    setupFiles: ['test/stryker-reset.ts'],
    sequence: { sequencer: FastFirst },
    // Stryker switches mutants at run time (a global the instrumented code reads),
    // so the modules need not be loaded again for every mutant: without isolation
    // a mutant run costs its tests, not the import of every test file it covers.
    isolate: false,
  },
});
