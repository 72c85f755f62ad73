/**
 * Is a trace the search found as short as it can be? The explorer answers:
 * breadth-first up to one design step less than the trace takes. Finding a
 * violation there gives a shorter trace (the shortest); finishing that
 * depth without one confirms the search's trace; a state bound hit first
 * leaves it unconfirmed, with the depth that was completed.
 */
import type { Design } from '../model/designs/design.ts';
import { exploreDesign } from './explore-dma.ts';
import type { InvariantId } from './invariant.ts';
import { invariantById } from './registry.ts';
import type { TraceStep } from './trace.ts';

export type Shortest =
  | { readonly kind: 'confirmed'; readonly states: number }
  | { readonly kind: 'shorter'; readonly states: number; readonly depth: number; readonly trace: ReadonlyArray<TraceStep>; readonly message: string }
  | { readonly kind: 'unconfirmed'; readonly states: number; readonly depth: number };

/** `moves`: the design steps of the trace found; `maxStates`: the explorer's budget. */
export const confirmShortest = (design: Design, invariant: InvariantId, moves: number, maxStates: number): Shortest => {
  if (moves <= 1) return { kind: 'confirmed', states: 0 };
  const e = exploreDesign(design, [invariantById(invariant)], { maxDepth: moves - 1, maxStates, stopAtFirstViolation: true });
  const v = e.violations[0];
  if (v !== undefined) return { kind: 'shorter', states: e.result.states, depth: v.depth, trace: v.trace, message: v.message };
  if (e.result.complete || e.result.stoppedBy === 'maxDepth') return { kind: 'confirmed', states: e.result.states };
  return { kind: 'unconfirmed', states: e.result.states, depth: Math.max(0, e.result.maxDepth - 1) };
};

/** The `found:` note of a report; `moves`: the design steps of the search's trace. */
export const shortestNote = (s: Shortest, moves: number): string => {
  switch (s.kind) {
    case 'confirmed':
      return `shortest: yes (explorer, ${s.states} states)`;
    case 'shorter':
      return `a shortest trace, ${s.depth} design step(s), replacing the search's longer one (${s.states} states)`;
    case 'unconfirmed':
      return `shortest: not confirmed (explorer completed depth ${s.depth} of ${moves - 1}, ${s.states} states)`;
  }
};
