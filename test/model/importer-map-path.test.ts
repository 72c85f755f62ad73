/**
 * The importer's map path (model/designs/importers/map-path.ts, hmm.rst's
 * mmget / read_begin / mmap_read_lock / p2p_map / read_retry loop) run as a
 * driver thread, call by call.
 */
import { describe, expect, it } from 'vitest';
import type { Op } from '../../model/op.ts';
import type { State } from '../../model/state.ts';
import { callbackThread, designWorld, finishInvalidations, lastId, rejectedWith, run, runThread } from './helpers.ts';

const DRIVER = 1;
const bar = (npages: number): Op => ({ kind: 'mmap', mm: 0, npages, backing: { kind: 'bar', bar: 0 } });
const anon: Op = { kind: 'mmap', mm: 0, npages: 1, backing: { kind: 'anon' } };

/** In design `design`, map `vmas` in mm 0, subscribe [start, start+npages) and start the map path; returns the thread. */
const mapPathOver = (design: string, vmas: ReadonlyArray<Op>, start: number, npages: number): { state: State; tid: number; notifier: number } => {
  const { state: s1 } = run(designWorld(design), ...vmas, { kind: 'mmu_interval_notifier_insert', mm: 0, start, npages, owner: DRIVER });
  const notifier = lastId(s1.notifiers);
  const { state } = run(s1, { kind: 'driver_map_range', dev: DRIVER, notifier });
  return { state, tid: lastId(state.threads), notifier };
};

/** The calls of the map path up to and including its find_vma of `addr`. */
const upToFind = (tid: number, notifier: number, addr: number): ReadonlyArray<Op> => [
  { kind: 'mmget_not_zero', mm: 0, by: tid },
  { kind: 'mmu_interval_read_begin', notifier, by: tid },
  { kind: 'mmap_read_lock', mm: 0, by: tid },
  { kind: 'find_vma', mm: 0, addr, by: tid },
];

/** The failure return: drop the mmap lock and the mm reference, return -EFAULT. */
const failure = (tid: number): ReadonlyArray<Op> => [
  { kind: 'mmap_read_unlock', mm: 0, by: tid },
  { kind: 'mmput', mm: 0, by: tid },
  { kind: 'driver_return', dev: DRIVER, err: '-EFAULT', by: tid },
];

describe('the hmm-map path refuses what p2p_map cannot map for its notifier range alone', () => {
  const refused = (vmas: ReadonlyArray<Op>, start: number, npages: number) => {
    const { state, tid, notifier } = mapPathOver('vma-p2p-map-notifier', vmas, start, npages);
    const r = runThread(state, tid);
    expect(r.ops).toEqual([...upToFind(tid, notifier, start), ...failure(tid)]);
    expect(r.state.threads.size).toBe(0);
    expect(r.state.mappings.size).toBe(0);
    expect(r.state.mms.get(0)).toMatchObject({ users: 1, mmapReaders: 0 });
  };

  it('a BAR VMA that reaches past the end of the notifier range: no p2p_map, the driver returns -EFAULT', () => {
    refused([bar(2)], 0, 1);
  });

  it('a BAR VMA that starts before the notifier range: no p2p_map, -EFAULT', () => {
    refused([bar(2)], 1, 1);
  });

  it('an anonymous VMA (not an exporter BAR): no p2p_map, -EFAULT', () => {
    refused([anon], 0, 1);
  });

  it('no VMA at the notifier start: find_vma returns NULL, no p2p_map, -EFAULT', () => {
    refused([bar(1)], 3, 1);
  });

  it('hmm-map: a BAR VMA exactly the notifier range is p2p_mapped, recorded before mmap_read_unlock, programmed, and the mm reference dropped', () => {
    const { state, tid, notifier } = mapPathOver('vma-p2p-map-notifier-record-unlocked', [bar(2)], 0, 2);
    const vma = lastId(state.vmas);
    const r = runThread(state, tid);
    const mapping = lastId(r.state.mappings);
    expect(r.ops).toEqual([
      ...upToFind(tid, notifier, 0),
      { kind: 'p2p_map', vma, dev: DRIVER, write: true, by: tid },
      { kind: 'driver_record', dev: DRIVER, mapping, by: tid },
      { kind: 'mmap_read_unlock', mm: 0, by: tid },
      { kind: 'driver_lock', dev: DRIVER, by: tid },
      { kind: 'mmu_interval_read_retry', notifier, seq: 1, by: tid },
      { kind: 'device_program', dev: DRIVER, mapping, by: tid },
      { kind: 'driver_unlock', dev: DRIVER, by: tid },
      { kind: 'mmput', mm: 0, by: tid },
    ]);
    expect([...r.state.deviceRanges.values()].map((d) => ({ mm: d.mm, start: d.start, end: d.end, mapping: d.mapping }))).toEqual([{ mm: 0, start: 0, end: 2, mapping }]);
    expect(r.state.records).toEqual([{ device: DRIVER, notifier, mapping, vma, mm: 0, start: 0, end: 2 }]);
    expect(r.state.mms.get(0)).toMatchObject({ users: 1, mmapReaders: 0 });
  });

  it('hmm-map-locked takes the driver lock before p2p_map and holds it through the record, mmap_read_unlock, read_retry and the programming', () => {
    const { state, tid, notifier } = mapPathOver('vma-p2p-map-notifier', [bar(1)], 0, 1);
    const vma = lastId(state.vmas);
    const r = runThread(state, tid);
    const mapping = lastId(r.state.mappings);
    expect(r.ops).toEqual([
      ...upToFind(tid, notifier, 0),
      { kind: 'driver_lock', dev: DRIVER, by: tid },
      { kind: 'p2p_map', vma, dev: DRIVER, write: true, by: tid },
      { kind: 'driver_record', dev: DRIVER, mapping, by: tid },
      { kind: 'mmap_read_unlock', mm: 0, by: tid },
      { kind: 'mmu_interval_read_retry', notifier, seq: 1, by: tid },
      { kind: 'device_program', dev: DRIVER, mapping, by: tid },
      { kind: 'driver_unlock', dev: DRIVER, by: tid },
      { kind: 'mmput', mm: 0, by: tid },
    ]);
  });

  it('hmm-map-locked: p2p_map refused (-ENODEV) under the driver lock, the failure path drops the lock first', () => {
    const { state, tid } = mapPathOver('vma-p2p-map-notifier', [bar(1)], 0, 1);
    const locked = runThread(state, tid, 5).state;
    const { state: removing, events } = run(locked, { kind: 'pci_stop_and_remove_bus_device', dev: 0 });
    // The removal's callback waits for the driver lock the map path holds.
    expect(rejectedWith(removing, { kind: 'driver_lock', dev: DRIVER, by: callbackThread(events) })).toBe(`waits: device ${DRIVER}'s driver lock is held`);
    const r = runThread(removing, tid);
    expect(r.ops).toEqual([
      { kind: 'p2p_map', vma: lastId(state.vmas), dev: DRIVER, write: true, by: tid },
      { kind: 'driver_unlock', dev: DRIVER, by: tid },
      ...failure(tid),
    ]);
    expect(r.events.some((e) => e.kind === 'call-failed' && e.reason.startsWith('-ENODEV'))).toBe(true);
  });

  it("hmm-map-literal records only after read_retry, under the driver lock, as hmm.rst does with hmm_range_fault's result", () => {
    const { state, tid, notifier } = mapPathOver('vma-p2p-map-notifier-hmm-literal', [bar(1)], 0, 1);
    const vma = lastId(state.vmas);
    const r = runThread(state, tid);
    const mapping = lastId(r.state.mappings);
    expect(r.ops).toEqual([
      ...upToFind(tid, notifier, 0),
      { kind: 'p2p_map', vma, dev: DRIVER, write: true, by: tid },
      { kind: 'mmap_read_unlock', mm: 0, by: tid },
      { kind: 'driver_lock', dev: DRIVER, by: tid },
      { kind: 'mmu_interval_read_retry', notifier, seq: 1, by: tid },
      { kind: 'driver_record', dev: DRIVER, mapping, by: tid },
      { kind: 'device_program', dev: DRIVER, mapping, by: tid },
      { kind: 'driver_unlock', dev: DRIVER, by: tid },
      { kind: 'mmput', mm: 0, by: tid },
    ]);
  });

  it('while the map path holds mmap_read_lock, munmap waits for it; the provider removal does not (it takes no mmap lock)', () => {
    const { state, tid } = mapPathOver('vma-p2p-map-notifier-record-unlocked', [bar(1)], 0, 1);
    const locked = runThread(state, tid, 3).state;
    expect(rejectedWith(locked, { kind: 'munmap', mm: 0, start: 0, npages: 1 })).toBe('waits: mmap_read_lock of mm 0 is held by 1 driver thread');
    expect(rejectedWith(locked, { kind: 'mprotect', mm: 0, start: 0, npages: 1, write: false })).toBe('waits: mmap_read_lock of mm 0 is held by 1 driver thread');
    run(locked, { kind: 'pci_stop_and_remove_bus_device', dev: 0 });
  });

  it('the process exits while the map path holds its mm reference: exit_mmap waits for the map path to mmput', () => {
    const { state, tid } = mapPathOver('vma-p2p-map-notifier', [bar(1)], 0, 1);
    const held = runThread(state, tid, 1).state;
    const { state: exited, events } = run(held, { kind: 'exit_mmap', mm: 0 });
    expect(events).toEqual([{ kind: 'mm-users', mm: 0, users: 1 }]);
    expect(exited.vmas.size).toBe(1);
    expect(exited.mms.get(0)).toMatchObject({ alive: false, users: 1 });
    const r = runThread(exited, tid);
    expect(r.ops.at(-1)).toEqual({ kind: 'mmput', mm: 0, by: tid });
    // The last mmput runs exit_mmap: the notifier's callback first.
    expect(r.events.some((e) => e.kind === 'invalidate-range-start' && e.event === 'MMU_NOTIFY_RELEASE')).toBe(true);
    const { state: after } = finishInvalidations(r.state);
    expect(after.vmas.size).toBe(0);
    expect(after.mappings.size).toBe(0);
  });

  it('a map path started after the process exited and exit_mmap ran gets false from mmget_not_zero and returns -EFAULT', () => {
    const { state, tid } = mapPathOver('vma-p2p-map-notifier', [bar(1)], 0, 1);
    const { state: gone } = finishInvalidations(run(state, { kind: 'exit_mmap', mm: 0 }).state);
    const r = runThread(gone, tid);
    expect(r.ops).toEqual([
      { kind: 'mmget_not_zero', mm: 0, by: tid },
      { kind: 'driver_return', dev: DRIVER, err: '-EFAULT', by: tid },
    ]);
    expect(r.events.some((e) => e.kind === 'call-failed' && e.reason.startsWith('returns false: mm_users of mm 0 is 0'))).toBe(true);
  });
});

describe('the map path on a VMA mprotect made read-only', () => {
  it('asks p2p_map for a read-only mapping (no VM_WRITE), programs the device read-only, and the device cannot write there', () => {
    const { state: s0, tid } = mapPathOver('vma-p2p-map-notifier', [bar(1)], 0, 1);
    const vma = lastId(s0.vmas);
    const { state: ro } = finishInvalidations(run(s0, { kind: 'mprotect', mm: 0, start: 0, npages: 1, write: false }).state);
    const r = runThread(ro, tid);
    expect(r.ops).toContainEqual({ kind: 'p2p_map', vma, dev: DRIVER, write: false, by: tid });
    const mapping = lastId(r.state.mappings);
    expect(r.state.mappings.get(mapping)?.dir).toBe('to-device');
    expect([...r.state.deviceRanges.values()].map((d) => d.dir)).toEqual(['to-device']);
    run(r.state, { kind: 'device_read', mapping, index: 0 });
    expect(rejectedWith(r.state, { kind: 'device_write', mapping, index: 0 })).toBe(`ill-formed: device ${DRIVER}'s page table maps mapping ${mapping} read-only: the write faults on the device`);
  });
});

describe('protect-readonly: the callback reads the event the kernel passes', () => {
  const programmed = () => {
    const { state: s0, tid } = mapPathOver('vma-p2p-map-notifier-readonly', [bar(1)], 0, 1);
    const r = runThread(s0, tid);
    return { state: r.state, mapping: lastId(r.state.mappings) };
  };

  it('on mprotect (MMU_NOTIFY_PROTECTION_VMA) it write-protects the device range and keeps the mapping; the device still reads, cannot write', () => {
    const { state, mapping } = programmed();
    const { state: s1, events } = run(state, { kind: 'mprotect', mm: 0, start: 0, npages: 1, write: false });
    const cb = runThread(s1, callbackThread(events));
    expect(cb.ops.map((o) => o.kind)).toEqual(['driver_lock', 'mmu_interval_set_seq', 'device_write_protect', 'driver_unlock', 'invalidate_callback_return']);
    expect(cb.state.mappings.has(mapping)).toBe(true);
    expect([...cb.state.deviceRanges.values()].map((d) => d.dir)).toEqual(['to-device']);
    const { state: after } = finishInvalidations(cb.state);
    run(after, { kind: 'device_read', mapping, index: 0 });
    expect(rejectedWith(after, { kind: 'device_write', mapping, index: 0 })).toMatch(/read-only: the write faults on the device$/);
  });

  it('on munmap (MMU_NOTIFY_UNMAP) it stops the device and gives the mapping back, as stop-unmap does', () => {
    const { state, mapping } = programmed();
    const { state: s1, events } = run(state, { kind: 'munmap', mm: 0, start: 0, npages: 1 });
    const cb = runThread(s1, callbackThread(events));
    expect(cb.ops.map((o) => o.kind)).toEqual(['driver_lock', 'mmu_interval_set_seq', 'device_stop_dma', 'p2p_unmap', 'driver_forget', 'driver_unlock', 'invalidate_callback_return']);
    expect(cb.state.mappings.has(mapping)).toBe(false);
  });
});

describe('the hmm-map path when mmu_interval_read_retry says the range was invalidated', () => {
  it('record-only callback on an mprotect after read_begin: read_retry is true; under the lock the driver p2p_unmaps and forgets what it recorded, unlocks and starts again', () => {
    const { state: s0, tid, notifier } = mapPathOver('vma-p2p-map-notifier-nostop', [bar(1)], 0, 1);
    const vma = lastId(s0.vmas);
    const first = runThread(s0, tid, 2);
    expect(first.state.threads.get(tid)).toMatchObject({ seq: 1, mapping: null, retry: null });
    // mprotect(PROT_READ|PROT_WRITE) of a writable window still runs the notifiers (change_protection).
    const { state: s1, events } = run(first.state, { kind: 'mprotect', mm: 0, start: 0, npages: 1, write: true });
    runThread(s1, callbackThread(events));
    const { state: s2 } = finishInvalidations(s1);
    expect(s2.vmas.has(vma)).toBe(true);
    const again = runThread(s2, tid, 12);
    const mapped = again.events.find((e) => e.kind === 'p2p-mapped');
    const mapping = mapped?.kind === 'p2p-mapped' ? mapped.mapping : expect.fail('p2p_map returned no mapping');
    expect(again.ops).toEqual([
      { kind: 'mmap_read_lock', mm: 0, by: tid },
      { kind: 'find_vma', mm: 0, addr: 0, by: tid },
      { kind: 'driver_lock', dev: DRIVER, by: tid },
      { kind: 'p2p_map', vma, dev: DRIVER, write: true, by: tid },
      { kind: 'driver_record', dev: DRIVER, mapping, by: tid },
      { kind: 'mmap_read_unlock', mm: 0, by: tid },
      { kind: 'mmu_interval_read_retry', notifier, seq: 1, by: tid },
      { kind: 'p2p_unmap', mapping, by: tid },
      { kind: 'driver_forget', dev: DRIVER, mapping, by: tid },
      { kind: 'driver_unlock', dev: DRIVER, by: tid },
      { kind: 'mmu_interval_read_begin', notifier, by: tid },
      { kind: 'mmap_read_lock', mm: 0, by: tid },
    ]);
    expect(again.state.mappings.size).toBe(0);
    expect(again.state.records).toEqual([]);
    expect(again.state.threads.get(tid)).toMatchObject({ pc: 3, seq: 3, mapping: null, retry: null });
  });

  it('hmm-map: stop-unmap callback on munmap gave back and forgot the recorded mapping: after read_retry the driver only unlocks and starts again, then find_vma fails', () => {
    const { state: s0, tid, notifier } = mapPathOver('vma-p2p-map-notifier-record-unlocked', [bar(1)], 0, 1);
    const first = runThread(s0, tid, 7);
    const mapping = lastId(first.state.mappings);
    const { state: s1 } = run(first.state, { kind: 'munmap', mm: 0, start: 0, npages: 1 });
    const { state: s2 } = finishInvalidations(s1);
    expect(s2.mappings.has(mapping)).toBe(false);
    expect(s2.records).toEqual([]);
    expect(s2.vmas.size).toBe(0);
    const again = runThread(s2, tid);
    expect(again.ops).toEqual([
      { kind: 'driver_lock', dev: DRIVER, by: tid },
      { kind: 'mmu_interval_read_retry', notifier, seq: 1, by: tid },
      { kind: 'driver_unlock', dev: DRIVER, by: tid },
      { kind: 'mmu_interval_read_begin', notifier, by: tid },
      { kind: 'mmap_read_lock', mm: 0, by: tid },
      { kind: 'find_vma', mm: 0, addr: 0, by: tid },
      ...failure(tid),
    ]);
    expect(again.state.threads.size).toBe(0);
  });
});
