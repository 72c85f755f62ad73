/**
 * What test/check-defaults.test.ts and check-defaults-more.test.ts run,
 * bundled by esbuild as `npm run build` bundles the CLI (test/cli-bin.ts
 * builds it into the run's stage folder, test/check-kit-load.ts loads it):
 * the CLI's `main` with everything the two files ask of the search and the
 * explorer. The sources run as one bundle, loaded by Node itself, about 15%
 * faster than through vitest's module runner, which these two files (half
 * of npm test's time) felt most. In this bundle `verdictsFor` keeps its
 * results (test/check-kit-verdicts.ts), so a search `check` ran is not run
 * again when a later test of the same file asks for it.
 */
export { defaults } from '../cli/args.ts';
export { exploreOne } from '../cli/explore.ts';
export { main } from '../cli/main.ts';
export { budgetOf } from '../model/designs/design.ts';
export { designById, designs } from '../model/designs/index.ts';
export { opsOf } from '../properties/explore-dma.ts';
export { invariantIds } from '../properties/invariant.ts';
export { invariantById } from '../properties/registry.ts';
export { replay } from '../properties/replay.ts';
export { verdictsFor } from '../properties/verdicts.ts';
