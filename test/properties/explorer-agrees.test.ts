import { describe, expect, it } from 'vitest';
import { defaults } from '../../cli/args.ts';
import { exploreOne } from '../../cli/explore.ts';
import { budgetOf } from '../../model/designs/design.ts';
import { designs } from '../../model/designs/index.ts';
import { invariantIds } from '../../properties/invariant.ts';
import { invariantById } from '../../properties/registry.ts';
import { replay } from '../../properties/replay.ts';
import { opsOf } from '../../properties/explore-dma.ts';
import { verdictsFor } from '../../properties/verdicts.ts';

describe('the explorer and the fast-check search agree at the default bounds', () => {
  for (const d of designs) {
    it(`${d.id}: same verdict for every invariant; no shrunk trace shorter than the shortest; each shortest trace replays`, () => {
      const explored = exploreOne(d.id, invariantIds, undefined, defaults.maxStates);
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
