/**
 * The environment step templates every design runs against
 * (model/designs/environment.ts): which munmap, mprotect, mremap,
 * writeback, provider removal and SGL-walking calls they offer in a state.
 */
import { present } from '../../model/page.ts';
import { describe, expect, it } from 'vitest';
import type { StepTemplate } from '../../model/designs/design.ts';
import { vmasWith } from '../../model/designs/queries.ts';
import { mprotectAny, mremapAny, munmapAny, reclaimAny, removeProvider, sglConsumer, writeFaultAny, writebackAny } from '../../model/designs/environment.ts';
import type { Op } from '../../model/op.ts';
import type { State } from '../../model/state.ts';
import { ISOLATED, P2PDMA_PROVIDER, RAW_EXPORTER, gup, lastId, mmapAnon, mmapBar, mmapFile, run, world, writeFault } from './helpers.ts';

/** The calls of every option a template offers in `s` (every option here is one call). */
const callsOf = (t: StepTemplate, s: State): ReadonlyArray<Op | null> => t.options(s).flatMap((plan) => plan.map((b) => b(s, [])));

const munmap = (start: number, npages: number, mm = 0): Op => ({ kind: 'munmap', mm, start, npages });

describe('munmapAny', () => {
  it('offers munmap of each whole VMA, of each page of a multi-page VMA, and of two adjacent VMAs of one mm at once', () => {
    const { state } = run(world(), mmapAnon(1), mmapAnon(2));
    expect(callsOf(munmapAny, state)).toEqual([munmap(0, 1), munmap(0, 3), munmap(1, 2), munmap(1, 1), munmap(2, 1)]);
  });

  it('does not offer a joint munmap of VMAs with a hole between them', () => {
    const { state } = run(world(), mmapAnon(1), mmapAnon(1), mmapAnon(1), munmap(1, 1));
    expect(callsOf(munmapAny, state)).toEqual([munmap(0, 1), munmap(2, 1)]);
  });

  it("does not offer a joint munmap of one mm's VMA and the next VMA of a forked child, even at the next address", () => {
    const { state: s1 } = run(world(), mmapAnon(1), mmapAnon(1), { kind: 'fork', mm: 0 });
    const child = lastId(s1.mms);
    const { state } = run(s1, munmap(0, 1, child), munmap(1, 1));
    expect(callsOf(munmapAny, state)).toEqual([munmap(0, 1), munmap(1, 1, child)]);
  });
});

describe('mprotectAny and mremapAny', () => {
  it('mprotect of the VMAs of the given kinds only: the whole VMA and its first page, read-only and writable', () => {
    const { state } = run(world(), mmapFile(1), mmapAnon(2));
    const mprotect = (start: number, npages: number, write: boolean): Op => ({ kind: 'mprotect', mm: 0, start, npages, write });
    expect(callsOf(mprotectAny(['anon']), state)).toEqual([mprotect(1, 2, false), mprotect(1, 2, true), mprotect(1, 1, false), mprotect(1, 1, true)]);
  });

  it('mremap shrinks a multi-page VMA to one page in place and grows a RAM VMA by a page with MREMAP_MAYMOVE; a BAR window never grows', () => {
    const { state } = run(world(), mmapFile(1), mmapAnon(2), mmapBar(2));
    const vmas = [...state.vmas.values()].map((v) => [v.start, v.npages]);
    expect(vmas).toEqual([[0, 1], [1, 2], [3, 2]]);
    const mremap = (start: number, npages: number, new_npages: number, may_move: boolean): Op => ({ kind: 'mremap', mm: 0, start, npages, new_npages, may_move });
    expect(callsOf(mremapAny(['anon', 'bar']), state)).toEqual([mremap(1, 2, 1, false), mremap(1, 2, 3, true), mremap(3, 2, 1, false)]);
  });
});

describe('RAM page templates: write_fault, reclaim, writeback', () => {
  it('write_fault is offered for each RAM page without a writable PTE, at its virtual address', () => {
    const { state } = run(world(), mmapBar(1), mmapAnon(2), writeFault(1));
    expect(callsOf(writeFaultAny, state)).toEqual([{ kind: 'write_fault', mm: 0, addr: 2 }]);
  });

  it('reclaim is offered for the anon and page-cache pages on the LRU only, writeback for the dirty page-cache pages only', () => {
    const { state: s1 } = run(world(), mmapAnon(1), mmapFile(2), writeFault(0), writeFault(1), gup(2, 1, false));
    const pfnOf = (addr: number): number => {
      const v = [...s1.vmas.values()].find((x) => addr >= x.start && addr < x.start + x.npages)!;
      return present(v.ptes[addr - v.start])!.pfn;
    };
    const [anonPage, dirtyFile, cleanFile] = [pfnOf(0), pfnOf(1), pfnOf(2)];
    expect(s1.frames[dirtyFile]?.dirty).toBe(true);
    expect(s1.frames[cleanFile]?.dirty).toBe(false);
    expect(s1.frames[anonPage]?.dirty).toBe(true);
    expect(callsOf(reclaimAny, s1)).toEqual([anonPage, dirtyFile, cleanFile].sort((a, b) => a - b).map((page) => ({ kind: 'reclaim', page })));
    expect(callsOf(writebackAny, s1)).toEqual([{ kind: 'writeback', page: dirtyFile }]);
  });
});

describe('removeProvider', () => {
  it('pci_stop_and_remove_bus_device of a provider with a live BAR, then memunmap_pages while a P2PDMA BAR is being removed', () => {
    const s0 = world();
    expect(callsOf(removeProvider(P2PDMA_PROVIDER), s0)).toEqual([{ kind: 'pci_stop_and_remove_bus_device', dev: P2PDMA_PROVIDER }]);
    expect(callsOf(removeProvider(ISOLATED), s0)).toEqual([]);
    const { state: removing } = run(s0, { kind: 'pci_stop_and_remove_bus_device', dev: P2PDMA_PROVIDER });
    expect(callsOf(removeProvider(P2PDMA_PROVIDER), removing)).toEqual([{ kind: 'memunmap_pages', dev: P2PDMA_PROVIDER }]);
    expect(callsOf(removeProvider(RAW_EXPORTER), removing)).toEqual([{ kind: 'pci_stop_and_remove_bus_device', dev: RAW_EXPORTER }]);
    const { state: gone } = run(removing, { kind: 'memunmap_pages', dev: P2PDMA_PROVIDER });
    expect(callsOf(removeProvider(P2PDMA_PROVIDER), gone)).toEqual([]);
    const { state: rawGone } = run(s0, { kind: 'pci_stop_and_remove_bus_device', dev: RAW_EXPORTER });
    expect(callsOf(removeProvider(RAW_EXPORTER), rawGone)).toEqual([]);
  });
});

describe('sglConsumer', () => {
  it('walks only a table whose every entry has a page: sg_copy_to_buffer, then sg_virt and kmap_local_page of each entry', () => {
    const { state: s1 } = run(world(), { kind: 'sg_alloc_table', nents: 2 });
    const sgl = lastId(s1.sgls);
    const { state: half } = run(s1, { kind: 'sg_set_page', sgl, index: 0, page: 0 });
    expect(callsOf(sglConsumer, half)).toEqual([]);
    const { state: full } = run(half, { kind: 'sg_set_page', sgl, index: 1, page: 1 });
    expect(callsOf(sglConsumer, full)).toEqual([
      { kind: 'sg_copy_to_buffer', sgl },
      { kind: 'sg_virt', sgl, index: 0 },
      { kind: 'kmap_local_page', sgl, index: 0 },
      { kind: 'sg_virt', sgl, index: 1 },
      { kind: 'kmap_local_page', sgl, index: 1 },
    ]);
  });
});

describe('vmasWith', () => {
  it('lists the VMAs of the given backings only', () => {
    const { state } = run(world(), mmapAnon(1), mmapBar(1), mmapFile(1));
    expect(vmasWith(state, ['bar', 'file']).map((v) => v.backing.kind)).toEqual(['bar', 'file']);
  });
});

describe('environment templates as a counterexample names them', () => {
  it('mprotect, mremap and pci_stop_and_remove_bus_device are environment steps named after the call', () => {
    const named = [mprotectAny(['anon']), mremapAny(['anon']), removeProvider(P2PDMA_PROVIDER)];
    expect(named.map((t) => [t.name, t.role])).toEqual([
      ['mprotect', 'environment'],
      ['mremap', 'environment'],
      ['pci_stop_and_remove_bus_device', 'environment'],
    ]);
  });
});
