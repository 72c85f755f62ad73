/**
 * The driver-thread runner: it runs the next step of a driver thread's
 * recipe as a call. The recipe says what the call is; the kernel dispatcher
 * runs it; the runner then moves the thread on. A call that names a thread
 * (`op.by`) must be exactly what that thread's recipe calls next, so a
 * saved trace replays only as the driver code would run it.
 */
import * as E from 'fp-ts/lib/Either.js';
import { drop, put } from './collections.ts';
import { recipeByName } from './designs/importers/index.ts';
import { insideMoveNotify } from './ops/dmabuf.ts';
import { kernelStep } from './kernel-step.ts';
import type { Op } from './op.ts';
import { illFormed, isIllFormed, isWait, waits, type Outcome } from './result.ts';
import type { DriverThread, State, ThreadId } from './state.ts';
import { driverView, type Action, type ThreadNext } from './recipe.ts';

const MAX_JUMPS = 32;

/** Plain data equal (numbers, strings, booleans, and the one nested object an op has, mmap's backing). */
const same = (a: unknown, b: unknown): boolean => {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  const ka = Object.keys(a);
  return ka.length === Object.keys(b).length && ka.every((k) => same((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k]));
};

/** The same call, whoever makes it (`by` aside): every key of either is the same in both (a key one lacks reads undefined). */
const sameCall = (a: Op, b: Op): boolean => {
  const ra = a as unknown as Record<string, unknown>;
  const rb = b as unknown as Record<string, unknown>;
  for (const k in ra) if (k !== 'by' && !same(ra[k], rb[k])) return false;
  for (const k in rb) if (k !== 'by' && !(k in ra) && !same(undefined, rb[k])) return false;
  return true;
};

/** The call thread `tid` makes next, with the pc it is made at; a string says why there is none. */
export const nextCall = (s: State, tid: ThreadId): { readonly next: Extract<ThreadNext, { kind: 'call' }>; readonly thread: DriverThread } | string => {
  let t = s.threads.get(tid);
  if (t === undefined) return `no driver thread ${tid}`;
  const recipe = recipeByName(t.recipe);
  if (recipe === undefined) return `driver thread ${tid} runs unknown code '${t.recipe}'`;
  const view = driverView(s, t.device);
  // Stryker disable next-line UpdateOperator: no recipe jumps more than twice without a call (every goto leads to a call), so the bound is never reached
  for (let i = 0; i < MAX_JUMPS; i++) {
    const action: Action | undefined = recipe.actions[t.pc];
    if (action === undefined) return `${recipe.name} has no step ${t.pc}`;
    const next: ThreadNext = action(view, t);
    if (next.kind === 'call') return { next, thread: t };
    t = { ...t, pc: next.pc };
  }
  // Stryker disable next-line StringLiteral: unreachable with the recipes there are (see the loop bound)
  return `${recipe.name} jumps more than ${MAX_JUMPS} times without a call`;
};

/** The op thread `tid` makes next (with `by`), or null. For templates. */
export const peekThread = (s: State, tid: ThreadId): Op | null => {
  const n = nextCall(s, tid);
  return typeof n === 'string' ? null : ({ ...n.next.op, by: tid } as Op);
};

const withThread = (s: State, tid: ThreadId, t: DriverThread | null): State => ({
  ...s,
  threads: t === null ? drop(s.threads, tid) : put(s.threads, tid, t),
});

/**
 * Run `op`, made by thread `op.by`, as that thread's next step. A thread
 * that does not exist, or a call its driver code does not make here, is
 * ill-formed: the driver runs its code as written.
 */
export const runThreadCall = (s: State, op: Op): Outcome => {
  const tid = op.by!;
  const n = nextCall(s, tid);
  if (typeof n === 'string') return illFormed(op.kind, n);
  const { next, thread } = n;
  if (!sameCall(next.op, op)) return illFormed(op.kind, `driver thread ${tid} (${thread.recipe}) calls ${next.op.kind} here`);
  // A thread still inside a synchronous kernel call whose callbacks run as threads makes no call.
  const cb = insideMoveNotify(s, thread);
  if (cb !== undefined) return waits(op.kind, `dma_buf_move_notify has not returned: device ${cb.device}'s move_notify runs as thread ${cb.id}`);
  const out = kernelStep(s, { ...next.op, by: tid } as Op);
  if (E.isLeft(out)) {
    // Only an error the kernel returns reaches the driver's error path; a call
    // C cannot make (ill-formed) is not a step at all.
    if (
      isWait(out.left) ||
      isIllFormed(out.left) ||
      next.onError === undefined
    )
      return out;
    return E.right({ state: withThread(s, tid, next.onError(thread, out.left.reason)), events: [{ kind: 'call-failed', op: op.kind, reason: out.left.reason }] });
  }
  const after = out.right.state;
  // The call may have changed the thread's record (a callback's return drops it, ghost marks): go on from there.
  const current = after.threads.get(tid);
  if (current === undefined) return out;
  const base = { ...current, pc: thread.pc };
  // A call that returned an error after changing something (a step with its call-failed event) returns that error to the driver too.
  const failed = out.right.events.find((e) => e.kind === 'call-failed' && e.op === op.kind);
  if (failed?.kind === 'call-failed' && next.onError !== undefined) return E.right({ state: withThread(after, tid, next.onError(base, failed.reason)), events: out.right.events });
  const moved = next.then === undefined ? { ...base, pc: base.pc + 1 } : next.then(base, out.right.events);
  return E.right({ state: withThread(after, tid, moved), events: out.right.events });
};
