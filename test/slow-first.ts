/**
 * Vitest's file order: the slow files first, in a fixed order, so that two
 * workers finish together. Vitest's own order needs a cache of earlier runs
 * (a clean clone has none) and misses work done while a file is collected,
 * which once left `npm run check` (spawned while a file was collected)
 * running alone at the end. Seconds measured on this machine (docs/performance.md).
 */
import { BaseSequencer, type TestSpecification } from 'vitest/node';

const SLOW_FIRST = [
  'test/check-defaults.test.ts', // npm run check on half the designs, and the explorer on each: about 40 s
  'test/check-defaults-more.test.ts', // the other half
  'test/properties/designs.test.ts', // about 40 s
  'test/html/viewer-browser.test.ts', // about 20 s
  'test/cli-robustness.test.ts',
  'test/cli.test.ts',
  'test/cli-paste.test.ts',
  'test/cli-defects.test.ts',
  'test/cli-witness.test.ts',
];

/**
 * Seconds each slow file takes on this machine (a vitest JSON report,
 * 2026-12-07, third session); every other file counts one second. `--shard i/n` splits
 * by these, so that a CI matrix's shards finish together: vitest's own
 * split (by a hash of the path) put both check-defaults files in one shard.
 */
const SECONDS: Readonly<Record<string, number>> = {
  'test/check-defaults-more.test.ts': 45,
  'test/check-defaults.test.ts': 40,
  'test/html/viewer-browser.test.ts': 21,
  'test/cli-robustness.test.ts': 11,
  'test/explore-workers.test.ts': 8,
  'test/cli.test.ts': 7,
  'test/explorer/reference.test.ts': 6,
  'test/properties/design-mutants.test.ts': 5,
  'test/cli-paste.test.ts': 5,
  'test/explorer/fingerprints.test.ts': 5,
  'test/counterexamples/paste.test.ts': 5,
  'test/cli-world.test.ts': 4,
  'test/docs.test.ts': 4,
  'test/cli-witness.test.ts': 4,
  'test/properties/design-fingerprints.test.ts': 4,
  'test/packaging.test.ts': 2,
  'test/adding-a-design.test.ts': 2,
  'test/properties/notifier-sources.test.ts': 2,
  'test/cli-hostile-inputs.test.ts': 2,
  'test/docs-paste.test.ts': 2,
};

const secondsOf = (f: TestSpecification): number => Object.entries(SECONDS).find(([s]) => f.moduleId.endsWith(s))?.[1] ?? 1;

const rank = (f: TestSpecification): number => {
  const i = SLOW_FIRST.findIndex((s) => f.moduleId.endsWith(s));
  return i < 0 ? SLOW_FIRST.length : i;
};

export default class SlowFirst extends BaseSequencer {
  /** Longest first, each file to the shard with the fewest seconds so far (ties: the lower shard); the same split on every machine. */
  override async shard(files: TestSpecification[]): Promise<TestSpecification[]> {
    const { index, count } = this.ctx.config.shard!;
    const key = (f: TestSpecification) => `${f.project.name}:${f.moduleId.slice(this.ctx.config.root.length)}`;
    const order = [...files].sort((a, b) => secondsOf(b) - secondsOf(a) || (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0));
    const load = Array.from({ length: count }, () => 0);
    const mine: TestSpecification[] = [];
    for (const f of order) {
      const to = load.indexOf(Math.min(...load));
      load[to]! += secondsOf(f);
      if (to === index - 1) mine.push(f);
    }
    return mine;
  }

  override async sort(files: TestSpecification[]): Promise<TestSpecification[]> {
    const base = await super.sort(files);
    return base.map((f, i) => ({ f, i })).sort((a, b) => rank(a.f) - rank(b.f) || a.i - b.i).map(({ f }) => f);
  }
}
