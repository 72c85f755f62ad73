/**
 * fork's copy_page_range in two steps and pin_user_pages_fast
 * (model/ops/mm.ts, model/ops/gup.ts, model/ops/fork-window.ts): the
 * window between fork's check of a page (page_maybe_dma_pinned) and its
 * ptep_set_wrprotect, what waits in it and what does not, and GUP-fast
 * in it before and after write_protect_seq (57efa1fe5957, 5.11).
 */
import { present } from '../../model/page.ts';
import { describe, expect, it } from 'vitest';
import type { Op } from '../../model/op.ts';
import type { Era, State } from '../../model/state.ts';
import { currentEra, makeWorld } from '../../model/world.ts';
import { accept, mmapAnon, pin, rejectedWith, run, worldSpec, writeFault } from './helpers.ts';

const era510: Era = { ...currentEra, pinUnsharesReadOnly: false, gupFastChecksWriteProtectSeq: false };
const forking = (era: Era = currentEra): State => makeWorld({ ...worldSpec(era), forkSteps: true });
const pinFast = (write = true): Op => ({ kind: 'pin_user_pages_fast', mm: 0, start: 0, npages: 1, write, longterm: false, p2pdma: false });
const fork: Op = { kind: 'fork', mm: 0 };
const wrprotect: Op = { kind: 'ptep_set_wrprotect', mm: 0 };

/** mm 0 with one written anonymous page (pfn 0, PTE writable), forked: fork between its check and its write-protect. */
const inWindow = (era: Era = currentEra): State => run(forking(era), mmapAnon(1), writeFault(0), fork).state;
const pte = (s: State, mm: number) => present([...s.vmas.values()].find((v) => v.mm === mm)!.ptes[0])!;

describe("fork's copy in two steps", () => {
  it('without fork steps, fork write-protects the parent at once; with them, the parent PTE stays writable until ptep_set_wrprotect', () => {
    const oneStep = run(makeWorld(worldSpec()), mmapAnon(1), writeFault(0), fork).state;
    expect(pte(oneStep, 0)).toEqual({ pfn: 0, writable: false });
    expect(oneStep.mms.get(0)!.forkWrprotect).toBeUndefined();
    const w = inWindow();
    expect(pte(w, 0)).toEqual({ pfn: 0, writable: true });
    expect(w.mms.get(0)!.forkWrprotect).toEqual({ child: 2, ptes: [{ vma: 1, index: 0 }] });
    expect(pte(w, 2)).toEqual({ pfn: 0, writable: false });
    const after = accept(w, wrprotect).state;
    expect(pte(after, 0)).toEqual({ pfn: 0, writable: false });
    expect(after.mms.get(0)!.forkWrprotect).toBeUndefined();
  });

  it('a page pinned before fork is copied for the child at once: nothing is left to write-protect', () => {
    const s = run(forking(), mmapAnon(1), writeFault(0), pin(0, 1, true), fork).state;
    expect(s.mms.get(0)!.forkWrprotect).toBeUndefined();
    expect(pte(s, 0)).toEqual({ pfn: 0, writable: true });
    // The child (mm 3: ids 1 and 2 went to the VMA and the pin's array) has its own copy.
    expect(pte(s, 3).pfn).not.toBe(0);
  });

  it('in the window, what takes the mmap lock or the page-table lock waits, and the child does not run', () => {
    const w = inWindow();
    expect(rejectedWith(w, writeFault(0))).toMatch(/^waits: mmap_write_lock of mm 0 is held by fork/);
    expect(rejectedWith(w, { kind: 'munmap', mm: 0, start: 0, npages: 1 })).toMatch(/^waits: mmap_write_lock of mm 0 is held by fork/);
    expect(rejectedWith(w, pin(0, 1, true))).toMatch(/^waits: mmap_write_lock of mm 0 is held by fork/);
    expect(rejectedWith(w, { kind: 'exit_mmap', mm: 0 })).toMatch(/^waits: /);
    expect(rejectedWith(w, { kind: 'migrate_page', page: 0 })).toBe('waits: fork of mm 0 holds the page-table lock of pfn 0 (copy_page_range)');
    expect(rejectedWith(w, { kind: 'store', mm: 2, addr: 0 })).toBe('waits: mm 2 is the child of fork of mm 0, which has not returned yet');
    // What takes mmap_read_lock through mmapWriteLocked waits too (a review found MADV_DONTNEED accepted here).
    expect(rejectedWith(w, { kind: 'madvise', mm: 0, start: 0, npages: 1, advice: 'dontneed' })).toMatch(/^waits: /);
    expect(rejectedWith(inWindow(era510), { ...pinFast(false), mm: 2 } as Op)).toBe('waits: mm 2 is the child of fork of mm 0, which has not returned yet');
    // A store through the present writable PTE takes no lock: it lands in the page before fork write-protects it.
    expect(accept(w, { kind: 'store', mm: 0, addr: 0 }).events).toContainEqual({ kind: 'cpu-access', pfn: 0, via: 'store', io: false });
  });
});

describe('pin_user_pages_fast', () => {
  it('on a present writable page pins what pin_user_pages pins, without a fault', () => {
    const base = run(makeWorld(worldSpec()), mmapAnon(1), writeFault(0)).state;
    const fast = accept(base, pinFast()).state;
    const slow = accept(base, pin(0, 1, true)).state;
    expect(fast.frames).toEqual(slow.frames);
    expect({ ...fast.pageArrays.get(2)!, fast: undefined }).toEqual({ ...slow.pageArrays.get(2)!, fast: undefined });
    expect(fast.pageArrays.get(2)!.fast).toBe(true);
  });

  it('where nothing is mapped yet, its slow path faults the page in as pin_user_pages does', () => {
    const base = run(makeWorld(worldSpec()), mmapAnon(1)).state;
    expect(accept(base, pinFast()).state.frames).toEqual(accept(base, pin(0, 1, true)).state.frames);
  });

  it("before 5.11 it pins in fork's window; ptep_set_wrprotect then shares the pinned page, and the parent's next write moves it off", () => {
    const pinned = accept(inWindow(era510), pinFast()).state;
    expect(pinned.frames[0]!.pincount).toBe(1);
    const shared = accept(pinned, wrprotect).state;
    expect([pte(shared, 0), pte(shared, 2)]).toEqual([{ pfn: 0, writable: false }, { pfn: 0, writable: false }]);
    const moved = accept(shared, writeFault(0)).state;
    expect(pte(moved, 0).pfn).not.toBe(0);
    expect(moved.pageArrays.get(4)!.pfns).toEqual([0]);
  });

  it('before 5.11 a FOLL_LONGTERM pin takes the lockless walk too (ib_umem_get races fork as a short-term pin does)', () => {
    const pinned = accept(inWindow(era510), { ...pinFast(), longterm: true } as Op).state;
    expect(pinned.frames[0]!.pincount).toBe(1);
  });

  it("from 5.11 it sees write_protect_seq odd and waits for fork's mmap_write_lock; after fork, its slow path gives the parent its own copy first", () => {
    const w = inWindow();
    expect(rejectedWith(w, pinFast())).toBe("waits: mmap_write_lock of mm 0 is held by fork (copy_page_range has yet to write-protect the parent's PTEs)");
    const after = run(w, wrprotect, pinFast()).state;
    const arr = after.pageArrays.get(4)!;
    expect(arr.pfns).toEqual([pte(after, 0).pfn]);
    expect(arr.pfns).not.toEqual([pte(after, 2).pfn]);
  });
});
