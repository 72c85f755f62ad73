/**
 * One state of the DMA model expanded as the explorer needs it, in a form
 * that crosses threads: per enabled action (in `enabledActions` order) the
 * successor's canonical key (or its fingerprint), the invariants the
 * action's kernel calls violate (a bit per invariant, by index), and how
 * many of its calls exercised each invariant. The successor states stay
 * with whoever expanded them (`Expansion.states`).
 *
 * The sequential explorer (explore-dma.ts) computes the same things one
 * call at a time; dma-parallel.ts runs this on worker threads, and must
 * give the same results, so both judge a call the same way: the
 * well-formedness check first, then `judge`. A model bug (an ill-formed
 * state, too many actions) is recorded where it was met, not thrown: the
 * main thread throws it when the engine reaches that state or transition,
 * as one thread would, and not if a bound or a violation stops the run
 * first.
 */
import type { Design } from '../../model/designs/design.ts';
import type { State } from '../../model/state.ts';
import { canonicalKey } from '../canonical.ts';
import { enabledActions } from '../explore-dma.ts';
import type { Invariant } from '../invariant.ts';
import { judge } from '../search.ts';
import { ModelBug, wellFormed } from '../well-formed.ts';
import { fingerprint } from './fingerprints.ts';

/** The expansion of a batch of states, flat, in the order they were expanded. */
export interface Expansion {
  /** Per state expanded: its enabled actions. */
  readonly counts: number[];
  /** Per transition: the successor's key (exact mode) or fingerprint. */
  readonly keys: (string | number)[];
  /** Per transition: bit i set when the action violates invariant i (frontier levels: 0). */
  readonly violated: number[];
  /** Per transition, `invariants.length` entries: the calls that exercised each invariant. */
  readonly exercised: number[];
  /** Per transition: the successor state (null where its holder let it go). */
  readonly states: (State | null)[];
  /** Per state expanded: the model bug met enabling its actions, or null. */
  readonly stateBugs: (string | null)[];
  /** Per transition: the model bug met judging it, or null. */
  readonly bugs: (string | null)[];
}

export const emptyExpansion = (): Expansion => ({ counts: [], keys: [], violated: [], exercised: [], states: [], stateBugs: [], bugs: [] });

/**
 * Adds the expansion of `s` to `out`. `judged` false (the level at the
 * depth bound): successors and keys only, no invariant judged, as the
 * sequential explorer's frontier does.
 */
export const expandInto = (out: Expansion, design: Design, invariants: ReadonlyArray<Invariant>, s: State, judged: boolean, fingerprints: boolean, processSymmetry: boolean): void => {
  let actions: ReturnType<typeof enabledActions>;
  try {
    actions = enabledActions(design, s);
  } catch (err) {
    if (!(err instanceof ModelBug)) throw err;
    out.counts.push(0);
    out.stateBugs.push(err.message);
    return;
  }
  out.counts.push(actions.length);
  out.stateBugs.push(null);
  for (const a of actions) {
    let violated = 0;
    let bug: string | null = null;
    const exercised = new Array<number>(invariants.length).fill(0);
    if (judged)
      for (const call of a.calls) {
        const bad = wellFormed(call.step.state);
        if (bad !== null) {
          bug = `model bug: ${bad}`;
          break;
        }
        const v = judge(invariants, call);
        if (v !== null) violated |= 1 << invariants.findIndex((i) => i.id === v.invariant);
        for (const [i, inv] of invariants.entries()) if (inv.exercised(call.before, call.op, call.step)) exercised[i]!++;
      }
    const t = a.calls[a.calls.length - 1]!.step.state;
    const key = canonicalKey(t, processSymmetry);
    out.keys.push(fingerprints ? fingerprint(key) : key);
    out.violated.push(violated);
    out.exercised.push(...exercised);
    out.states.push(t);
    out.bugs.push(bug);
  }
};
