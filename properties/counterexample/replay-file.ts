/**
 * Replaying saved counterexamples: against their own design (they must
 * violate exactly their invariant at exactly `violatesAt`), or against
 * another design, whose driver makes each recorded call its own way.
 */
import * as E from 'fp-ts/lib/Either.js';
import type { Design } from '../../model/designs/design.ts';
import type { Op } from '../../model/op.ts';
import { rejectionMessage } from '../../model/result.ts';
import { step } from '../../model/step.ts';
import { makeWorld } from '../../model/world.ts';
import type { Violation } from '../invariant.ts';
import { invariantById, invariants } from '../registry.ts';
import { replay } from '../replay.ts';
import { judge } from '../search.ts';
import type { TraceStep } from '../trace.ts';
import type { Counterexample } from './load.ts';
import { createdObjects, IdMap } from './rename.ts';
import { isInternal, settle } from './settle.ts';

export type OwnReplay = { readonly ok: true } | { readonly ok: false; readonly why: string };

/** Does the file still reproduce: accepted step by step, its invariant failing first at `violatesAt`? */
export const replayOwn = (cx: Counterexample): OwnReplay => {
  const want = cx.file.violatesAt;
  const r = replay(cx.design, cx.ops, [invariantById(cx.invariant)]);
  if (r.kind === 'violates')
    return r.at === want ? { ok: true } : { ok: false, why: `${cx.invariant} now fails at step ${r.at}, the file records step ${want}` };
  if (r.kind === 'rejected')
    return { ok: false, why: `step ${r.at} is now rejected (${r.reason}); the file records a violation at step ${want}` };
  return { ok: false, why: `all ${r.steps} steps are accepted and ${cx.invariant} no longer fails (the file records step ${want})` };
};

export type CrossReplay =
  | { readonly kind: 'violates'; readonly at: number; readonly violation: Violation; readonly trace: ReadonlyArray<TraceStep> }
  | { readonly kind: 'rejected'; readonly at: number; readonly reason: string; readonly trace: ReadonlyArray<TraceStep> }
  | { readonly kind: 'holds'; readonly steps: number; readonly trace: ReadonlyArray<TraceStep> };

/**
 * Run the recorded steps in `other`'s world, each made the way `other`'s
 * driver makes it, checking every invariant. The recorded design's own
 * driver-thread steps are skipped; after each call, `other`'s driver
 * threads run until they have nothing left to do. `at` counts recorded
 * steps.
 */
const asStore = (op: Op): Op => (op.kind === 'write_fault' ? { kind: 'store', mm: op.mm, addr: op.addr } : op);

export const replayAcross = (cx: Counterexample, other: Design): CrossReplay => {
  let recorded = makeWorld(cx.design.world);
  let state = makeWorld(other.world);
  const ids = new IdMap();
  const trace: TraceStep[] = [];
  for (const [i, op] of cx.ops.entries()) {
    const before = state;
    // A recorded write fault says "the process stored here"; in another design (or era) the
    // same store may not fault at all, so it is replayed as a store, which faults only if needed.
    const renamed = asStore(ids.rename(op));
    const calls = isInternal(op) ? [] : (other.translate?.(renamed, state) ?? [renamed]);
    for (const call of calls) {
      const out = step(state, call);
      if (E.isLeft(out)) return { kind: 'rejected', at: i + 1, reason: rejectionMessage(out.left), trace };
      trace.push({ op: call, events: out.right.events });
      const v = judge(invariants, { op: call, before: state, step: out.right });
      if (v !== null) return { kind: 'violates', at: i + 1, violation: v, trace };
      state = out.right.state;
    }
    for (const call of calls.length === 0 ? [] : settle(state)) {
      trace.push({ op: call.op, events: call.step.events });
      const v = judge(invariants, call);
      if (v !== null) return { kind: 'violates', at: i + 1, violation: v, trace };
      state = call.step.state;
    }
    const orig = step(recorded, op);
    if (E.isRight(orig)) {
      ids.learn(createdObjects(recorded, orig.right.state), createdObjects(before, state));
      recorded = orig.right.state;
    }
  }
  return { kind: 'holds', steps: cx.ops.length, trace };
};

export const crossReplayLine = (r: CrossReplay): string => {
  switch (r.kind) {
    case 'violates':
      return `violates ${r.violation.invariant} at step ${r.at}: ${r.violation.message}`;
    case 'rejected':
      return `step ${r.at} rejected: ${r.reason}`;
    case 'holds':
      return `holds: all ${r.steps} steps accepted, no invariant fails`;
  }
};
