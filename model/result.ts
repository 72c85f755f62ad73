/**
 * The outcome of one kernel-like operation: `Either<Rejection, Step>`.
 *
 * A `Rejection` leaves the state unchanged and is one of two things
 * (docs/model.md, "Rejections"): the kernel returns an error before it
 * changes anything, and the reason starts with that error (`-EFAULT: ...`,
 * `returns 0: ...`, `returns false: ...`, `DMA_MAPPING_ERROR: ...`,
 * `SIGSEGV: ...`); or the call is ill-formed, one a C caller cannot make
 * or the model does not simulate (an id that names nothing, a freed kernel
 * object, the wrong C type, a world the model does not build), and the
 * reason starts with `ill-formed: `. A call that would sleep now `waits: `
 * (not an error). Every op follows this; test/model/rejections.test.ts
 * enumerates the sites. Everything else is a `Step`: the new state plus
 * the events the step produced.
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

/** A call a C caller cannot make, or whose undefined behaviour the model does not simulate. */
export const illFormed = (op: string, reason: string): Outcome => reject(op, `ill-formed: ${reason}`);

/** Does a rejection reason follow the rule: an error return (an errno, a failing return value, a signal) or ill-formed? */
export const namesAnError = (reason: string): boolean => /^(-E[A-Z]+|returns (0|NULL|false)|DMA_MAPPING_ERROR|SIG(SEGV|BUS)|ill-formed): /.test(reason);

export const done = (state: State, events: ReadonlyArray<Event> = []): Outcome => E.right({ state, events });

/**
 * The call would sleep (a mutex held, an invalidation in progress): it is
 * not an error, it is not enabled yet. The search and the explorer treat
 * it like a rejection (the step is not taken now); its reason says what
 * it waits for.
 */
export const waits = (op: string, reason: string): Outcome => E.left({ op, reason: `waits: ${reason}` });

export const isWait = (r: Rejection): boolean => r.reason.startsWith('waits: ');

/** A call C cannot make, or whose undefined behaviour the model does not simulate. */
export const isIllFormed = (r: Rejection): boolean => r.reason.startsWith('ill-formed: ');
