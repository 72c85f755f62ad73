/**
 * Replaying a trace of kernel calls against a design's initial state:
 * every call must be accepted; the invariants are judged after each one.
 */
import * as E from 'fp-ts/lib/Either.js';
import type { Design } from '../model/designs/design.ts';
import type { Op } from '../model/op.ts';
import { rejectionMessage } from '../model/result.ts';
import type { State } from '../model/state.ts';
import { step } from '../model/step.ts';
import { makeWorld } from '../model/world.ts';
import type { Invariant, Violation } from './invariant.ts';
import { judge } from './search.ts';
import type { TraceStep } from './trace.ts';

export type ReplayResult =
  /** `at` is 1-based: the call after which the invariant fails. */
  | { readonly kind: 'violates'; readonly at: number; readonly violation: Violation; readonly trace: ReadonlyArray<TraceStep> }
  | { readonly kind: 'rejected'; readonly at: number; readonly reason: string; readonly trace: ReadonlyArray<TraceStep> }
  | { readonly kind: 'holds'; readonly steps: number; readonly trace: ReadonlyArray<TraceStep>; readonly state: State };

export const replay = (design: Design, ops: ReadonlyArray<Op>, invariants: ReadonlyArray<Invariant>): ReplayResult => {
  let state = makeWorld(design.world);
  const trace: TraceStep[] = [];
  for (const [i, op] of ops.entries()) {
    const out = step(state, op);
    if (E.isLeft(out)) return { kind: 'rejected', at: i + 1, reason: rejectionMessage(out.left), trace };
    trace.push({ op, events: out.right.events });
    const v = judge(invariants, { op, before: state, step: out.right });
    if (v !== null) return { kind: 'violates', at: i + 1, violation: v, trace };
    state = out.right.state;
  }
  return { kind: 'holds', steps: ops.length, trace, state };
};
