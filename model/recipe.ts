/**
 * Driver code as data: a recipe is a list of actions, one per program
 * counter value. An action looks at the state and the thread's locals and
 * says which call the driver makes next (and how its locals change after
 * the call), or where to jump without a call. Recipes never change state
 * themselves: every change is a call the model runs as a step.
 */
import type { Op } from './op.ts';
import type { Step } from './result.ts';
import type { DriverThread, State } from './state.ts';

export type ThreadNext =
  | {
      readonly kind: 'call';
      /** The call, without `by` (the runner adds it). */
      readonly op: Op;
      /** The thread after the call returned; null ends the thread. Default: on to the next action. */
      readonly then?: (t: DriverThread, step: Step, before: State) => DriverThread | null;
      /** The call returned an error (not a wait): the driver goes on here; absent, the thread cannot go on. */
      readonly onError?: (t: DriverThread) => DriverThread | null;
    }
  | { readonly kind: 'goto'; readonly pc: number };

export type Action = (s: State, t: DriverThread) => ThreadNext;

export interface Recipe {
  readonly name: string;
  /** What the code does, in a sentence, for docs/designs.md. */
  readonly summary: string;
  /** The steps as a kernel developer would write them, one line each, for docs. */
  readonly listing: ReadonlyArray<string>;
  readonly actions: ReadonlyArray<Action>;
}

export const call = (op: Op, then?: (t: DriverThread, step: Step, before: State) => DriverThread | null, onError?: (t: DriverThread) => DriverThread | null): ThreadNext => ({
  kind: 'call',
  op,
  ...(then === undefined ? {} : { then }),
  ...(onError === undefined ? {} : { onError }),
});

// Stryker disable next-line StringLiteral: the runner tells a call by kind === 'call'; any other kind is a jump
export const goto = (pc: number): ThreadNext => ({ kind: 'goto', pc });

/** Go on at `pc` with the locals `t` has. */
export const at = (pc: number) => (t: DriverThread): DriverThread => ({ ...t, pc });

export const end = (): null => null;
