import { describe, expect, it } from 'vitest';
import { migrateRest, pageMkcleanRest, reclaimRest } from '../../model/ops/memory.ts';
import type { Op } from '../../model/op.ts';
import { setFrame } from '../../model/page.ts';
import type { State } from '../../model/state.ts';
import { IMPORTER, RAM_PAGES, accept, callbackThread, designWorld, frame, gup, kinds, mmapAnon, mmapFile, pfnAt, pin, rejectedWith, run, runThread, world, writeFault } from './helpers.ts';

const insert = (start: number, npages: number, mm = 0): Op => ({ kind: 'mmu_interval_notifier_insert', mm, start, npages, owner: IMPORTER });
const load = (addr: number, mm = 0): Op => ({ kind: 'load', mm, addr });
const onlyInvalidation = (s: State) => {
  expect(s.invalidations.size).toBe(1);
  return [...s.invalidations.values()][0]!;
};

/** A free RAM page turned into a kernel allocation (a slab or vmalloc page): on no LRU list and in no page cache. */
const withKernelPage = (mapping: { kind: 'kernel' } | { kind: 'none' }): { state: State; pfn: number } => {
  const s = world();
  const f = s.frames.find((x) => x.free && x.bar === null)!;
  return { state: setFrame(s, { ...f, free: false, refcount: 1, mapping }), pfn: f.pfn };
};

describe('reclaim and migrate_page of pages off the LRU', () => {
  it('reclaim and migrate_page of a kernel allocation fail isolate_lru_page with -EBUSY', () => {
    for (const mapping of [{ kind: 'kernel' } as const, { kind: 'none' } as const]) {
      const { state, pfn } = withKernelPage(mapping);
      const msg = `-EBUSY: isolate_lru_page: page ${pfn} is a kernel allocation, not on an LRU list`;
      expect(rejectedWith(state, { kind: 'reclaim', page: pfn })).toBe(msg);
      expect(rejectedWith(state, { kind: 'migrate_page', page: pfn })).toBe(msg);
    }
  });
});

describe('writeback of pages in no page cache', () => {
  it('writeback of a pfn the world does not have is ill-formed', () => {
    expect(rejectedWith(world(), { kind: 'writeback', page: 99 })).toBe('ill-formed: no page 99');
  });

  it('writeback of a free page is ill-formed: it is in no page cache', () => {
    const s = world();
    const f = s.frames.find((x) => x.free && x.bar === null)!;
    expect(rejectedWith(s, { kind: 'writeback', page: f.pfn })).toBe(`ill-formed: page ${f.pfn} is free, in no page cache`);
  });

  it('writeback of a kernel allocation is ill-formed: it is in no page cache', () => {
    const { state, pfn } = withKernelPage({ kind: 'kernel' });
    expect(rejectedWith(state, { kind: 'writeback', page: pfn })).toBe(`ill-formed: page ${pfn} is a kernel allocation, in no page cache`);
  });
});

describe('try_to_unmap / try_to_migrate / page_mkclean run the notifiers of every mapping', () => {
  // mm 0: an anon VMA at page 0..1, the file VMA at page 2; the page is mapped at page 2.
  const mapped = (): { state: State; pfn: number } => {
    const { state } = run(world(), mmapAnon(2), mmapFile(1), writeFault(2), insert(0, 8));
    return { state, pfn: pfnAt(state, 0, 2) };
  };

  it('reclaim of a page mapped at virtual page 2 invalidates [2, 3) with MMU_NOTIFY_CLEAR', () => {
    const { state: s0 } = run(world(), mmapAnon(2), mmapFile(1), load(2), insert(0, 8));
    const pfn = pfnAt(s0, 0, 2);
    const { state, events } = run(s0, { kind: 'reclaim', page: pfn });
    expect(kinds(events)).toEqual(['invalidate-range-start']);
    const inv = onlyInvalidation(state);
    expect(inv.event).toBe('MMU_NOTIFY_CLEAR');
    expect(inv.ranges).toEqual([{ mm: 0, start: 2, end: 3 }]);
    expect(inv.then).toEqual({ kind: 'reclaim', pfn, gen: s0.frames[pfn]!.gen });
  });

  it('reclaim of the second page of a file VMA placed at page 1 invalidates virtual page 2', () => {
    const { state: s0 } = run(world(), mmapAnon(1), { kind: 'mmap', mm: 0, npages: 2, backing: { kind: 'file', inode: 0 } }, load(2), insert(0, 8));
    const { state } = run(s0, { kind: 'reclaim', page: pfnAt(s0, 0, 2) });
    expect(onlyInvalidation(state).ranges).toEqual([{ mm: 0, start: 2, end: 3 }]);
  });

  it('migrate_page invalidates the mapping with MMU_NOTIFY_CLEAR and continues with the migration', () => {
    const { state: s0, pfn } = mapped();
    const { state } = run(s0, { kind: 'writeback', page: pfn });
    const { state: s1 } = run(state, { kind: 'mmu_notifier_invalidate_range_end', inv: onlyInvalidation(state).id });
    const { state: s2 } = run(s1, { kind: 'migrate_page', page: pfn });
    const inv = onlyInvalidation(s2);
    expect(inv.event).toBe('MMU_NOTIFY_CLEAR');
    expect(inv.ranges).toEqual([{ mm: 0, start: 2, end: 3 }]);
    expect(inv.then).toEqual({ kind: 'migrate_page', pfn, gen: s2.frames[pfn]!.gen });
  });

  it('writeback invalidates the mapping with MMU_NOTIFY_PROTECTION_PAGE and continues with page_mkclean', () => {
    const { state: s0, pfn } = mapped();
    const { state } = run(s0, { kind: 'writeback', page: pfn });
    const inv = onlyInvalidation(state);
    expect(inv.event).toBe('MMU_NOTIFY_PROTECTION_PAGE');
    expect(inv.ranges).toEqual([{ mm: 0, start: 2, end: 3 }]);
    expect(inv.then).toEqual({ kind: 'page_mkclean', pfn, gen: s0.frames[pfn]!.gen });
  });
});

describe('reclaim of a clean page-cache page with a GUP reference', () => {
  it('reclaim unmaps the page but __remove_mapping keeps it in the page cache while get_user_pages holds a reference', () => {
    const { state: s0 } = run(world(), mmapFile(1), load(0), gup(0, 1, false));
    const pfn = pfnAt(s0, 0, 0);
    expect(frame(s0, pfn).refcount).toBe(3);
    const { state, events } = run(s0, { kind: 'reclaim', page: pfn });
    expect(events).toEqual([]);
    expect(state.vmas.get([...state.vmas.keys()][0]!)!.ptes).toEqual([null]);
    expect(frame(state, pfn)).toMatchObject({ free: false, mapcount: 0, refcount: 2 });
    expect(state.inodes[0]!.cache[0]).toBe(pfn);
  });
});

describe('what reclaim, migration and page_mkclean find after the notifiers returned', () => {
  it('reclaim after the notifiers returned leaves a page that was freed meanwhile alone', () => {
    const s = world();
    const f = s.frames.find((x) => x.free && x.bar === null)!;
    expect(reclaimRest(s, f.pfn)).toEqual({ state: s, events: [] });
    expect(reclaimRest(s, f.pfn).state).toBe(s);
  });

  it('reclaim after the notifiers returned swaps out an anonymous page that get_user_pages referenced meanwhile, and the reference keeps it in the swap cache', () => {
    const { state } = run(world(), mmapAnon(1), writeFault(0), gup(0, 1, false));
    const pfn = pfnAt(state, 0, 0);
    const r = reclaimRest(state, pfn);
    expect(r.events).toEqual([{ kind: 'swapped-out', pfn, slot: 0, kept: true }]);
    expect(r.state.swap[0]).toEqual({ count: 1, cache: pfn });
  });

  it('reclaim after the notifiers returned leaves an anonymous page pinned meanwhile where it is (5.11: not added to the swap cache)', () => {
    const { state } = run(world(), mmapAnon(1), writeFault(0), pin(0, 1, true));
    const r = reclaimRest(state, pfnAt(state, 0, 0));
    expect(r.state).toBe(state);
    expect(r.events).toEqual([]);
  });

  it('reclaim after the notifiers returned keeps a page-cache page that was dirtied meanwhile', () => {
    const { state } = run(world(), mmapFile(1), writeFault(0));
    const r = reclaimRest(state, pfnAt(state, 0, 0));
    expect(r.state).toBe(state);
    expect(r.events).toEqual([]);
  });

  it('migration after the notifiers returned leaves a freed page, a page with an extra GUP reference, and a page with no free RAM to move to, where they are', () => {
    const s = world();
    const free = s.frames.find((x) => x.free && x.bar === null)!;
    expect(migrateRest(s, free.pfn).state).toBe(s);
    const { state: held } = run(world(), mmapAnon(1), writeFault(0), gup(0, 1, false));
    expect(migrateRest(held, pfnAt(held, 0, 0))).toEqual({ state: held, events: [] });
    expect(migrateRest(held, pfnAt(held, 0, 0)).state).toBe(held);
    const { state: full } = run(world(), mmapAnon(RAM_PAGES), ...Array.from({ length: RAM_PAGES }, (_, i) => writeFault(i)));
    expect(full.frames.some((x) => x.free && x.bar === null)).toBe(false);
    expect(migrateRest(full, pfnAt(full, 0, 0)).state).toBe(full);
  });

  it('page_mkclean after the notifiers returned does nothing to a page that is clean or was freed meanwhile', () => {
    const { state } = run(world(), mmapFile(1), load(0));
    const pfn = pfnAt(state, 0, 0);
    expect(frame(state, pfn).dirty).toBe(false);
    expect(pageMkcleanRest(state, pfn).state).toBe(state);
    const s = world();
    const free = s.frames.find((x) => x.free && x.bar === null)!;
    expect(pageMkcleanRest(s, free.pfn).state).toBe(s);
  });
});

describe('a page freed and allocated again while reclaim holds it', () => {
  it("is another page: reclaim's end leaves it mapped where the new fault put it, and does not lock it (hmm-mirror, seed 11)", () => {
    // pfn 0 at page 0 under the mirror's notifier; reclaim starts (its callback runs), MADV_DONTNEED of page 0
    // frees pfn 0 meanwhile (the model frees it at the zap; the kernel once reclaim drops its reference),
    // and a write fault at page 1 gets pfn 0 again.
    const s0 = run(designWorld('hmm-mirror'), mmapAnon(1), mmapAnon(1), writeFault(0), { kind: 'mmu_interval_notifier_insert', mm: 0, start: 0, npages: 1, owner: IMPORTER }).state;
    const reclaim = run(s0, { kind: 'reclaim', page: 0 });
    const reclaimInv = onlyInvalidation(reclaim.state).id;
    const cb = runThread(reclaim.state, callbackThread(reclaim.events));
    const dontneed = run(cb.state, { kind: 'madvise', mm: 0, start: 0, npages: 1, advice: 'dontneed' });
    const cb2 = runThread(dontneed.state, callbackThread(dontneed.events));
    const zapInv = [...cb2.state.invalidations.keys()].find((i) => i !== reclaimInv)!;
    const zapped = run(cb2.state, { kind: 'mmu_notifier_invalidate_range_end', inv: zapInv }).state;
    expect(zapped.frames[0]!.free).toBe(true);
    const refaulted = run(zapped, writeFault(1)).state;
    expect(pfnAt(refaulted, 0, 1)).toBe(0);
    // The new page is not the one reclaim locked: migration may take it, and reclaim's end leaves it alone.
    expect(accept(refaulted, { kind: 'migrate_page', page: 0 }).events).toContainEqual({ kind: 'page-freed', pfn: 0 });
    const { state, events } = run(refaulted, { kind: 'mmu_notifier_invalidate_range_end', inv: reclaimInv });
    expect(events.filter((e) => e.kind === 'page-freed')).toEqual([]);
    expect(pfnAt(state, 0, 1)).toBe(0);
    expect(state.frames[0]!.free).toBe(false);
  });
});

describe('what the kernel serialises with a lock the model holds across callbacks (hmm-mirror, seeds 12 and 6)', () => {
  /** hmm-mirror's world: pfn 0 written at page 0 of mm 0, under a notifier of the mirror. */
  const mirrored = (): State => run(designWorld('hmm-mirror'), mmapAnon(1), { kind: 'mmu_interval_notifier_insert', mm: 0, start: 0, npages: 1, owner: IMPORTER }, writeFault(0)).state;

  it("fork's copy waits while reclaim's rmap walk holds a page of the parent: the child never maps a page reclaim is unmapping", () => {
    const forked = run(mirrored(), { kind: 'fork', mm: 0 });
    const forkInv = onlyInvalidation(forked.state).id;
    const afterCb = runThread(forked.state, callbackThread(forked.events)).state;
    const reclaim = run(afterCb, { kind: 'reclaim', page: 0 });
    expect(rejectedWith(reclaim.state, { kind: 'mmu_notifier_invalidate_range_end', inv: forkInv })).toBe(
      "waits: fork's anon_vma_fork waits for the anon_vma lock: page 0 is locked by reclaim, whose invalidation 5 is in progress",
    );
    // Once reclaim is done (the page went to swap), fork copies its swap entry (swap_duplicate), not the page.
    const reclaimed = run(runThread(reclaim.state, callbackThread(reclaim.events)).state, { kind: 'mmu_notifier_invalidate_range_end', inv: 5 }).state;
    expect(reclaimed.frames[0]!.free).toBe(true);
    const child = run(reclaimed, { kind: 'mmu_notifier_invalidate_range_end', inv: forkInv }).state;
    expect([...child.vmas.values()].filter((v) => v.mm !== 0).map((v) => v.ptes)).toEqual([[{ swap: 0, exclusive: false }]]);
    expect(child.swap[0]).toEqual({ count: 2, cache: null });
  });

  it("a write fault holds mmap_read_lock across its COW break's callbacks: mprotect waits for it", () => {
    const zeroMapped = run(designWorld('hmm-mirror'), mmapAnon(1), { kind: 'mmu_interval_notifier_insert', mm: 0, start: 0, npages: 1, owner: IMPORTER }, { kind: 'load', mm: 0, addr: 0 }).state;
    const fault = run(zeroMapped, writeFault(0));
    expect(onlyInvalidation(fault.state).then.kind).toBe('wp_page_copy');
    expect(rejectedWith(fault.state, { kind: 'mprotect', mm: 0, start: 0, npages: 1, write: false })).toMatch(/^waits: mmap_read_lock of mm 0 is held by a write fault's COW break/);
  });
});
