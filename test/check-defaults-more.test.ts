/**
 * `dmacheck check` at its defaults on the second share of the designs:
 * their README rows, the exit status, and the explorer agreeing with the
 * search on each (test/check-defaults-suite.ts). See check-defaults.test.ts.
 */
import { vi } from 'vitest';
import { checkDefaultsSuite } from './check-defaults-suite.ts';
import { SECOND_SHARE } from './check-defaults-shares.ts';

vi.mock('../properties/verdicts.ts', async (importOriginal) => {
  const real = await importOriginal<typeof import('../properties/verdicts.ts')>();
  const kept = new Map<string, ReturnType<typeof real.verdictsFor>>();
  return {
    ...real,
    verdictsFor: (...a: Parameters<typeof real.verdictsFor>) => {
      const [design, ids, cfg] = a;
      const key = JSON.stringify([design.id, ids, cfg.seed, cfg.runs, cfg.maxCommands, cfg.path ?? null]);
      if (!kept.has(key)) kept.set(key, real.verdictsFor(...a));
      return kept.get(key)!;
    },
  };
});

checkDefaultsSuite(SECOND_SHARE);
