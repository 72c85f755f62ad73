import { present } from '../../model/page.ts';
import { describe, expect, it } from 'vitest';
import { mprotectRest } from '../../model/ops/mprotect.ts';
import { mremapMoveRest } from '../../model/ops/mremap.ts';
import { isolate, mergeable } from '../../model/ops/vma-split.ts';
import type { Op } from '../../model/op.ts';
import type { State, Vma } from '../../model/state.ts';
import { IMPORTER, P2PDMA_BASE, RAW_BASE, lastId, mmapAnon, mmapBar, mmapP2pmem, pfnAt, pteAt, rejectedWith, run, world, writeFault } from './helpers.ts';

const insert = (start: number, npages: number, mm = 0): Op => ({ kind: 'mmu_interval_notifier_insert', mm, start, npages, owner: IMPORTER });
const mremap = (start: number, npages: number, newNpages: number, mayMove = false, mm = 0): Op => ({ kind: 'mremap', mm, start, npages, new_npages: newNpages, may_move: mayMove });
const mprotect = (start: number, npages: number, write: boolean, mm = 0): Op => ({ kind: 'mprotect', mm, start, npages, write });
const munmap = (start: number, npages: number, mm = 0): Op => ({ kind: 'munmap', mm, start, npages });
const extents = (s: State, mm = 0): ReadonlyArray<[number, number]> =>
  [...s.vmas.values()].filter((v) => v.mm === mm).map((v): [number, number] => [v.start, v.npages]).sort((a, b) => a[0] - b[0]);

/** mm 0 with an munmap waiting in its notifiers: mmap_write_lock is held. */
const writeLocked = (): State => run(world(), mmapAnon(2), writeFault(0), insert(0, 2), munmap(1, 1)).state;

describe('mremap', () => {
  it('mremap in an mm that never existed is ill-formed', () => {
    expect(rejectedWith(world(), mremap(0, 1, 2, false, 9))).toBe('ill-formed: mm 9 has exited: it runs no code');
  });

  it('mremap to exactly the model limit of 1024 pages grows in place; 1025 is ill-formed', () => {
    const { state } = run(world(), mmapAnon(1), mremap(0, 1, 1024));
    expect(extents(state)).toEqual([[0, 1024]]);
    expect(rejectedWith(world(), mremap(0, 1, 1025))).toBe("ill-formed: new_npages 1025 is over the model's limit of 1024 pages per VMA");
  });

  it('mremap waits while munmap holds mmap_write_lock in its notifiers', () => {
    expect(rejectedWith(writeLocked(), mremap(0, 1, 2))).toBe('waits: mmap_write_lock of mm 0 is held');
  });

  it('mremap to the same length changes nothing, not even merging two adjacent anonymous VMAs', () => {
    const { state } = run(world(), mmapAnon(1), mmapAnon(1));
    const r = run(state, mremap(0, 1, 1));
    expect(r.state).toBe(state);
    expect(extents(r.state)).toEqual([[0, 1], [1, 1]]);
  });

  it('mremap cannot grow a VM_PFNMAP BAR window or a p2pmem mapping: -EFAULT', () => {
    const { state: bar } = run(world(), mmapBar(1));
    expect(rejectedWith(bar, mremap(0, 1, 2, true))).toBe(`-EFAULT: vma_to_resize: vma ${lastId(bar.vmas)} is VM_PFNMAP/VM_DONTEXPAND and cannot grow`);
    const { state: p2p } = run(world(), mmapP2pmem(1));
    expect(rejectedWith(p2p, mremap(0, 1, 2, true))).toBe(`-EFAULT: vma_to_resize: vma ${lastId(p2p.vmas)} is VM_PFNMAP/VM_DONTEXPAND and cannot grow`);
  });

  it('mremap without MREMAP_MAYMOVE cannot grow into pages another VMA uses: -ENOMEM', () => {
    const { state } = run(world(), mmapAnon(1), mmapAnon(1));
    expect(rejectedWith(state, mremap(0, 1, 2))).toBe('-ENOMEM: mremap: pages after [0, 1) are in use and MREMAP_MAYMOVE is not set');
  });

  it('mremap growing in place appends empty PTEs and merges with the anonymous VMA it now touches', () => {
    const { state: s1 } = run(world(), mmapAnon(1), mmapAnon(1), mmapAnon(1), writeFault(0), munmap(1, 1));
    const a = [...s1.vmas.values()].find((v) => v.start === 0)!;
    const { state } = run(s1, mremap(0, 1, 2));
    expect(extents(state)).toEqual([[0, 3]]);
    expect(state.vmas.get(a.id)!.ptes).toEqual([{ pfn: pfnAt(s1, 0, 0), writable: true }, null, null]);
  });

  it('mremap with MREMAP_MAYMOVE moves the VMA to the lowest free area and merges it with the anonymous VMA right after it', () => {
    // X [0,2) unmapped later, C [2,3), A [3,4), D [4,5): A cannot grow in place.
    const { state: s1 } = run(world(), mmapAnon(2), mmapAnon(1), mmapAnon(1), mmapAnon(1), munmap(0, 2));
    const { state } = run(s1, mremap(3, 1, 2, true));
    expect(extents(state)).toEqual([[0, 3], [4, 1]]);
  });

  it('move_page_tables after the notifiers returned does nothing when the old or new VMA is gone', () => {
    const { state } = run(world(), mmapAnon(1));
    const v = lastId(state.vmas);
    for (const [from, to] of [[999, 998], [v, 998], [998, v]] as const) {
      const r = mremapMoveRest(state, from, to);
      expect(r.state).toBe(state);
      expect(r.events).toEqual([]);
    }
  });
});

describe('mprotect', () => {
  it('mprotect in an mm that never existed is ill-formed, and waits while munmap holds mmap_write_lock', () => {
    expect(rejectedWith(world(), mprotect(0, 1, false, 9))).toBe('ill-formed: mm 9 has exited: it runs no code');
    expect(rejectedWith(writeLocked(), mprotect(0, 1, false))).toBe('waits: mmap_write_lock of mm 0 is held');
  });

  it('mprotect of a range with a hole in the middle is -ENOMEM', () => {
    const { state } = run(world(), mmapAnon(1), mmapAnon(1), mmapAnon(1), munmap(1, 1));
    expect(rejectedWith(state, mprotect(0, 3, false))).toBe('-ENOMEM: do_mprotect_pkey: pages [0, 3) of mm 0 are not all mapped');
  });

  it('mprotect of 0 pages changes nothing, not even merging the adjacent anonymous VMAs around it', () => {
    const { state } = run(world(), mmapAnon(1), mmapAnon(1));
    expect(run(state, mprotect(1, 0, false)).state).toBe(state);
  });

  it('mprotect runs MMU_NOTIFY_PROTECTION_VMA when any VMA of the range has a present PTE', () => {
    // VMA [0,2) with page 0 present, VMA [2,3) empty.
    const { state: s1 } = run(world(), mmapAnon(2), { kind: 'mmap', mm: 0, npages: 1, backing: { kind: 'file', inode: 0 } }, writeFault(0), insert(0, 3));
    const { state } = run(s1, mprotect(0, 3, false));
    const inv = [...state.invalidations.values()][0]!;
    expect(inv.event).toBe('MMU_NOTIFY_PROTECTION_VMA');
    expect(inv.then).toEqual({ kind: 'mprotect', mm: 0, start: 0, end: 3, write: false });
  });

  it('mprotect read-only write-protects the present PTEs and keeps the holes', () => {
    const { state: s1 } = run(world(), mmapAnon(2), writeFault(0));
    const { state } = run(s1, mprotect(0, 2, false));
    expect(state.vmas.get(lastId(s1.vmas))!.ptes).toEqual([{ pfn: pfnAt(s1, 0, 0), writable: false }, null]);
  });

  it('change_protection rewrites only the PTEs inside [start, end)', () => {
    const { state: s1 } = run(world(), mmapAnon(3), writeFault(0), writeFault(1), writeFault(2));
    const r = mprotectRest(s1, 0, 1, 2, false);
    expect(r.state.vmas.get(lastId(s1.vmas))!.ptes.map((p) => present(p)!.writable)).toEqual([true, false, true]);
  });

  it('mprotect granting write makes the PTEs of a BAR window and of a p2pmem mapping writable again (no write notification needed)', () => {
    const { state } = run(world(), mmapBar(1), mmapP2pmem(1), mprotect(0, 2, false));
    expect(pteAt(state, 0, 0)).toEqual({ pfn: RAW_BASE, writable: false });
    expect(pteAt(state, 0, 1)).toEqual({ pfn: P2PDMA_BASE, writable: false });
    const { state: after } = run(state, mprotect(0, 2, true));
    expect(pteAt(after, 0, 0)).toEqual({ pfn: RAW_BASE, writable: true });
    expect(pteAt(after, 0, 1)).toEqual({ pfn: P2PDMA_BASE, writable: true });
  });

  it('mprotect merging two anonymous VMAs keeps the anon_vma of the one that has it', () => {
    const { state: s1 } = run(world(), mmapAnon(1), mmapAnon(1), writeFault(1));
    const b = lastId(s1.vmas);
    const { state } = run(s1, mprotect(0, 2, true));
    expect(state.vmas.size).toBe(1);
    expect([...state.vmas.values()][0]!.anonVma).toBe(b);
  });
});

describe('vma_merge and split_vma', () => {
  const anon = (id: number, start: number, extra: Partial<Vma> = {}): Vma => ({
    id, mm: 0, start, npages: 1, backing: { kind: 'anon' }, shared: false, dontcopy: false, writable: true, anonVma: null, ptes: [null], ...extra,
  });

  it('vma_merge joins adjacent anonymous VMAs of one mm with the same flags whose anon_vmas are compatible', () => {
    expect(mergeable(anon(1, 0), anon(2, 1))).toBe(true);
    expect(mergeable(anon(1, 0, { anonVma: 1 }), anon(2, 1))).toBe(true);
    expect(mergeable(anon(1, 0), anon(2, 1, { anonVma: 2 }))).toBe(true);
    expect(mergeable(anon(1, 0, { anonVma: 7 }), anon(2, 1, { anonVma: 7 }))).toBe(true);
  });

  it('vma_merge refuses VMAs of two mms, VMAs with a gap, a file VMA, different VM_DONTCOPY, or two different anon_vmas', () => {
    expect(mergeable(anon(1, 0), anon(2, 1, { mm: 1 }))).toBe(false);
    expect(mergeable(anon(1, 0), anon(2, 2))).toBe(false);
    expect(mergeable(anon(1, 0), anon(2, 1, { backing: { kind: 'file', inode: 0 }, shared: true }))).toBe(false);
    expect(mergeable(anon(1, 0), anon(2, 1, { dontcopy: true }))).toBe(false);
    expect(mergeable(anon(1, 0, { anonVma: 1 }), anon(2, 1, { anonVma: 2 }))).toBe(false);
  });

  it('isolating a range with no VMA splits nothing', () => {
    const s = world();
    const [state, ids] = isolate(s, 0, 0, 4);
    expect(state).toBe(s);
    expect(ids).toEqual([]);
  });
});
