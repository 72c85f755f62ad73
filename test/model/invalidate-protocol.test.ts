import { describe, expect, it } from 'vitest';
import { callNext, invalidating, rangeFor } from '../../model/ops/invalidate.ts';
import { put } from '../../model/collections.ts';
import type { Op } from '../../model/op.ts';
import type { Invalidation, Notifier, State } from '../../model/state.ts';
import { IMPORTER, lastId, mmapAnon, mmapFile, pfnAt, run, world } from './helpers.ts';

const insert = (start: number, npages: number, mm = 0): Op => ({ kind: 'mmu_interval_notifier_insert', mm, start, npages, owner: IMPORTER });
const end = (inv: number): Op => ({ kind: 'mmu_notifier_invalidate_range_end', inv });
const load = (addr: number, mm = 0): Op => ({ kind: 'load', mm, addr });
const seq = (s: State, mm: number): number => s.mms.get(mm)!.invalidateSeq;

/** mm 0 maps the file at page 0 (page cache page read in) and an anon VMA at page 1; fork made mm `child`. */
const forked = (): { state: State; child: number; pfn: number } => {
  const { state: s1 } = run(world(), mmapFile(1), mmapAnon(1), load(0));
  const { state } = run(s1, { kind: 'fork', mm: 0 });
  const child = lastId(state.mms);
  return { state, child, pfn: pfnAt(s1, 0, 0) };
};

describe('mmu_notifier_invalidate_range_end and invalidate_seq', () => {
  it('reclaim of a page mapped in two mms with a notifier in one makes only that mm invalidate_seq odd, and range_end leaves the other even', () => {
    const { state: s0, child, pfn } = forked();
    const { state: s1 } = run(s0, insert(0, 1), { kind: 'reclaim', page: pfn });
    const inv = lastId(s1.invalidations);
    expect(s1.invalidations.get(inv)!.ranges).toEqual([{ mm: 0, start: 0, end: 1 }, { mm: child, start: 0, end: 1 }]);
    expect([seq(s1, 0), seq(s1, child)]).toEqual([3, 2]);
    const { state } = run(s1, end(inv));
    expect([seq(state, 0), seq(state, child)]).toEqual([4, 2]);
  });

  it('invalidate_seq stays odd until the last invalidation over the mm ends, including one that also covers another mm', () => {
    const { state: s0, pfn } = forked();
    // reclaim's invalidation covers mm 0 and the child; munmap's covers page 1 of mm 0 only.
    const { state: s1 } = run(s0, insert(0, 2), { kind: 'reclaim', page: pfn });
    const reclaimInv = lastId(s1.invalidations);
    const { state: s2 } = run(s1, { kind: 'munmap', mm: 0, start: 1, npages: 1 });
    const munmapInv = lastId(s2.invalidations);
    expect(seq(s2, 0)).toBe(3);
    const { state: s3 } = run(s2, end(munmapInv));
    expect(seq(s3, 0)).toBe(3);
    const { state } = run(s3, end(reclaimInv));
    expect(seq(state, 0)).toBe(4);
  });

  it('an invalidation pending in another mm does not keep this mm invalidate_seq odd', () => {
    const { state: s0, child } = forked();
    const { state: s1 } = run(s0, insert(0, 1, child), { kind: 'munmap', mm: child, start: 0, npages: 1 });
    const childInv = lastId(s1.invalidations);
    const { state: s2 } = run(s1, insert(0, 1), { kind: 'munmap', mm: 0, start: 0, npages: 1 });
    const parentInv = lastId(s2.invalidations);
    expect([seq(s2, 0), seq(s2, child)]).toEqual([3, 3]);
    const { state } = run(s2, end(parentInv));
    expect(state.invalidations.has(childInv)).toBe(true);
    expect([seq(state, 0), seq(state, child)]).toEqual([4, 3]);
  });
});

describe('mn_itree_invalidate', () => {
  it('invalidating() of an mm that does not exist is false', () => {
    expect(invalidating(world(), 99)).toBe(false);
  });

  it('the range a notifier is told is the hull of the invalidated ranges it overlaps, clipped to its interval', () => {
    const n: Notifier = { id: 1, mm: 0, start: 4, end: 8, owner: IMPORTER, seq: 1 };
    const inv: Invalidation = {
      id: 2,
      event: 'MMU_NOTIFY_CLEAR',
      ranges: [{ mm: 0, start: 0, end: 1 }, { mm: 0, start: 5, end: 6 }, { mm: 0, start: 6, end: 7 }, { mm: 1, start: 0, end: 9 }],
      mmapLocked: null,
      queue: [],
      running: null,
      then: { kind: 'reclaim', pfn: 0, gen: 0 },
    };
    expect(rangeFor(inv, n)).toEqual({ mm: 0, start: 5, end: 7 });
  });

  it('a queued notifier that is gone, or whose owner has no driver code, gets no callback thread', () => {
    const s0 = world();
    const n: Notifier = { id: 50, mm: 0, start: 0, end: 1, owner: 42, seq: 1 };
    const inv: Invalidation = { id: 60, event: 'MMU_NOTIFY_CLEAR', ranges: [{ mm: 0, start: 0, end: 1 }], mmapLocked: null, queue: [49, 50], running: null, then: { kind: 'reclaim', pfn: 0, gen: 0 } };
    const s: State = { ...s0, notifiers: put(s0.notifiers, 50, n), invalidations: put(s0.invalidations, 60, inv), nextId: 100 };
    const r = callNext(s, 60);
    expect(r.events).toEqual([]);
    expect(r.state.threads).toBe(s.threads);
    expect(r.state.invalidations.get(60)).toEqual({ ...inv, queue: [], running: null });
  });
});
