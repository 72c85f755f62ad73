/**
 * The command the CLI tests spawn: the package's own bin/dmacheck.js beside
 * the esbuild bundle `npm run build` makes, as an installed package has
 * them (test/packaging.test.ts checks that install). test/cli-bin-setup.ts
 * builds the pair from the sources at the start of each vitest run, into a
 * folder of that run's own under node_modules/.cache/dmacheck-test/ (so
 * that the bundle's packages resolve from the checkout's node_modules, and
 * two runs in one checkout never share one), and names it to the workers
 * in DMACHECK_TEST_STAGE. The checkout itself never keeps dist/, so
 * `npm run check` always runs the sources. A spawn through tsx compiles
 * the sources again in every process (about 0.6 s against 0.2 s), and
 * some 55 spawns paid that (test/docs.test.ts's shell replay of the
 * README command too: 6.1 s through tsx, 2.6 s through the bundle).
 *
 * In watch mode the bundle is the one built when vitest started: restart
 * it after changing the CLI's sources.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { build, type Plugin } from 'esbuild';

/** Where each run's stage folder goes (one per vitest process, by pid). */
export const CLI_STAGES = join(process.cwd(), 'node_modules/.cache/dmacheck-test');

/** The bin to spawn: `spawnSync(process.execPath, [cliBin, ...args])`. */
export const cliBin = join(process.env.DMACHECK_TEST_STAGE ?? join(CLI_STAGES, 'missing-run-vitest-with-its-config'), 'bin/dmacheck.js');

/** Run package.json's `build` script (esbuild), writing the bundle to `outfile` instead of dist/. */
export const buildBundle = (outfile: string): void => {
  const pkg = JSON.parse(readFileSync('package.json', 'utf8')) as { scripts: { build: string } };
  const [tool, ...args] = pkg.scripts.build.split(' ');
  const moved = args.map((a) => (a.startsWith('--outfile=') ? `--outfile=${outfile}` : a));
  execFileSync(join(process.cwd(), 'node_modules/.bin', tool!), moved);
};

/** Where the check-defaults bundle (test/check-kit.ts) of this run is. */
export const checkKit = (): string => join(process.env.DMACHECK_TEST_STAGE ?? join(CLI_STAGES, 'missing-run-vitest-with-its-config'), 'dist/check-kit.mjs');

/** Every import of properties/verdicts.ts but the shim's own goes to the shim that keeps results. */
const keptVerdicts: Plugin = {
  name: 'kept-verdicts',
  setup(b) {
    const shim = resolve('test/check-kit-verdicts.ts');
    const real = resolve('properties/verdicts.ts');
    b.onResolve({ filter: /verdicts\.ts$/ }, (a) => (a.importer !== shim && resolve(a.resolveDir, a.path) === real ? { path: shim } : undefined));
  },
};

/** Bundle test/check-kit.ts as the build script bundles the CLI, with verdictsFor keeping its results. */
export const buildCheckKit = async (outfile: string): Promise<void> => {
  await build({ entryPoints: ['test/check-kit.ts'], bundle: true, platform: 'node', format: 'esm', packages: 'external', outfile, logLevel: 'warning', plugins: [keptVerdicts] });
};
