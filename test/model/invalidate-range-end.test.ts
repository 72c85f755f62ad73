/**
 * mmu_notifier_invalidate_range_end runs the rest of the path that
 * started the invalidation: page_mkclean's write-protect for writeback,
 * migrate_pages' move, fork's copy of the mm.
 */
import { describe, expect, it } from 'vitest';
import type { Op } from '../../model/op.ts';
import type { State } from '../../model/state.ts';
import { IMPORTER, frame, kinds, lastId, mmapAnon, mmapFile, pteAt, rejectedWith, run, world, writeFault } from './helpers.ts';

/** An anon page at 0 and a dirty file page at 1 (pfn 1) in mm 0, both in the range of an importer notifier. */
const watched = (): State =>
  run(world(), mmapAnon(1), writeFault(0), mmapFile(1), { kind: 'store', mm: 0, addr: 1 }, { kind: 'mmu_interval_notifier_insert', mm: 0, start: 0, npages: 2, owner: IMPORTER }).state;

const onlyInvalidation = (s: State): number => {
  expect(s.invalidations.size).toBe(1);
  return [...s.invalidations.keys()][0]!;
};
const rangeEnd = (inv: number): Op => ({ kind: 'mmu_notifier_invalidate_range_end', inv });

describe('mmu_notifier_invalidate_range_end', () => {
  it('after writeback (MMU_NOTIFY_PROTECTION_PAGE) page_mkclean write-protects the page and clears its dirty bit', () => {
    const s0 = watched();
    expect(frame(s0, 1).dirty).toBe(true);
    const { state: s1 } = run(s0, { kind: 'writeback', page: 1 });
    const inv = onlyInvalidation(s1);
    expect(frame(s1, 1).dirty).toBe(true);
    const { state, events } = run(s1, rangeEnd(inv));
    expect(events).toEqual([{ kind: 'invalidate-range-end', inv }]);
    expect(frame(state, 1).dirty).toBe(false);
    expect(pteAt(state, 0, 1)).toEqual({ pfn: 1, writable: false });
    expect(state.invalidations.size).toBe(0);
  });

  it('after migrate_page (MMU_NOTIFY_CLEAR) the page moves to a new frame and the old one is freed, not reclaimed', () => {
    const s0 = watched();
    const { state: s1 } = run(s0, { kind: 'migrate_page', page: 0 });
    const inv = onlyInvalidation(s1);
    expect(pteAt(s1, 0, 0)).toEqual({ pfn: 0, writable: true });
    const { state, events } = run(s1, rangeEnd(inv));
    const moved = pteAt(state, 0, 0);
    expect(moved?.pfn).not.toBe(0);
    expect(moved?.writable).toBe(true);
    expect(frame(state, moved!.pfn)).toMatchObject({ free: false, mapcount: 1, dirty: true, mapping: { kind: 'anon' } });
    expect(frame(state, 0).free).toBe(true);
    expect(kinds(events).at(-1)).toBe('invalidate-range-end');
  });

  it('after fork the child mm exists once the invalidation ends', () => {
    const s0 = watched();
    const { state: s1, events: started } = run(s0, { kind: 'fork', mm: 0 });
    expect(kinds(started)).toEqual(['invalidate-range-start']);
    const mms = s1.mms.size;
    const inv = onlyInvalidation(s1);
    const { state } = run(s1, rangeEnd(inv));
    expect(state.mms.size).toBe(mms + 1);
    const child = lastId(state.mms);
    expect(state.mms.get(child)?.alive).toBe(true);
    expect(pteAt(state, child, 0)).toEqual({ pfn: 0, writable: false });
    expect(pteAt(state, 0, 0)).toEqual({ pfn: 0, writable: false });
  });

  it('an invalidation id that names nothing is ill-formed', () => {
    expect(rejectedWith(world(), rangeEnd(9))).toBe('ill-formed: no invalidation 9 is in progress');
  });
});
