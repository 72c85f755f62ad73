/**
 * The importer's map path (model/designs/importers/map-path.ts, hmm.rst's
 * read_begin / p2p_map / read_retry loop) run as a driver thread, call by call.
 */
import { describe, expect, it } from 'vitest';
import type { Op } from '../../model/op.ts';
import type { State } from '../../model/state.ts';
import { callbackThread, designWorld, finishInvalidations, lastId, run, runThread } from './helpers.ts';

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

describe('the hmm-map path refuses what p2p_map cannot map for its notifier range alone', () => {
  const refused = (vmas: ReadonlyArray<Op>, start: number, npages: number) => {
    const { state, tid, notifier } = mapPathOver('vma-p2p-map-notifier', vmas, start, npages);
    const r = runThread(state, tid);
    expect(r.ops).toEqual([
      { kind: 'mmu_interval_read_begin', notifier, by: tid },
      { kind: 'driver_return', dev: DRIVER, err: '-EFAULT', by: tid },
    ]);
    expect(r.state.threads.size).toBe(0);
    expect(r.state.mappings.size).toBe(0);
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

  it('no VMA at the notifier start: no p2p_map, -EFAULT', () => {
    refused([bar(1)], 3, 1);
  });

  it('a BAR VMA exactly the notifier range is p2p_mapped and programmed', () => {
    const { state, tid, notifier } = mapPathOver('vma-p2p-map-notifier', [bar(2)], 0, 2);
    const vma = lastId(state.vmas);
    const r = runThread(state, tid);
    const mapping = lastId(r.state.mappings);
    expect(r.ops).toEqual([
      { kind: 'mmu_interval_read_begin', notifier, by: tid },
      { kind: 'p2p_map', vma, dev: DRIVER, write: true, by: tid },
      { kind: 'driver_lock', dev: DRIVER, by: tid },
      { kind: 'mmu_interval_read_retry', notifier, seq: 1, by: tid },
      { kind: 'device_program', dev: DRIVER, mapping, by: tid },
      { kind: 'driver_unlock', dev: DRIVER, by: tid },
    ]);
    expect([...r.state.deviceRanges.values()].map((d) => ({ mm: d.mm, start: d.start, end: d.end, mapping: d.mapping }))).toEqual([{ mm: 0, start: 0, end: 2, mapping }]);
  });
});

describe('the hmm-map path when mmu_interval_read_retry says the range was invalidated', () => {
  it('record-only callback on mprotect: read_retry is true, the driver unlocks, p2p_unmaps what p2p_map gave and starts again with read_begin', () => {
    const { state: s0, tid, notifier } = mapPathOver('vma-p2p-map-notifier-nostop', [bar(1)], 0, 1);
    const vma = lastId(s0.vmas);
    const first = runThread(s0, tid, 2);
    const mapping = lastId(first.state.mappings);
    expect(first.state.threads.get(tid)).toMatchObject({ seq: 1, mapping, retry: null });
    const { state: s1, events } = run(first.state, { kind: 'mprotect', mm: 0, start: 0, npages: 1, write: false });
    runThread(s1, callbackThread(events));
    const { state: s2 } = finishInvalidations(s1);
    expect(s2.vmas.has(vma)).toBe(true);
    const again = runThread(s2, tid, 5);
    expect(again.ops).toEqual([
      { kind: 'driver_lock', dev: DRIVER, by: tid },
      { kind: 'mmu_interval_read_retry', notifier, seq: 1, by: tid },
      { kind: 'driver_unlock', dev: DRIVER, by: tid },
      { kind: 'p2p_unmap', mapping, by: tid },
      { kind: 'mmu_interval_read_begin', notifier, by: tid },
    ]);
    expect(again.state.mappings.has(mapping)).toBe(false);
    expect(again.state.threads.get(tid)).toMatchObject({ pc: 1, seq: 3, mapping: null, retry: null });
  });

  it('stop-unmap callback on munmap took the mapping and the VMA: after read_retry the driver starts again and read_begin then -EFAULT', () => {
    const { state: s0, tid, notifier } = mapPathOver('vma-p2p-map-notifier', [bar(1)], 0, 1);
    const first = runThread(s0, tid, 2);
    const mapping = lastId(first.state.mappings);
    const { state: s1 } = run(first.state, { kind: 'munmap', mm: 0, start: 0, npages: 1 });
    const { state: s2 } = finishInvalidations(s1);
    expect(s2.mappings.has(mapping)).toBe(false);
    expect(s2.vmas.size).toBe(0);
    const again = runThread(s2, tid);
    expect(again.ops).toEqual([
      { kind: 'driver_lock', dev: DRIVER, by: tid },
      { kind: 'mmu_interval_read_retry', notifier, seq: 1, by: tid },
      { kind: 'driver_unlock', dev: DRIVER, by: tid },
      { kind: 'mmu_interval_read_begin', notifier, by: tid },
      { kind: 'driver_return', dev: DRIVER, err: '-EFAULT', by: tid },
    ]);
    expect(again.state.threads.size).toBe(0);
  });

  it('mmu_interval_notifier_remove while the map path runs: its next step finds no notifier and returns -EFAULT', () => {
    const { state: s0, tid, notifier } = mapPathOver('vma-p2p-map-notifier', [bar(1)], 0, 1);
    const first = runThread(s0, tid, 1);
    const { state } = run(first.state, { kind: 'mmu_interval_notifier_remove', notifier });
    expect(runThread(state, tid).ops).toEqual([{ kind: 'driver_return', dev: DRIVER, err: '-EFAULT', by: tid }]);
  });
});
