/**
 * How reliably the search finds each expected violation at the design's
 * budget, over seeds 1..20. A search that finds a violation on every seed
 * needs no entry; the ones that miss on some seeds are recorded here with
 * the seeds they miss, each a gap to close (docs/performance.md).
 * `npm run bench` fails when a search misses a seed it did not miss before;
 * `npm test` searches at check's seed 2019 only (test/check-defaults.test.ts).
 */
export const RELIABILITY_SEEDS: readonly number[] = Array.from({ length: 20 }, (_, i) => i + 1);

export const MISSED_SEEDS: Readonly<Record<string, readonly number[]>> = {
  // A miss goes here with the seeds it misses, each a gap to close (issue 17). Measured on
  // 2026-12-07 (night), bench/search.ts and `check --seeds 1..20` agreeing. The same seeds missed
  // before that session's model fixes (reclaim's end, fork during reclaim, the COW break's lock):
  // search reliability, not a change of the model. Until then this record listed only seed 9 of
  // the first, and said every other violation was found on all 20.
  // Since the mirror's device access sits out no swarm run (2026-12-08, second session: every race
  // of a mirror ends in it), hmm-mirror-skip-harmless and hmm-mirror-noretry's isolation are found on
  // 20/20 seeds. The map path without read_retry still misses writeback's callback between
  // hmm_range_fault(write) and the programming on one seed (correct-dirtying, median 8,700 runs).
  'hmm-mirror-noretry/correct-dirtying': [18],
};

/** The seeds of `seeds` on which the search must find `design/invariant`. */
export const mustFindOn = (key: string, seeds: readonly number[]): number[] =>
  seeds.filter((s) => !(MISSED_SEEDS[key] ?? []).includes(s));
