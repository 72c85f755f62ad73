/**
 * Issue 17 reported a trace from an equivalent SPIN model: two notifiers of
 * one importer over overlapping ranges, and a munmap whose first callback
 * tore down the other notifier's fresh mapping while that notifier's
 * read_retry still said "no retry", so its map path programmed the device
 * with a mapping already given back (notifier-protocol, 23 calls).
 *
 * That model's callback found what to tear down in the kernel's mapping
 * table. A C driver's callback knows only what the driver recorded under
 * its own `mmu_interval_notifier` (model/designs/importers/invalidate.ts,
 * since a2e3a1e), so the first callback stops the device for the range
 * and leaves the other notifier's mapping to that notifier's callback,
 * which runs before munmap completes. This is the same interleaving,
 * found by `witness` (situation callback-tears-down-beside-other-map,
 * munmap-race world, 22 steps at 30,120 states), run to its end on the
 * design whose map path leaves the window open (record-unlocked: the
 * driver lock is taken only after mmap_read_unlock): every step is
 * accepted and no invariant fails. On vma-p2p-map-notifier the window does
 * not exist (its map path holds the driver lock from before p2p_map to
 * after programming), and the trace parts from it at the map path's lock.
 */
import { describe, expect, it } from 'vitest';
import { designById } from '../../model/designs/index.ts';
import type { Op } from '../../model/op.ts';
import { invariants } from '../../properties/registry.ts';
import { replay } from '../../properties/replay.ts';
import { situationById } from '../../properties/situations.ts';

const bar = { kind: 'bar', bar: 0 } as const;

/** notifier 2 over [0,2); a munmap of [0,1) leaves vma 1 = [1,2); notifier 6 over [1,2); its map path (thread 7) records mapping 8. */
const prefix: ReadonlyArray<Op> = [
  { kind: 'mmap', mm: 0, npages: 2, backing: bar },
  { kind: 'mmu_interval_notifier_insert', mm: 0, start: 0, npages: 2, owner: 1 },
  { kind: 'munmap', mm: 0, start: 0, npages: 1 },
  { kind: 'mmu_interval_notifier_insert', mm: 0, start: 1, npages: 1, owner: 1 },
  { kind: 'driver_map_range', dev: 1, notifier: 6 },
  { kind: 'driver_lock', dev: 1, by: 5 },
  { kind: 'mmu_interval_set_seq', notifier: 2, seq: 3, by: 5 },
  { kind: 'device_stop_dma', dev: 1, mm: 0, start: 0, npages: 1, by: 5 },
  { kind: 'driver_unlock', dev: 1, by: 5 },
  { kind: 'invalidate_callback_return', notifier: 2, ret: true, by: 5 },
  { kind: 'mmget_not_zero', mm: 0, by: 7 },
  { kind: 'mmu_notifier_invalidate_range_end', inv: 4 },
  { kind: 'mmu_interval_read_begin', notifier: 6, by: 7 },
  { kind: 'mmap_read_lock', mm: 0, by: 7 },
  { kind: 'find_vma', mm: 0, addr: 1, by: 7 },
  { kind: 'p2p_map', vma: 1, dev: 1, write: true, by: 7 },
  { kind: 'driver_record', dev: 1, mapping: 8, by: 7 },
  { kind: 'mmap_read_unlock', mm: 0, by: 7 },
];

/** munmap of [1,2): notifier 2's callback (thread 10) runs first, then the map path, then notifier 6's callback (thread 11). */
const race: ReadonlyArray<Op> = [
  { kind: 'munmap', mm: 0, start: 1, npages: 1 },
  { kind: 'driver_lock', dev: 1, by: 10 },
  { kind: 'mmu_interval_set_seq', notifier: 2, seq: 5, by: 10 },
  { kind: 'device_stop_dma', dev: 1, mm: 0, start: 1, npages: 1, by: 10 },
  // notifier 2 recorded nothing in [1,2): its callback gives nothing back.
  { kind: 'driver_unlock', dev: 1, by: 10 },
  { kind: 'invalidate_callback_return', notifier: 2, ret: true, by: 10 },
  // The map path of notifier 6: no invalidation has set its seq yet, so no retry.
  { kind: 'driver_lock', dev: 1, by: 7 },
  { kind: 'mmu_interval_read_retry', notifier: 6, seq: 3, by: 7 },
  { kind: 'device_program', dev: 1, mapping: 8, by: 7 },
  { kind: 'driver_unlock', dev: 1, by: 7 },
  { kind: 'mmput', mm: 0, by: 7 },
  // Notifier 6's callback gives its mapping back before the VMA goes.
  { kind: 'driver_lock', dev: 1, by: 11 },
  { kind: 'mmu_interval_set_seq', notifier: 6, seq: 5, by: 11 },
  { kind: 'device_stop_dma', dev: 1, mm: 0, start: 1, npages: 1, by: 11 },
  { kind: 'p2p_unmap', mapping: 8, by: 11 },
  { kind: 'driver_forget', dev: 1, mapping: 8, by: 11 },
  { kind: 'driver_unlock', dev: 1, by: 11 },
  { kind: 'invalidate_callback_return', notifier: 6, ret: true, by: 11 },
  { kind: 'mmu_notifier_invalidate_range_end', inv: 9 },
];

describe("issue 17's SPIN trace: two notifiers over overlapping ranges, one munmap", () => {
  const design = designById('vma-p2p-map-notifier-record-unlocked')!;
  const r = replay(design, [...prefix, ...race], invariants);

  it('reaches the situation at the first callback\'s device_stop_dma (step 22)', () => {
    const x = situationById('callback-tears-down-beside-other-map')!;
    expect(r.kind).toBe('holds');
    const hits = r.trace.flatMap((t, i) => {
      const before = i === 0 ? null : replay(design, [...prefix, ...race].slice(0, i), invariants);
      return before?.kind === 'holds' && x.reached(before.state, t.op, { state: before.state, events: t.events }) ? [i + 1] : [];
    });
    expect(hits).toEqual([22]);
  });

  it('runs every step to its end with no invariant failing: the first callback leaves mapping 8 alone, its own callback gives it back', () => {
    if (r.kind !== 'holds') return expect.fail(`${r.kind} at ${r.at}: ${r.kind === 'rejected' ? r.reason : r.violation.message}`);
    expect(r.steps).toBe(prefix.length + race.length);
    const unmaps = r.trace.flatMap((t, i) => (t.op.kind === 'p2p_unmap' ? [{ at: i + 1, by: t.op.by }] : []));
    expect(unmaps).toEqual([{ at: 33, by: 11 }]);
    expect(r.trace[25]!.events).toContainEqual(expect.objectContaining({ kind: 'read-retry', retry: false }));
    expect(r.state.mappings.size).toBe(0);
    expect(r.state.vmas.size).toBe(0);
  });

  it('parts from vma-p2p-map-notifier at its map path\'s lock, taken before p2p_map', () => {
    const locked = replay(designById('vma-p2p-map-notifier')!, [...prefix, ...race], invariants);
    expect(locked.kind).toBe('rejected');
    if (locked.kind !== 'rejected') return;
    expect(locked.at).toBe(16);
    expect(locked.reason).toContain('calls driver_lock here');
  });
});
