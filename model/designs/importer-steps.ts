/**
 * Step templates shared by the designs whose importer runs driver code as
 * threads (model/designs/importers/): register a notifier, start the map
 * path, let any driver thread take its next step, release a mapping,
 * remove a notifier, and the kernel finishing an invalidation.
 */
import { peekThread } from '../driver-thread.ts';
import type { Op } from '../op.ts';
import type { State } from '../state.ts';
import type { Build, Plan, StepTemplate } from './design.ts';
import { single } from './design.ts';
import { IMPORTER } from './gup-io.ts';
import { vmasWith } from './queries.ts';

const MAX_NOTIFIERS = 2;

const importerNotifiers = (s: State) => [...s.notifiers.values()].filter((n) => n.owner === IMPORTER);

/** The importer subscribes to a BAR VMA's range (mmu_interval_notifier_insert), once per range. */
export const registerNotifier: StepTemplate = single('mmu_interval_notifier_insert', 'driver', 1, (s) =>
  s.notifiers.size >= MAX_NOTIFIERS
    ? []
    : vmasWith(s, ['bar'])
        .filter((v) => !importerNotifiers(s).some((n) => n.mm === v.mm && n.start === v.start && n.end === v.start + v.npages))
        .map((v): Op => ({ kind: 'mmu_interval_notifier_insert', mm: v.mm, start: v.start, npages: v.npages, owner: IMPORTER })),
);

/** The device needs a subscribed range mapped: the driver starts its map path (one at a time per range, one programmed range per range). */
export const mapRange: StepTemplate = single('driver_map_range', 'driver', 2, (s) =>
  importerNotifiers(s)
    .filter((n) => ![...s.threads.values()].some((t) => t.inv === null && t.notifier === n.id))
    .filter((n) => ![...s.deviceRanges.values()].some((r) => r.device === IMPORTER && r.mm === n.mm && r.start < n.end && n.start < r.end))
    .map((n): Op => ({ kind: 'driver_map_range', dev: IMPORTER, notifier: n.id })),
);

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

/** The importer is done with a programmed range: under its lock, stop the device for it and p2p_unmap what is still mapped. */
export const releaseRange: StepTemplate = {
  name: 'release(stop, p2p_unmap)',
  role: 'driver',
  weight: 1,
  options: (s) =>
    [...s.deviceRanges.values()]
      .filter((r) => r.device === IMPORTER && ![...s.threads.values()].some((t) => t.mapping === r.mapping))
      .map((r): Plan => {
        const m = s.mappings.get(r.mapping);
        const unmap: Build[] =
          m !== undefined &&
          m.origin.kind === 'vma-op' &&
          s.vmas.has(m.origin.vma)
            ? [() => ({ kind: 'p2p_unmap', mapping: r.mapping })]
            : [];
        return [
          () => ({ kind: 'driver_lock', dev: IMPORTER }),
          () => ({ kind: 'device_stop_dma', dev: IMPORTER, mm: r.mm, start: r.start, npages: r.end - r.start }),
          ...unmap,
          () => ({ kind: 'driver_unlock', dev: IMPORTER }),
        ];
      }),
};

/** The importer unsubscribes a range nothing of it uses any more. */
export const removeNotifier: StepTemplate = single('mmu_interval_notifier_remove', 'driver', 1, (s) =>
  importerNotifiers(s)
    .filter((n) => ![...s.threads.values()].some((t) => t.notifier === n.id))
    .filter((n) => ![...s.deviceRanges.values()].some((r) => r.device === n.owner && r.mm === n.mm && r.start < n.end && n.start < r.end))
    .filter(
      (n) =>
        ![...s.mappings.values()].some(
          (m) =>
            m.device === n.owner &&
            m.origin.kind === 'vma-op' &&
            m.origin.mm === n.mm &&
            m.origin.start < n.end &&
            n.start < m.origin.start + m.origin.npages,
        ),
    )
    .map((n): Op => ({ kind: 'mmu_interval_notifier_remove', notifier: n.id })),
);

/** The kernel path that started an invalidation goes on once its callbacks returned (mmu_notifier_invalidate_range_end). */
export const invalidateRangeEnd: StepTemplate = single('mmu_notifier_invalidate_range_end', 'environment', 3, (s) =>
  [...s.invalidations.values()]
    .filter(
      (i) =>
        i.running === null &&
        i.queue.length === 0,
    )
    .map((i): Op => ({ kind: 'mmu_notifier_invalidate_range_end', inv: i.id })),
);

/** Every step an importer with driver threads takes. */
export const threadedImporter: ReadonlyArray<StepTemplate> = [registerNotifier, mapRange, driverThreads, releaseRange, removeNotifier];
