/**
 * Verdicts for one design, straight from the search and never from the
 * design's expectations: search with every chosen invariant; when one is
 * violated, record it (with its shrunk trace) and search again for the
 * rest; what survives a whole budget of runs is held.
 */
import type { Design, Expected } from '../model/designs/design.ts';
import type { InvariantId } from './invariant.ts';
import { invariantById } from './registry.ts';
import { search, type Resume, type SearchConfig } from './search.ts';
import type { Shortest } from './shortest.ts';
import type { TraceStep } from './trace.ts';

export interface Verdict {
  readonly design: string;
  readonly invariant: InvariantId;
  readonly verdict: 'violated' | 'held';
  readonly expected: Expected;
  /** Runs of the search that decided it (for a violation: up to the failing run). */
  readonly runs: number;
  readonly ms: number;
  readonly seed: number;
  /** The search's budget of runs and steps per run (a replay must use the same). */
  readonly budget: number;
  readonly maxCommands: number;
  /** The invariants that search checked: replaying needs the same set. */
  readonly searched: ReadonlyArray<InvariantId>;
  /** Kernel calls of that search that reached the situation the invariant guards; 0 makes a hold vacuous. */
  readonly exercised: number;
  readonly violation: null | {
    readonly message: string;
    readonly trace: ReadonlyArray<TraceStep>;
    /** Design steps the trace takes, the explorer's unit of length: one a template move, one a call of a search-only run of thread steps. */
    readonly moves: number;
    readonly path: string;
    /** What the explorer said of the trace's length (`properties/shortest.ts`), when asked. */
    readonly shortest?: Shortest;
  };
}

export const verdictsFor = (design: Design, ids: ReadonlyArray<InvariantId>, cfg: SearchConfig): ReadonlyArray<Verdict> => {
  // Stryker disable next-line ArrayDeclaration: a stray non-verdict entry has no invariant field, so the final find never picks it
  const out: Verdict[] = [];
  let remaining = [...ids];
  let path = cfg.path;
  // Each search after the first starts at the run where the one before failed (the runs before it pass).
  let resume: Resume | undefined;
  // Stryker disable next-line EqualityOperator: with every invariant violated, one more search over no invariants finds nothing and breaks without adding a verdict: only work is added
  while (remaining.length > 0) {
    const searched = remaining;
    const r = search(design, searched.map(invariantById), { ...cfg, path, resume });
    path = undefined; // a replay path only describes the first search
    resume = r.resume ?? undefined;
    if (r.found === null) {
      for (const id of searched)
        out.push({ design: design.id, invariant: id, verdict: 'held', expected: design.expected[id].verdict, runs: r.runs, ms: r.ms, seed: r.seed, budget: cfg.runs, maxCommands: cfg.maxCommands, searched, exercised: r.exercised.get(id) ?? 0, violation: null });
      break;
    }
    const { invariant, message } = r.found.violation;
    out.push({
      design: design.id,
      invariant,
      verdict: 'violated',
      expected: design.expected[invariant].verdict,
      runs: r.runs,
      ms: r.ms,
      seed: r.seed,
      budget: cfg.runs,
      maxCommands: cfg.maxCommands,
      searched,
      exercised: r.exercised.get(invariant) ?? 0,
      // Stryker disable next-line StringLiteral: search() sets path to a string whenever it found a violation (properties/search.ts), so the fallback is never used
      violation: { message, trace: r.found.trace, moves: r.found.units, path: r.path ?? '' },
    });
    remaining = remaining.filter((id) => id !== invariant);
  }
  return ids.map((id) => out.find((v) => v.invariant === id)!);
};
