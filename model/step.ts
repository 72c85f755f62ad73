/**
 * The one entry point: `step(state, op)`. A call made by a driver thread
 * (`op.by`) is that thread's next step and runs through the thread runner,
 * which checks it is what the thread's recipe calls next; every other call
 * goes straight to the kernel dispatcher.
 */
import { runThreadCall } from './driver-thread.ts';
import { kernelStep } from './kernel-step.ts';
import type { Op } from './op.ts';
import { illFormed, type Outcome } from './result.ts';
import type { State } from './state.ts';

export const step = (s: State, op: Op): Outcome => {
  if (op.by !== undefined) return runThreadCall(s, op);
  // Only a callback thread can return from a callback: without one there is no call frame to return from.
  if (op.kind === 'invalidate_callback_return') return illFormed(op.kind, 'only the invalidate callback itself returns (a call with by=THREAD)');
  return kernelStep(s, op);
};
