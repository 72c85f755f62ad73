/**
 * Vitest's file order under StrykerJS (vitest.mutate.config.ts): the unit
 * tests first, the slow files last. Stryker runs one mutant's covering tests
 * in one worker and stops at the first failure, so a mutant a unit test
 * kills should not wait for the design fingerprints or a fast-check
 * property first. Vitest's own order puts the slowest (or, with no cache,
 * the largest) files first. Milliseconds per test measured with the mutate
 * selection on this machine.
 */
import { readFileSync } from 'node:fs';
import { BaseSequencer, type TestSpecification } from 'vitest/node';

// Slowest last, in this order (measured per test on this machine with the mutate
// selection): paste about 10 ms a test, cross-replay 20, the explorer's reference
// model 30, provider-removal 50, the design fingerprints 70 (and they cover nearly
// every line of model/), robustness 70, shortest 90, malformed files 110.
// test/stryker-runner.mjs reads the same list.
const SLOW_LAST: ReadonlyArray<string> = JSON.parse(readFileSync(new URL('./slow-last.json', import.meta.url), 'utf8')) as string[];

const rank = (f: TestSpecification): number => SLOW_LAST.findIndex((s) => f.moduleId.endsWith(s));

export default class FastFirst extends BaseSequencer {
  override async sort(files: TestSpecification[]): Promise<TestSpecification[]> {
    return [...files].sort((a, b) => rank(a) - rank(b) || (a.moduleId < b.moduleId ? -1 : a.moduleId > b.moduleId ? 1 : 0));
  }
}
