/**
 * Replaying saved counterexamples: against their own design (they must
 * violate exactly their invariant at exactly `violatesAt`), or against
 * another design, whose driver makes each recorded call its own way.
 */
import * as E from 'fp-ts/lib/Either.js';
import type { Design } from '../../model/designs/design.ts';
import { peekThread } from '../../model/driver-thread.ts';
import type { Op } from '../../model/op.ts';
import type { State } from '../../model/state.ts';
import { rejectionMessage } from '../../model/result.ts';
import { step } from '../../model/step.ts';
import { makeWorld } from '../../model/world.ts';
import type { Violation } from '../invariant.ts';
import { invariantById, invariants } from '../registry.ts';
import { replay } from '../replay.ts';
import { judge } from '../search.ts';
import { formatOp, type TraceStep } from '../trace.ts';
import type { Counterexample } from './load.ts';
import { createdObjects, IdMap } from './rename.ts';
import { isInternal, settle } from './settle.ts';

export type OwnReplay = { readonly ok: true } | { readonly ok: false; readonly why: string };

/** Does the file still reproduce: accepted step by step, its invariant failing first at `violatesAt`? */
export const replayOwn = (cx: Counterexample): OwnReplay => {
  const want = cx.file.violatesAt;
  const r = replay(cx.design, cx.ops, [invariantById(cx.invariant)]);
  if (r.kind === 'violates' && r.at === want && want < cx.ops.length) {
    // Steps the file has after its violation are run too, so that none is claimed without being checked.
    const all = replay(cx.design, cx.ops, []);
    if (all.kind === 'rejected') return { ok: false, why: `step ${all.at}, after the violation at step ${want}, is rejected (${all.reason})` };
  }
  if (r.kind === 'violates')
    return r.at === want ? { ok: true } : { ok: false, why: `${cx.invariant} now fails at step ${r.at}, the file records step ${want}` };
  if (r.kind === 'rejected')
    return { ok: false, why: `step ${r.at} is now rejected (${r.reason}); the file records a violation at step ${want}` };
  return { ok: false, why: `all ${r.steps} steps are accepted and ${cx.invariant} no longer fails (the file records step ${want})` };
};

export type CrossReplay =
  | { readonly kind: 'violates'; readonly at: number; readonly violation: Violation; readonly trace: ReadonlyArray<TraceStep> }
  | { readonly kind: 'rejected'; readonly at: number; readonly reason: string; readonly trace: ReadonlyArray<TraceStep> }
  /**
   * A recorded driver-thread step the target's driver code does not make
   * there: the trace's interleaving cannot be followed past step `at`.
   * `why` says what the target's code does instead.
   */
  | { readonly kind: 'parted'; readonly at: number; readonly why: string; readonly trace: ReadonlyArray<TraceStep> }
  /** Every one of the `steps` recorded steps ran (`run` calls in all, the target's own driver calls included). */
  | { readonly kind: 'holds'; readonly steps: number; readonly trace: ReadonlyArray<TraceStep> };

/**
 * Run the recorded steps in `other`'s world, each made the way `other`'s
 * driver makes it, checking every invariant. On the file's own design the
 * replay is exact. A trace with driver-thread steps runs every one of them
 * as a step of the target's thread with the same (renamed) id, where the
 * target's code makes that very call next; where it does not, the replay
 * stops and says so (`parted`), since the recorded interleaving cannot be
 * followed. A trace without thread steps lets the target's driver threads
 * run after each call until they have nothing left to do. `at` counts
 * recorded steps.
 */
const asStore = (op: Op): Op => (op.kind === 'write_fault' ? { kind: 'store', mm: op.mm, addr: op.addr } : op);

/** The counterexample's own design: an exact replay of every step, judged by the file's invariant, as `replay FILE` does. */
const replayAsRecorded = (cx: Counterexample, design: Design): CrossReplay => {
  const r = replay(design, cx.ops, [invariantById(cx.invariant)]);
  return r.kind === 'holds' ? { kind: 'holds', steps: r.steps, trace: r.trace } : r;
};

/** A call as the driver writes it, without the thread that makes it. */
const bare = (op: Op): string => {
  const { by: _by, ...rest } = op;
  return formatOp(rest as Op);
};

/** Where the target's driver code parts from a recorded thread step `op` (renamed), or null when it makes that call next. */
const partsAt = (s: State, op: Op, recordedOp: Op, other: Design): string | null => {
  if (op.by === undefined) return null;
  const next = peekThread(s, op.by);
  const t = s.threads.get(op.by);
  if (t === undefined || next === null)
    return `the trace's driver thread ${recordedOp.by} makes ${bare(recordedOp)}, and ${other.id} runs no driver code that does (no thread ${op.by} there)`;
  if (bare(next) === bare(op)) return null;
  return `${other.id}'s ${t.recipe} (thread ${op.by}) calls ${bare(next)} here; the trace calls ${bare(op)}`;
};

export const replayAcross = (cx: Counterexample, other: Design): CrossReplay => {
  if (other.id === cx.design.id) return replayAsRecorded(cx, other);
  // A trace with driver-thread steps fixes an interleaving: every recorded step runs, the threads'
  // as the target's own code where it makes the same call, and the replay says where it does not.
  // A trace without any lets the target's drivers run promptly after each call (settle).
  const followsThreads = cx.ops.some(isInternal);
  let recorded = makeWorld(cx.design.world);
  let state = makeWorld(other.world);
  const ids = new IdMap();
  const trace: TraceStep[] = [];
  for (const [i, op] of cx.ops.entries()) {
    const before = state;
    // A recorded write fault says "the process stored here"; in another design (or era) the
    // same store may not fault at all, so it is replayed as a store, which faults only if needed.
    const renamed = asStore(ids.rename(op));
    if (followsThreads) {
      const parted = partsAt(state, renamed, op, other);
      if (parted !== null) return { kind: 'parted', at: i + 1, why: parted, trace };
    }
    const calls = isInternal(op) ? (followsThreads ? [renamed] : []) : (other.translate?.(renamed, state) ?? [renamed]);
    for (const call of calls) {
      const out = step(state, call);
      // A recorded driver or kernel internal the target has no counterpart for (no driver code, no such invalidation).
      if (E.isLeft(out) && followsThreads && isInternal(op))
        return { kind: 'parted', at: i + 1, why: `${other.id} cannot make the trace's ${bare(call)}: ${rejectionMessage(out.left)}`, trace };
      if (E.isLeft(out)) return { kind: 'rejected', at: i + 1, reason: rejectionMessage(out.left), trace };
      trace.push({ op: call, events: out.right.events });
      const v = judge(invariants, { op: call, before: state, step: out.right });
      if (v !== null) return { kind: 'violates', at: i + 1, violation: v, trace };
      state = out.right.state;
    }
    for (const call of calls.length === 0 || followsThreads ? [] : settle(state)) {
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
    case 'parted':
      return `parts from the trace at step ${r.at}: ${r.why}`;
    case 'holds':
      return `holds: all ${r.steps} recorded steps ran${r.trace.length > r.steps ? ` (${r.trace.length} calls with the target's own driver code)` : ''}, no invariant fails`;
  }
};
