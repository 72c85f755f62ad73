/**
 * The fast test selection StrykerJS runs for each mutant (`npm run mutate`):
 * the unit tests of the operations and the invariants, and the design
 * mutants, which take seconds, not the searches and CLI tests of `npm test`.
 */
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/model/**/*.test.ts', 'test/properties/invariants.test.ts', 'test/properties/provider-removal.test.ts', 'test/properties/canonical.test.ts', 'test/properties/well-formed.test.ts'],
    testTimeout: 60_000,
    pool: 'forks',
  },
});
