/**
 * `verdictsFor` that keeps what it returned for each search, for the
 * check-defaults bundle (test/check-kit.ts): every import of
 * properties/verdicts.ts in that bundle resolves here (test/cli-bin.ts).
 * A search is a function of its design, invariants, seed, budget and path
 * (`the search is deterministic` in test/properties/designs.test.ts, and
 * test/cli-robustness.test.ts for whole runs), so a kept result is the
 * result a new search would give.
 */
import * as real from '../properties/verdicts.ts';

export * from '../properties/verdicts.ts';

const kept = new Map<string, ReturnType<typeof real.verdictsFor>>();

export const verdictsFor: typeof real.verdictsFor = (...a) => {
  const [design, ids, cfg] = a;
  const key = JSON.stringify([design.id, ids, cfg.seed, cfg.runs, cfg.maxCommands, cfg.path ?? null]);
  if (!kept.has(key)) kept.set(key, real.verdictsFor(...a));
  return kept.get(key)!;
};
