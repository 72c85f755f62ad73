/**
 * Vitest's file order under StrykerJS (vitest.mutate.config.ts): the unit
 * tests first, the slow files last. Stryker runs one mutant's covering tests
 * in one worker and stops at the first failure, so a mutant a unit test
 * kills should not wait for the design fingerprints or a fast-check
 * property first. Vitest's own order puts the slowest (or, with no cache,
 * the largest) files first. Milliseconds per test measured with the mutate
 * selection on this machine.
 */
import { BaseSequencer, type TestSpecification } from 'vitest/node';

const SLOW_LAST = [
  'test/counterexamples/paste.test.ts', // about 10 ms a test
  'test/counterexamples/cross-replay.test.ts', // about 20 ms a test
  'test/explorer/reference.test.ts', // about 30 ms
  'test/properties/provider-removal.test.ts', // about 50 ms
  'test/properties/design-fingerprints.test.ts', // about 70 ms, and it covers nearly every line of model/
  'test/counterexamples/robustness.test.ts', // about 70 ms
  'test/properties/shortest.test.ts', // about 90 ms
  'test/counterexamples/malformed.test.ts', // about 110 ms
];

const rank = (f: TestSpecification): number => SLOW_LAST.findIndex((s) => f.moduleId.endsWith(s));

export default class FastFirst extends BaseSequencer {
  override async sort(files: TestSpecification[]): Promise<TestSpecification[]> {
    return [...files].sort((a, b) => rank(a) - rank(b) || (a.moduleId < b.moduleId ? -1 : a.moduleId > b.moduleId ? 1 : 0));
  }
}
