/**
 * Driver code as data: a recipe is a list of actions, one per program
 * counter value. An action looks at what the driver itself can see and
 * says which call the driver makes next (and how its locals change after
 * the call), or where to jump without a call. Recipes never change state
 * themselves: every change is a call the model runs as a step.
 *
 * What a driver can see is typed: its thread's locals (`DriverThread`:
 * what the kernel handed it, what earlier calls returned) and its own
 * records (`DriverView`), never the kernel's tables. A call's result
 * reaches the thread only through the call's events (its return value).
 * test/model/driver-view.test.ts fails when a recipe imports the state.
 */
import type { Event } from './event.ts';
import type { Op } from './op.ts';
import type { DeviceId, DriverRecord, DriverThread, NotifierId, NotifyRange, SgtRecord, State } from './state.ts';

/** What one driver knows besides a thread's locals: its own records. */
export interface DriverView {
  readonly device: DeviceId;
  /** The p2p_map mappings this driver recorded and has not forgotten, oldest first. */
  readonly records: ReadonlyArray<DriverRecord>;
  /** The interval notifiers this driver inserted (embedded in its own objects): their ids and ranges. */
  readonly intervals: ReadonlyArray<{ readonly notifier: NotifierId } & NotifyRange>;
  /** The dma-buf tables this driver keeps (what it got from dma_buf_map_attachment and has not dropped). */
  readonly sgts: ReadonlyArray<SgtRecord>;
}

/** The view of `dev`'s driver in `s`: its records and its own notifiers' intervals. */
export const driverView = (s: State, dev: DeviceId): DriverView => ({
  device: dev,
  records: s.records.filter((r) => r.device === dev),
  intervals: [...s.notifiers.values()].filter((n) => n.owner === dev).map((n) => ({ notifier: n.id, mm: n.mm, start: n.start, end: n.end })),
  sgts: s.sgtRecords.filter((r) => r.device === dev),
});

export type ThreadNext =
  | {
      readonly kind: 'call';
      /** The call, without `by` (the runner adds it). */
      readonly op: Op;
      /** The thread after the call returned, from what the call returned (its events); null ends the thread. Default: on to the next action. */
      readonly then?: (t: DriverThread, returned: ReadonlyArray<Event>) => DriverThread | null;
      /** The call returned an error (not a wait), `reason` starting with it (`-EBUSY: ...`): the driver goes on here; absent, the thread cannot go on. */
      readonly onError?: (t: DriverThread, reason: string) => DriverThread | null;
    }
  | { readonly kind: 'goto'; readonly pc: number };

export type Action = (d: DriverView, t: DriverThread) => ThreadNext;

export interface Recipe {
  readonly name: string;
  /** What the code does, in a sentence, for docs/designs.md. */
  readonly summary: string;
  /** The steps as a kernel developer would write them, one line each, for docs. */
  readonly listing: ReadonlyArray<string>;
  readonly actions: ReadonlyArray<Action>;
}

export const call = (
  op: Op,
  then?: (t: DriverThread, returned: ReadonlyArray<Event>) => DriverThread | null,
  onError?: (t: DriverThread, reason: string) => DriverThread | null,
): ThreadNext => ({
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
