/**
 * MAP_PRIVATE file mappings (a COW mapping of a file): read faults map the
 * page-cache page read-only (do_read_fault), write faults copy it to an
 * anonymous page (do_cow_fault, wp_page_copy) and never write the file;
 * GUP with FOLL_WRITE takes the copy, a read-only long-term pin unshares
 * the page-cache page since 6.2 (84209e87c696, gup_must_unshare() on a
 * page that is not anonymous in an is_cow_mapping() VMA), and fork's early
 * COW copies only anonymous pages (copy_present_pte).
 */
import { describe, expect, it } from 'vitest';
import type { Op } from '../../model/op.ts';
import type { State } from '../../model/state.ts';
import { wellFormed } from '../../properties/well-formed.ts';
import { eraWith, frame, lastId, newId, pin, pteAt, rejectedWith, run, world } from './helpers.ts';

const mmapPrivate = (npages = 1, mm = 0): Op => ({ kind: 'mmap', mm, npages, backing: { kind: 'file-private', inode: 0 } });
const load: Op = { kind: 'load', mm: 0, addr: 0 };
const store: Op = { kind: 'store', mm: 0, addr: 0 };
/** The page-cache page of inode 0, index 0. */
const cachePage = (s: State): number => s.inodes[0]!.cache[0]!;

const ok = (s: State): void => expect(wellFormed(s)).toBeNull();

describe('mmap MAP_PRIVATE of a file', () => {
  it('makes a private file VMA (not shared), mapped lazily', () => {
    const { state } = run(world(), mmapPrivate(2));
    const v = state.vmas.get(lastId(state.vmas))!;
    expect(v).toMatchObject({ backing: { kind: 'file', inode: 0 }, shared: false, writable: true, anonVma: null, ptes: [null, null] });
    ok(state);
  });
});

describe('faults', () => {
  it('a load maps the page-cache page read-only, with a reference and a mapcount (do_read_fault)', () => {
    const { state } = run(world(), mmapPrivate(), load);
    const page = cachePage(state);
    expect(pteAt(state, 0, 0)).toEqual({ pfn: page, writable: false });
    expect(frame(state, page)).toMatchObject({ mapping: { kind: 'file', inode: 0, index: 0 }, mapcount: 1, refcount: 2, dirty: false });
    ok(state);
  });

  it('a store over it copies the page to anonymous memory and leaves the file page clean and unmapped (wp_page_copy)', () => {
    const { state: s1 } = run(world(), mmapPrivate(), load);
    const page = cachePage(s1);
    const { state } = run(s1, store);
    const pte = pteAt(state, 0, 0)!;
    expect(pte.writable).toBe(true);
    expect(pte.pfn).not.toBe(page);
    expect(frame(state, pte.pfn)).toMatchObject({ mapping: { kind: 'anon' }, mapcount: 1, refcount: 1, dirty: true });
    expect(frame(state, page)).toMatchObject({ mapcount: 0, refcount: 1, dirty: false, fsPrivate: false });
    expect(state.vmas.get(lastId(state.vmas))!.anonVma).not.toBeNull();
    ok(state);
  });

  it('a first store copies at once: the page cache is read in but never mapped (do_cow_fault)', () => {
    const { state } = run(world(), mmapPrivate(), store);
    const page = cachePage(state);
    const pte = pteAt(state, 0, 0)!;
    expect(pte.pfn).not.toBe(page);
    expect(frame(state, pte.pfn)).toMatchObject({ mapping: { kind: 'anon' }, dirty: true });
    expect(frame(state, page)).toMatchObject({ mapcount: 0, refcount: 1, dirty: false });
    ok(state);
  });

  it('past the end of the file a fault is SIGBUS, as in a shared mapping', () => {
    const { state } = run(world(), mmapPrivate(6));
    expect(rejectedWith(state, { kind: 'load', mm: 0, addr: 5 })).toContain('SIGBUS');
  });
});

describe('GUP on a private file mapping', () => {
  it('FOLL_WRITE takes the private copy, and FOLL_LONGTERM|FOLL_WRITE is not refused as a file mapping needing dirty tracking', () => {
    const { state: s1 } = run(world(), mmapPrivate());
    const { state } = run(s1, pin(0, 1, true, { longterm: true }));
    const a = state.pageArrays.get(newId(s1.pageArrays, state.pageArrays))!;
    expect(frame(state, a.pfns[0]!).mapping.kind).toBe('anon');
    expect(pteAt(state, 0, 0)).toEqual({ pfn: a.pfns[0], writable: true });
    ok(state);
    // The same pin of a MAP_SHARED file mapping is refused since 6.5 (vma_needs_dirty_tracking).
    const { state: shared } = run(world(), { kind: 'mmap', mm: 0, npages: 1, backing: { kind: 'file', inode: 0 } });
    expect(rejectedWith(shared, pin(0, 1, true, { longterm: true }))).toContain('-EFAULT: FOLL_LONGTERM|FOLL_WRITE');
  });

  it('a read-only long-term pin unshares the page-cache page into an exclusive anonymous page, mapped read-only (6.2)', () => {
    const { state: s1 } = run(world(), mmapPrivate());
    const { state } = run(s1, pin(0, 1, false, { longterm: true }));
    const a = state.pageArrays.get(newId(s1.pageArrays, state.pageArrays))!;
    const page = cachePage(state);
    expect(a.pfns[0]).not.toBe(page);
    expect(frame(state, a.pfns[0]!)).toMatchObject({ mapping: { kind: 'anon' }, pincount: 1, mapcount: 1 });
    expect(pteAt(state, 0, 0)).toEqual({ pfn: a.pfns[0], writable: false });
    // The process's next store reuses its exclusive page: the pin stays coherent.
    const { state: after } = run(state, store);
    expect(pteAt(after, 0, 0)).toEqual({ pfn: a.pfns[0], writable: true });
    ok(after);
  });

  it('before 6.2 it pins the page-cache page itself, and a store moves the process to a copy away from the pin', () => {
    const old = world(eraWith({ longtermUnsharesCow: false }));
    const { state: s1 } = run(old, mmapPrivate());
    const { state } = run(s1, pin(0, 1, false, { longterm: true }));
    const a = state.pageArrays.get(newId(s1.pageArrays, state.pageArrays))!;
    expect(a.pfns[0]).toBe(cachePage(state));
    const { state: after } = run(state, store);
    expect(pteAt(after, 0, 0)!.pfn).not.toBe(a.pfns[0]);
    ok(after);
  });

  it('a short-term read-only pin takes the page-cache page in every era (no semantics to observe later changes)', () => {
    const { state: s1 } = run(world(), mmapPrivate());
    const { state } = run(s1, pin(0, 1, false));
    expect(state.pageArrays.get(newId(s1.pageArrays, state.pageArrays))!.pfns[0]).toBe(cachePage(state));
    ok(state);
  });
});

describe('fork', () => {
  // copy_present_pte copies only anonymous pages early. (The kernel's copy_page_range skips a private
  // file VMA without an anon_vma altogether, vma_needs_copy(), and the child faults the same page-cache
  // page in later; the model copies the read-only PTE at once: the same page, the same verdicts.)
  it('shares a pinned page-cache page read-only with the child: no early copy of a page that is not anonymous', () => {
    const { state: s1 } = run(world(eraWith({ longtermUnsharesCow: false })), mmapPrivate(), pin(0, 1, false, { longterm: true }));
    const page = cachePage(s1);
    const { state } = run(s1, { kind: 'fork', mm: 0 });
    const child = lastId(state.mms);
    expect(pteAt(state, child, 0)).toEqual({ pfn: page, writable: false });
    expect(pteAt(state, 0, 0)).toEqual({ pfn: page, writable: false });
    expect(frame(state, page)).toMatchObject({ mapcount: 2 });
    ok(state);
  });
});
