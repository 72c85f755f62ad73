/**
 * map-within-vma-lifetime judged on single steps: a p2p_map mapping of a
 * raw BAR at pages [2, 4) of mm 0, and the VMA (or the piece munmap split
 * off) destroyed under it, page by page at the edges.
 */
import * as O from 'fp-ts/lib/Option.js';
import { describe, expect, it } from 'vitest';
import type { Event } from '../../model/event.ts';
import type { Op } from '../../model/op.ts';
import type { State } from '../../model/state.ts';
import { mapWithinVmaLifetime as inv } from '../../properties/invariants/map-within-vma-lifetime.ts';
import { IMPORTER, lastId, mmapAnon, mmapBar, run, world } from '../model/helpers.ts';

/** mm 0: anon pages [0, 2), the raw BAR at [2, 4) p2p_mapped by the importer, and a pinned anon page in an SGL mapped by dma_map_sg. */
const { state: s1 } = run(world(), mmapAnon(2), mmapBar(2), { kind: 'write_fault', mm: 0, addr: 0 });
const barVma = lastId(s1.vmas);
const { state: mapped } = run(
  s1,
  { kind: 'p2p_map', vma: barVma, dev: IMPORTER, write: true },
  { kind: 'pin_user_pages', mm: 0, start: 0, npages: 1, write: true, longterm: false, p2pdma: false },
);
const { state } = run(mapped, { kind: 'sg_alloc_table_from_pages', pages: lastId(mapped.pageArrays) });
const { state: both } = run(state, { kind: 'dma_map_sg', dev: IMPORTER, sgl: lastId(state.sgls), dir: 'to-device' });
const p2p = [...both.mappings.values()].find((m) => m.api === 'p2p_map')!;

const destroyed = (vma: number, start: number, end: number, mm = 0): Event => ({ kind: 'vma-destroyed', vma, mm, start, end });
const verdict = (events: ReadonlyArray<Event>, s: State = both): string | null => O.toNullable(inv.check(both, { kind: 'munmap', mm: 0, start: 0, npages: 1 }, { state: s, events }));

describe('map-within-vma-lifetime: a vma-destroyed event under a live p2p_map mapping', () => {
  it('the world: the p2p_map mapping was made through vma-op for pages [2, 4) of mm 0, beside a dma_map_sg mapping', () => {
    expect(p2p.origin).toEqual({ kind: 'vma-op', vma: barVma, mm: 0, start: 2, npages: 2 });
    expect([...both.mappings.values()].map((m) => m.api).sort()).toEqual(['dma_map_sg', 'p2p_map']);
  });

  it('munmap of the whole BAR VMA while mapped: the VMA was destroyed under the mapping', () => {
    expect(verdict([destroyed(barVma, 2, 4)])).toBe(`vma ${barVma} was destroyed while mapping ${p2p.id} (p2p_map for device 1) still holds DMA addresses of its BAR window`);
  });

  it('munmap of the last page split off a piece: pages [3, 4) were unmapped under the mapping', () => {
    expect(verdict([destroyed(99, 3, 4)])).toBe(`pages [3, 4) of mm 0 were unmapped (vma 99) while mapping ${p2p.id} (p2p_map for device 1) still holds DMA addresses of the BAR window there`);
  });

  it('pages that only touch the mapped range, [0, 2) and [4, 6), or the same pages of another mm, are not under it', () => {
    expect(verdict([destroyed(1, 0, 2)])).toBeNull();
    expect(verdict([destroyed(99, 4, 6)])).toBeNull();
    expect(verdict([destroyed(99, 2, 4, 1)])).toBeNull();
  });

  it('once p2p_unmap tore the mapping down, destroying the VMA is fine', () => {
    const { state: unmapped } = run(both, { kind: 'p2p_unmap', mapping: p2p.id });
    expect(verdict([destroyed(barVma, 2, 4)], unmapped)).toBeNull();
  });
});

describe('map-within-vma-lifetime: exercised when an invalidation that will unmap the mapped pages starts', () => {
  const start: Event = { kind: 'invalidate-range-start', inv: 50, event: 'MMU_NOTIFY_UNMAP' };
  const exercised = (op: Op, events: ReadonlyArray<Event> = [start]): boolean => inv.exercised(both, op, { state: both, events });

  it('munmap, mremap or exit_mmap over the mapped pages', () => {
    expect(exercised({ kind: 'munmap', mm: 0, start: 3, npages: 1 })).toBe(true);
    expect(exercised({ kind: 'mremap', mm: 0, start: 2, npages: 2, new_npages: 1, may_move: false })).toBe(true);
    expect(exercised({ kind: 'exit_mmap', mm: 0 })).toBe(true);
  });

  it('not by munmap or mremap of other pages, fork, or an event other than invalidate_range_start', () => {
    expect(exercised({ kind: 'munmap', mm: 0, start: 0, npages: 2 })).toBe(false);
    expect(exercised({ kind: 'mremap', mm: 0, start: 4, npages: 1, new_npages: 2, may_move: true })).toBe(false);
    expect(exercised({ kind: 'fork', mm: 0 })).toBe(false);
    expect(exercised({ kind: 'munmap', mm: 0, start: 2, npages: 2 }, [{ kind: 'device-stopped', device: 1, range: 3 }])).toBe(false);
  });
});
