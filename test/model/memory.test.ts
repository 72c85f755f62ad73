import { describe, expect, it } from 'vitest';
import { replaceAt } from '../../model/collections.ts';
import type { Op } from '../../model/op.ts';
import type { State } from '../../model/state.ts';
import { currentEra, makeWorld } from '../../model/world.ts';
import {
  IMPORTER,
  accept,
  P2PDMA_BASE,
  eraWith,
  frame,
  gup,
  lastId,
  mmapAnon,
  mmapFile,
  mmapP2pmem,
  oldEra,
  pin,
  pteAt,
  rejectedWith,
  run,
  world,
  worldSpec,
  writeFault,
} from './helpers.ts';

const reclaim = (page: number): Op => ({ kind: 'reclaim', page });
const migrate = (page: number): Op => ({ kind: 'migrate_page', page });
const writeback = (page: number): Op => ({ kind: 'writeback', page });

/** A file VMA of one page whose page (pfn 0) was written, written back and is now clean with buffers attached. */
const cleanFilePage = (s: State): State => run(s, mmapFile(1), writeFault(0), writeback(0)).state;

describe('reclaim', () => {
  // Anonymous pages go to swap: test/model/swap.test.ts.

  it('reclaim of a clean file page with a get_user_pages reference unmaps it and releases its buffers but does not free it', () => {
    const { state: s1 } = run(cleanFilePage(world()), gup(0, 1, false));
    expect(frame(s1, 0)).toMatchObject({ refcount: 3, mapcount: 1, dirty: false, fsPrivate: true });
    const { state, events } = run(s1, reclaim(0));
    expect(pteAt(state, 0, 0)).toBeNull();
    expect(frame(state, 0)).toMatchObject({ free: false, refcount: 2, mapcount: 0, fsPrivate: false, mapping: { kind: 'file', inode: 0, index: 0 } });
    expect(state.inodes[0]!.cache[0]).toBe(0);
    expect(events).toEqual([{ kind: 'buffers-released', pfn: 0 }]);
  });

  it('reclaim keeps the buffers of a pinned file page when the era has reclaimKeepsPinnedPrivate', () => {
    const { state: s1 } = run(cleanFilePage(world(eraWith({ reclaimKeepsPinnedPrivate: true }))), pin(0, 1, false));
    const { state, events } = run(s1, reclaim(0));
    expect(pteAt(state, 0, 0)).toBeNull();
    expect(frame(state, 0)).toMatchObject({ free: false, refcount: 2, pincount: 1, mapcount: 0, fsPrivate: true });
    expect(state.inodes[0]!.cache[0]).toBe(0);
    expect(events).toEqual([]);
  });

  it('reclaim releases the buffers of a pinned file page when the era lacks reclaimKeepsPinnedPrivate', () => {
    const { state: s1 } = run(cleanFilePage(world(oldEra)), pin(0, 1, false));
    const { state, events } = run(s1, reclaim(0));
    expect(frame(state, 0)).toMatchObject({ free: false, refcount: 2, pincount: 1, mapcount: 0, fsPrivate: false });
    expect(events).toEqual([{ kind: 'buffers-released', pfn: 0 }]);
  });

  it('reclaim of a dirty file page is ill-formed (not modelled) until it is written back', () => {
    const { state } = run(world(), mmapFile(1), writeFault(0));
    expect(rejectedWith(state, reclaim(0))).toMatch(/^ill-formed: page 0 is dirty: .*write it back first/);
  });

  it('reclaim of an unreferenced clean file page frees it and removes it from the page cache', () => {
    const s1 = cleanFilePage(world());
    const { state, events } = run(s1, reclaim(0));
    expect(pteAt(state, 0, 0)).toBeNull();
    expect(frame(state, 0)).toMatchObject({ free: true, refcount: 0, fsPrivate: false, mapping: { kind: 'none' } });
    expect(state.inodes[0]!.cache).toEqual([null, null, null, null]);
    expect(events).toEqual([
      { kind: 'buffers-released', pfn: 0 },
      { kind: 'page-freed', pfn: 0 },
    ]);
  });

  it('a write_fault after reclaim left a referenced file page in the page cache maps that same page again', () => {
    const { state: s1 } = run(cleanFilePage(world()), gup(0, 1, false), reclaim(0));
    const { state, events } = run(s1, writeFault(0));
    expect(pteAt(state, 0, 0)).toEqual({ pfn: 0, writable: true });
    expect(frame(state, 0)).toMatchObject({ refcount: 3, mapcount: 1, dirty: true, fsPrivate: true });
    expect(events).toEqual([{ kind: 'page-dirtied', pfn: 0 }]);
  });

  it('reclaim of a page under an mmu notifier starts an invalidation and unmaps the page only at mmu_notifier_invalidate_range_end', () => {
    const { state: s1 } = run(cleanFilePage(world()), { kind: 'mmu_interval_notifier_insert', mm: 0, start: 0, npages: 1, owner: IMPORTER });
    const { state: s2, events } = run(s1, reclaim(0));
    const inv = lastId(s2.invalidations);
    expect(events).toEqual([{ kind: 'invalidate-range-start', inv, event: 'MMU_NOTIFY_CLEAR' }]);
    expect(s2.invalidations.get(inv)).toMatchObject({ ranges: [{ mm: 0, start: 0, end: 1 }], mmapLocked: null, then: { kind: 'reclaim', pfn: 0 } });
    expect(s2.mms.get(0)?.invalidateSeq).toBe(3);
    expect(pteAt(s2, 0, 0)).not.toBeNull();
    expect(frame(s2, 0).free).toBe(false);
    const { state, events: end } = run(s2, { kind: 'mmu_notifier_invalidate_range_end', inv });
    expect(pteAt(state, 0, 0)).toBeNull();
    expect(frame(state, 0).free).toBe(true);
    expect(end).toEqual([{ kind: 'buffers-released', pfn: 0 }, { kind: 'page-freed', pfn: 0 }, { kind: 'invalidate-range-end', inv }]);
    expect(state.mms.get(0)?.invalidateSeq).toBe(4);
  });

  it('reclaim looks at the page again at range_end: a GUP reference taken during the invalidation keeps it from being freed', () => {
    const { state: s1 } = run(cleanFilePage(world()), { kind: 'mmu_interval_notifier_insert', mm: 0, start: 0, npages: 1, owner: IMPORTER }, reclaim(0));
    const inv = lastId(s1.invalidations);
    const { state, events } = run(s1, gup(0, 1, false), { kind: 'mmu_notifier_invalidate_range_end', inv });
    expect(frame(state, 0)).toMatchObject({ free: false, refcount: 2, mapcount: 0, fsPrivate: false });
    expect(state.inodes[0]!.cache[0]).toBe(0);
    expect(events).toEqual([{ kind: 'buffers-released', pfn: 0 }, { kind: 'invalidate-range-end', inv }]);
  });

  it('reclaim of a free page fails get_page_unless_zero', () => {
    expect(rejectedWith(world(), reclaim(3))).toBe('returns 0: get_page_unless_zero: page 3 is free');
  });

  it('reclaim of a pfn that does not exist is ill-formed', () => {
    expect(rejectedWith(world(), reclaim(99))).toBe('ill-formed: no page 99');
  });

  it('reclaim of a P2PDMA page fails isolate_lru_page (-EBUSY): device memory is never on an LRU list', () => {
    const { state } = run(world(), mmapP2pmem(1));
    expect(rejectedWith(state, reclaim(P2PDMA_BASE))).toBe(`-EBUSY: isolate_lru_page: page ${P2PDMA_BASE} is device memory, never on an LRU list`);
  });

  it('reclaim of a RAM page the kernel allocated for itself fails isolate_lru_page (-EBUSY)', () => {
    const s0 = world();
    const s1: State = { ...s0, frames: replaceAt(s0.frames, 2, { ...s0.frames[2]!, free: false, refcount: 1, mapping: { kind: 'kernel' } }) };
    expect(rejectedWith(s1, reclaim(2))).toBe('-EBUSY: isolate_lru_page: page 2 is a kernel allocation, not on an LRU list');
  });
});

describe('migrate_page', () => {
  it('migrate_page of an unreferenced anonymous page moves it: the PTE points at the new pfn and the old frame is free', () => {
    const { state: s1 } = run(world(), mmapAnon(1), writeFault(0));
    const { state, events } = run(s1, migrate(0));
    expect(pteAt(state, 0, 0)).toEqual({ pfn: 1, writable: true });
    expect(frame(state, 0)).toMatchObject({ free: true, refcount: 0, mapcount: 0 });
    expect(frame(state, 1)).toMatchObject({ free: false, gen: 1, refcount: 1, mapcount: 1, dirty: true, mapping: { kind: 'anon' } });
    expect(events).toEqual([{ kind: 'page-freed', pfn: 0 }]);
  });

  it('migrate_page of a file page moves its page-cache slot along with its buffers', () => {
    const { state: s1 } = run(world(), mmapFile(1), writeFault(0));
    const { state } = run(s1, migrate(0));
    expect(state.inodes[0]!.cache[0]).toBe(1);
    expect(pteAt(state, 0, 0)).toEqual({ pfn: 1, writable: true });
    expect(frame(state, 1)).toMatchObject({ refcount: 2, mapcount: 1, dirty: true, fsPrivate: true, mapping: { kind: 'file', inode: 0, index: 0 } });
    expect(frame(state, 0).free).toBe(true);
  });

  it('migrate_page of a page shared copy-on-write moves every PTE that maps it', () => {
    const { state: s1 } = run(world(), mmapAnon(1), writeFault(0), { kind: 'fork', mm: 0 });
    const child = lastId(s1.mms);
    const { state } = run(s1, migrate(0));
    expect(pteAt(state, 0, 0)).toEqual({ pfn: 1, writable: false });
    expect(pteAt(state, child, 0)).toEqual({ pfn: 1, writable: false });
    expect(frame(state, 1)).toMatchObject({ refcount: 2, mapcount: 2 });
  });

  it('migrate_page of a pinned page is rejected with -EAGAIN', () => {
    const { state } = run(world(), mmapAnon(1), pin(0, 1, true));
    expect(rejectedWith(state, migrate(0))).toContain('-EAGAIN');
  });

  it('migrate_page of a page with a get_user_pages reference is rejected with -EAGAIN', () => {
    const { state } = run(world(), mmapFile(1), gup(0, 1, false));
    expect(rejectedWith(state, migrate(0))).toBe('-EAGAIN: folio_migrate_mapping: page 0 has 3 references, migration expects 2 (GUP reference or pin held)');
  });

  it('migrate_page with no free RAM to migrate to is rejected with -ENOMEM', () => {
    const { state } = run(makeWorld({ ...worldSpec(currentEra), ramPages: 1 }), mmapAnon(1), writeFault(0));
    expect(rejectedWith(state, migrate(0))).toBe('-ENOMEM: migrate_pages: no free RAM page to migrate to');
  });

  it('migrate_page when the only free RAM frame is one a second release left counted is rejected with -ENOMEM (the allocator never hands it out)', () => {
    const { state } = run(makeWorld({ ...worldSpec(currentEra), ramPages: 2 }), mmapAnon(1), writeFault(0));
    const badFree: State = { ...state, frames: state.frames.map((f) => (f.free && f.bar === null ? { ...f, unheldRefs: 1024, unheldPins: 1 } : f)) };
    expect(badFree.frames.filter((f) => f.free && f.bar === null)).toHaveLength(1);
    expect(rejectedWith(badFree, migrate(0))).toBe('-ENOMEM: migrate_pages: no free RAM page to migrate to');
    accept(state, migrate(0));
  });

  it('migrate_page allocates the new page before it counts references: a pinned page with no free RAM is -ENOMEM, not -EAGAIN', () => {
    const { state } = run(makeWorld({ ...worldSpec(currentEra), ramPages: 1 }), mmapAnon(1), pin(0, 1, true));
    expect(rejectedWith(state, migrate(0))).toMatch(/^-ENOMEM: /);
  });

  it('migrate_page of a free page fails get_page_unless_zero', () => {
    expect(rejectedWith(world(), migrate(0))).toBe('returns 0: get_page_unless_zero: page 0 is free');
  });
});

describe('writeback', () => {
  it('writeback cleans a dirty file page and write-protects its PTE, keeping the buffers', () => {
    const { state: s1 } = run(world(), mmapFile(1), writeFault(0));
    const { state, events } = run(s1, writeback(0));
    expect(frame(state, 0)).toEqual({ ...frame(s1, 0), dirty: false });
    expect(frame(state, 0).fsPrivate).toBe(true);
    expect(pteAt(state, 0, 0)).toEqual({ pfn: 0, writable: false });
    expect(events).toEqual([]);
  });

  it('writeback write-protects every PTE that maps the page', () => {
    const { state: s1 } = run(world(), mmapFile(1), writeFault(0), { kind: 'fork', mm: 0 });
    const child = lastId(s1.mms);
    const { state } = run(s1, writeback(0));
    expect(pteAt(state, 0, 0)).toEqual({ pfn: 0, writable: false });
    expect(pteAt(state, child, 0)).toEqual({ pfn: 0, writable: false });
  });

  it('the next write_fault after writeback re-dirties the page through page_mkwrite', () => {
    const s1 = cleanFilePage(world());
    const { state, events } = run(s1, writeFault(0));
    expect(frame(state, 0)).toMatchObject({ dirty: true, fsPrivate: true, refcount: 2, mapcount: 1 });
    expect(pteAt(state, 0, 0)).toEqual({ pfn: 0, writable: true });
    expect(events).toEqual([{ kind: 'page-dirtied', pfn: 0 }]);
  });

  it('writeback of a clean page does not happen: folio_clear_dirty_for_io returns false', () => {
    expect(rejectedWith(cleanFilePage(world()), writeback(0))).toBe('returns false: folio_clear_dirty_for_io: page 0 is clean');
  });

  it('writeback of an anonymous page is ill-formed: it has no file (swap-out is not modelled)', () => {
    const { state } = run(world(), mmapAnon(1), writeFault(0));
    expect(rejectedWith(state, writeback(0))).toMatch(/^ill-formed: page 0 is anonymous/);
  });

  it('writeback of a P2PDMA page is ill-formed: it is in no page cache', () => {
    const { state } = run(world(), mmapP2pmem(1));
    expect(rejectedWith(state, writeback(P2PDMA_BASE))).toBe(`ill-formed: page ${P2PDMA_BASE} is device memory, in no page cache`);
  });
});
