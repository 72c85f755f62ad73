import { describe, expect, it } from 'vitest';
import { defaults } from '../../cli/args.ts';
import { budgetOf as designBudget, type Design } from '../../model/designs/design.ts';
import { designs } from '../../model/designs/index.ts';
import { invariantIds } from '../../properties/invariant.ts';
import { invariantById } from '../../properties/registry.ts';
import { search } from '../../properties/search.ts';

const budget = { runs: defaults.runs, maxCommands: defaults.maxCommands };
/** A design's own budget where it asks for more runs or longer runs than the default, as `check` uses it. */
const budgetOf = (d: Design) => designBudget(d, budget.runs, budget.maxCommands);

describe('every design is well formed', () => {
  for (const d of designs) {
    it(`${d.id} states an expectation with a reason for every invariant, and names its source`, () => {
      expect(Object.keys(d.expected).sort()).toEqual([...invariantIds].sort());
      for (const e of Object.values(d.expected)) expect(e.why.length).toBeGreaterThan(20);
      expect(d.source.length).toBeGreaterThan(10);
      expect(d.summary.length).toBeGreaterThan(100);
      const names = [...d.driver, ...d.environment].map((t) => t.name);
      expect(new Set(names).size).toBe(names.length);
    });
  }
  it('design ids are unique', () => {
    expect(new Set(designs.map((d) => d.id)).size).toBe(designs.length);
  });
});

// Every expected violation is searched for by test/check-defaults.test.ts and
// check-defaults-more.test.ts (`npm run check` at seed 2019, each design's own budget), which
// also replay every shrunk trace; `npm run bench` searches each on seeds 1..20 and exits 1 when
// one misses a seed bench/reliability.ts says it finds on.
// Every expected hold is asserted by test/check-defaults.test.ts (`npm run check` exits 0 only when
// every verdict is as its design expects, at each design's own budget); a second seed of every hold
// is measured by `npm run bench` (bench/search.ts, held invariants at seed 1).

describe('the search is deterministic', () => {
  it('the same seed gives the same shrunk trace, and the printed path replays it directly', () => {
    const d = designs.find((x) => x.id === 'gup-set-page-dirty')!;
    const inv = [invariantById('pin-coherent')];
    const a = search(d, inv, { seed: 3, ...budget });
    const b = search(d, inv, { seed: 3, ...budget });
    expect(a.found).not.toBeNull();
    expect(b.runs).toBe(a.runs);
    expect(b.found!.trace.map((t) => t.op)).toEqual(a.found!.trace.map((t) => t.op));
    const c = search(d, inv, { seed: 3, ...budget, path: a.path! });
    expect(c.found!.trace.map((t) => t.op)).toEqual(a.found!.trace.map((t) => t.op));
    // The replay runs only that run, and says which run of the search it was.
    expect(a.runs).toBeGreaterThan(1);
    expect(c.runs).toBe(a.runs);
  });
});

describe('the swarm search of the threaded designs is deterministic too', () => {
  it('the same seed gives the same runs and the same shrunk trace', () => {
    const d = designs.find((x) => x.id === 'vma-p2p-map-notifier-nostop')!;
    expect(d.searchSwarm).toBe(true);
    const inv = [invariantById('notifier-protocol')];
    const a = search(d, inv, { seed: 5, ...budgetOf(d) });
    const b = search(d, inv, { seed: 5, ...budgetOf(d) });
    expect(a.found).not.toBeNull();
    expect(b.runs).toBe(a.runs);
    expect(b.found!.trace.map((t) => t.op)).toEqual(a.found!.trace.map((t) => t.op));
    const c = search(d, inv, { seed: 5, ...budgetOf(d), path: a.path! });
    expect(c.found!.trace.map((t) => t.op)).toEqual(a.found!.trace.map((t) => t.op));
  });
});
