/**
 * A design is an API proposal written as data: the world it runs in, the
 * steps a driver following its recipe may take (in protocol order), the
 * environment events it must survive, and the verdict its authors (or
 * the kernel's history) expect per invariant, each with a one-line reason.
 *
 * A step template lists, for the current state, every distinct way the
 * step can be taken ("munmap this VMA", "map this table for writing"),
 * each as the kernel calls it makes. The random search picks one by a
 * state-independent number (so sequences mostly stay enabled and shrink
 * well); the explorer takes them all. A template may expand into several
 * calls when the recipe issues them back to back.
 */
import * as E from 'fp-ts/lib/Either.js';
import type { InvariantId } from '../../properties/invariant.ts';
import type { Op } from '../op.ts';
import type { Step } from '../result.ts';
import type { State } from '../state.ts';
import { step } from '../step.ts';
import type { WorldSpec } from '../world.ts';

/** One call of a template: `made[i]` is the id the i-th earlier call of the same option created. */
export type Build = (s: State, made: ReadonlyArray<number>) => Op | null;

/** One way of taking a step: its calls, in order. */
export type Plan = ReadonlyArray<Build>;

export interface StepTemplate {
  readonly name: string;
  readonly role: 'driver' | 'environment';
  /** Relative frequency in the random search. */
  readonly weight: number;
  /** Every way this step can be taken in `s`, in a fixed order; empty when it is not enabled. */
  readonly options: (s: State) => ReadonlyArray<Plan>;
}

export interface Expectation {
  readonly verdict: 'violated' | 'held';
  readonly why: string;
}

export interface Design {
  readonly id: string;
  readonly title: string;
  readonly summary: string;
  readonly source: string;
  readonly world: WorldSpec;
  readonly driver: ReadonlyArray<StepTemplate>;
  readonly environment: ReadonlyArray<StepTemplate>;
  readonly expected: Readonly<Record<InvariantId, Expectation>>;
  /**
   * Runs the random search needs for this design's violations when more
   * than the default: races of many driver-thread steps in one order.
   * `check` uses it unless `--runs` is given; the replay command names it.
   */
  readonly searchRuns?: number;
  /**
   * How this design's driver makes a call recorded from another design
   * (cross-design replay): the calls it issues instead, in state `s`.
   * Absent: every call is made as it is.
   */
  readonly translate?: (op: Op, s: State) => ReadonlyArray<Op>;
}

export interface PlannedCall {
  readonly op: Op;
  readonly before: State;
  readonly step: Step;
}

/** Run the builds in order; null if any is not enabled or the kernel rejects a call. */
export const runPlan = (s: State, builds: ReadonlyArray<Build>): ReadonlyArray<PlannedCall> | null => {
  const calls: PlannedCall[] = [];
  const made: number[] = [];
  let cur = s;
  for (const b of builds) {
    const op = b(cur, made);
    if (op === null) return null;
    const out = step(cur, op);
    if (E.isLeft(out)) return null;
    calls.push({ op, before: cur, step: out.right });
    made.push(cur.nextId);
    cur = out.right.state;
  }
  return calls;
};

export const held = (why: string): Expectation => ({ verdict: 'held', why });
export const violated = (why: string): Expectation => ({ verdict: 'violated', why });

/** A template whose every option is exactly one call. */
export const single = (name: string, role: StepTemplate['role'], weight: number, f: (s: State) => ReadonlyArray<Op>): StepTemplate => ({
  name,
  role,
  weight,
  options: (s) => f(s).map((op) => [() => op]),
});

/** Both values of a flag, for listing options. */
export const bools: ReadonlyArray<boolean> = [true, false];
