/**
 * A trace run step by step for the cause finders (causes.ts,
 * causes-pages.ts) and the thread lanes (threads.ts): each step's call,
 * the states on either side and its events, up to the first call the
 * model refuses, and the searches over them the finders share.
 */
import type { Design } from '../../model/designs/design.ts';
import type { Event } from '../../model/event.ts';
import type { Op } from '../../model/op.ts';
import { findVma } from '../../model/page.ts';
import type { State } from '../../model/state.ts';
import { step } from '../../model/step.ts';
import { makeWorld } from '../../model/world.ts';

export interface Cause {
  /** The step (1-based). */
  readonly step: number;
  readonly why: string;
}

export interface Ran {
  readonly op: Op;
  readonly before: State;
  readonly after: State;
  readonly events: ReadonlyArray<Event>;
}

export const runSteps = (design: Design, ops: ReadonlyArray<Op>): ReadonlyArray<Ran> => {
  let s = makeWorld(design.world);
  const out: Ran[] = [];
  for (const op of ops) {
    const r = step(s, op);
    if (r._tag === 'Left') break;
    out.push({ op, before: s, after: r.right.state, events: r.right.events });
    s = r.right.state;
  }
  return out;
};

/** The last index before `k` satisfying `p`, or -1. */
export const lastBefore = (steps: ReadonlyArray<Ran>, k: number, p: (r: Ran) => boolean): number => {
  for (let i = k - 1; i >= 0; i--) if (p(steps[i]!)) return i;
  return -1;
};

/** What the CPU page table of `mm` maps at virtual page `addr` in `s`: `4w`, `4r` or `none`. */
export const pteAt = (s: State, mm: number, addr: number): string => {
  const v = findVma(s, mm, addr);
  const p = v === undefined ? null : (v.ptes[addr - v.start] ?? null);
  return p === null ? 'none' : 'swap' in p ? `swap slot ${p.swap}` : `${p.pfn}${p.writable ? 'w' : 'r'}`;
};

/** The step that made mapping `m` (it is in the state after and not before), or -1. */
export const madeAt = (steps: ReadonlyArray<Ran>, k: number, m: number): number => lastBefore(steps, k, (r) => !r.before.mappings.has(m) && r.after.mappings.has(m));

/** Causes in step order, one per step (the first reason given for a step wins). */
export const inOrder = (causes: ReadonlyArray<Cause>): ReadonlyArray<Cause> =>
  [...causes].filter((c, i) => causes.findIndex((d) => d.step === c.step) === i).sort((a, b) => a.step - b.step);
