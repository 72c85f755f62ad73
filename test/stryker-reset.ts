/**
 * A vitest setup file of the mutate selection (vitest.mutate.config.ts),
 * run before each test file is imported. Under StrykerJS with the kept
 * thread of test/stryker-runner.mjs, the thread still holds the previous
 * run's mutant while the next run imports its test files, and a test file
 * that computes anything at import (test names, tables of cases) would
 * compute it on the wrong mutant. Stryker activates a run-time mutant only
 * in a beforeAll hook, after the import; until then no mutant is active, as
 * in a fresh thread. Outside Stryker nothing is injected and this does
 * nothing.
 */
import { inject } from 'vitest';

type Namespace = { activeMutant?: string | undefined };

const provided = inject as unknown as (key: string) => unknown;
const name = provided('globalNamespace');
if (typeof name === 'string' && provided('mode') === 'mutant' && provided('mutantActivation') === 'runtime') {
  const ns = (globalThis as unknown as Record<string, Namespace | undefined>)[name];
  if (ns !== undefined) ns.activeMutant = undefined;
}
