/**
 * `dmacheck check` at its defaults (seed 2019, 10000 runs of up to 80
 * steps, a design's own budget and run length where it asks for more) on
 * the first share of the designs (test/check-defaults-suite.ts; the rest
 * are in check-defaults-more.test.ts), three ways:
 *
 * - the README sample is what `npm run check` prints: every table row of
 *   these designs shown (the time column aside, which is wall clock), and
 *   the trace block verbatim. It drifted once; this fails when it does again.
 * - `check --json` on five of them.
 * - the explorer and the fast-check search agree on each.
 *
 * All three ask for the same searches (same design, invariants, seed and
 * budget), which take tens of seconds. They run in the sources bundled
 * (test/check-kit.ts), where `verdictsFor` keeps what it returned for each
 * search (test/check-kit-verdicts.ts), so each runs once in this file.
 * Each test still works alone (`-t`). `check` runs in this process, by the
 * bundle's `main`, as `npm run check` runs it through bin/dmacheck.js.
 */
import { describe, expect, it } from 'vitest';
import { FIRST_SHARE, SECOND_SHARE } from './check-defaults-shares.ts';
import { checkDefaultsSuite, kit, runCli, sample } from './check-defaults-suite.ts';

const { designs, invariantIds } = kit;

const { check } = checkDefaultsSuite(FIRST_SHARE);

describe('the README sample, the rest', () => {
  it('the two shares of check-defaults make up every design, each once', () => {
    expect([...FIRST_SHARE, ...SECOND_SHARE].sort()).toEqual(designs.map((d) => d.id).sort());
  });

  it('the sample trace is printed verbatim, and every report line fits 72 columns', () => {
    const trace = sample().split('\n...\n')[1]!;
    const out = check();
    expect(out.stdout).toContain(trace.trim());
    const reports = out.stdout.slice(out.stdout.indexOf('dmacheck counterexample'), out.stdout.indexOf('\nVacuous holds'));
    for (const l of reports.split('\n')) expect(l.length, l).toBeLessThanOrEqual(72);
  });
});

interface JsonResult {
  design: string;
  invariant: string;
  verdict: string;
  steps?: { op: string; args: Record<string, unknown> }[];
}

describe('dmacheck check --json', () => {
  it('prints every verdict as JSON, with the shrunk steps of each violation, and exits 0 when all match', () => {
    const named = ['vma-p2p-map', 'p2pdma-page-sgl', 'gup-set-page-dirty', 'pin-user-pages', 'vma-p2p-map-notifier'];
    const r = runCli('check', '--json', ...named.flatMap((d) => ['--design', d]));
    expect(r.status).toBe(0);
    const out = JSON.parse(r.stdout) as { results: JsonResult[] };
    expect(out.results).toHaveLength(named.length * invariantIds.length);
    const get = (d: string, i: string) => out.results.find((x) => x.design === d && x.invariant === i)!;
    expect(get('vma-p2p-map', 'map-within-vma-lifetime').verdict).toBe('violated');
    expect(get('vma-p2p-map', 'map-within-vma-lifetime').steps!.map((s) => s.op).slice(0, 3)).toEqual(['mmap', 'p2p_map', 'device_program']);
    expect(['munmap', 'exit_mmap']).toContain(get('vma-p2p-map', 'map-within-vma-lifetime').steps!.at(-1)!.op);
    expect(get('p2pdma-page-sgl', 'no-cpu-iomem').verdict).toBe('violated');
    expect(get('gup-set-page-dirty', 'correct-dirtying').verdict).toBe('violated');
    for (const d of ['pin-user-pages', 'vma-p2p-map-notifier'])
      for (const x of out.results.filter((y) => y.design === d)) expect(x.verdict, `${d} ${x.invariant}`).toBe('held');
    for (const x of out.results.filter((y) => y.verdict === 'held')) expect(x.steps).toBeUndefined();
  });
});
