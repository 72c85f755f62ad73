import { describe, expect, it } from 'vitest';
import type { State } from '../../model/state.ts';
import {
  P2PDMA_BASE,
  P2PDMA_BAR,
  RAW_BAR,
  RAW_BASE,
  RAW_EXPORTER,
  eraWith,
  frame,
  gup,
  kinds,
  lastId,
  mmapAnon,
  mmapBar,
  mmapFile,
  mmapP2pmem,
  newId,
  oldEra,
  pin,
  pteAt,
  rejectedWith,
  run,
  world,
  writeFault, munmapVma } from './helpers.ts';

const vma = (s: State, id: number) => {
  const v = s.vmas.get(id);
  if (v === undefined) return expect.fail(`vma ${id} is not mapped`);
  return v;
};

describe('mmap', () => {
  it('mmap of anonymous memory creates a private VMA at page 0 with no PTEs and allocates nothing', () => {
    const s0 = world();
    const { state, events } = run(s0, mmapAnon(2));
    const id = newId(s0.vmas, state.vmas);
    expect(vma(state, id)).toEqual({
      id,
      mm: 0,
      start: 0,
      npages: 2,
      backing: { kind: 'anon' },
      shared: false,
      dontcopy: false,
      writable: true,
      anonVma: null,
      ptes: [null, null],
    });
    expect(state.frames).toEqual(s0.frames);
    expect(state.nextId).toBe(s0.nextId + 1);
    expect(events).toEqual([]);
  });

  it('a second mmap is placed at the lowest free virtual page after the first VMA', () => {
    const { state } = run(world(), mmapAnon(2), mmapFile(1));
    const file = vma(state, lastId(state.vmas));
    expect(file.start).toBe(2);
    expect(file.shared).toBe(true);
    expect(file.backing).toEqual({ kind: 'file', inode: 0 });
  });

  it('mmap of a raw BAR populates every PTE with the BAR window at once', () => {
    const { state } = run(world(), mmapBar(2));
    const v = vma(state, lastId(state.vmas));
    expect(v.backing).toEqual({ kind: 'bar', bar: RAW_BAR, window: [RAW_BASE, RAW_BASE + 1] });
    expect(v.ptes).toEqual([
      { pfn: RAW_BASE, writable: true },
      { pfn: RAW_BASE + 1, writable: true },
    ]);
    expect(v.shared).toBe(true);
    expect(v.dontcopy).toBe(false);
    for (const pfn of [RAW_BASE, RAW_BASE + 1]) {
      const f = frame(state, pfn);
      expect(f.free).toBe(false);
      expect(f.gen).toBe(1);
      // no struct page: nothing is counted
      expect(f.refcount).toBe(0);
      expect(f.mapcount).toBe(0);
    }
  });

  it('mmap of p2pmem inserts ZONE_DEVICE pages holding one reference and one mapping each', () => {
    const { state } = run(world(), mmapP2pmem(1));
    const v = vma(state, lastId(state.vmas));
    expect(v.backing).toEqual({ kind: 'p2pmem', bar: P2PDMA_BAR });
    expect(v.ptes).toEqual([{ pfn: P2PDMA_BASE, writable: true }]);
    expect(v.dontcopy).toBe(false);
    const f = frame(state, P2PDMA_BASE);
    expect(f).toMatchObject({ free: false, refcount: 1, mapcount: 1, pincount: 0, gen: 1 });
  });

  it('mmap in an mm that does not run (exited or never existed) is ill-formed', () => {
    expect(rejectedWith(world(), mmapAnon(1, 7))).toBe('ill-formed: mm 7 has exited: it runs no code');
  });

  it('mmap of zero pages is -EINVAL (do_mmap refuses len 0)', () => {
    expect(rejectedWith(world(), mmapAnon(0))).toBe('-EINVAL: do_mmap: len is 0');
  });

  it('mmap of more file pages than the inode has is accepted, as the kernel does; a fault past the end is SIGBUS, GUP there -EFAULT or a short count', () => {
    const { state } = run(world(), mmapFile(5));
    expect(vma(state, lastId(state.vmas)).npages).toBe(5);
    expect(rejectedWith(state, { kind: 'store', mm: 0, addr: 4 })).toMatch(/^SIGBUS: page 4 of vma \d+ is past the end of inode 0 \(4 pages\)/);
    expect(rejectedWith(state, { kind: 'load', mm: 0, addr: 4 })).toMatch(/^SIGBUS: /);
    expect(rejectedWith(state, writeFault(4))).toMatch(/^SIGBUS: /);
    expect(rejectedWith(state, gup(4, 1, false))).toMatch(/^-EFAULT: page 4 of vma \d+ is past the end of inode 0/);
    const { state: s2 } = run(state, gup(3, 2, false));
    expect(s2.pageArrays.get(lastId(s2.pageArrays))?.pfns).toHaveLength(1);
    run(state, { kind: 'store', mm: 0, addr: 3 });
  });

  it('mmap of an inode that does not exist is ill-formed', () => {
    expect(rejectedWith(world(), { kind: 'mmap', mm: 0, npages: 1, backing: { kind: 'file', inode: 3 } })).toBe('ill-formed: no inode 3');
  });

  it('mmap of a P2PDMA provider BAR as a raw BAR window is ill-formed: the model maps it only through p2pmem', () => {
    expect(rejectedWith(world(), { kind: 'mmap', mm: 0, npages: 1, backing: { kind: 'bar', bar: P2PDMA_BAR } })).toMatch(/^ill-formed: .*only through p2pmem/);
  });

  it('mmap of a raw BAR through p2pmem is ill-formed: it has no ZONE_DEVICE pages, so no allocate file', () => {
    expect(rejectedWith(world(), { kind: 'mmap', mm: 0, npages: 1, backing: { kind: 'p2pmem', bar: RAW_BAR } })).toMatch(/^ill-formed: .*no ZONE_DEVICE pages/);
  });

  it('mmap of more BAR pages than are free is -ENOMEM from the ->mmap', () => {
    const { state } = run(world(), mmapBar(1));
    expect(rejectedWith(state, mmapBar(2))).toMatch(/^-ENOMEM: ->mmap: /);
  });

  it('mmap of the BAR of a removed provider is -ENODEV from the ->mmap', () => {
    const { state } = run(world(), { kind: 'pci_stop_and_remove_bus_device', dev: RAW_EXPORTER });
    expect(rejectedWith(state, mmapBar(1))).toMatch(/^-ENODEV: ->mmap: /);
  });
});

describe('munmap', () => {
  it('munmap of an anonymous VMA frees its faulted page and emits vma-destroyed', () => {
    const { state: s1 } = run(world(), mmapAnon(1), writeFault(0));
    const id = lastId(s1.vmas);
    const { state, events } = run(s1, munmapVma(s1, id));
    expect(state.vmas.has(id)).toBe(false);
    expect(frame(state, 0).free).toBe(true);
    expect(events).toEqual([
      { kind: 'page-freed', pfn: 0 },
      { kind: 'vma-destroyed', vma: id, mm: 0, start: 0, end: 1 },
    ]);
  });

  it('munmap of a file VMA drops the PTE reference but the page stays in the page cache', () => {
    const { state: s1 } = run(world(), mmapFile(1), writeFault(0));
    const { state, events } = run(s1, munmapVma(s1, lastId(s1.vmas)));
    expect(frame(state, 0)).toMatchObject({ free: false, refcount: 1, mapcount: 0, dirty: true });
    expect(state.inodes[0]!.cache[0]).toBe(0);
    expect(kinds(events)).toEqual(['vma-destroyed']);
  });

  it('munmap of a raw BAR VMA gives the window back to the exporter allocator', () => {
    const { state: s1 } = run(world(), mmapBar(2));
    const { state } = run(s1, munmapVma(s1, lastId(s1.vmas)));
    expect(frame(state, RAW_BASE).free).toBe(true);
    expect(frame(state, RAW_BASE + 1).free).toBe(true);
  });

  it('munmap of a range with nothing mapped returns 0: an accepted step that changes nothing and notifies nobody', () => {
    const { state: s1 } = run(world(), mmapAnon(1));
    const { state, events } = run(s1, { kind: 'munmap', mm: 0, start: 42, npages: 3 });
    expect(state).toEqual(s1);
    expect(events).toEqual([]);
  });

  it('munmap of a range that was already unmapped is accepted again and changes nothing', () => {
    const { state: s1 } = run(world(), mmapAnon(1));
    const op = munmapVma(s1, lastId(s1.vmas));
    const { state: s2 } = run(s1, op);
    const { state, events } = run(s2, op);
    expect(state).toEqual(s2);
    expect(events).toEqual([]);
  });

  it('munmap of zero pages is rejected with -EINVAL', () => {
    const { state: s1 } = run(world(), mmapAnon(1));
    expect(rejectedWith(s1, { kind: 'munmap', mm: 0, start: 0, npages: 0 })).toContain('-EINVAL');
  });
});

describe('exit_mmap', () => {
  it('exit_mmap tears down every VMA of the mm and marks it dead, but a driver pin survives', () => {
    const { state: s1 } = run(world(), mmapAnon(1), mmapFile(1), pin(0, 1, true), writeFault(1));
    const [anon, file] = [...s1.vmas.keys()];
    const { state, events } = run(s1, { kind: 'exit_mmap', mm: 0 });
    expect(state.vmas.size).toBe(0);
    expect(state.mms.get(0)).toMatchObject({ alive: false, hasPinned: true });
    // the pinned anon page lost its PTE reference but is still held by the pin
    expect(frame(state, 0)).toMatchObject({ free: false, refcount: 1, pincount: 1, mapcount: 0 });
    // the file page is held by the page cache only
    expect(frame(state, 1)).toMatchObject({ free: false, refcount: 1, mapcount: 0 });
    expect(events).toEqual([
      { kind: 'vma-destroyed', vma: anon, mm: 0, start: 0, end: 1 },
      { kind: 'vma-destroyed', vma: file, mm: 0, start: 1, end: 2 },
    ]);
  });

  it('exit_mmap leaves the VMAs of other mms alone', () => {
    const { state: s1 } = run(world(), mmapAnon(1), { kind: 'fork', mm: 0 });
    const child = lastId(s1.mms);
    const { state } = run(s1, mmapAnon(1, child), { kind: 'exit_mmap', mm: 0 });
    expect([...state.vmas.values()].map((v) => v.mm)).toEqual([child, child]);
    expect(state.mms.get(child)?.alive).toBe(true);
  });

  it('exit_mmap of an mm that never existed is ill-formed', () => {
    expect(rejectedWith(world(), { kind: 'exit_mmap', mm: 3 })).toMatch(/^ill-formed: mm 3 has already exited/);
  });

  it('exit_mmap of an mm that already exited is ill-formed: exit_mmap runs once', () => {
    const { state } = run(world(), { kind: 'exit_mmap', mm: 0 });
    expect(rejectedWith(state, { kind: 'exit_mmap', mm: 0 })).toMatch(/^ill-formed: mm 0 has already exited.*runs once/);
  });
});

describe('fork', () => {
  it('fork creates a live child mm that has not pinned anything and whose invalidate_seq starts at 2', () => {
    const s0 = world();
    const { state, events } = run(s0, { kind: 'fork', mm: 0 });
    const child = newId(s0.mms, state.mms);
    expect(state.mms.get(child)).toEqual({ id: child, alive: true, hasPinned: false, invalidateSeq: 2, users: 1, mmapReaders: 0 });
    expect(events).toEqual([]);
  });

  it('fork shares a private anon page copy-on-write: both PTEs write-protected, mapcount 2', () => {
    const { state: s1 } = run(world(), mmapAnon(1), writeFault(0));
    const parentVma = lastId(s1.vmas);
    const { state } = run(s1, { kind: 'fork', mm: 0 });
    const child = lastId(state.mms);
    const childVma = [...state.vmas.values()].find((v) => v.mm === child)!;
    expect(childVma).toMatchObject({ mm: child, start: 0, npages: 1, backing: { kind: 'anon' }, shared: false });
    expect(childVma.id).not.toBe(parentVma);
    expect(pteAt(state, 0, 0)).toEqual({ pfn: 0, writable: false });
    expect(pteAt(state, child, 0)).toEqual({ pfn: 0, writable: false });
    expect(frame(state, 0)).toMatchObject({ mapcount: 2, refcount: 2 });
  });

  it('fork with early COW copies a FOLL_PIN pinned anon page for the child and the parent keeps its page writable', () => {
    const { state: s1 } = run(world(eraWith({ forkEarlyCow: true })), mmapAnon(1), pin(0, 1, true));
    expect(s1.mms.get(0)?.hasPinned).toBe(true);
    const { state } = run(s1, { kind: 'fork', mm: 0 });
    const child = lastId(state.mms);
    expect(pteAt(state, 0, 0)).toEqual({ pfn: 0, writable: true });
    expect(pteAt(state, child, 0)).toEqual({ pfn: 1, writable: true });
    expect(frame(state, 0)).toMatchObject({ mapcount: 1, refcount: 2, pincount: 1 });
    expect(frame(state, 1)).toMatchObject({ free: false, mapcount: 1, refcount: 1, pincount: 0, dirty: true, mapping: { kind: 'anon' } });
  });

  it('fork without early COW shares even a pinned anon page copy-on-write', () => {
    const { state: s1 } = run(world(oldEra), mmapAnon(1), pin(0, 1, true));
    const { state } = run(s1, { kind: 'fork', mm: 0 });
    const child = lastId(state.mms);
    expect(pteAt(state, 0, 0)).toEqual({ pfn: 0, writable: false });
    expect(pteAt(state, child, 0)).toEqual({ pfn: 0, writable: false });
    expect(frame(state, 0)).toMatchObject({ mapcount: 2, refcount: 3, pincount: 1 });
  });

  it('fork with early COW still shares a page that only get_user_pages references', () => {
    const { state: s1 } = run(world(eraWith({ forkEarlyCow: true })), mmapAnon(1), gup(0, 1, true));
    const { state } = run(s1, { kind: 'fork', mm: 0 });
    const child = lastId(state.mms);
    expect(pteAt(state, 0, 0)).toEqual({ pfn: 0, writable: false });
    expect(pteAt(state, child, 0)).toEqual({ pfn: 0, writable: false });
    expect(frame(state, 0)).toMatchObject({ mapcount: 2, refcount: 3, pincount: 0 });
    expect(frame(state, 1).free).toBe(true);
  });

  it('fork shares a BAR window and a file VMA with the child; the window is given back only when both VMAs are gone', () => {
    const { state: s1 } = run(world(), mmapBar(1), mmapFile(1), writeFault(1));
    const { state } = run(s1, { kind: 'fork', mm: 0 });
    const child = lastId(state.mms);
    const childVmas = [...state.vmas.values()].filter((v) => v.mm === child);
    expect(childVmas.map((v) => v.backing.kind)).toEqual(['bar', 'file']);
    expect(pteAt(state, child, 0)).toEqual({ pfn: RAW_BASE, writable: true });
    const { state: parentGone } = run(state, munmapVma(state, 1));
    expect(frame(parentGone, RAW_BASE).free).toBe(false);
    const { state: bothGone } = run(parentGone, { kind: 'exit_mmap', mm: child });
    expect(frame(bothGone, RAW_BASE).free).toBe(true);
    expect(pteAt(state, child, 1)).toEqual({ pfn: 0, writable: true });
    expect(pteAt(state, 0, 1)).toEqual({ pfn: 0, writable: true });
    expect(frame(state, 0)).toMatchObject({ mapcount: 2, refcount: 3 });
  });

  it('fork shares a p2pmem VMA, taking a reference and a mapping on each ZONE_DEVICE page', () => {
    const { state: s1 } = run(world(), mmapP2pmem(1));
    const { state } = run(s1, { kind: 'fork', mm: 0 });
    const child = lastId(state.mms);
    expect(pteAt(state, child, 0)).toEqual({ pfn: P2PDMA_BASE, writable: true });
    expect(frame(state, P2PDMA_BASE)).toMatchObject({ mapcount: 2, refcount: 2 });
  });

  it('fork of an mm that does not run is ill-formed', () => {
    expect(rejectedWith(world(), { kind: 'fork', mm: 5 })).toBe('ill-formed: mm 5 has exited: it runs no code');
  });

  it('fork with early COW is rejected with -ENOMEM when no RAM is left to copy a pinned page', () => {
    const s0 = run(world(eraWith({ forkEarlyCow: true })), mmapAnon(8), pin(0, 8, true)).state;
    expect(rejectedWith(s0, { kind: 'fork', mm: 0 })).toContain('-ENOMEM');
  });
});
