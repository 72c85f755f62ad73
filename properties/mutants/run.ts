/**
 * Does a catalogue mutant flip a verdict? `check`'s search at its default
 * budget, run with the model broken as the mutant says, design by design
 * (the mutant's own designs first), until one verdict differs from what
 * its design expects. A mutant that makes the model throw is reported as
 * such: a crash is noticed, but it is not a verdict.
 */
import { budgetOf, differs } from '../../model/designs/design.ts';
import { designById, designs } from '../../model/designs/index.ts';
import { withoutSteps } from '../../model/designs/world-choice.ts';
import { withVariant } from '../../model/variant.ts';
import { invariantIds, type InvariantId } from '../invariant.ts';
import { verdictsFor } from '../verdicts.ts';
import type { Mutant } from './catalogue.ts';

export interface MutantResult {
  readonly id: string;
  readonly outcome: 'flipped' | 'survived' | 'crashed';
  /** The first verdict that differs: design, invariant, what the search said, and its runs. */
  readonly flip: { readonly design: string; readonly invariant: InvariantId; readonly verdict: 'violated' | 'held'; readonly runs: number; readonly message: string | null } | null;
  readonly crash: string | null;
  readonly designsSearched: number;
  readonly ms: number;
}

export interface MutantBudget {
  readonly seed: number;
  readonly runs: number;
  readonly maxCommands: number;
  /** Only these designs (default: the mutant's own, then every other). */
  readonly designs?: ReadonlyArray<string>;
}

export const designOrder = (m: Mutant): ReadonlyArray<string> => [...m.designs, ...designs.map((d) => d.id).filter((id) => !m.designs.includes(id))];

export const runMutant = (m: Mutant, b: MutantBudget): MutantResult => {
  const t0 = Date.now();
  const order = b.designs ?? designOrder(m);
  let searched = 0;
  for (const id of order) {
    const whole = designById(id);
    if (whole === undefined) continue;
    const d = m.without !== undefined && m.designs.includes(id) ? withoutSteps(whole, m.without) : whole;
    searched++;
    const { runs, maxCommands } = budgetOf(d, b.runs, b.maxCommands);
    try {
      const vs = withVariant(m.variant, () => verdictsFor(d, invariantIds, { seed: b.seed, runs, maxCommands }));
      const f = vs.find((v) => differs(v.expected, v.verdict));
      if (f !== undefined)
        return { id: m.id, outcome: 'flipped', flip: { design: d.id, invariant: f.invariant, verdict: f.verdict, runs: f.runs, message: f.violation?.message ?? null }, crash: null, designsSearched: searched, ms: Date.now() - t0 };
    } catch (e) {
      return { id: m.id, outcome: 'crashed', flip: null, crash: `${d.id}: ${e instanceof Error ? e.message : String(e)}`, designsSearched: searched, ms: Date.now() - t0 };
    }
  }
  return { id: m.id, outcome: 'survived', flip: null, crash: null, designsSearched: searched, ms: Date.now() - t0 };
};
