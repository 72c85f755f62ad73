/**
 * Witnesses: the shortest trace (breadth-first, on the explorer) that
 * reaches a named situation in a design's world, or the bound within which
 * none does. A witness is what shows that a protection really fires: the
 * notifier callback really runs before munmap completes, reclaim really
 * meets a pinned page.
 */
import * as O from 'fp-ts/lib/Option.js';
import type { Design } from '../model/designs/design.ts';
import { exploreDesign } from './explore-dma.ts';
import type { Invariant } from './invariant.ts';
import type { Situation } from './situations.ts';
import type { TraceStep } from './trace.ts';

export interface WitnessBounds {
  readonly maxStates: number;
  readonly maxDepth?: number;
}

export type Witness =
  | { readonly kind: 'reached'; readonly depth: number; readonly trace: ReadonlyArray<TraceStep>; readonly states: number }
  | { readonly kind: 'not-reached'; readonly complete: boolean; readonly depth: number; readonly states: number };

/** The situation as a check the explorer can stop at: it "fails" where the situation is reached. */
const asCheck = (x: Situation): Invariant => ({
  id: x.invariant,
  rule: x.what,
  // Stryker disable next-line StringLiteral: asCheck is private and findWitness returns only depth, trace and states, never the rule's source
  source: 'a witness, not a rule',
  // Stryker disable next-line StringLiteral: findWitness keeps the trace of the first violation, never its message
  check: (before, op, step) => (x.reached(before, op, step) ? O.some(`reaches ${x.id}: ${x.what}`) : O.none),
  // Stryker disable next-line ArrowFunction,BooleanLiteral: exploreDesign only counts exercised() in a map findWitness never reads; it does not steer the search
  exercised: () => false,
});

export const findWitness = (design: Design, x: Situation, bounds: WitnessBounds): Witness => {
  const e = exploreDesign(design, [asCheck(x)], { maxStates: bounds.maxStates, stopAtFirstViolation: true, ...(bounds.maxDepth === undefined ? {} : { maxDepth: bounds.maxDepth }) });
  const v = e.violations[0];
  if (v !== undefined) return { kind: 'reached', depth: v.depth, trace: v.trace, states: e.result.states };
  // A stop at the depth bound completed every level up to it; a stop at the state bound only the one before the last.
  const depth = e.result.complete || e.result.stoppedBy === 'maxDepth' ? e.result.maxDepth : Math.max(0, e.result.maxDepth - 1);
  return { kind: 'not-reached', complete: e.result.complete, depth, states: e.result.states };
};
