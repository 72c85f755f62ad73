import { describe, expect, it } from 'vitest';
import type { Op } from '../../model/op.ts';
import type { State } from '../../model/state.ts';
import {
  IMPORTER,
  callbackThread,
  designWorld,
  finishInvalidations,
  kinds,
  lastId,
  mmapAnon,
  mmapBar,
  newId,
  rejectedWith,
  run,
  runThread,
  world, munmapVma } from './helpers.ts';

const insert = (start: number, npages: number, owner: number, mm = 0): Op => ({ kind: 'mmu_interval_notifier_insert', mm, start, npages, owner });
const rangeEnd = (inv: number): Op => ({ kind: 'mmu_notifier_invalidate_range_end', inv });
const readBegin = (notifier: number): Op => ({ kind: 'mmu_interval_read_begin', notifier });
const readRetry = (notifier: number, seq: number): Op => ({ kind: 'mmu_interval_read_retry', notifier, seq });

/** The design worlds: device 0 exports BAR 0, device 1 imports with driver code (or none). */
const EXPORTER = 0;
const DRIVER = 1;
const STOP_UNMAP = 'vma-p2p-map-notifier';
const barOp: Op = { kind: 'mmap', mm: 0, npages: 1, backing: { kind: 'bar', bar: 0 } };

/** mm 0 maps the raw BAR (one page at virtual page 0) and the importer p2p_maps it. */
const barMappedByImporter = (s: State = world()): { state: State; vma: number; mapping: number } => {
  const { state: s1 } = run(s, mmapBar(1));
  const vma = lastId(s1.vmas);
  const { state } = run(s1, { kind: 'p2p_map', vma, dev: IMPORTER, write: true });
  return { state, vma, mapping: lastId(state.mappings) };
};

/** In a design world: mm 0 maps the BAR at page 0 and the importer's driver subscribes a notifier to it. */
const subscribed = (design = STOP_UNMAP): { state: State; vma: number; notifier: number } => {
  const { state: s1 } = run(designWorld(design), barOp);
  const vma = lastId(s1.vmas);
  const { state } = run(s1, insert(0, 1, DRIVER));
  return { state, vma, notifier: lastId(state.notifiers) };
};

/** The only invalidation in progress. */
const onlyInvalidation = (s: State): number => {
  expect(s.invalidations.size).toBe(1);
  return [...s.invalidations.keys()][0]!;
};

const seqOf = (s: State, mm = 0): number => s.mms.get(mm)!.invalidateSeq;

describe('mmu_interval_notifier_insert', () => {
  it('mmu_interval_notifier_insert outside an invalidation registers [start, start+npages) with the mm seq minus one, which is 1', () => {
    const s0 = world();
    expect(seqOf(s0)).toBe(2);
    const { state, events } = run(s0, insert(1, 2, IMPORTER));
    const id = newId(s0.notifiers, state.notifiers);
    expect(state.notifiers.get(id)).toEqual({ id, mm: 0, start: 1, end: 3, owner: IMPORTER, seq: 1 });
    expect(seqOf(state)).toBe(2);
    expect(events).toEqual([]);
  });

  it('mmu_interval_notifier_insert during an invalidation of the mm takes the odd mm seq, so read_begin waits until the invalidation ends', () => {
    const { state: s1, vma } = subscribed();
    const { state: s2 } = run(s1, munmapVma(s1, vma));
    expect(seqOf(s2)).toBe(3);
    const { state: s3 } = run(s2, insert(4, 1, DRIVER));
    const late = lastId(s3.notifiers);
    expect(s3.notifiers.get(late)?.seq).toBe(3);
    expect(rejectedWith(s3, readBegin(late))).toBe(`waits: notifier ${late} is being invalidated (seq 3)`);
    const { state: s4 } = finishInvalidations(s3);
    expect(seqOf(s4)).toBe(4);
    expect(run(s4, readBegin(late)).events).toEqual([{ kind: 'read-begin', notifier: late, seq: 3 }]);
  });

  it('mmu_interval_notifier_insert in an mm that does not exist is ill-formed', () => {
    expect(rejectedWith(world(), insert(0, 1, IMPORTER, 6))).toBe('ill-formed: no mm 6');
  });

  it('mmu_interval_notifier_insert in an mm that has exited is -EINVAL (__mmu_interval_notifier_insert: mm_users is 0)', () => {
    const { state } = run(world(), { kind: 'exit_mmap', mm: 0 });
    expect(rejectedWith(state, insert(0, 1, IMPORTER))).toBe('-EINVAL: __mmu_interval_notifier_insert: mm 0 has exited (mm_users is 0)');
  });

  it('mmu_interval_notifier_insert over zero pages is -EOVERFLOW (__mmu_interval_notifier_insert refuses length 0)', () => {
    expect(rejectedWith(world(), insert(0, 0, IMPORTER))).toBe('-EOVERFLOW: __mmu_interval_notifier_insert: length 0');
  });

  it('mmu_interval_notifier_insert for a device that does not exist is ill-formed', () => {
    expect(rejectedWith(world(), insert(0, 1, 8))).toBe('ill-formed: no device 8');
  });
});

describe('mmu_interval_notifier_remove', () => {
  it('mmu_interval_notifier_remove unregisters the notifier', () => {
    const { state: s1 } = run(world(), insert(0, 1, IMPORTER));
    const n = lastId(s1.notifiers);
    const { state, events } = run(s1, { kind: 'mmu_interval_notifier_remove', notifier: n });
    expect(state.notifiers.size).toBe(0);
    expect(events).toEqual([]);
  });

  it('mmu_interval_notifier_remove of a notifier that is not registered is rejected', () => {
    expect(rejectedWith(world(), { kind: 'mmu_interval_notifier_remove', notifier: 4 })).toBe('ill-formed: notifier 4 is not registered');
  });

  it('mmu_interval_notifier_remove twice is rejected', () => {
    const { state: s1 } = run(world(), insert(0, 1, IMPORTER));
    const n = lastId(s1.notifiers);
    const { state } = run(s1, { kind: 'mmu_interval_notifier_remove', notifier: n });
    expect(rejectedWith(state, { kind: 'mmu_interval_notifier_remove', notifier: n })).toBe(`ill-formed: notifier ${n} is not registered`);
  });

  it('mmu_interval_notifier_remove waits while an invalidation of its mm runs and unregisters once range_end ran', () => {
    const { state: s1, vma, notifier } = subscribed();
    const { state: s2, events } = run(s1, munmapVma(s1, vma));
    const remove: Op = { kind: 'mmu_interval_notifier_remove', notifier };
    expect(rejectedWith(s2, remove)).toBe('waits: an invalidation of mm 0 is in progress');
    // Still waiting after the callback returned: only invalidate_range_end ends the invalidation.
    const { state: s3 } = runThread(s2, callbackThread(events));
    expect(rejectedWith(s3, remove)).toMatch(/^waits: /);
    const { state } = run(s3, rangeEnd(onlyInvalidation(s3)), remove);
    expect(state.notifiers.size).toBe(0);
  });
});

describe('mmu_interval_read_begin and mmu_interval_read_retry', () => {
  it('mmu_interval_read_begin waits once the running callback set_seq the notifier and returns the new seq after range_end', () => {
    const { state: s1, vma, notifier } = subscribed();
    expect(run(s1, readBegin(notifier)).events).toEqual([{ kind: 'read-begin', notifier, seq: 1 }]);
    const { state: s2, events } = run(s1, munmapVma(s1, vma));
    const tid = callbackThread(events);
    // The invalidation started, but this notifier's seq is not the mm's yet: read_begin still returns at once.
    expect(run(s2, readBegin(notifier)).events).toEqual([{ kind: 'read-begin', notifier, seq: 1 }]);
    const { state: s3 } = runThread(s2, tid, 2); // driver_lock, mmu_interval_set_seq(cur_seq 3)
    expect(s3.notifiers.get(notifier)?.seq).toBe(3);
    expect(rejectedWith(s3, readBegin(notifier))).toBe(`waits: notifier ${notifier} is being invalidated (seq 3)`);
    const { state: s4 } = runThread(s3, tid);
    expect(s4.threads.has(tid)).toBe(false);
    expect(rejectedWith(s4, readBegin(notifier))).toMatch(/^waits: /);
    const { state: s5 } = run(s4, rangeEnd(onlyInvalidation(s4)));
    expect(seqOf(s5)).toBe(4);
    expect(run(s5, readBegin(notifier)).events).toEqual([{ kind: 'read-begin', notifier, seq: 3 }]);
  });

  it('mmu_interval_read_retry is false until the callback calls mmu_interval_set_seq, then true for the seq read before', () => {
    const { state: s1, vma, notifier } = subscribed();
    const { state: s2, events } = run(s1, munmapVma(s1, vma));
    expect(run(s2, readRetry(notifier, 1)).events).toEqual([{ kind: 'read-retry', notifier, seq: 1, retry: false }]);
    const { state: s3, ops } = runThread(s2, callbackThread(events), 2);
    expect(ops.map((o) => o.kind)).toEqual(['driver_lock', 'mmu_interval_set_seq']);
    expect(run(s3, readRetry(notifier, 1)).events).toEqual([{ kind: 'read-retry', notifier, seq: 1, retry: true }]);
    expect(run(s3, readRetry(notifier, 3)).events).toEqual([{ kind: 'read-retry', notifier, seq: 3, retry: false }]);
  });
});

describe('invalidation on munmap', () => {
  it('with two invalidations of one notifier in flight, a callback returns to the invalidation that called it, not to the older one', () => {
    const { state: s1, notifier } = subscribed('vma-p2p-map-notifier-nostop');
    const { state: s2, events: e1 } = run(s1, { kind: 'munmap', mm: 0, start: 0, npages: 1 });
    const first = callbackThread(e1);
    const { state: s3, events: e2 } = run(s2, { kind: 'pci_stop_and_remove_bus_device', dev: EXPORTER });
    const second = callbackThread(e2);
    const [invFirst, invSecond] = [...s3.invalidations.keys()];
    const { state: s4 } = runThread(s3, second);
    // the second callback's return ended the second invalidation's callbacks only: munmap still waits for the first
    expect(s4.threads.has(first)).toBe(true);
    expect(s4.invalidations.get(invFirst!)!.running).toBe(first);
    expect(rejectedWith(s4, rangeEnd(invFirst!))).toBe(`waits: invalidation ${invFirst} still has callbacks to run`);
    expect(s4.invalidations.get(invSecond!)!.running).toBe(null);
    expect(notifier).toBeGreaterThan(0);
  });

  it('munmap with an importer notifier only starts an invalidation: the VMA stays until mmu_notifier_invalidate_range_end', () => {
    const { state: s1, vma, notifier } = subscribed();
    const { state: s2, events } = run(s1, munmapVma(s1, vma));
    const inv = onlyInvalidation(s2);
    const tid = callbackThread(events);
    expect(events).toEqual([
      { kind: 'invalidate-range-start', inv, event: 'MMU_NOTIFY_UNMAP' },
      { kind: 'callback-invoked', inv, notifier, thread: tid },
    ]);
    expect(s2.vmas.has(vma)).toBe(true);
    expect(seqOf(s2)).toBe(3);
    expect(s2.invalidations.get(inv)).toMatchObject({ mmapLocked: 0, queue: [], running: tid, then: { kind: 'munmap', vmas: [vma] } });
    expect(s2.threads.get(tid)).toMatchObject({ device: DRIVER, recipe: 'stop-unmap', notifier, inv, curSeq: 3 });
    expect(rejectedWith(s2, rangeEnd(inv))).toBe(`waits: invalidation ${inv} still has callbacks to run`);
    const { state: s3, events: cb } = runThread(s2, tid);
    expect(kinds(cb)).toEqual(['callback-returned']);
    expect(s3.vmas.has(vma)).toBe(true);
    const { state, events: end } = run(s3, rangeEnd(inv));
    expect(end).toEqual([{ kind: 'vma-destroyed', vma, mm: 0, start: 0, end: 1 }, { kind: 'invalidate-range-end', inv }]);
    expect(state.vmas.has(vma)).toBe(false);
    expect(state.invalidations.size).toBe(0);
    expect(seqOf(state)).toBe(4);
  });

  it("the stop-unmap callback locks, sets the seq, stops the device, p2p_unmaps and forgets the range's recorded mapping, unlocks and returns true", () => {
    const { state: s1, vma, notifier } = subscribed();
    // The map path runs to its end first: the device is programmed with the mapping.
    const { state: s2 } = run(s1, { kind: 'driver_map_range', dev: DRIVER, notifier });
    const mapper = runThread(s2, lastId(s2.threads));
    const mapping = lastId(mapper.state.mappings);
    expect(kinds(mapper.events)).toContain('device-programmed');
    const range = lastId(mapper.state.deviceRanges);
    const { state: s3, events } = run(mapper.state, munmapVma(mapper.state, vma));
    const tid = callbackThread(events);
    const inv = onlyInvalidation(s3);
    const cb = runThread(s3, tid);
    expect(cb.ops).toEqual([
      { kind: 'driver_lock', dev: DRIVER, by: tid },
      { kind: 'mmu_interval_set_seq', notifier, seq: 3, by: tid },
      { kind: 'device_stop_dma', dev: DRIVER, mm: 0, start: 0, npages: 1, by: tid },
      { kind: 'p2p_unmap', mapping, by: tid },
      { kind: 'driver_forget', dev: DRIVER, mapping, by: tid },
      { kind: 'driver_unlock', dev: DRIVER, by: tid },
      { kind: 'invalidate_callback_return', notifier, ret: true, by: tid },
    ]);
    expect(cb.events).toEqual([
      { kind: 'device-stopped', device: DRIVER, range },
      { kind: 'mapping-torn-down', mapping },
      { kind: 'driver-forgot', device: DRIVER, mapping },
      { kind: 'callback-returned', inv, notifier, device: DRIVER, mm: 0, start: 0, end: 1, ret: true },
    ]);
    expect(cb.state.threads.size).toBe(0);
    expect(cb.state.driverLocks).toEqual([]);
    expect(cb.state.deviceRanges.size).toBe(0);
    expect(cb.state.mappings.size).toBe(0);
  });

  it("a callback thread's call that is not its recipe's next step is rejected", () => {
    const { state: s1, vma, notifier } = subscribed();
    const { state, events } = run(s1, munmapVma(s1, vma));
    const tid = callbackThread(events);
    const reason = rejectedWith(state, { kind: 'invalidate_callback_return', notifier, ret: true, by: tid });
    expect(reason).toBe(`ill-formed: driver thread ${tid} (stop-unmap) calls driver_lock here`);
  });

  it('the callbacks of two notifiers over the range run one after the other: the second starts when the first returns', () => {
    const { state: s1, vma, notifier: first } = subscribed();
    const { state: s2 } = run(s1, insert(0, 1, DRIVER));
    const second = lastId(s2.notifiers);
    const { state: s3, events } = run(s2, munmapVma(s2, vma));
    const inv = onlyInvalidation(s3);
    const t1 = callbackThread(events);
    expect(s3.threads.size).toBe(1);
    expect(s3.threads.get(t1)?.notifier).toBe(first);
    expect(s3.invalidations.get(inv)).toMatchObject({ queue: [second], running: t1 });
    const r1 = runThread(s3, t1);
    const t2 = lastId(r1.state.threads);
    expect(r1.events.slice(-2)).toEqual([
      { kind: 'callback-returned', inv, notifier: first, device: DRIVER, mm: 0, start: 0, end: 1, ret: true },
      { kind: 'callback-invoked', inv, notifier: second, thread: t2 },
    ]);
    expect(r1.state.invalidations.get(inv)).toMatchObject({ queue: [], running: t2 });
    expect(rejectedWith(r1.state, rangeEnd(inv))).toMatch(/^waits: /);
    const r2 = runThread(r1.state, t2);
    expect(r2.ops.at(-1)).toEqual({ kind: 'invalidate_callback_return', notifier: second, ret: true, by: t2 });
    expect(r2.state.notifiers.get(first)?.seq).toBe(3);
    expect(r2.state.notifiers.get(second)?.seq).toBe(3);
    expect(kinds(run(r2.state, rangeEnd(inv)).events)).toEqual(['vma-destroyed', 'invalidate-range-end']);
  });

  it("while munmap's invalidation holds mmap_write_lock, munmap, mmap, fork, exit_mmap and p2p_map of that mm wait", () => {
    const { state: s0 } = run(designWorld(STOP_UNMAP), barOp, barOp);
    const other = lastId(s0.vmas);
    const vma = other - 1;
    const { state: s1 } = run(s0, insert(0, 1, DRIVER));
    const { state: s2 } = run(s1, munmapVma(s1, vma));
    expect(s2.vmas.has(vma)).toBe(true);
    expect(rejectedWith(s2, munmapVma(s2, other))).toBe('waits: mmap_write_lock of mm 0 is held');
    expect(rejectedWith(s2, { kind: 'p2p_map', vma: other, dev: DRIVER, write: true })).toBe('waits: mmap_write_lock of mm 0 is held');
    expect(rejectedWith(s2, barOp)).toBe('waits: mmap_write_lock of mm 0 is held');
    expect(rejectedWith(s2, { kind: 'fork', mm: 0 })).toBe('waits: mmap_write_lock of mm 0 is held');
    expect(rejectedWith(s2, { kind: 'exit_mmap', mm: 0 })).toBe('waits: mmap_write_lock of mm 0 is held');
    const { state: s3 } = finishInvalidations(s2);
    const { state, events } = run(s3, { kind: 'p2p_map', vma: other, dev: DRIVER, write: true }, munmapVma(s3, other));
    expect(kinds(events)).toEqual(['p2p-mapped', 'vma-destroyed']);
    expect(state.vmas.size).toBe(0);
  });

  it('munmap without a notifier leaves the p2p_map mapping live after the VMA is gone', () => {
    const { state: s1, vma, mapping } = barMappedByImporter();
    const { state, events } = run(s1, munmapVma(s1, vma));
    expect(events).toEqual([{ kind: 'vma-destroyed', vma, mm: 0, start: 0, end: 1 }]);
    expect(state.mappings.get(mapping)).toBe(s1.mappings.get(mapping));
  });

  it("munmap calls no callback for a notifier whose owner has no driver code, so the importer's mapping stays live", () => {
    const { state: s1 } = run(designWorld(STOP_UNMAP), barOp);
    const vma = lastId(s1.vmas);
    const { state: s2 } = run(s1, insert(0, 1, EXPORTER), { kind: 'p2p_map', vma, dev: DRIVER, write: true });
    const mapping = lastId(s2.mappings);
    const { state: s3, events } = run(s2, munmapVma(s2, vma));
    const inv = onlyInvalidation(s3);
    expect(events).toEqual([{ kind: 'invalidate-range-start', inv, event: 'MMU_NOTIFY_UNMAP' }]);
    expect(s3.invalidations.get(inv)).toMatchObject({ queue: [], running: null });
    expect(s3.threads.size).toBe(0);
    const { state, events: end } = run(s3, rangeEnd(inv));
    expect(kinds(end)).toEqual(['vma-destroyed', 'invalidate-range-end']);
    expect(state.mappings.has(mapping)).toBe(true);
  });

  it('munmap does not invalidate a notifier whose range does not overlap the VMA', () => {
    const { state: s1, vma, mapping } = barMappedByImporter();
    const { state: s2 } = run(s1, insert(1, 4, IMPORTER));
    const n = lastId(s2.notifiers);
    const { state, events } = run(s2, munmapVma(s2, vma));
    expect(kinds(events)).toEqual(['vma-destroyed']);
    expect(state.notifiers.get(n)?.seq).toBe(1);
    expect(seqOf(state)).toBe(2);
    expect(state.invalidations.size).toBe(0);
    expect(state.mappings.has(mapping)).toBe(true);
  });

  it('munmap does not invalidate a notifier registered in another mm', () => {
    const { state: s0 } = run(world(), mmapAnon(1), { kind: 'fork', mm: 0 });
    const child = lastId(s0.mms);
    const { state: s1, vma } = barMappedByImporter(s0);
    const { state: s2 } = run(s1, insert(0, 8, IMPORTER, child));
    const { events } = run(s2, munmapVma(s2, vma));
    expect(kinds(events)).toEqual(['vma-destroyed']);
  });

  it('munmap after mmu_interval_notifier_remove destroys the VMA at once and leaves the mapping live', () => {
    const { state: s1, vma, mapping } = barMappedByImporter();
    const { state: s2 } = run(s1, insert(0, 1, IMPORTER));
    const { state, events } = run(s2, { kind: 'mmu_interval_notifier_remove', notifier: lastId(s2.notifiers) }, munmapVma(s2, vma));
    expect(kinds(events)).toEqual(['vma-destroyed']);
    expect(state.mappings.has(mapping)).toBe(true);
  });

  it("exit_mmap, once the task's own mm_users reference was the last, runs the callback with MMU_NOTIFY_RELEASE, and range_end tears every VMA down", () => {
    const { state: s1, notifier } = subscribed();
    const { state: s2a } = run(s1, { kind: 'driver_map_range', dev: DRIVER, notifier });
    const s2 = runThread(s2a, lastId(s2a.threads)).state;
    const mapping = lastId(s2.mappings);
    expect(s2.mms.get(0)).toMatchObject({ alive: true, users: 1 });
    const { state: s3, events } = run(s2, { kind: 'exit_mmap', mm: 0 });
    const inv = onlyInvalidation(s3);
    expect(events).toEqual([
      { kind: 'invalidate-range-start', inv, event: 'MMU_NOTIFY_RELEASE' },
      { kind: 'callback-invoked', inv, notifier, thread: callbackThread(events) },
    ]);
    // The task is gone at once; the address space lasts until range_end.
    expect(s3.mms.get(0)).toMatchObject({ alive: false, users: 0 });
    expect(s3.vmas.size).toBe(1);
    const { state, events: rest } = finishInvalidations(s3);
    expect(kinds(rest)).toEqual(['device-stopped', 'mapping-torn-down', 'driver-forgot', 'callback-returned', 'vma-destroyed', 'invalidate-range-end']);
    expect(state.mappings.has(mapping)).toBe(false);
    expect(state.vmas.size).toBe(0);
  });
});
