/**
 * Importers' `mmu_interval_notifier_ops.invalidate` callbacks, as the
 * kernel calls them: `(sub, range, cur_seq)`. The thread's `range` is the
 * part of the invalidation the notifier covers, `curSeq` the cur_seq; the
 * mappings to tear down are the driver's own records of that notifier.
 */
import { type Action, call, type DriverView, end, goto, type Recipe } from '../../recipe.ts';
import type { DriverRecord, DriverThread } from '../../state.ts';

/** The driver's records under the callback's notifier that overlap the range the kernel passed, oldest first. */
const recordsInRange = (d: DriverView, t: DriverThread): ReadonlyArray<DriverRecord> =>
  d.records.filter((r) => r.notifier === t.notifier && r.start < t.range!.end && t.range!.start < r.end);

/** The steps the callbacks share, as the driver writes them. */
const lock: Action = (_d, t) => call({ kind: 'driver_lock', dev: t.device });
const setSeq: Action = (_d, t) => call({ kind: 'mmu_interval_set_seq', notifier: t.notifier!, seq: t.curSeq });
const stopDevice = (t: DriverThread) =>
  call({ kind: 'device_stop_dma', dev: t.device, mm: t.range!.mm, start: t.range!.start, npages: t.range!.end - t.range!.start });
/**
 * For each record in the range: p2p_unmap it (at `pc`), then drop it from
 * the driver's records (at `pc + 1`), one call a step; then on to `pc + 2`.
 */
const unmapEach = (pc: number): ReadonlyArray<Action> => [
  (d, t) => {
    const r = recordsInRange(d, t)[0];
    return r === undefined ? goto(pc + 2) : call({ kind: 'p2p_unmap', mapping: r.mapping }, (th) => ({ ...th, pc: pc + 1, mapping: r.mapping }));
  },
  (_d, t) => call({ kind: 'driver_forget', dev: t.device, mapping: t.mapping ?? 0 }, (th) => ({ ...th, pc, mapping: null })),
];
const unlock: Action = (_d, t) => call({ kind: 'driver_unlock', dev: t.device });
const returnTrue: Action = (_d, t) => call({ kind: 'invalidate_callback_return', notifier: t.notifier!, ret: true }, end);

/** The RFC's importer: stop the device for the range, give back every recorded p2p_map mapping in it. */
export const stopAndUnmap: Recipe = {
  name: 'stop-unmap',
  summary:
    "Take the driver lock, mmu_interval_set_seq, stop the device for the range and wait, p2p_unmap and forget every mapping the driver recorded under this notifier in the range, unlock, return true.",
  listing: [
    'mutex_lock(&driver->update)',
    'mmu_interval_set_seq(sub, cur_seq)',
    'stop the device for the range and wait for DMA in flight',
    'for each mapping of sub recorded in the range: p2p_unmap() it',
    '  and list_del() it from the driver\'s records',
    'mutex_unlock(&driver->update)',
    'return true',
  ],
  actions: [lock, setSeq, (_d, t) => stopDevice(t), ...unmapEach(3), unlock, returnTrue],
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
  summary:
    'Take the driver lock, mmu_interval_set_seq; only if the range is the whole notifier range: stop the device, p2p_unmap and forget every recorded mapping in it; unlock, return true.',
  listing: [
    'mutex_lock(&driver->update)',
    'mmu_interval_set_seq(sub, cur_seq)',
    'if (range->start == sub start && range->end == sub end) stop the device for the range and wait',
    'for each mapping of sub recorded in the range (whole range only): p2p_unmap() it',
    '  and list_del() it from the driver\'s records',
    'mutex_unlock(&driver->update)',
    'return true',
  ],
  actions: [
    lock,
    setSeq,
    (d, t) => {
      const n = d.intervals.find((i) => i.notifier === t.notifier);
      return n === undefined || t.range!.start !== n.start || t.range!.end !== n.end ? goto(5) : stopDevice(t);
    },
    ...unmapEach(3),
    unlock,
    returnTrue,
  ],
};

/**
 * An importer that keeps read-only access on a protection change, as
 * `mmu_notifier_range_update_to_read_only()` lets it (mm/mmu_notifier.c:
 * true when the event is MMU_NOTIFY_PROTECTION_VMA and the VMA keeps
 * VM_READ, which every VMA of the model does): it write-protects its
 * device's page table for the range instead of stopping the device and
 * giving the mappings back. Any other event is handled as stop-unmap does.
 */
export const protectReadOnly: Recipe = {
  name: 'protect-readonly',
  summary:
    'Take the driver lock, mmu_interval_set_seq; if mmu_notifier_range_update_to_read_only (MMU_NOTIFY_PROTECTION_VMA): make the device page table read-only for the range and keep the mappings; else stop the device, p2p_unmap and forget the recorded mappings in the range; unlock, return true.',
  listing: [
    'mutex_lock(&driver->update)',
    'mmu_interval_set_seq(sub, cur_seq)',
    'if (mmu_notifier_range_update_to_read_only(range)) { write-protect the device page table for the range; goto unlock }',
    'stop the device for the range and wait for DMA in flight',
    'for each mapping of sub recorded in the range: p2p_unmap() it',
    "  and list_del() it from the driver's records",
    'unlock: mutex_unlock(&driver->update)',
    'return true',
  ],
  actions: [
    lock,
    setSeq,
    (_d, t) =>
      t.event === 'MMU_NOTIFY_PROTECTION_VMA'
        ? call({ kind: 'device_write_protect', dev: t.device, mm: t.range!.mm, start: t.range!.start, npages: t.range!.end - t.range!.start }, (th) => ({ ...th, pc: 6 }))
        : goto(3),
    (_d, t) => stopDevice(t),
    ...unmapEach(4),
    unlock,
    returnTrue,
  ],
};

