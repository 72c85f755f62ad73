/**
 * `dmacheck check` at its defaults (seed 2019, 10000 runs of up to 80
 * steps, a design's own budget and run length where it asks for more),
 * three ways:
 *
 * - the README sample is what `npm run check` prints: every table row
 *   shown (the time column aside, which is wall clock) and the trace block
 *   verbatim. It drifted once; this fails when it does again.
 * - `check --json` on the five cheaper designs.
 * - the explorer and the fast-check search agree on every design.
 *
 * All three ask for the same searches (same design, invariants, seed and
 * budget), which take tens of seconds; they lived in three files and ran
 * three times. Here `verdictsFor` keeps what it returned for each search,
 * so each runs once per file. A search is a function of those arguments
 * (`the search is deterministic` in test/properties/designs.test.ts, and
 * test/cli-robustness.test.ts for whole runs), so a kept result is the
 * result a new search would give. Each test still works alone (`-t`): a
 * search nobody ran yet runs then. `check` runs in this process
 * (test/cli-in-process.ts), as `npm run check` runs it through
 * bin/dmacheck.js.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it, vi } from 'vitest';
import { defaults } from '../cli/args.ts';
import { exploreOne } from '../cli/explore.ts';
import { budgetOf } from '../model/designs/design.ts';
import { designs } from '../model/designs/index.ts';
import { opsOf } from '../properties/explore-dma.ts';
import { invariantIds } from '../properties/invariant.ts';
import { invariantById } from '../properties/registry.ts';
import { replay } from '../properties/replay.ts';
import { verdictsFor } from '../properties/verdicts.ts';
import { runCli, type CliRun } from './cli-in-process.ts';

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

let whole: CliRun | undefined;
/** `npm run check`: every design, every invariant, the defaults. */
const checkAll = (): CliRun => (whole ??= runCli('check'));

const sample = (): string => {
  const readme = readFileSync('README.md', 'utf8');
  const section = readme.slice(readme.indexOf('## What it prints'));
  return section.slice(section.indexOf('```\n') + 4, section.indexOf('\n```', section.indexOf('```\n') + 4));
};

/** A table line without its trailing time column. */
const untimed = (l: string): string => l.replace(/\s+(time|[0-9]+\.[0-9]+s)$/, '');

describe('the README sample', () => {
  const [table, trace] = sample().split('\n...\n') as [string, string];

  it('npm run check exits 0', () => {
    const out = checkAll();
    expect(out.status, out.stderr).toBe(0);
  });

  it('every row of the sample table is a row that npm run check prints', () => {
    const printed = new Set(checkAll().stdout.split('\n').map(untimed));
    const rows = table.split('\n');
    expect(rows.length).toBeGreaterThan(3);
    for (const row of rows) expect(printed.has(untimed(row)), `README row not printed:\n${row}`).toBe(true);
  });

  it('the sample trace is printed verbatim, and every report line fits 72 columns', () => {
    const out = checkAll();
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
    expect(out.results).toHaveLength(named.length * 8);
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

describe('the explorer and the fast-check search agree at the default bounds', () => {
  for (const d of designs) {
    it(`${d.id}: same verdict for every invariant; no shrunk trace shorter than the shortest; each shortest trace replays`, () => {
      const explored = exploreOne(d.id, invariantIds, undefined, defaults.maxStates);
      // The search check makes: the design's own budget where it asks for more (so the search is kept from check's run).
      const searched = verdictsFor(d, invariantIds, { seed: defaults.seed, ...budgetOf(d, defaults.runs, defaults.maxCommands) });
      for (const id of invariantIds) {
        const e = explored.results.find((r) => r.invariant === id)!;
        const s = searched.find((v) => v.invariant === id)!;
        // A bounded hold agrees with a violation that needs more steps than the bound checked.
        if (e.verdict === 'held-bounded' && s.violation !== null && s.violation.moves > explored.depth) {
          console.log(`${d.id} ${id}: fast-check's violation takes ${s.violation.moves} steps, beyond the explorer's depth ${explored.depth}`);
          continue;
        }
        expect(e.verdict === 'violated', `${d.id} ${id}: explore ${e.verdict}, fast-check ${s.verdict}`).toBe(s.verdict === 'violated');
        const shortest = explored.exploration.violations.find((v) => v.invariant === id);
        if (shortest === undefined || s.violation === null) continue;
        expect(s.violation.moves, `${d.id} ${id}: fast-check needs ${s.violation.moves} steps, BFS found ${shortest.depth}`).toBeGreaterThanOrEqual(shortest.depth);
        if (s.violation.moves > shortest.depth)
          console.log(`${d.id} ${id}: fast-check's shrunk trace takes ${s.violation.moves} steps, the shortest takes ${shortest.depth}`);
        const again = replay(d, opsOf(shortest), [invariantById(id)]);
        expect(again.kind === 'violates' && again.at).toBe(shortest.trace.length);
      }
    });
  }
});
