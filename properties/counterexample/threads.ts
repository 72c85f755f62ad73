/**
 * The interleaving of a trace by thread: for each driver thread (a map
 * path the driver started, an invalidate callback the kernel called), the
 * step that started it, the code it runs, and the steps it made. Every
 * other step is the process, the kernel or a device. Computed by running
 * the trace, from what the model does, never from the report's text.
 */
import type { Design } from '../../model/designs/design.ts';
import type { Op } from '../../model/op.ts';
import { step } from '../../model/step.ts';
import { makeWorld } from '../../model/world.ts';

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
  let s = makeWorld(design.world);
  const threads = new Map<number, { recipe: string; what: string; started: number; steps: number[] }>();
  for (const [i, op] of ops.entries()) {
    const out = step(s, op);
    if (out._tag === 'Left') break;
    if (op.by !== undefined) threads.get(op.by)?.steps.push(i + 1);
    const after = out.right.state;
    for (const e of out.right.events) {
      if (e.kind === 'thread-started') {
        const t = after.threads.get(e.thread);
        threads.set(e.thread, { recipe: e.recipe, what: t === undefined ? 'a driver code path' : `the map path of notifier ${t.notifier}${t.write ? ' (a device write fault)' : ''}`, started: i + 1, steps: [] });
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
    s = after;
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
