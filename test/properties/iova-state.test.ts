/**
 * iova-state and the block layer's IOVA map path: the rule fires on each
 * of its clauses through paths other than the corpus trace (a lost link
 * error that reaches the device, the completion that unlinks what was
 * never linked, a free with a page still linked, a device use before the
 * sync), and the fixed map path passes the same interleavings.
 */
import { describe, expect, it } from 'vitest';
import { designById } from '../../model/designs/index.ts';
import type { Op } from '../../model/op.ts';
import { causesOf } from '../../properties/counterexample/causes.ts';
import { invariantById, invariants } from '../../properties/registry.ts';
import { replay, type ReplayResult } from '../../properties/replay.ts';

const BUGGY = 'blk-dma-iova-6.17';
const FIXED = 'blk-dma-iova';

/** A two-page read from disk: vma 1, page array 2, the map path as thread 3, its IOVA state 4. */
const START: ReadonlyArray<Op> = [
  { kind: 'mmap', mm: 0, npages: 2, backing: { kind: 'anon' } },
  { kind: 'pin_user_pages', mm: 0, start: 0, npages: 2, write: true, longterm: false, p2pdma: false },
  { kind: 'nvme_queue_rq', dev: 0, pages: 2 },
  { kind: 'dma_iova_try_alloc', dev: 0, pages: 2, by: 3 },
];
const link = (i: number): Op => ({ kind: 'dma_iova_link', dev: 0, iova: 4, offset: i, pages: 2, index: i, dir: 'from-device', by: 3 });
const INJECT_MAP: Op = { kind: 'iommu_fault_inject', dev: 0, call: 'iommu_map' };
const sync = (npages: number): Op => ({ kind: 'dma_iova_sync', dev: 0, iova: 4, offset: 0, npages, by: 3 });

/** Page 0 linked, then the IOMMU's page-table allocation fails for page 1. */
const LINK_FAILS: ReadonlyArray<Op> = [...START, link(0), INJECT_MAP, link(1)];

const check = (design: string, ops: ReadonlyArray<Op>): ReplayResult => replay(designById(design)!, ops, [invariantById('iova-state')]);
const violation = (r: ReplayResult): [number, string] => (r.kind === 'violates' ? [r.at, r.violation.message] : [-1, r.kind === 'rejected' ? r.reason : r.kind]);

describe('iova-state', () => {
  it('catches the device using a page whose link failed, handed to it because the sync overwrote the error (before 81e7223b1a2d)', () => {
    const ops: Op[] = [...LINK_FAILS, sync(1), { kind: 'device_program_iova', dev: 0, iova: 4, npages: 2, dir: 'from-device', by: 3 }, { kind: 'device_write', mapping: 4, index: 1 }];
    const r = check(BUGGY, ops);
    expect(violation(r)).toEqual([10, "device 0 wrote page 1 of IOVA 4, which its driver handed it, but that page is not linked: the IOMMU faults and the I/O's data is lost"]);
    // Why: the fault injected, the link that failed and was lost, the range handed whole.
    expect(causesOf(designById(BUGGY)!, ops, 'iova-state', 10).map((c) => c.step)).toEqual([6, 7, 9]);
  });

  it('catches completion unlinking the whole length when only a prefix was linked (WARN_ON(unmapped != size))', () => {
    const ops: Op[] = [
      ...LINK_FAILS,
      sync(1),
      { kind: 'device_program_iova', dev: 0, iova: 4, npages: 2, dir: 'from-device', by: 3 },
      { kind: 'dma_iova_destroy', dev: 0, iova: 4, mapped: 2, dir: 'from-device' },
    ];
    expect(violation(check(BUGGY, ops))).toEqual([10, 'unlink of 2 page(s) of IOVA 4 from page 0 found page 1 not linked: iommu_unmap stopped there after 1 page(s), and WARN_ON(unmapped != size) fires in __iommu_dma_iova_unlink']);
  });

  it('catches a free with a page still linked, and a device use before the sync', () => {
    const alloc: Op[] = [...START.slice(0, 2), { kind: 'dma_iova_try_alloc', dev: 0, pages: 2 }];
    const linked: Op[] = [...alloc, { kind: 'dma_iova_link', dev: 0, iova: 3, offset: 0, pages: 2, index: 0, dir: 'from-device' }];
    expect(violation(check(FIXED, [...linked, { kind: 'dma_iova_free', dev: 0, iova: 3 }]))).toEqual([5, 'IOVA 3 was freed with 1 page(s) still linked: the IOMMU keeps translating them to pages the I/O gives back']);
    const unsynced = check(FIXED, [...linked, { kind: 'device_program_iova', dev: 0, iova: 3, npages: 1, dir: 'from-device' }, { kind: 'device_write', mapping: 3, index: 0 }]);
    expect(violation(unsynced)[1]).toContain('that page is linked and not synced');
  });

  it('passes the fixed map path through the same failures: out_unlink destroys exactly what was linked, and the request fails', () => {
    const linkLost = check(FIXED, [...LINK_FAILS, { kind: 'dma_iova_destroy', dev: 0, iova: 4, mapped: 1, dir: 'from-device', by: 3 }, { kind: 'unpin_user_pages', pages: 2, by: 3 }]);
    expect(linkLost.kind).toBe('holds');
    if (linkLost.kind === 'holds') expect(linkLost.state.iovas.size).toBe(0);
    const syncFails: Op[] = [...START, link(0), link(1), { kind: 'iommu_fault_inject', dev: 0, call: 'iommu_sync_map' }, sync(2), { kind: 'dma_iova_destroy', dev: 0, iova: 4, mapped: 2, dir: 'from-device', by: 3 }, { kind: 'unpin_user_pages', pages: 2, by: 3 }];
    expect(check(FIXED, syncFails).kind).toBe('holds');
  });

  it('the fixed path runs to its end: handed whole, used, destroyed with the length it was handed, unpinned; every invariant holds', () => {
    const ops: Op[] = [
      ...START,
      link(0),
      link(1),
      sync(2),
      { kind: 'device_program_iova', dev: 0, iova: 4, npages: 2, dir: 'from-device', by: 3 },
      { kind: 'device_write', mapping: 4, index: 1 },
      { kind: 'dma_iova_destroy', dev: 0, iova: 4, mapped: 2, dir: 'from-device' },
      { kind: 'unpin_user_pages_dirty_lock', pages: 2, make_dirty: true },
    ];
    const r = replay(designById(FIXED)!, ops, invariants);
    expect(r.kind).toBe('holds');
    if (r.kind === 'holds') expect([r.state.iovas.size, r.state.threads.size, r.state.pageArrays.size]).toEqual([0, 0, 0]);
  });

  it("the thread runs the design's own code: the buggy path's sync after a failed link is not the fixed path's next call", () => {
    const r = check(FIXED, [...LINK_FAILS, sync(1)]);
    expect(r.kind).toBe('rejected');
    if (r.kind === 'rejected') expect(r.reason).toContain('calls dma_iova_destroy here');
  });
});
