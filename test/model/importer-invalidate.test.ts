/**
 * The importers' mmu_interval_notifier_ops.invalidate callbacks
 * (model/designs/importers/invalidate.ts) run as driver threads: which
 * mappings the callback p2p_unmaps and which range it stops.
 */
import { describe, expect, it } from 'vitest';
import type { Op } from '../../model/op.ts';
import type { State } from '../../model/state.ts';
import { designById } from '../../model/designs/index.ts';
import { makeWorld } from '../../model/world.ts';
import { callbackThread, designWorld, lastId, run, runThread } from './helpers.ts';

const DRIVER = 1;
const barOp: Op = { kind: 'mmap', mm: 0, npages: 1, backing: { kind: 'bar', bar: 0 } };

/** mm 0 maps the BAR as VMA A (page 0) and VMA B (page 1); the importer subscribes one notifier over both. */
const bothSubscribed = (design: string): { state: State; notifier: number; a: number; b: number } => {
  const { state: s1 } = run(designWorld(design), barOp, barOp, { kind: 'mmu_interval_notifier_insert', mm: 0, start: 0, npages: 2, owner: DRIVER });
  const [a, b] = [...s1.vmas.keys()] as [number, number];
  return { state: s1, notifier: lastId(s1.notifiers), a, b };
};

const p2pMap = (s: State, vma: number, dev = DRIVER): { state: State; mapping: number } => {
  const { state } = run(s, { kind: 'p2p_map', vma, dev, write: true });
  return { state, mapping: lastId(state.mappings) };
};

/** munmap [start, start+1) of mm 0 and run the callback the kernel invoked to its return. */
const callbackOn = (s: State, start: number) => {
  const { state, events } = run(s, { kind: 'munmap', mm: 0, start, npages: 1 });
  const tid = callbackThread(events);
  return { tid, ...runThread(state, tid) };
};

describe('stop-unmap: the callback p2p_unmaps only the mappings inside the invalidated range', () => {
  it('munmap of page 1 (VMA B): device_stop_dma of [1, 2) and p2p_unmap of B\'s mapping only; A\'s adjacent mapping stays', () => {
    const { state: s0, notifier, a, b } = bothSubscribed('vma-p2p-map-notifier');
    const { state: s1, mapping: ma } = p2pMap(s0, a);
    const { state: s2, mapping: mb } = p2pMap(s1, b);
    const cb = callbackOn(s2, 1);
    expect(cb.ops).toEqual([
      { kind: 'driver_lock', dev: DRIVER, by: cb.tid },
      { kind: 'mmu_interval_set_seq', notifier, seq: 3, by: cb.tid },
      { kind: 'device_stop_dma', dev: DRIVER, mm: 0, start: 1, npages: 1, by: cb.tid },
      { kind: 'p2p_unmap', mapping: mb, by: cb.tid },
      { kind: 'driver_unlock', dev: DRIVER, by: cb.tid },
      { kind: 'invalidate_callback_return', notifier, ret: true, by: cb.tid },
    ]);
    expect([...cb.state.mappings.keys()]).toEqual([ma]);
  });

  it('munmap of page 0 (VMA A): p2p_unmap of A\'s mapping only; B\'s adjacent mapping stays', () => {
    const { state: s0, a, b } = bothSubscribed('vma-p2p-map-notifier');
    const { state: s1, mapping: ma } = p2pMap(s0, a);
    const { state: s2, mapping: mb } = p2pMap(s1, b);
    const cb = callbackOn(s2, 0);
    expect(cb.ops.filter((o) => o.kind === 'p2p_unmap' || o.kind === 'device_stop_dma')).toEqual([
      { kind: 'device_stop_dma', dev: DRIVER, mm: 0, start: 0, npages: 1, by: cb.tid },
      { kind: 'p2p_unmap', mapping: ma, by: cb.tid },
    ]);
    expect([...cb.state.mappings.keys()]).toEqual([mb]);
  });

  it('two mappings of the range are given back one p2p_unmap a step, oldest first', () => {
    const { state: s0, a } = bothSubscribed('vma-p2p-map-notifier');
    const { state: s1, mapping: m1 } = p2pMap(s0, a);
    const { state: s2, mapping: m2 } = p2pMap(s1, a);
    const cb = callbackOn(s2, 0);
    expect(cb.ops.filter((o) => o.kind === 'p2p_unmap')).toEqual([
      { kind: 'p2p_unmap', mapping: m1, by: cb.tid },
      { kind: 'p2p_unmap', mapping: m2, by: cb.tid },
    ]);
    expect(cb.state.mappings.size).toBe(0);
  });

  it("the callback leaves a forked child's p2p_map mapping of the same addresses alone: it is another mm", () => {
    const { state: s0, a } = bothSubscribed('vma-p2p-map-notifier');
    const { state: forked } = run(s0, { kind: 'fork', mm: 0 });
    const child = lastId(forked.mms);
    const childA = [...forked.vmas.values()].find((v) => v.mm === child && v.start === 0)!.id;
    const { state: s1, mapping: mine } = p2pMap(forked, a);
    const { state: s2, mapping: theirs } = p2pMap(s1, childA);
    const cb = callbackOn(s2, 0);
    expect(cb.ops.filter((o) => o.kind === 'p2p_unmap')).toEqual([{ kind: 'p2p_unmap', mapping: mine, by: cb.tid }]);
    expect([...cb.state.mappings.keys()]).toEqual([theirs]);
  });

  it("the callback leaves another importer's p2p_map mapping of the same window alone: it gives back its own device's only", () => {
    const spec = designById('vma-p2p-map-notifier')!.world;
    const [provider, importer] = spec.devices as [(typeof spec.devices)[number], (typeof spec.devices)[number]];
    const three = makeWorld({ ...spec, devices: [{ ...provider, p2pPeers: [1, 2] }, importer, { name: 'second importer', p2pPeers: [0] }] });
    const { state: s0 } = run(three, barOp, { kind: 'mmu_interval_notifier_insert', mm: 0, start: 0, npages: 1, owner: DRIVER });
    const vma = lastId(s0.vmas);
    const { state: s1, mapping: theirs } = p2pMap(s0, vma, 2);
    const { state: s2, mapping: mine } = p2pMap(s1, vma);
    const cb = callbackOn(s2, 0);
    expect(cb.ops.filter((o) => o.kind === 'p2p_unmap')).toEqual([{ kind: 'p2p_unmap', mapping: mine, by: cb.tid }]);
    expect([...cb.state.mappings.keys()]).toEqual([theirs]);
  });

  it("the callback leaves the importer's sgl_dma_map_user mapping of the range alone: it gives back only what p2p_map gave", () => {
    const { state: s0, a } = bothSubscribed('vma-p2p-map-notifier');
    const { state: s1 } = run(s0, { kind: 'sgl_dma_map_user', dev: DRIVER, mm: 0, start: 0, npages: 1, dir: 'bidirectional' });
    const sglMapping = lastId(s1.mappings);
    const { state: s2, mapping } = p2pMap(s1, a);
    const cb = callbackOn(s2, 0);
    expect(cb.ops.filter((o) => o.kind === 'p2p_unmap')).toEqual([{ kind: 'p2p_unmap', mapping, by: cb.tid }]);
    expect([...cb.state.mappings.keys()]).toEqual([sglMapping]);
  });
});

describe('whole-range-only: the callback ignores an invalidation of part of its notifier range', () => {
  it('munmap of one page of a two-page notifier: lock, set_seq, unlock, return true, with no device_stop_dma and no p2p_unmap', () => {
    const { state: s0, notifier, a } = bothSubscribed('vma-p2p-map-notifier-whole-vma');
    const { state: s1, mapping } = p2pMap(s0, a);
    const cb = callbackOn(s1, 0);
    expect(cb.ops).toEqual([
      { kind: 'driver_lock', dev: DRIVER, by: cb.tid },
      { kind: 'mmu_interval_set_seq', notifier, seq: 3, by: cb.tid },
      { kind: 'driver_unlock', dev: DRIVER, by: cb.tid },
      { kind: 'invalidate_callback_return', notifier, ret: true, by: cb.tid },
    ]);
    expect([...cb.state.mappings.keys()]).toEqual([mapping]);
  });

  it('exit_mmap invalidates the whole notifier range: the callback stops the device for [0, 2) and p2p_unmaps', () => {
    const { state: s0, notifier, a } = bothSubscribed('vma-p2p-map-notifier-whole-vma');
    const { state: s1, mapping } = p2pMap(s0, a);
    const { state: s2, events } = run(s1, { kind: 'exit_mmap', mm: 0 });
    const tid = callbackThread(events);
    const cb = runThread(s2, tid);
    expect(cb.ops).toEqual([
      { kind: 'driver_lock', dev: DRIVER, by: tid },
      { kind: 'mmu_interval_set_seq', notifier, seq: 3, by: tid },
      { kind: 'device_stop_dma', dev: DRIVER, mm: 0, start: 0, npages: 2, by: tid },
      { kind: 'p2p_unmap', mapping, by: tid },
      { kind: 'driver_unlock', dev: DRIVER, by: tid },
      { kind: 'invalidate_callback_return', notifier, ret: true, by: tid },
    ]);
  });
});
