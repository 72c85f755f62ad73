/**
 * How reliably the search finds each expected violation at the design's
 * budget, over seeds 1..20. A search that finds a violation on every seed
 * needs no entry; the ones that miss on some seeds are recorded here with
 * the seeds they miss, each a gap to close (docs/performance.md).
 * `npm run bench` fails when a search misses a seed it did not miss before;
 * `npm test` checks the first seeds only (test/properties/designs.test.ts).
 */
export const RELIABILITY_SEEDS: readonly number[] = Array.from({ length: 20 }, (_, i) => i + 1);

export const MISSED_SEEDS: Readonly<Record<string, readonly number[]>> = {
  // A partial munmap or mremap shrink the callback ignores, range_end, then a
  // device access to the freed page.
  'vma-p2p-map-notifier-whole-vma/no-dma-after-free': [3, 18],
  // The noretry race with the provider's removal as the invalidation, which
  // then completes with the device holding the stale addresses.
  'vma-p2p-map-notifier-noretry/provider-removal': [15],
  // A partial invalidation the callback ignores, then a removal whose range is
  // again partial for the notifier.
  'vma-p2p-map-notifier-whole-vma/provider-removal': [2, 3, 5, 8, 11, 12, 16, 20],
};

/** The seeds of `seeds` on which the search must find `design/invariant`. */
export const mustFindOn = (key: string, seeds: readonly number[]): number[] =>
  seeds.filter((s) => !(MISSED_SEEDS[key] ?? []).includes(s));
