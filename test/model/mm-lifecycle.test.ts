import { describe, expect, it } from 'vitest';
import { forkRest, munmapRest, wpPageCopyRest } from '../../model/ops/mm.ts';
import type { Op } from '../../model/op.ts';
import type { State } from '../../model/state.ts';
import { IMPORTER, RAM_PAGES, frame, kinds, lastId, mmapAnon, mmapFile, pfnAt, pin, pteAt, rejectedWith, run, world, writeFault } from './helpers.ts';

const insert = (start: number, npages: number, mm = 0): Op => ({ kind: 'mmu_interval_notifier_insert', mm, start, npages, owner: IMPORTER });
const startOf = (s: State, id: number): number => s.vmas.get(id)!.start;
const onlyInvalidation = (s: State) => {
  expect(s.invalidations.size).toBe(1);
  return [...s.invalidations.values()][0]!;
};

describe('mmap placement (get_unmapped_area)', () => {
  it('get_unmapped_area looks at the VMAs in address order, not in creation order, so a new VMA never overlaps one', () => {
    // VMA b is created first at page 2, c later at page 0: creation order is not address order.
    const { state: s1 } = run(world(), mmapAnon(2), mmapAnon(1));
    const a = lastId(s1.vmas) - 1;
    const { state: s2 } = run(s1, { kind: 'munmap', mm: 0, start: 0, npages: 2 }, mmapAnon(1));
    expect(s2.vmas.has(a)).toBe(false);
    expect(startOf(s2, lastId(s2.vmas))).toBe(0);
    const { state: s3 } = run(s2, mmapAnon(1));
    expect(startOf(s3, lastId(s3.vmas))).toBe(1);
  });

  it('mmap of exactly the model limit of 1024 pages is accepted, one more is ill-formed', () => {
    const { state } = run(world(), mmapAnon(1024));
    expect(state.vmas.get(lastId(state.vmas))!.npages).toBe(1024);
    expect(rejectedWith(world(), mmapAnon(1025))).toBe("ill-formed: npages 1025 is over the model's limit of 1024 pages per VMA");
  });

  it('mmap of a BAR the world does not have is ill-formed', () => {
    expect(rejectedWith(world(), { kind: 'mmap', mm: 0, npages: 1, backing: { kind: 'bar', bar: 7 } })).toBe('ill-formed: no BAR 7');
  });
});

describe('munmap', () => {
  it('munmap in an mm that never existed is ill-formed: no process runs the call', () => {
    expect(rejectedWith(world(), { kind: 'munmap', mm: 9, start: 0, npages: 1 })).toBe('ill-formed: mm 9 has exited: it runs no code');
  });

  it('munmap of a hole returns 0 without MMU_NOTIFY_UNMAP, even where an interval notifier is registered', () => {
    const { state: s1 } = run(world(), mmapAnon(1), insert(0, 8));
    const { state, events } = run(s1, { kind: 'munmap', mm: 0, start: 4, npages: 2 });
    expect(events).toEqual([]);
    expect(state).toBe(s1);
  });

  it('munmap after the notifiers returned skips a detached VMA that is already gone and destroys the others', () => {
    const { state: s1 } = run(world(), mmapAnon(1));
    const v = lastId(s1.vmas);
    const r = munmapRest(s1, [999, v]);
    expect(r.state.vmas.size).toBe(0);
    expect(kinds(r.events)).toEqual(['vma-destroyed']);
  });

  it('munmap of a mapped range under a notifier starts MMU_NOTIFY_UNMAP of exactly [start, end), holes included', () => {
    const { state: s1 } = run(world(), mmapAnon(2), insert(0, 8));
    const { state, events } = run(s1, { kind: 'munmap', mm: 0, start: 1, npages: 3 });
    expect(kinds(events)).toEqual(['invalidate-range-start']);
    const inv = onlyInvalidation(state);
    expect(inv.event).toBe('MMU_NOTIFY_UNMAP');
    expect(inv.ranges).toEqual([{ mm: 0, start: 1, end: 4 }]);
    expect(inv.mmapLocked).toBe(0);
  });
});

describe('fork', () => {
  it('fork runs MMU_NOTIFY_PROTECTION_PAGE only over private anonymous VMAs that have an anon_vma', () => {
    // page 0: anon never touched (no anon_vma); page 1: shared file; page 2: anon written (anon_vma).
    const { state: s1 } = run(world(), mmapAnon(1), mmapFile(1), mmapAnon(1), writeFault(1), writeFault(2), insert(0, 8));
    const { state, events } = run(s1, { kind: 'fork', mm: 0 });
    expect(kinds(events)).toEqual(['invalidate-range-start']);
    const inv = onlyInvalidation(state);
    expect(inv.event).toBe('MMU_NOTIFY_PROTECTION_PAGE');
    expect(inv.ranges).toEqual([{ mm: 0, start: 2, end: 3 }]);
    expect(inv.then).toEqual({ kind: 'fork', mm: 0 });
  });

  it('a second fork notifies only the parent VMAs, not those of the child the first fork made', () => {
    const { state: s1 } = run(world(), mmapAnon(1), writeFault(0), { kind: 'fork', mm: 0 }, insert(0, 8));
    expect(s1.mms.size).toBe(2);
    const { state } = run(s1, { kind: 'fork', mm: 0 });
    expect(onlyInvalidation(state).ranges).toEqual([{ mm: 0, start: 0, end: 1 }]);
  });

  it('fork of an mm with only an untouched anonymous VMA and a shared file VMA notifies nobody and creates the child at once', () => {
    const { state: s1 } = run(world(), mmapAnon(1), mmapFile(1), writeFault(1), insert(0, 8));
    const { state, events } = run(s1, { kind: 'fork', mm: 0 });
    expect(events).toEqual([]);
    expect(state.invalidations.size).toBe(0);
    expect(state.mms.size).toBe(s1.mms.size + 1);
  });

  it('fork write-protects exactly the parent PTEs of the pages it shares copy-on-write; a pinned page copied early stays writable and holes stay holes', () => {
    // 3 pages: 0 pinned (FOLL_PIN, early COW), 1 written, 2 never touched.
    const { state: s1 } = run(world(), mmapAnon(3), writeFault(0), writeFault(1), pin(0, 1, true));
    const { state } = run(s1, { kind: 'fork', mm: 0 });
    const parent = state.vmas.get(lastId(s1.vmas))!;
    expect(parent.ptes).toEqual([
      { pfn: pfnAt(s1, 0, 0), writable: true },
      { pfn: pfnAt(s1, 0, 1), writable: false },
      null,
    ]);
  });

  it('forkRest after the notifiers returned changes nothing when dup_mmap now fails with -ENOMEM', () => {
    // The pinned page needs an early copy, but every RAM page is now in use.
    const { state: s1 } = run(world(), mmapAnon(RAM_PAGES), ...Array.from({ length: RAM_PAGES }, (_, i) => writeFault(i)), pin(0, 1, true));
    const r = forkRest(s1, 0);
    expect(r.state).toBe(s1);
    expect(r.events).toEqual([]);
  });
});

describe('write_fault', () => {
  it('write_fault at the first touch of a VMA placed above page 0 maps a new page at that address', () => {
    const { state: s1 } = run(world(), mmapAnon(2), mmapAnon(2));
    const v = lastId(s1.vmas);
    expect(startOf(s1, v)).toBe(2);
    const { state, events } = run(s1, writeFault(3));
    expect(events).toEqual([]);
    expect(state.vmas.get(v)!.ptes[0]).toBeNull();
    const pfn = pfnAt(state, 0, 3);
    expect(pteAt(state, 0, 3)).toEqual({ pfn, writable: true });
    expect(frame(state, pfn).mapcount).toBe(1);
  });

  it('write_fault breaking COW in a VMA above page 0 starts MMU_NOTIFY_CLEAR of that page (wp_page_copy)', () => {
    const { state: s1 } = run(world(), mmapAnon(2), mmapAnon(2), writeFault(3), { kind: 'fork', mm: 0 }, insert(0, 8));
    expect(pteAt(s1, 0, 3)!.writable).toBe(false);
    const { state, events } = run(s1, writeFault(3));
    expect(kinds(events)).toEqual(['invalidate-range-start']);
    const inv = onlyInvalidation(state);
    expect(inv.event).toBe('MMU_NOTIFY_CLEAR');
    expect(inv.ranges).toEqual([{ mm: 0, start: 3, end: 4 }]);
    expect(inv.then).toEqual({ kind: 'wp_page_copy', mm: 0, addr: 3 });
  });

  it('write_fault that reuses the page (do_wp_page: the only user) runs no notifier: the PTE just becomes writable', () => {
    const { state: s1 } = run(world(), mmapAnon(1), writeFault(0), { kind: 'mprotect', mm: 0, start: 0, npages: 1, write: false }, { kind: 'mprotect', mm: 0, start: 0, npages: 1, write: true }, insert(0, 8));
    const pfn = pfnAt(s1, 0, 0);
    expect(pteAt(s1, 0, 0)).toEqual({ pfn, writable: false });
    const { state, events } = run(s1, writeFault(0));
    expect(events).toEqual([]);
    expect(state.invalidations.size).toBe(0);
    expect(pteAt(state, 0, 0)).toEqual({ pfn, writable: true });
  });

  it('wp_page_copy after the notifiers returned does nothing when the page was unmapped, is not present or is already writable', () => {
    const { state: s1 } = run(world(), mmapAnon(2), writeFault(0));
    for (const addr of [1, 5, 0]) {
      const r = wpPageCopyRest(s1, 0, addr);
      expect(r.state).toBe(s1);
      expect(r.events).toEqual([]);
    }
  });

  it('wp_page_copy after the notifiers returned changes nothing when the COW copy finds no free RAM (VM_FAULT_OOM)', () => {
    const { state: s0 } = run(world(), mmapAnon(RAM_PAGES), ...Array.from({ length: RAM_PAGES - 1 }, (_, i) => writeFault(i)), { kind: 'fork', mm: 0 });
    // the child took no page (no pin), so the last free page is taken now
    const { state: s1 } = run(s0, writeFault(RAM_PAGES - 1));
    expect(pteAt(s1, 0, 0)!.writable).toBe(false);
    const r = wpPageCopyRest(s1, 0, 0);
    expect(r.state).toBe(s1);
    expect(r.events).toEqual([]);
  });

  it('wp_page_copy after the notifiers returned breaks COW: a new page for the writer', () => {
    const { state: s1 } = run(world(), mmapAnon(1), writeFault(0), { kind: 'fork', mm: 0 });
    const old = pfnAt(s1, 0, 0);
    const r = wpPageCopyRest(s1, 0, 0);
    const copy = pfnAt(r.state, 0, 0);
    expect(copy).not.toBe(old);
    expect(pteAt(r.state, 0, 0)).toEqual({ pfn: copy, writable: true });
    expect(frame(r.state, copy).mapcount).toBe(1);
    expect(frame(r.state, old).mapcount).toBe(1);
  });
});
