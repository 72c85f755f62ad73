/**
 * madvise(MADV_DONTFORK / MADV_DOFORK): VM_DONTCOPY on a range, so that
 * fork does not share a pinned buffer copy-on-write: the RDMA mitigation
 * (ibv_fork_init) of the fork-after-GUP bug before 5.9. MADV_DONTNEED:
 * the process discards a range (zap_page_range_single under its notifiers).
 */
import { describe, expect, it } from 'vitest';
import { designById } from '../../model/designs/index.ts';
import type { Op } from '../../model/op.ts';
import { invariantById } from '../../properties/registry.ts';
import { replay } from '../../properties/replay.ts';
import { makeWorld } from '../../model/world.ts';
import { wellFormed } from '../../properties/well-formed.ts';
import { frame, mmapAnon, mmapBar, pin, pteAt, rejectedWith, run, world } from './helpers.ts';

describe('madvise', () => {
  it('MADV_DONTFORK on the middle page splits the VMA and marks that page VM_DONTCOPY; MADV_DOFORK merges it back', () => {
    const { state } = run(world(), mmapAnon(3), { kind: 'madvise', mm: 0, start: 1, npages: 1, advice: 'dontfork' });
    expect([...state.vmas.values()].sort((a, b) => a.start - b.start).map((v) => [v.start, v.npages, v.dontcopy])).toEqual([
      [0, 1, false],
      [1, 1, true],
      [2, 1, false],
    ]);
    const back = run(state, { kind: 'madvise', mm: 0, start: 1, npages: 1, advice: 'dofork' }).state;
    expect([...back.vmas.values()].map((v) => [v.start, v.npages, v.dontcopy])).toEqual([[0, 3, false]]);
  });

  it('fork leaves a VM_DONTCOPY VMA out of the child', () => {
    const { state } = run(world(), mmapAnon(1), mmapAnon(1), { kind: 'madvise', mm: 0, start: 0, npages: 1, advice: 'dontfork' }, { kind: 'fork', mm: 0 });
    const child = [...state.mms.keys()].at(-1)!;
    expect([...state.vmas.values()].filter((v) => v.mm === child).map((v) => v.start)).toEqual([1]);
  });
});

describe('the RDMA mitigation before 5.9, on the fork-after-GUP trace of gup-set-page-dirty', () => {
  const pin = [invariantById('pin-coherent')];
  const io: ReadonlyArray<Op> = [
    { kind: 'mmap', mm: 0, npages: 1, backing: { kind: 'anon' } },
    { kind: 'get_user_pages', mm: 0, start: 0, npages: 1, write: true },
    { kind: 'sg_alloc_table_from_pages', pages: 2 },
    { kind: 'dma_map_sg', dev: 1, sgl: 3, dir: 'from-device' },
  ];
  const after: ReadonlyArray<Op> = [{ kind: 'fork', mm: 0 }, { kind: 'store', mm: 0, addr: 0 }, { kind: 'device_write', mapping: 4, index: 0 }];

  it('without MADV_DONTFORK, the parent moves to a copy at its store and the device writes the page the process left: pin-coherent violated', () => {
    const r = replay(designById('gup-set-page-dirty')!, [...io, ...after], pin);
    expect(r.kind === 'violates' && r.at).toBe(7);
  });

  it('with MADV_DONTFORK on the buffer before fork, the child gets no copy-on-write share and the store stays on the pinned page: it holds', () => {
    const r = replay(designById('gup-set-page-dirty')!, [io[0]!, { kind: 'madvise', mm: 0, start: 0, npages: 1, advice: 'dontfork' }, ...io.slice(1), ...after], pin);
    expect(r.kind).toBe('holds');
  });
});

describe('madvise(MADV_DONTNEED)', () => {
  const dontneed = (start: number, npages: number): Op => ({ kind: 'madvise', mm: 0, start, npages, advice: 'dontneed' });

  it('zaps the range and frees what only its PTEs held; the VMA stays, and the next load faults in the zero page', () => {
    const { state: s1 } = run(world(), mmapAnon(2), { kind: 'store', mm: 0, addr: 0 }, { kind: 'store', mm: 0, addr: 1 });
    const [p0, p1] = [pteAt(s1, 0, 0)!.pfn, pteAt(s1, 0, 1)!.pfn];
    const { state, events } = run(s1, dontneed(1, 1));
    expect(events).toContainEqual({ kind: 'page-freed', pfn: p1 });
    expect([pteAt(state, 0, 0)?.pfn, pteAt(state, 0, 1)]).toEqual([p0, null]);
    expect([...state.vmas.values()].map((v) => [v.start, v.npages])).toEqual([[0, 2]]);
    const { state: again } = run(state, { kind: 'load', mm: 0, addr: 1 });
    expect(frame(again, pteAt(again, 0, 1)!.pfn).mapping.kind).toBe('zero');
    expect(wellFormed(again)).toBeNull();
  });

  it('leaves a pinned page allocated and marks the pin as taken from an address the process gave up', () => {
    const { state: s1 } = run(world(), mmapAnon(1), pin(0, 1, true));
    const a = [...s1.pageArrays.values()][0]!;
    const { state } = run(s1, dontneed(0, 1));
    expect(frame(state, a.pfns[0]!)).toMatchObject({ free: false, mapcount: 0, pincount: 1 });
    expect(state.pageArrays.get(a.id)!.vmas).toEqual([-1]);
    expect(wellFormed(state)).toBeNull();
  });

  it('runs the notifiers of the range first (MMU_NOTIFY_CLEAR), and zaps when the last callback returned', () => {
    const d = designById('hmm-mirror')!;
    const ops: ReadonlyArray<Op> = [
      { kind: 'mmap', mm: 0, npages: 1, backing: { kind: 'anon' } },
      { kind: 'store', mm: 0, addr: 0 },
      { kind: 'mmu_interval_notifier_insert', mm: 0, start: 0, npages: 1, owner: 1 },
      { kind: 'madvise', mm: 0, start: 0, npages: 1, advice: 'dontneed' },
    ];
    const s = ops.reduce((st, op) => run(st, op).state, makeWorld(d.world));
    const inv = [...s.invalidations.values()];
    expect(inv.map((i) => [i.event, i.then])).toEqual([['MMU_NOTIFY_CLEAR', { kind: 'madvise_dontneed', mm: 0, start: 0, end: 1 }]]);
    expect(pteAt(s, 0, 0)).not.toBeNull();
  });

  it('refuses a VM_PFNMAP window (-EINVAL) and a hole (-ENOMEM) before changing anything', () => {
    expect(rejectedWith(run(world(), mmapBar(1)).state, dontneed(0, 1))).toContain('-EINVAL: madvise_dontneed_free_valid_vma');
    expect(rejectedWith(run(world(), mmapAnon(1)).state, dontneed(0, 2))).toContain('-ENOMEM');
  });
});
