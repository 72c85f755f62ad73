/**
 * The importers' mmu_interval_notifier_ops.invalidate callbacks
 * (model/designs/importers/invalidate.ts) run as driver threads: which
 * mappings the callback p2p_unmaps and forgets, and which range it stops.
 * A callback finds what to tear down in its driver's own records, never
 * in the kernel's tables. The records here are put in the state by hand
 * (`recorded`), as a map path would have recorded them, so that each test
 * can place a mapping where one map path cannot (page 1 under a notifier
 * that starts at page 0, two mappings under one notifier).
 */
import { describe, expect, it } from 'vitest';
import type { Op } from '../../model/op.ts';
import type { State } from '../../model/state.ts';
import { callbackThread, designWorld, lastId, run, runThread } from './helpers.ts';

const DRIVER = 1;
const barOp: Op = { kind: 'mmap', mm: 0, npages: 1, backing: { kind: 'bar', bar: 0 } };

/** mm 0 maps the BAR as VMA A (page 0) and VMA B (page 1); the importer subscribes one notifier over both. */
const bothSubscribed = (design: string): { state: State; notifier: number; a: number; b: number } => {
  const { state: s1 } = run(designWorld(design), barOp, barOp, { kind: 'mmu_interval_notifier_insert', mm: 0, start: 0, npages: 2, owner: DRIVER });
  const [a, b] = [...s1.vmas.keys()] as [number, number];
  return { state: s1, notifier: lastId(s1.notifiers), a, b };
};

/** p2p_map of `vma` for `dev`, and (unless `record` is false) the driver's record of it under `notifier`. */
const p2pMap = (s: State, vma: number, notifier: number, record = true): { state: State; mapping: number } => {
  const { state } = run(s, { kind: 'p2p_map', vma, dev: DRIVER, write: true });
  const mapping = lastId(state.mappings);
  const v = state.vmas.get(vma)!;
  const rec = { device: DRIVER, notifier, mapping, vma, mm: v.mm, start: v.start, end: v.start + v.npages };
  return { state: record ? { ...state, records: [...state.records, rec] } : state, mapping };
};

/** munmap [start, start+1) of mm 0 and run the callback the kernel invoked to its return. */
const callbackOn = (s: State, start: number) => {
  const { state, events } = run(s, { kind: 'munmap', mm: 0, start, npages: 1 });
  const tid = callbackThread(events);
  return { tid, ...runThread(state, tid) };
};

const unmapped = (ops: ReadonlyArray<Op>) => ops.filter((o) => o.kind === 'p2p_unmap' || o.kind === 'driver_forget');

describe('stop-unmap: the callback p2p_unmaps and forgets only the recorded mappings inside the invalidated range', () => {
  it("munmap of page 1 (VMA B): device_stop_dma of [1, 2), p2p_unmap and forget of B's mapping only; A's adjacent mapping stays", () => {
    const { state: s0, notifier, a, b } = bothSubscribed('vma-p2p-map-notifier');
    const { state: s1, mapping: ma } = p2pMap(s0, a, notifier);
    const { state: s2, mapping: mb } = p2pMap(s1, b, notifier);
    const cb = callbackOn(s2, 1);
    expect(cb.ops).toEqual([
      { kind: 'driver_lock', dev: DRIVER, by: cb.tid },
      { kind: 'mmu_interval_set_seq', notifier, seq: 3, by: cb.tid },
      { kind: 'device_stop_dma', dev: DRIVER, mm: 0, start: 1, npages: 1, by: cb.tid },
      { kind: 'p2p_unmap', mapping: mb, by: cb.tid },
      { kind: 'driver_forget', dev: DRIVER, mapping: mb, by: cb.tid },
      { kind: 'driver_unlock', dev: DRIVER, by: cb.tid },
      { kind: 'invalidate_callback_return', notifier, ret: true, by: cb.tid },
    ]);
    expect([...cb.state.mappings.keys()]).toEqual([ma]);
    expect(cb.state.records.map((r) => r.mapping)).toEqual([ma]);
  });

  it("munmap of page 0 (VMA A): p2p_unmap of A's mapping only; B's adjacent mapping stays", () => {
    const { state: s0, notifier, a, b } = bothSubscribed('vma-p2p-map-notifier');
    const { state: s1, mapping: ma } = p2pMap(s0, a, notifier);
    const { state: s2, mapping: mb } = p2pMap(s1, b, notifier);
    const cb = callbackOn(s2, 0);
    expect(cb.ops.filter((o) => o.kind === 'p2p_unmap' || o.kind === 'device_stop_dma')).toEqual([
      { kind: 'device_stop_dma', dev: DRIVER, mm: 0, start: 0, npages: 1, by: cb.tid },
      { kind: 'p2p_unmap', mapping: ma, by: cb.tid },
    ]);
    expect([...cb.state.mappings.keys()]).toEqual([mb]);
  });

  it('two recorded mappings of the range are given back one p2p_unmap and one forget a step, oldest first', () => {
    const { state: s0, notifier, a } = bothSubscribed('vma-p2p-map-notifier');
    const { state: s1, mapping: m1 } = p2pMap(s0, a, notifier);
    const { state: s2, mapping: m2 } = p2pMap(s1, a, notifier);
    const cb = callbackOn(s2, 0);
    expect(unmapped(cb.ops)).toEqual([
      { kind: 'p2p_unmap', mapping: m1, by: cb.tid },
      { kind: 'driver_forget', dev: DRIVER, mapping: m1, by: cb.tid },
      { kind: 'p2p_unmap', mapping: m2, by: cb.tid },
      { kind: 'driver_forget', dev: DRIVER, mapping: m2, by: cb.tid },
    ]);
    expect(cb.state.mappings.size).toBe(0);
    expect(cb.state.records).toEqual([]);
  });

  it('a mapping the driver has not recorded is not found: the callback gives back nothing and the mapping stays live', () => {
    const { state: s0, notifier, a } = bothSubscribed('vma-p2p-map-notifier');
    const { state: s1, mapping } = p2pMap(s0, a, notifier, false);
    const cb = callbackOn(s1, 0);
    expect(unmapped(cb.ops)).toEqual([]);
    expect([...cb.state.mappings.keys()]).toEqual([mapping]);
  });

  it("a record kept under the driver's other notifier over the same pages is left to that notifier's callback", () => {
    const { state: s0, notifier, a } = bothSubscribed('vma-p2p-map-notifier');
    const { state: s1 } = run(s0, { kind: 'mmu_interval_notifier_insert', mm: 0, start: 0, npages: 1, owner: DRIVER });
    const other = lastId(s1.notifiers);
    const { state: s2, mapping: mine } = p2pMap(s1, a, notifier);
    const { state: s3, mapping: theirs } = p2pMap(s2, a, other);
    const cb = callbackOn(s3, 0);
    // The first callback is the older notifier's: it gives back its own record only.
    expect(unmapped(cb.ops)).toEqual([
      { kind: 'p2p_unmap', mapping: mine, by: cb.tid },
      { kind: 'driver_forget', dev: DRIVER, mapping: mine, by: cb.tid },
    ]);
    expect(cb.state.records.map((r) => r.mapping)).toEqual([theirs]);
    // The other notifier's callback runs next and gives back the rest.
    const second = runThread(cb.state, callbackThread(cb.events.slice(-1)));
    expect(unmapped(second.ops).map((o) => o.kind === 'p2p_unmap' && o.mapping)).toEqual([theirs, false]);
  });
});

describe('whole-range-only: the callback ignores an invalidation of part of its notifier range', () => {
  it('munmap of one page of a two-page notifier: lock, set_seq, unlock, return true, with no device_stop_dma and no p2p_unmap', () => {
    const { state: s0, notifier, a } = bothSubscribed('vma-p2p-map-notifier-whole-vma');
    const { state: s1, mapping } = p2pMap(s0, a, notifier);
    const cb = callbackOn(s1, 0);
    expect(cb.ops).toEqual([
      { kind: 'driver_lock', dev: DRIVER, by: cb.tid },
      { kind: 'mmu_interval_set_seq', notifier, seq: 3, by: cb.tid },
      { kind: 'driver_unlock', dev: DRIVER, by: cb.tid },
      { kind: 'invalidate_callback_return', notifier, ret: true, by: cb.tid },
    ]);
    expect([...cb.state.mappings.keys()]).toEqual([mapping]);
  });

  it('exit_mmap invalidates the whole notifier range: the callback stops the device for [0, 2), p2p_unmaps and forgets', () => {
    const { state: s0, notifier, a } = bothSubscribed('vma-p2p-map-notifier-whole-vma');
    const { state: s1, mapping } = p2pMap(s0, a, notifier);
    const { state: s2, events } = run(s1, { kind: 'exit_mmap', mm: 0 });
    const tid = callbackThread(events);
    const cb = runThread(s2, tid);
    expect(cb.ops).toEqual([
      { kind: 'driver_lock', dev: DRIVER, by: tid },
      { kind: 'mmu_interval_set_seq', notifier, seq: 3, by: tid },
      { kind: 'device_stop_dma', dev: DRIVER, mm: 0, start: 0, npages: 2, by: tid },
      { kind: 'p2p_unmap', mapping, by: tid },
      { kind: 'driver_forget', dev: DRIVER, mapping, by: tid },
      { kind: 'driver_unlock', dev: DRIVER, by: tid },
      { kind: 'invalidate_callback_return', notifier, ret: true, by: tid },
    ]);
  });
});
