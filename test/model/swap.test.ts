/**
 * Swap of anonymous pages (model/ops/swap.ts): reclaim's unmap into a
 * swap slot, the swap cache that keeps a referenced page, swap-in, and
 * what fork, munmap and migration do with swap entries, across the eras
 * that changed them (5.10, feb889fb40fa in 5.11, 6c287605fd56 and
 * 1493a1913e34 in 5.19).
 */
import { describe, expect, it } from 'vitest';
import type { Op } from '../../model/op.ts';
import type { PteEntry, State } from '../../model/state.ts';
import { era59 } from '../../model/world.ts';
import { RAM_PAGES, eraWith, frame, gup, lastId, mmapAnon, pin, pteAt, rejectedWith, run, world, writeFault } from './helpers.ts';

const reclaim = (page: number): Op => ({ kind: 'reclaim', page });
const migrate = (page: number): Op => ({ kind: 'migrate_page', page });
const load = (addr: number, mm = 0): Op => ({ kind: 'load', mm, addr });
const store = (addr: number, mm = 0): Op => ({ kind: 'store', mm, addr });

/** The raw entry (present PTE, swap entry or null) at `addr` of `mm`. */
const entryAt = (s: State, mm: number, addr: number): PteEntry => {
  const v = [...s.vmas.values()].find((x) => x.mm === mm && addr >= x.start && addr < x.start + x.npages);
  return v === undefined ? expect.fail(`no vma of mm ${mm} covers ${addr}`) : (v.ptes[addr - v.start] ?? null);
};

/** One anon page (pfn 0) written by mm 0. */
const written = (s: State): State => run(s, mmapAnon(1), writeFault(0)).state;

describe('reclaim of an anonymous page', () => {
  it('unreferenced: the PTE becomes a swap entry, pageout frees the page, and the slot keeps the data', () => {
    const { state, events } = run(written(world()), reclaim(0));
    expect(entryAt(state, 0, 0)).toEqual({ swap: 0, exclusive: true });
    expect(frame(state, 0)).toMatchObject({ free: true });
    expect(state.swap[0]).toEqual({ count: 1, cache: null });
    expect(events).toEqual([{ kind: 'swapped-out', pfn: 0, slot: 0, kept: false }, { kind: 'page-freed', pfn: 0 }]);
  });

  it('before 5.19 the swap entry carries no exclusive bit', () => {
    const { state } = run(written(world(era59)), reclaim(0));
    expect(entryAt(state, 0, 0)).toEqual({ swap: 0, exclusive: false });
  });

  it('with a get_user_pages reference: unmapped, and kept in the swap cache by the reference (PAGE_KEEP)', () => {
    const { state: s1 } = run(world(), mmapAnon(1), gup(0, 1, true));
    const { state, events } = run(s1, reclaim(0));
    expect(entryAt(state, 0, 0)).toMatchObject({ swap: 0 });
    expect(frame(state, 0)).toMatchObject({ free: false, mapcount: 0, refcount: 2 });
    expect(state.swap[0]).toEqual({ count: 1, cache: 0 });
    expect(events).toEqual([{ kind: 'swapped-out', pfn: 0, slot: 0, kept: true }]);
  });

  it('a load then swaps the same page in from the swap cache, and the slot goes with its last entry; an exclusive entry comes back writable (6.11)', () => {
    const { state: s1 } = run(world(), mmapAnon(1), gup(0, 1, true), reclaim(0));
    const { state, events } = run(s1, load(0));
    expect(pteAt(state, 0, 0)).toEqual({ pfn: 0, writable: true });
    expect(state.swap[0]).toBeNull();
    expect(frame(state, 0)).toMatchObject({ mapcount: 1, refcount: 2 });
    expect(events[0]).toEqual({ kind: 'swapped-in', pfn: 0, slot: 0, read: false });
  });

  it('before 5.19 a load maps the swapped-in page read-only, and a page a GUP reference holds is then copied at the next store', () => {
    const { state: s1 } = run(world(era59), mmapAnon(1), gup(0, 1, true), reclaim(0));
    const { state } = run(s1, load(0));
    expect(pteAt(state, 0, 0)).toEqual({ pfn: 0, writable: false });
    expect(pteAt(run(state, store(0)).state, 0, 0)?.pfn).not.toBe(0);
  });

  it('a read-only PTE of a page fork once shared gives a swap entry without the exclusive bit: the kernel no longer knows the page is exclusive', () => {
    const { state: s1 } = run(written(world()), { kind: 'fork', mm: 0 });
    const child = lastId(s1.mms);
    const { state } = run(s1, { kind: 'exit_mmap', mm: child }, reclaim(0));
    expect(entryAt(state, 0, 0)).toEqual({ swap: 0, exclusive: false });
  });

  it('a swap-cache page nothing maps is freed by the next reclaim once its last reference goes, and the slot keeps the data', () => {
    const { state: s1 } = run(world(), mmapAnon(1), gup(0, 1, true), reclaim(0));
    const { state: s2 } = run(s1, { kind: 'put_page', pages: lastId(s1.pageArrays) });
    const { state, events } = run(s2, reclaim(0));
    expect(events).toEqual([{ kind: 'page-freed', pfn: 0 }]);
    expect(state.swap[0]).toEqual({ count: 1, cache: null });
  });

  it('a second reclaim of a swap-cache page still referenced changes nothing and reports nothing', () => {
    const { state: s1 } = run(world(era59), mmapAnon(1), pin(0, 1, true), reclaim(0));
    const { state, events } = run(s1, reclaim(0));
    expect(events).toEqual([]);
    expect(state).toEqual(s1);
  });

  it('an unreferenced page comes back in a page read from the swap device', () => {
    const { state, events } = run(run(written(world()), reclaim(0)).state, load(0));
    expect(events[0]).toMatchObject({ kind: 'swapped-in', slot: 0, read: true });
    expect(frame(state, (pteAt(state, 0, 0) ?? expect.fail('not mapped')).pfn)).toMatchObject({ mapping: { kind: 'anon' }, mapcount: 1, refcount: 1 });
  });

  it('5.10: a pinned page is unmapped into the swap cache; a load maps it read-only and the next store copies it: the process leaves the pinned page', () => {
    const { state: s1 } = run(world(era59), mmapAnon(1), pin(0, 1, true, { longterm: true }));
    const swapped = run(s1, reclaim(0)).state;
    expect(frame(swapped, 0)).toMatchObject({ mapcount: 0, pincount: 1 });
    const { state } = run(swapped, load(0), store(0));
    const now = pteAt(state, 0, 0) ?? expect.fail('not mapped');
    expect(now.pfn).not.toBe(0);
    expect(state.pageArrays.get(lastId(state.pageArrays))!.pfns).toEqual([0]);
  });

  it('5.10: a store right after swap-out reuses the pinned page: reuse_swap_page() counts mappings and swap entries, not references', () => {
    const { state } = run(world(era59), mmapAnon(1), pin(0, 1, true, { longterm: true }), reclaim(0), store(0));
    expect(pteAt(state, 0, 0)).toEqual({ pfn: 0, writable: true });
  });

  it('5.11 (feb889fb40fa): a maybe-pinned page is kept out of the swap cache, before any notifier runs', () => {
    const { state } = run(world(eraWith({ reclaimSkipsPinnedAnon: true }, era59)), mmapAnon(1), pin(0, 1, true, { longterm: true }));
    expect(rejectedWith(state, reclaim(0))).toMatch(/^returns 0: page 0 may be DMA-pinned: shrink_page_list keeps it out of the swap cache/);
  });

  it('5.19 (6c287605fd56): try_to_unmap_one restores the PTE of an exclusive pinned page', () => {
    const { state: s1 } = run(world(eraWith({ reclaimSkipsPinnedAnon: false, unmapKeepsPinnedAnon: true })), mmapAnon(1), pin(0, 1, true, { longterm: true }));
    const { state } = run(s1, reclaim(0));
    expect(pteAt(state, 0, 0)).toEqual({ pfn: 0, writable: true });
    expect(state.swap.every((w) => w === null)).toBe(true);
  });

  it('a full swap device refuses: add_to_swap fails and nothing changes', () => {
    // Eight pages swapped out fill the eight slots; the ninth page has nowhere to go.
    const pages = Array.from({ length: RAM_PAGES }, (_, i) => i);
    const full = run(world(), mmapAnon(RAM_PAGES + 1), ...pages.flatMap((i) => [writeFault(i), reclaim(0)]), writeFault(RAM_PAGES)).state;
    expect(full.swap.every((w) => w !== null)).toBe(true);
    expect(rejectedWith(full, reclaim(0))).toMatch(/^returns 0: add_to_swap: no free swap slot/);
  });
});

describe('swap entries elsewhere', () => {
  it('fork shares the slot (swap_duplicate) and clears the exclusive bit in both processes', () => {
    const { state } = run(written(world()), reclaim(0), { kind: 'fork', mm: 0 });
    const child = lastId(state.mms);
    expect(entryAt(state, 0, 0)).toEqual({ swap: 0, exclusive: false });
    expect(entryAt(state, child, 0)).toEqual({ swap: 0, exclusive: false });
    expect(state.swap[0]).toEqual({ count: 2, cache: null });
  });

  it('after fork, the parent swaps the page in and its store copies: the child still gets the data it shared', () => {
    const { state: s1 } = run(written(world()), reclaim(0), { kind: 'fork', mm: 0 });
    const child = lastId(s1.mms);
    const { state } = run(s1, load(0), store(0));
    const cached = state.swap[0]?.cache ?? expect.fail('the slot lost its swap cache');
    expect(pteAt(state, 0, 0)!.pfn).not.toBe(cached);
    const { state: s2 } = run(state, load(0, child));
    expect(pteAt(s2, child, 0)!.pfn).toBe(cached);
    expect(s2.swap[0]).toBeNull();
  });

  it('munmap of a swap entry frees the slot, and the page a reference kept leaves the swap cache', () => {
    const { state: s1 } = run(world(), mmapAnon(1), gup(0, 1, true), reclaim(0));
    const { state } = run(s1, { kind: 'munmap', mm: 0, start: 0, npages: 1 });
    expect(state.swap[0]).toBeNull();
    expect(frame(state, 0)).toMatchObject({ free: false, refcount: 1, mapcount: 0 });
  });

  it('migration counts the swap cache reference and moves the cache with the data', () => {
    const { state: s1 } = run(world(), mmapAnon(1), gup(0, 1, true), reclaim(0));
    // The GUP reference is one more than the swap cache's: -EAGAIN, as for a mapped page.
    expect(rejectedWith(s1, migrate(0))).toMatch(/^-EAGAIN/);
    const put = run(s1, { kind: 'put_page', pages: lastId(s1.pageArrays) }).state;
    const { state } = run(put, migrate(0));
    const moved = state.swap[0]?.cache ?? expect.fail('no swap cache page');
    expect(moved).not.toBe(0);
    expect(frame(state, 0)).toMatchObject({ free: true });
  });
});
