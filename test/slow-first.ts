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

const rank = (f: TestSpecification): number => {
  const i = SLOW_FIRST.findIndex((s) => f.moduleId.endsWith(s));
  return i < 0 ? SLOW_FIRST.length : i;
};

export default class SlowFirst extends BaseSequencer {
  override async sort(files: TestSpecification[]): Promise<TestSpecification[]> {
    const base = await super.sort(files);
    return base.map((f, i) => ({ f, i })).sort((a, b) => rank(a.f) - rank(b.f) || a.i - b.i).map(({ f }) => f);
  }
}
