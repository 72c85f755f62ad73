/**
 * Importers' `mmu_interval_notifier_ops.invalidate` callbacks, as the
 * kernel calls them: `(sub, range, cur_seq)`. The range is the part of the
 * invalidation the notifier covers.
 */
import { rangeFor } from '../../ops/invalidate.ts';
import { type Action, at, call, end, goto, type Recipe, type ThreadNext } from '../../recipe.ts';
import type { DriverThread, NotifyRange, State } from '../../state.ts';

const range = (s: State, t: DriverThread): NotifyRange => {
  const inv = t.inv === null ? undefined : s.invalidations.get(t.inv);
  const n = s.notifiers.get(t.notifier);
  // A callback thread's invalidation and notifier outlive it: range_end and mmu_interval_notifier_remove wait for the running callback.
  // Stryker disable next-line LogicalOperator,ObjectLiteral: a redundant guard, never true while the callback runs
  return inv === undefined || n === undefined ? { mm: 0, start: 0, end: 0 } : rangeFor(inv, n);
};

/** The live p2p_map mappings of the thread's device that fall in the callback's range, oldest first. */
const mappingsInRange = (s: State, t: DriverThread) => {
  const r = range(s, t);
  const inRange = [...s.mappings.values()]
    .filter((m) => m.device === t.device && m.api === 'p2p_map' && m.origin.kind === 'vma-op' && m.origin.mm === r.mm)
    .filter((m) => m.origin.kind === 'vma-op' && m.origin.start < r.end && r.start < m.origin.start + m.origin.npages);
  // Stryker disable next-line MethodExpression,ArrowFunction,ArithmeticOperator: a sort of an already-sorted list: mapping ids come from one increasing counter and a Map iterates in insertion order
  return inRange.sort((a, b) => a.id - b.id);
};

/** The steps the callbacks share, as the driver writes them. */
const lock: Action = (_s, t) => call({ kind: 'driver_lock', dev: t.device });
const setSeq: Action = (_s, t) => call({ kind: 'mmu_interval_set_seq', notifier: t.notifier, seq: t.curSeq });
const stopDevice = (s: State, t: DriverThread): ThreadNext => {
  const r = range(s, t);
  return call({ kind: 'device_stop_dma', dev: t.device, mm: r.mm, start: r.start, npages: r.end - r.start });
};
/** p2p_unmap each mapping in the range (at `pc`), one call a step, then on to `pc + 1`. */
const unmapEach =
  (pc: number): Action =>
  (s, t) => {
    const m = mappingsInRange(s, t)[0];
    return m === undefined
      ? goto(pc + 1)
      : call(
          { kind: 'p2p_unmap', mapping: m.id },
          at(pc),
          // Stryker disable next-line ArithmeticOperator: p2p_unmap returns no kernel error (its refusals are ill-formed), so the runner never takes this error path
          at(pc + 1),
        );
  };
const unlock: Action = (_s, t) => call({ kind: 'driver_unlock', dev: t.device });
const returnTrue: Action = (_s, t) => call({ kind: 'invalidate_callback_return', notifier: t.notifier, ret: true }, end);

/** The RFC's importer: stop the device for the range, give every p2p_map mapping in it back. */
export const stopAndUnmap: Recipe = {
  name: 'stop-unmap',
  summary: 'Take the driver lock, mmu_interval_set_seq, stop the device for the range and wait, p2p_unmap every mapping in the range, unlock, return true.',
  listing: [
    'mutex_lock(&driver->update)',
    'mmu_interval_set_seq(sub, cur_seq)',
    'stop the device for the range and wait for DMA in flight',
    'p2p_unmap() each mapping in the range',
    'mutex_unlock(&driver->update)',
    'return true',
  ],
  actions: [lock, setSeq, stopDevice, unmapEach(3), unlock, returnTrue],
};

/**
 * An importer whose device cannot stop DMA at an arbitrary moment
 * (non-ODP RDMA): all its callback can do is record the invalidation.
 */
export const recordOnly: Recipe = {
  name: 'record-only',
  summary: 'Take the driver lock, mmu_interval_set_seq, unlock, return true: the device has no way to stop, so it keeps the addresses.',
  listing: ['mutex_lock(&driver->update)', 'mmu_interval_set_seq(sub, cur_seq)', 'mutex_unlock(&driver->update)', 'return true'],
  actions: [lock, setSeq, unlock, returnTrue],
};

/**
 * An importer that only handles an invalidation covering its whole
 * notifier range (a common shortcut: "the mapping is gone") and ignores
 * partial ones (a partial munmap, an mremap shrink, mprotect of a page):
 * for those it only sets the seq and returns.
 */
export const wholeRangeOnly: Recipe = {
  name: 'whole-range-only',
  summary: 'Take the driver lock, mmu_interval_set_seq; only if the range is the whole notifier range: stop the device, p2p_unmap every mapping in it; unlock, return true.',
  listing: [
    'mutex_lock(&driver->update)',
    'mmu_interval_set_seq(sub, cur_seq)',
    'if (range->start == sub start && range->end == sub end) stop the device for the range and wait',
    'p2p_unmap() each mapping in the range (whole range only)',
    'mutex_unlock(&driver->update)',
    'return true',
  ],
  actions: [
    lock,
    setSeq,
    (s, t) => {
      const r = range(s, t);
      const n = s.notifiers.get(t.notifier);
      return n === undefined || r.start !== n.start || r.end !== n.end ? goto(4) : stopDevice(s, t);
    },
    unmapEach(3),
    unlock,
    returnTrue,
  ],
};
