/**
 * Step templates shared by the designs whose importer runs driver code as
 * threads (model/designs/importers/): register a notifier, start the map
 * path, let any driver thread take its next step, release a mapping,
 * remove a notifier, and the kernel finishing an invalidation.
 */
import * as E from 'fp-ts/lib/Either.js';
import { peekThread } from '../driver-thread.ts';
import { step } from '../step.ts';
import { driverView } from '../recipe.ts';
import type { Op } from '../op.ts';
import type { State, VmaBacking } from '../state.ts';
import type { Plan, StepTemplate } from './design.ts';
import { single } from './design.ts';
import { IMPORTER } from './gup-io.ts';
import { vmasWith } from './queries.ts';

const importerNotifiers = (s: State) => [...s.notifiers.values()].filter((n) => n.owner === IMPORTER);

/** The importer subscribes to the range of a VMA of one of `kinds` (mmu_interval_notifier_insert), once per range. */
export const registerNotifierOver = (kinds: ReadonlyArray<VmaBacking['kind']>): StepTemplate => single('mmu_interval_notifier_insert', 'driver', 1, (s) =>
  s.notifiers.size >= s.bounds.notifiers
    ? []
    : vmasWith(s, kinds)
        .filter((v) => !importerNotifiers(s).some((n) => n.mm === v.mm && n.start === v.start && n.end === v.start + v.npages))
        .map((v): Op => ({ kind: 'mmu_interval_notifier_insert', mm: v.mm, start: v.start, npages: v.npages, owner: IMPORTER })),
);

/** The importer subscribes to a BAR VMA's range. */
export const registerNotifier: StepTemplate = registerNotifierOver(['bar']);

/** The importer's own driver threads (it knows which of its code paths run). */
export const ownThreads = (s: State) => [...s.threads.values()].filter((t) => t.device === IMPORTER);

/**
 * The device needs a subscribed range mapped: the driver starts its map
 * path (one at a time per range, and not while it holds a mapping of the
 * range: one programmed range per range). It decides from its own records.
 */
export const mapRange: StepTemplate = single('driver_map_range', 'driver', 2, (s) => {
  const d = driverView(s, IMPORTER);
  return d.intervals
    .filter((n) => !ownThreads(s).some((t) => t.inv === null && t.notifier === n.notifier))
    .filter((n) => !d.records.some((r) => r.notifier === n.notifier))
    .map((n): Op => ({ kind: 'driver_map_range', dev: IMPORTER, notifier: n.notifier }));
});

/** Any driver thread (a map path, a notifier callback) takes its next step. */
export const driverThreads: StepTemplate = {
  name: 'driver thread',
  role: 'driver',
  weight: 12,
  options: (s) => {
    // Stryker disable next-line MethodExpression,ArrowFunction,ArithmeticOperator: a sort of an already-sorted list: thread ids come from one increasing counter and a Map iterates in insertion order
    const tids = [...s.threads.keys()].sort((a, b) => a - b);
    return tids.flatMap((tid): Plan[] => (peekThread(s, tid) === null ? [] : [[(st) => peekThread(st, tid)]]));
  },
};

/** The longest run `driverThreadRunsOn` takes. */
const MAX_RUN = 8;

/**
 * Calls after which another thread or the environment may well get in: a
 * lock released, a return, and a return from the exporter's p2p_map or
 * p2p_unmap (which take and drop the exporter's own locks inside), and
 * for dma-buf threads a map (the exporter's map_dma_buf) and the end of a
 * move_notify.
 */
const RELEASES: ReadonlySet<string> = new Set(['mmap_read_unlock', 'driver_unlock', 'invalidate_callback_return', 'mmput', 'driver_return', 'p2p_map', 'p2p_unmap', 'dma_resv_unlock', 'move_notify_return', 'dma_buf_map_attachment']);

/** How many steps thread `tid` takes from `s` up to and including its next release (at most MAX_RUN), stopping where it blocks or ends. */
const runLength = (s: State, tid: number): number => {
  let st = s;
  for (let n = 0; n < MAX_RUN; ) {
    const op = peekThread(st, tid);
    if (op === null) return n;
    const out = step(st, op);
    if (E.isLeft(out)) return n;
    n++;
    if (RELEASES.has(op.kind)) return n;
    st = out.right.state;
  }
  return MAX_RUN;
};

/** The runs offered for thread `tid` whose run up to its next release is `n` steps: the whole run, then every shorter prefix of two steps or more. */
const runsOf = (tid: number, n: number): ReadonlyArray<Plan> =>
  Array.from({ length: Math.max(0, n - 1) }, (_, i) => n - i).map((k): Plan => Array.from({ length: k }, () => (st: State) => peekThread(st, tid)));

/**
 * For the random search: one driver thread runs up to its next release
 * of a lock (or its return), as a thread does when nothing preempts it.
 * The notifier races need a map path and a callback each to get through
 * several steps in one order, with the environment getting in just after
 * a lock is dropped; one step at a time, the search wanders. It also
 * offers every shorter prefix of that run (two steps or more), for windows
 * between two calls inside one critical section. Preemption
 * at synchronisation points is CHESS's observation (Musuvathi and Qadeer,
 * 2007): most concurrency bugs need few preemptions, placed there. Each
 * option is a run of `driver thread` steps, so the explorer leaves this
 * template out.
 */
export const driverThreadRunsOn: StepTemplate = {
  name: 'driver thread runs on',
  role: 'driver',
  weight: 6,
  searchOnly: true,
  options: (s) =>
    [...s.threads.keys()]
      .sort((a, b) => a - b)
      .flatMap((tid) => runsOf(tid, runLength(s, tid))),
};

/**
 * For the random search: the newest driver thread runs on. A callback the
 * kernel has just started is the newest thread, and the races need it to
 * get through before an older map path moves (the order PCT's priorities
 * make likely: Burckhardt et al., ASPLOS 2010). A run of steps other
 * templates take one at a time, so the explorer leaves it out.
 */
export const newestThreadRunsOn: StepTemplate = {
  name: 'newest driver thread runs on',
  role: 'driver',
  weight: 4,
  searchOnly: true,
  options: (s) => {
    // Newest first: the first thread that can move at all, its run measured once.
    for (const tid of [...s.threads.keys()].sort((a, b) => b - a)) {
      const n = runLength(s, tid);
      if (n > 0) return [...runsOf(tid, n), [(st: State) => peekThread(st, tid)]];
    }
    return [];
  },
};

/**
 * The importer is done with a mapping it recorded (and no map path of it
 * is using): under its lock, stop the device for the range, p2p_unmap the
 * mapping and drop the record.
 */
export const releaseRange: StepTemplate = {
  name: 'release(stop, p2p_unmap, forget)',
  role: 'driver',
  weight: 1,
  options: (s) =>
    driverView(s, IMPORTER)
      .records.filter((r) => !ownThreads(s).some((t) => t.mapping === r.mapping))
      .map((r): Plan => [
        () => ({ kind: 'driver_lock', dev: IMPORTER }),
        () => ({ kind: 'device_stop_dma', dev: IMPORTER, mm: r.mm, start: r.start, npages: r.end - r.start }),
        () => ({ kind: 'p2p_unmap', mapping: r.mapping }),
        () => ({ kind: 'driver_forget', dev: IMPORTER, mapping: r.mapping }),
        () => ({ kind: 'driver_unlock', dev: IMPORTER }),
      ]),
};

/** The importer unsubscribes a range it holds nothing of any more (no thread of it runs for it, no record under it). */
export const removeNotifier: StepTemplate = single('mmu_interval_notifier_remove', 'driver', 1, (s) => {
  const d = driverView(s, IMPORTER);
  return d.intervals
    .filter((n) => !ownThreads(s).some((t) => t.notifier === n.notifier))
    .filter((n) => !d.records.some((r) => r.notifier === n.notifier))
    .map((n): Op => ({ kind: 'mmu_interval_notifier_remove', notifier: n.notifier }));
});

/** The kernel path that started an invalidation goes on once its callbacks returned (mmu_notifier_invalidate_range_end). */
export const invalidateRangeEnd: StepTemplate = {
  ...single('mmu_notifier_invalidate_range_end', 'environment', 3, (s) =>
  [...s.invalidations.values()]
    .filter(
      (i) =>
        i.running === null &&
        i.queue.length === 0,
    )
    .map((i): Op => ({ kind: 'mmu_notifier_invalidate_range_end', inv: i.id })),
),
  swarm: false,
};

/** Every step an importer with driver threads takes. */
export const threadedImporter: ReadonlyArray<StepTemplate> = [registerNotifier, mapRange, driverThreads, driverThreadRunsOn, newestThreadRunsOn, releaseRange, removeNotifier];
