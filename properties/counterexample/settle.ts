/**
 * Cross-design replay into a design whose importer runs driver threads:
 * after each recorded call, the target's own driver code runs until it has
 * nothing left to do (every thread that can take a step does, lowest id
 * first; every invalidation whose callbacks returned ends). This is one
 * interleaving, the one where drivers run promptly: enough to show what
 * the other design's driver does with the same kernel calls, not a search.
 */
import * as E from 'fp-ts/lib/Either.js';
import { peekThread } from '../../model/driver-thread.ts';
import type { Op } from '../../model/op.ts';
import type { Step } from '../../model/result.ts';
import type { State } from '../../model/state.ts';
import { step } from '../../model/step.ts';

/** No driver runs forever here: a map path only loops when an invalidation overtakes it. */
const MAX_SETTLE_CALLS = 200;

export interface SettledCall {
  readonly op: Op;
  readonly before: State;
  readonly step: Step;
}

const nextSettleCall = (s: State): { op: Op; step: Step } | null => {
  // Stryker disable next-line MethodExpression,ArrowFunction: thread ids come from nextId (ascending) and put() appends a new key, so the keys are already in id order
  for (const tid of [...s.threads.keys()].sort((a, b) => a - b)) {
    const op = peekThread(s, tid);
    if (op === null) continue;
    const out = step(s, op);
    if (E.isRight(out)) return { op, step: out.right };
  }
  // Stryker disable next-line MethodExpression,ArrowFunction: invalidation ids come from nextId (ascending) and put() appends a new key, so the values are already in id order
  for (const inv of [...s.invalidations.values()].sort((a, b) => a.id - b.id)) {
    const op: Op = { kind: 'mmu_notifier_invalidate_range_end', inv: inv.id };
    const out = step(s, op);
    if (E.isRight(out)) return { op, step: out.right };
  }
  return null;
};

/** The calls the target's drivers and kernel make on their own from `s`, in order. */
export const settle = (s: State): ReadonlyArray<SettledCall> => {
  const calls: SettledCall[] = [];
  let state = s;
  for (let i = 0; i < MAX_SETTLE_CALLS; i++) {
    const n = nextSettleCall(state);
    if (n === null) break;
    calls.push({ op: n.op, before: state, step: n.step });
    state = n.step.state;
  }
  return calls;
};

/**
 * Calls that are one design's driver or kernel internals: its threads'
 * steps, the start of a map path, the end of an invalidation. Replayed
 * against another design they are skipped: that design's own code makes
 * its own (see `settle`).
 */
export const isInternal = (op: Op): boolean => op.by !== undefined || op.kind === 'driver_map_range' || op.kind === 'mmu_notifier_invalidate_range_end';
