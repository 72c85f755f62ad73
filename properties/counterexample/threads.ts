/**
 * The interleaving of a trace by thread: for each driver thread (a map
 * path the driver started, an invalidate callback the kernel called), the
 * step that started it, the code it runs, and the steps it made. Every
 * other step is the process, the kernel or a device. Computed by running
 * the trace, from what the model does, never from the report's text.
 */
import type { Design } from '../../model/designs/design.ts';
import type { Op } from '../../model/op.ts';
import { runSteps } from './causes-steps.ts';

export interface CitedThread {
  readonly id: number;
  /** The driver code it runs (a recipe name of model/designs/importers/). */
  readonly recipe: string;
  /** What it is, in a reader's words: the map path of a notifier, or a notifier's callback in an invalidation. */
  readonly what: string;
  /** The step (1-based) that started it. */
  readonly started: number;
  /** The steps (1-based) it made, in order. */
  readonly steps: ReadonlyArray<number>;
}

/** Thread lanes of `ops` run on `design` (up to the first step the model refuses). */
export const threadsOf = (design: Design, ops: ReadonlyArray<Op>): ReadonlyArray<CitedThread> => {
  const threads = new Map<number, { recipe: string; what: string; started: number; steps: number[] }>();
  for (const [i, { op, after, events }] of runSteps(design, ops).entries()) {
    if (op.by !== undefined) threads.get(op.by)?.steps.push(i + 1);
    for (const e of events) {
      if (e.kind === 'thread-started') {
        const t = after.threads.get(e.thread);
        const what =
          t === undefined
            ? 'a driver code path'
            : t.attachment !== undefined
              ? `the dma-buf map path of attachment ${t.attachment}`
              : t.dmabuf !== undefined
                ? `the exporter's revoke of dma-buf ${t.dmabuf}`
              : t.request !== undefined
                ? `the map path of the request of page array ${t.request.pages} (${t.request.npages} page(s))`
              : `the map path of notifier ${t.notifier}${t.write ? ' (a device write fault)' : ''}`;
        threads.set(e.thread, { recipe: e.recipe, what, started: i + 1, steps: [] });
      }
      if (e.kind === 'move-notify-called') {
        const t = after.threads.get(e.thread);
        threads.set(e.thread, { recipe: t?.recipe ?? 'a move_notify callback', what: `attachment ${e.attachment}'s move_notify, called by the exporter holding the reservation lock`, started: i + 1, steps: [] });
      }
      if (e.kind === 'callback-invoked') {
        const t = after.threads.get(e.thread);
        const inv = after.invalidations.get(e.inv);
        threads.set(e.thread, {
          recipe: t?.recipe ?? 'an invalidate callback',
          what: `notifier ${e.notifier}'s invalidate callback in invalidation ${e.inv}${inv === undefined ? '' : ` (${inv.event})`}`,
          started: i + 1,
          steps: [],
        });
      }
    }
  }
  return [...threads].map(([id, t]) => ({ id, ...t }));
};

/** `4-8, 10, 12-14`: a sorted list of step numbers as runs. */
export const stepRuns = (steps: ReadonlyArray<number>): string => {
  const runs: string[] = [];
  for (let i = 0; i < steps.length; ) {
    let j = i;
    while (j + 1 < steps.length && steps[j + 1] === steps[j]! + 1) j++;
    runs.push(j === i ? `${steps[i]}` : `${steps[i]}-${steps[j]}`);
    i = j + 1;
  }
  return runs.join(', ');
};
