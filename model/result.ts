/**
 * The outcome of one kernel-like operation: `Either<Rejection, Step>`.
 *
 * A `Rejection` means the operation's kernel precondition does not hold
 * (the call is not enabled in this state, or the kernel returns an error
 * before changing anything); the state is unchanged. A `Step` is the new
 * state plus the events the step produced.
 */
import * as E from 'fp-ts/lib/Either.js';
import type { Event } from './event.ts';
import type { State } from './state.ts';

export interface Rejection {
  readonly op: string;
  readonly reason: string;
}

export interface Step {
  readonly state: State;
  readonly events: ReadonlyArray<Event>;
}

export type Outcome = E.Either<Rejection, Step>;

export const rejectionMessage = (r: Rejection): string => `${r.op}: ${r.reason}`;

export const reject = (op: string, reason: string): Outcome => E.left({ op, reason });

export const done = (state: State, events: ReadonlyArray<Event> = []): Outcome => E.right({ state, events });

/**
 * The call would sleep (a mutex held, an invalidation in progress): it is
 * not an error, it is not enabled yet. The search and the explorer treat
 * it like a rejection (the step is not taken now); its reason says what
 * it waits for.
 */
export const waits = (op: string, reason: string): Outcome => E.left({ op, reason: `waits: ${reason}` });

export const isWait = (r: Rejection): boolean => r.reason.startsWith('waits: ');
