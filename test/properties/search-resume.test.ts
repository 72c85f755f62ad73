/**
 * verdictsFor starts each search after the first at the run where the one
 * before failed (`SearchConfig.resume`): the runs before it passed a
 * superset of the invariants. Here that shortcut is checked against the
 * plain loop, every search from run 0: the same verdicts, runs, exercised
 * counts, traces and replay paths.
 */
import { describe, expect, it } from 'vitest';
import { designById } from '../../model/designs/index.ts';
import { invariantIds, type InvariantId } from '../../properties/invariant.ts';
import { invariantById } from '../../properties/registry.ts';
import { search, type SearchOutcome } from '../../properties/search.ts';
import { verdictsFor } from '../../properties/verdicts.ts';

const cfg = { seed: 7, runs: 600, maxCommands: 40 };

/** The loop verdictsFor made before it resumed: search every remaining invariant from run 0. */
const fromScratch = (id: string): Map<InvariantId, SearchOutcome> => {
  const d = designById(id)!;
  const out = new Map<InvariantId, SearchOutcome>();
  for (let remaining = [...invariantIds]; remaining.length > 0; ) {
    const r = search(d, remaining.map(invariantById), cfg);
    if (r.found === null) {
      for (const inv of remaining) out.set(inv, r);
      break;
    }
    const inv = r.found.violation.invariant as InvariantId;
    out.set(inv, r);
    remaining = remaining.filter((x) => x !== inv);
  }
  return out;
};

describe('resuming a search where the last one failed', () => {
  for (const id of ['dma-api-misuse']) {
    it(`${id}: every verdict, run count, exercised count, trace and path as the searches from run 0 give`, () => {
      const plain = fromScratch(id);
      const resumed = verdictsFor(designById(id)!, invariantIds, cfg);
      // The shortcut is taken: at least two violations, the second found after the first's run.
      expect(resumed.filter((v) => v.verdict === 'violated').length).toBeGreaterThanOrEqual(2);
      for (const v of resumed) {
        const p = plain.get(v.invariant)!;
        expect([v.verdict, v.runs, v.exercised], `${id} ${v.invariant}`).toEqual([p.found === null ? 'held' : 'violated', p.runs, p.exercised.get(v.invariant) ?? 0]);
        if (v.violation === null) continue;
        expect(v.violation.trace).toEqual(p.found!.trace);
        expect(v.violation.path).toBe(p.path);
      }
    });
  }

  it('a resumed search counts the runs and calls before its start as its own', () => {
    const d = designById('dma-api-misuse')!;
    const first = search(d, invariantIds.map(invariantById), cfg);
    expect(first.resume?.run).toBe(first.runs - 1);
    const rest = invariantIds.filter((i) => i !== first.found!.violation.invariant).map(invariantById);
    const resumed = search(d, rest, { ...cfg, resume: first.resume! });
    const plain = search(d, rest, cfg);
    expect([resumed.runs, resumed.calls, resumed.path]).toEqual([plain.runs, plain.calls, plain.path]);
  });
});
