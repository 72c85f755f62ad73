/**
 * A design is an API proposal written as data: the world it runs in, the
 * steps a driver following its recipe may take (in protocol order), the
 * environment events it must survive, and the verdict its authors (or
 * the kernel's history) expect per invariant, each with a one-line reason.
 *
 * A step template turns a few state-independent numbers (a `Choice`) into
 * kernel calls against the current state ("the k-th live mapping"), so
 * that random sequences mostly stay enabled and shrink well. A template
 * may expand into several calls when the recipe issues them back to back.
 */
import * as E from 'fp-ts/lib/Either.js';
import type { InvariantId } from '../../properties/invariant.ts';
import type { Op } from '../op.ts';
import type { Step } from '../result.ts';
import type { State } from '../state.ts';
import { step } from '../step.ts';
import type { WorldSpec } from '../world.ts';

export type Choice = readonly [number, number, number];

/** One call of a template: `made[i]` is the id the i-th earlier call of the same template created. */
export type Build = (s: State, made: ReadonlyArray<number>) => Op | null;

export interface StepTemplate {
  readonly name: string;
  readonly role: 'driver' | 'environment';
  /** Relative frequency in the random search. */
  readonly weight: number;
  /** The calls this template makes in `s`, or null when it is not enabled there. */
  readonly plan: (s: State, c: Choice) => ReadonlyArray<Build> | null;
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

/** The k-th element, cycling; null for an empty list. */
export const nth = <A>(xs: ReadonlyArray<A>, k: number): A | null => (xs.length === 0 ? null : xs[k % xs.length]!);

export const held = (why: string): Expectation => ({ verdict: 'held', why });
export const violated = (why: string): Expectation => ({ verdict: 'violated', why });

/** A template that makes exactly one call. */
export const single = (name: string, role: StepTemplate['role'], weight: number, f: (s: State, c: Choice) => Op | null): StepTemplate => ({
  name,
  role,
  weight,
  plan: (s, c) => {
    const op = f(s, c);
    return op === null ? null : [() => op];
  },
});
