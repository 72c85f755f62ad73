import { describe, expect, it } from 'vitest';
import type { Op } from '../../model/op.ts';
import { setFrame } from '../../model/page.ts';
import { makeWorld } from '../../model/world.ts';
import { IMPORTER, P2PDMA_BAR, P2PDMA_BASE, P2PDMA_PROVIDER, RAW_BAR, RAW_BASE, RAW_EXPORTER, frame, mmapAnon, mmapBar, mmapP2pmem, pteAt, rejectedWith, run, world, worldSpec, writeFault } from './helpers.ts';

const alloc: Op = { kind: 'pci_alloc_p2pmem', bar: P2PDMA_BAR };
const free = (page: number): Op => ({ kind: 'pci_free_p2pmem', page });
const remove = (dev: number): Op => ({ kind: 'pci_stop_and_remove_bus_device', dev });
const memunmap = (dev: number): Op => ({ kind: 'memunmap_pages', dev });
const insert = (start: number, npages: number): Op => ({ kind: 'mmu_interval_notifier_insert', mm: 0, start, npages, owner: IMPORTER });

describe('pci_free_p2pmem', () => {
  it('pci_free_p2pmem of a RAM page or of a pfn the world does not have is ill-formed: gen_pool_free would BUG', () => {
    expect(rejectedWith(world(), free(0))).toBe('ill-formed: pfn 0 is not a P2PDMA page (gen_pool_free would BUG)');
    expect(rejectedWith(world(), free(99))).toBe('ill-formed: pfn 99 is not a P2PDMA page (gen_pool_free would BUG)');
  });

  it('pci_free_p2pmem of an allocation another get_page still holds keeps the page, no longer the allocation: a second pci_free_p2pmem is ill-formed', () => {
    const { state: s1 } = run(world(), alloc);
    const held = setFrame(s1, { ...frame(s1, P2PDMA_BASE), refcount: 2 });
    const { state, events } = run(held, free(P2PDMA_BASE));
    expect(events).toEqual([]);
    expect(frame(state, P2PDMA_BASE)).toEqual({ ...frame(held, P2PDMA_BASE), refcount: 1, mapping: { kind: 'none' } });
    expect(rejectedWith(state, free(P2PDMA_BASE))).toBe(`ill-formed: page ${P2PDMA_BASE} was not allocated by pci_alloc_p2pmem (gen_pool_free would BUG)`);
  });
});

describe('pci_stop_and_remove_bus_device of one provider leaves the others alone', () => {
  it('removing the raw BAR exporter neither marks the P2PDMA BAR as removing nor zaps its p2pmem mapping', () => {
    const { state: s1 } = run(world(), mmapP2pmem(1), mmapBar(1));
    const { state } = run(s1, remove(RAW_EXPORTER));
    expect(state.bars[P2PDMA_BAR]).toEqual(s1.bars[P2PDMA_BAR]);
    expect(pteAt(state, 0, 0)).toEqual({ pfn: P2PDMA_BASE, writable: true });
    expect(pteAt(state, 0, 1)).toBeNull();
    // the P2PDMA provider still hands out pages
    run(state, alloc);
  });

  it('removing the P2PDMA provider after the raw exporter is gone leaves the dead raw BAR as it was', () => {
    const { state: s1 } = run(world(), remove(RAW_EXPORTER));
    const { state } = run(s1, remove(P2PDMA_PROVIDER));
    expect(state.bars[RAW_BAR]).toEqual(s1.bars[RAW_BAR]);
  });

  it('the notifiers of pci_stop_and_remove_bus_device cover only the VMAs of the removed provider', () => {
    const { state: s1 } = run(world(), mmapP2pmem(1), mmapBar(1), insert(0, 2));
    const { state } = run(s1, remove(RAW_EXPORTER));
    const inv = [...state.invalidations.values()][0]!;
    expect(inv.ranges).toEqual([{ mm: 0, start: 1, end: 2 }]);
  });
});

describe('memunmap_pages', () => {
  it('memunmap_pages of a device whose raw BAR is removed is ill-formed even while another P2PDMA provider is being removed', () => {
    const { state } = run(world(), alloc, remove(RAW_EXPORTER), remove(P2PDMA_PROVIDER));
    expect(rejectedWith(state, memunmap(RAW_EXPORTER))).toBe(`ill-formed: device ${RAW_EXPORTER} has no P2PDMA BAR being removed`);
  });

  it('memunmap_pages waits while unmap_mapping_range of the provider is still running its mmu notifiers', () => {
    const { state: s1 } = run(world(), mmapP2pmem(1), insert(0, 1), remove(P2PDMA_PROVIDER));
    expect([...s1.invalidations.values()][0]!.then).toEqual({ kind: 'unmap_mapping_range', dev: P2PDMA_PROVIDER });
    expect(rejectedWith(s1, memunmap(P2PDMA_PROVIDER))).toBe(`waits: unmap_mapping_range of device ${P2PDMA_PROVIDER} has not finished`);
  });

  it('memunmap_pages does not wait for the unmap_mapping_range of another provider, nor for a munmap in progress', () => {
    const { state: s1 } = run(world(), mmapBar(1), mmapAnon(1), writeFault(1), insert(0, 2), remove(P2PDMA_PROVIDER), remove(RAW_EXPORTER));
    expect(s1.invalidations.size).toBe(1);
    const { state: s2 } = run(s1, { kind: 'munmap', mm: 0, start: 1, npages: 1 });
    expect(s2.invalidations.size).toBe(2);
    const { state, events } = run(s2, memunmap(P2PDMA_PROVIDER));
    expect(events).toEqual([{ kind: 'provider-removed', device: P2PDMA_PROVIDER }]);
    expect(state.bars[P2PDMA_BAR]!.alive).toBe(false);
  });

  it('memunmap_pages counts only the pages of the provider: a mapped raw BAR page and a RAM page in use do not hold it', () => {
    const { state: s1 } = run(world(), mmapBar(1), mmapAnon(1), writeFault(1), remove(P2PDMA_PROVIDER));
    expect(frame(s1, RAW_BASE).free).toBe(false);
    const { state } = run(s1, memunmap(P2PDMA_PROVIDER));
    expect(state.bars[P2PDMA_BAR]!.alive).toBe(false);
  });

  it('memunmap_pages names every referenced page of a provider with two P2PDMA BARs', () => {
    const spec = worldSpec();
    const s0 = makeWorld({ ...spec, bars: [...spec.bars, { device: P2PDMA_PROVIDER, npages: 1, structPages: true }] });
    const second = s0.bars.length - 1;
    const secondPfn = s0.frames.find((f) => f.bar === second)!.pfn;
    const { state } = run(s0, alloc, { kind: 'pci_alloc_p2pmem', bar: second }, remove(P2PDMA_PROVIDER));
    expect(rejectedWith(state, memunmap(P2PDMA_PROVIDER))).toBe(`waits: 2 P2PDMA page(s) of device ${P2PDMA_PROVIDER} are still referenced (pfn ${P2PDMA_BASE}, ${secondPfn})`);
  });
});
