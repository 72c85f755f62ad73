/**
 * VMAs with extent, against mm/vma.c, mm/mprotect.c and mm/mremap.c:
 * which VMA survives a partial munmap, mprotect and mremap, when VMAs
 * merge, and which range each path notifies with which event.
 */
import { present } from '../../model/page.ts';
import { describe, expect, it } from 'vitest';
import type { Op } from '../../model/op.ts';
import type { State, Vma } from '../../model/state.ts';
import { RAW_BASE, designWorld, finishInvalidations, frame, kinds, lastId, mmapAnon, mmapBar, mmapFile, pteAt, rejectedWith, run, world, writeFault } from './helpers.ts';

const munmap = (start: number, npages: number, mm = 0): Op => ({ kind: 'munmap', mm, start, npages });
const mprotect = (start: number, npages: number, write: boolean, mm = 0): Op => ({ kind: 'mprotect', mm, start, npages, write });
const mremap = (start: number, npages: number, newNpages: number, mayMove: boolean, mm = 0): Op => ({
  kind: 'mremap',
  mm,
  start,
  npages,
  new_npages: newNpages,
  may_move: mayMove,
});

/** The VMAs of mm 0 as [id, start, npages], by address. */
const layout = (s: State): ReadonlyArray<readonly [number, number, number]> =>
  [...s.vmas.values()]
    .filter((v) => v.mm === 0)
    .sort((a, b) => a.start - b.start)
    .map((v) => [v.id, v.start, v.npages] as const);

const vmaById = (s: State, id: number): Vma => s.vmas.get(id) ?? expect.fail(`no vma ${id}`);

/** A three-page anonymous VMA at page 0 with every page faulted in (RAM pfns 0, 1, 2). */
const threeFaulted = (): { state: State; id: number } => {
  const { state } = run(world(), mmapAnon(3), writeFault(0), writeFault(1), writeFault(2));
  return { state, id: lastId(state.vmas) };
};

describe('munmap of part of a VMA', () => {
  it('munmap of the first page: the original VMA keeps the rest, [1, 3), and only page 0 is freed', () => {
    const { state: s1, id } = threeFaulted();
    const { state, events } = run(s1, munmap(0, 1));
    expect(layout(state)).toEqual([[id, 1, 2]]);
    expect(vmaById(state, id).ptes.map((p) => present(p)?.pfn)).toEqual([1, 2]);
    expect(frame(state, 0).free).toBe(true);
    expect(frame(state, 1).free).toBe(false);
    expect(events.filter((e) => e.kind === 'vma-destroyed')).toEqual([expect.objectContaining({ mm: 0, start: 0, end: 1 })]);
  });

  it('munmap of the middle page: the original VMA keeps the lower part and a new VMA holds the upper part', () => {
    const { state: s1, id } = threeFaulted();
    const { state } = run(s1, munmap(1, 1));
    const [lower, upper] = layout(state);
    expect(lower).toEqual([id, 0, 1]);
    expect(upper![0]).not.toBe(id);
    expect(upper!.slice(1)).toEqual([2, 1]);
    expect(pteAt(state, 0, 2)?.pfn).toBe(2);
    expect(frame(state, 1).free).toBe(true);
  });

  it('munmap across two VMAs takes the end of one and the start of the next, and each keeps its id', () => {
    const { state: s1 } = run(world(), mmapAnon(2), mmapBar(2));
    const [anon, bar] = layout(s1).map((v) => v[0]);
    const { state, events } = run(s1, munmap(1, 2));
    expect(layout(state)).toEqual([
      [anon, 0, 1],
      [bar, 3, 1],
    ]);
    // the BAR window is split with its pages: the unmapped page goes back to the exporter, the other stays mapped
    expect(vmaById(state, bar!).backing).toEqual({ kind: 'bar', bar: 1, window: [RAW_BASE + 1] });
    expect(frame(state, RAW_BASE).free).toBe(true);
    expect(frame(state, RAW_BASE + 1).free).toBe(false);
    expect(events.filter((e) => e.kind === 'vma-destroyed').map((e) => (e.kind === 'vma-destroyed' ? [e.start, e.end] : []))).toEqual([
      [1, 2],
      [2, 3],
    ]);
  });

  it('munmap does not merge: after unmapping the middle of three VMAs made by mprotect, the outer two stay apart', () => {
    const { state: s1, id } = threeFaulted();
    const { state } = run(s1, mprotect(1, 1, false), munmap(1, 1));
    expect(layout(state).map((v) => v.slice(1))).toEqual([
      [0, 1],
      [2, 1],
    ]);
    expect(layout(state)[0]![0]).toBe(id);
  });
});

describe('mprotect', () => {
  it('mprotect of the middle page read-only splits the VMA in three; a store there is SIGSEGV, next to it a store still works', () => {
    const { state: s1, id } = threeFaulted();
    const { state } = run(s1, mprotect(1, 1, false));
    expect(layout(state).map((v) => v.slice(1))).toEqual([
      [0, 1],
      [1, 1],
      [2, 1],
    ]);
    expect(layout(state)[0]![0]).toBe(id);
    expect(pteAt(state, 0, 1)).toEqual({ pfn: 1, writable: false });
    expect(pteAt(state, 0, 0)).toEqual({ pfn: 0, writable: true });
    expect(rejectedWith(state, writeFault(1))).toContain('SIGSEGV');
  });

  it('mprotect back to writable merges the three pieces again into the original VMA (same anon_vma, same flags)', () => {
    const { state: s1, id } = threeFaulted();
    const { state } = run(s1, mprotect(1, 1, false), mprotect(1, 1, true));
    expect(layout(state)).toEqual([[id, 0, 3]]);
    // the anon PTE stays read-only: the next store faults and reuses the page (do_wp_page)
    expect(pteAt(state, 0, 1)).toEqual({ pfn: 1, writable: false });
  });

  it('two BAR windows side by side never merge (VM_PFNMAP is VM_SPECIAL), whatever mprotect does', () => {
    const { state: s1 } = run(world(), mmapBar(1), mmapBar(1));
    const { state } = run(s1, mprotect(0, 2, false), mprotect(0, 2, true));
    expect(layout(state)).toEqual(layout(s1));
  });

  it('mprotect of a range with a hole is -ENOMEM and changes nothing', () => {
    const { state: s1 } = run(world(), mmapAnon(1));
    expect(rejectedWith(s1, mprotect(0, 2, false))).toContain('-ENOMEM');
  });
});

describe('mremap', () => {
  it('mremap shrinking a VMA unmaps its tail like munmap: the VMA keeps its id and the tail pages are freed', () => {
    const { state: s1, id } = threeFaulted();
    const { state } = run(s1, mremap(0, 3, 1, false));
    expect(layout(state)).toEqual([[id, 0, 1]]);
    expect(frame(state, 1).free).toBe(true);
    expect(frame(state, 2).free).toBe(true);
  });

  it('mremap growing a VMA with free pages after it grows it in place', () => {
    const { state: s1 } = run(world(), mmapAnon(1), writeFault(0));
    const id = lastId(s1.vmas);
    const { state } = run(s1, mremap(0, 1, 2, false));
    expect(layout(state)).toEqual([[id, 0, 2]]);
    expect(pteAt(state, 0, 0)?.pfn).toBe(0);
  });

  it('mremap growing a VMA whose next page is in use moves it with MREMAP_MAYMOVE and is -ENOMEM without', () => {
    const { state: s1 } = run(world(), mmapAnon(1), writeFault(0), mmapBar(1));
    const [anon, bar] = layout(s1).map((v) => v[0]);
    expect(rejectedWith(s1, mremap(0, 1, 2, false))).toContain('-ENOMEM');
    const { state } = run(s1, mremap(0, 1, 2, true));
    expect(state.vmas.has(anon!)).toBe(false);
    const moved = layout(state).find((v) => v[0] !== bar)!;
    expect(moved.slice(1)).toEqual([2, 2]);
    // move_page_tables(): the page goes with the VMA
    expect(pteAt(state, 0, 2)?.pfn).toBe(0);
    expect(frame(state, 0).free).toBe(false);
  });

  it('mremap growing a BAR window is -EFAULT (VM_PFNMAP), and a range across two VMAs is -EFAULT', () => {
    const { state: s1 } = run(world(), mmapBar(1), mmapAnon(1));
    expect(rejectedWith(s1, mremap(0, 1, 2, true))).toMatch(/^-EFAULT: vma_to_resize: .*VM_PFNMAP/);
    expect(rejectedWith(s1, mremap(0, 2, 1, false))).toBe('-EFAULT: vma_to_resize: pages [0, 2) of mm 0 are not inside one vma');
  });

  it('mremap with new_len 0 is -EINVAL; with old_len 0 vma_to_resize refuses to duplicate a private mapping (-EINVAL), and a shared duplicate is not modelled', () => {
    const { state: s1 } = run(world(), mmapAnon(1), mmapFile(1));
    expect(rejectedWith(s1, mremap(0, 1, 0, true))).toBe('-EINVAL: mremap: new_len is 0');
    expect(rejectedWith(s1, mremap(0, 0, 1, true))).toMatch(/^-EINVAL: vma_to_resize: old_len 0 would duplicate private vma/);
    expect(rejectedWith(s1, mremap(1, 0, 1, true))).toMatch(/^ill-formed: old_len 0 duplicates shared vma/);
    expect(rejectedWith(s1, mremap(5, 1, 2, true))).toBe('-EFAULT: vma_to_resize: no vma of mm 0 covers page 5');
  });

  it('mremap may grow a file VMA past the end of the file, as the kernel does; a store there is SIGBUS (filemap_fault)', () => {
    const { state: s1 } = run(world(), mmapFile(4));
    const { state } = run(s1, mremap(0, 4, 5, false));
    expect(layout(state)).toEqual([[lastId(s1.vmas), 0, 5]]);
    expect(rejectedWith(state, { kind: 'store', mm: 0, addr: 4 })).toMatch(/^SIGBUS: page 4 of vma \d+ is past the end of inode 0/);
  });
});

describe('which range is notified, with which event', () => {
  const NOTIFIER_DESIGN = 'vma-p2p-map-notifier';
  const bar2: Op = { kind: 'mmap', mm: 0, npages: 2, backing: { kind: 'bar', bar: 0 } };
  const insert = (start: number, npages: number): Op => ({ kind: 'mmu_interval_notifier_insert', mm: 0, start, npages, owner: 1 });
  const onlyInvalidation = (s: State) => {
    expect(s.invalidations.size).toBe(1);
    return [...s.invalidations.values()][0]!;
  };

  it('munmap of one page of a two-page window notifies MMU_NOTIFY_UNMAP of that page only, and the callback sees [1, 2)', () => {
    const { state: s1 } = run(designWorld(NOTIFIER_DESIGN), bar2, insert(0, 2));
    const { state, events } = run(s1, munmap(1, 1));
    const inv = onlyInvalidation(state);
    expect(inv.event).toBe('MMU_NOTIFY_UNMAP');
    expect(inv.ranges).toEqual([{ mm: 0, start: 1, end: 2 }]);
    expect(kinds(events)).toEqual(['invalidate-range-start', 'callback-invoked']);
    // until range_end the VMA is whole; after it, the original keeps page 0
    const id = lastId(s1.vmas);
    const after = finishInvalidations(state).state;
    expect(layout(after)).toEqual([[id, 0, 1]]);
  });

  it('munmap of a range wider than the mapping notifies the whole range it was asked for (unmap_region passes start and end to unmap_vmas)', () => {
    const { state: s1 } = run(designWorld(NOTIFIER_DESIGN), bar2, insert(0, 2));
    const { state } = run(s1, munmap(0, 6));
    expect(onlyInvalidation(state).ranges).toEqual([{ mm: 0, start: 0, end: 6 }]);
  });

  it('munmap of a range with a hole notifies a notifier that covers only the hole', () => {
    const { state: s1 } = run(designWorld(NOTIFIER_DESIGN), bar2, insert(4, 1));
    const { state } = run(s1, munmap(0, 6));
    expect(onlyInvalidation(state).queue.length + (onlyInvalidation(state).running === null ? 0 : 1)).toBe(1);
  });

  it('mprotect of a mapped page notifies MMU_NOTIFY_PROTECTION_VMA of the range', () => {
    const { state: s1 } = run(designWorld(NOTIFIER_DESIGN), bar2, insert(0, 2));
    const { state } = run(s1, mprotect(0, 1, false));
    const inv = onlyInvalidation(state);
    expect(inv.event).toBe('MMU_NOTIFY_PROTECTION_VMA');
    expect(inv.ranges).toEqual([{ mm: 0, start: 0, end: 1 }]);
  });

  it('mremap shrink notifies MMU_NOTIFY_UNMAP of the tail', () => {
    const { state: s1 } = run(designWorld(NOTIFIER_DESIGN), bar2, insert(0, 2));
    const inv = onlyInvalidation(run(s1, mremap(0, 2, 1, false)).state);
    expect(inv.event).toBe('MMU_NOTIFY_UNMAP');
    expect(inv.ranges).toEqual([{ mm: 0, start: 1, end: 2 }]);
  });

  it('mremap move notifies the old range and leaves the notifier on the old addresses: munmap of the moved VMA notifies nobody', () => {
    const s0 = world();
    const { state: s1 } = run(s0, mmapAnon(1), writeFault(0), mmapBar(1), insert(0, 1));
    const notifier = lastId(s1.notifiers);
    const { state: s2 } = run(s1, mremap(0, 1, 2, true));
    const inv = onlyInvalidation(s2);
    expect(inv.event).toBe('MMU_NOTIFY_UNMAP');
    expect(inv.ranges).toEqual([{ mm: 0, start: 0, end: 1 }]);
    const s3 = finishInvalidations(s2).state;
    expect(s3.notifiers.get(notifier)).toMatchObject({ start: 0, end: 1 });
    const moved = layout(s3).find((v) => v[1] === 2)!;
    const { state: s4, events } = run(s3, munmap(moved[1], moved[2]));
    expect(kinds(events)).not.toContain('invalidate-range-start');
    expect(s4.vmas.has(moved[0])).toBe(false);
  });

  it("fork write-protects a COW mapping with an anon_vma under MMU_NOTIFY_PROTECTION_PAGE of the parent's VMA", () => {
    const { state: s1 } = run(world(), mmapAnon(2), writeFault(0), insert(0, 2));
    const inv = onlyInvalidation(run(s1, { kind: 'fork', mm: 0 }).state);
    expect(inv.event).toBe('MMU_NOTIFY_PROTECTION_PAGE');
    expect(inv.ranges).toEqual([{ mm: 0, start: 0, end: 2 }]);
  });

  it('fork of a VMA never faulted (no anon_vma) runs no notifier', () => {
    const { state: s1 } = run(world(), mmapAnon(2), insert(0, 2));
    expect(run(s1, { kind: 'fork', mm: 0 }).state.invalidations.size).toBe(0);
  });

  it('the COW break of a write fault after fork replaces the page under MMU_NOTIFY_CLEAR of that page', () => {
    const { state: s1 } = run(world(), mmapAnon(2), writeFault(0), writeFault(1), { kind: 'fork', mm: 0 });
    const s2 = finishInvalidations(s1).state;
    const { state: s3 } = run(s2, insert(0, 2));
    const { state } = run(s3, writeFault(1));
    const inv = onlyInvalidation(state);
    expect(inv.event).toBe('MMU_NOTIFY_CLEAR');
    expect(inv.ranges).toEqual([{ mm: 0, start: 1, end: 2 }]);
    const after = finishInvalidations(state).state;
    expect(pteAt(after, 0, 1)?.writable).toBe(true);
    expect(pteAt(after, 0, 1)?.pfn).not.toBe(1);
  });
});
