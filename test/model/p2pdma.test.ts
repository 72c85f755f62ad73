import { describe, expect, it } from 'vitest';
import type { Op } from '../../model/op.ts';
import type { State } from '../../model/state.ts';
import {
  IMPORTER,
  ISOLATED,
  P2PDMA_BAR,
  P2PDMA_BASE,
  P2PDMA_PROVIDER,
  RAW_BAR,
  RAW_BASE,
  RAW_EXPORTER,
  accept,
  frame,
  gup,
  lastId,
  mmapAnon,
  mmapBar,
  mmapP2pmem,
  newId,
  pin,
  pteAt,
  rejectedWith,
  run,
  world,
} from './helpers.ts';

const alloc: Op = { kind: 'pci_alloc_p2pmem', bar: P2PDMA_BAR };
const free = (page: number): Op => ({ kind: 'pci_free_p2pmem', page });
const remove = (dev: number): Op => ({ kind: 'pci_stop_and_remove_bus_device', dev });
const memunmap = (dev: number): Op => ({ kind: 'memunmap_pages', dev });

/** A one-entry table holding an allocated P2PDMA page (pfn 8). */
const p2pTable = (): { state: State; sgl: number } => {
  const { state: s1 } = run(world(), alloc, { kind: 'sg_alloc_table', nents: 1 });
  const sgl = lastId(s1.sgls);
  return { state: run(s1, { kind: 'sg_set_page', sgl, index: 0, page: P2PDMA_BASE }).state, sgl };
};

describe('pci_alloc_p2pmem', () => {
  it('pci_alloc_p2pmem hands out the lowest free P2PDMA page with one reference, owned by the kernel', () => {
    const s0 = world();
    const { state, events } = run(s0, alloc);
    expect(frame(state, P2PDMA_BASE)).toEqual({
      ...frame(s0, P2PDMA_BASE),
      free: false,
      gen: 1,
      refcount: 1,
      mapping: { kind: 'kernel' },
    });
    expect(events).toEqual([]);
    expect(frame(run(state, alloc).state, P2PDMA_BASE + 1).free).toBe(false);
  });

  it('pci_alloc_p2pmem from an exhausted pool returns NULL', () => {
    const { state } = run(world(), alloc, alloc);
    expect(rejectedWith(state, alloc)).toContain('returns NULL: the gen_pool of BAR 0 is empty');
  });

  it('pci_alloc_p2pmem from a raw BAR is rejected because it was never registered as P2PDMA memory', () => {
    expect(rejectedWith(world(), { kind: 'pci_alloc_p2pmem', bar: RAW_BAR })).toContain('pci_p2pdma_add_resource');
  });

  it('pci_alloc_p2pmem from a BAR that does not exist is rejected', () => {
    expect(rejectedWith(world(), { kind: 'pci_alloc_p2pmem', bar: 5 })).toContain('no BAR 5');
  });

  it('pci_alloc_p2pmem after the provider was removed is rejected', () => {
    const { state } = run(world(), remove(P2PDMA_PROVIDER));
    expect(rejectedWith(state, alloc)).toContain('percpu_ref_tryget_live failed');
  });
});

describe('pci_free_p2pmem', () => {
  it('pci_free_p2pmem drops the allocation reference and returns the page to the pool', () => {
    const { state: s1 } = run(world(), alloc);
    const { state, events } = run(s1, free(P2PDMA_BASE));
    expect(frame(state, P2PDMA_BASE)).toMatchObject({ free: true, refcount: 0, gen: 1, mapping: { kind: 'none' } });
    expect(events).toEqual([{ kind: 'page-freed', pfn: P2PDMA_BASE }]);
  });

  it('pci_free_p2pmem of a RAM page is rejected', () => {
    const { state } = run(world(), mmapAnon(1), gup(0, 1, true));
    expect(rejectedWith(state, free(0))).toContain('pfn 0 is not a P2PDMA page');
  });

  it('pci_free_p2pmem of a raw BAR frame is rejected', () => {
    expect(rejectedWith(world(), free(RAW_BASE))).toContain('is not a P2PDMA page');
  });

  it('pci_free_p2pmem of a P2PDMA page that is free is rejected', () => {
    expect(rejectedWith(world(), free(P2PDMA_BASE))).toContain('was not allocated by pci_alloc_p2pmem');
  });

  it('pci_free_p2pmem twice is rejected', () => {
    const { state } = run(world(), alloc, free(P2PDMA_BASE));
    expect(rejectedWith(state, free(P2PDMA_BASE))).toContain('was not allocated by pci_alloc_p2pmem');
  });

  it('pci_free_p2pmem of a page mapped into user space through p2pmem is rejected', () => {
    const { state } = run(world(), mmapP2pmem(1));
    expect(rejectedWith(state, free(P2PDMA_BASE))).toContain('was not allocated by pci_alloc_p2pmem');
  });
});

describe('pci_p2pdma_map_sg', () => {
  it('pci_p2pdma_map_sg maps P2PDMA pages at their PCI bus address', () => {
    const { state: s1, sgl } = p2pTable();
    const { state, events } = run(s1, { kind: 'pci_p2pdma_map_sg', dev: IMPORTER, sgl, dir: 'from-device' });
    const id = newId(s1.mappings, state.mappings);
    expect(state.mappings.get(id)).toEqual({
      id,
      device: IMPORTER,
      dir: 'from-device',
      api: 'pci_p2pdma_map_sg',
      origin: { kind: 'sgl', sgl },
      // bus window of BAR 0 starts at 0x1000
      entries: [{ dma: 0x1000, pfn: P2PDMA_BASE, gen: 1, reaches: P2PDMA_BASE }],
      nents: 1,
      mapped: 1,
      errorChecked: false,
    });
    expect(events).toEqual([]);
  });

  // drivers/pci/p2pdma.c (2019) pci_p2pdma_map_sg(): no per-entry check, returns nents.
  it('pci_p2pdma_map_sg for a device the provider cannot reach is accepted; the bus address reaches nothing', () => {
    const { state: s1, sgl } = p2pTable();
    const { state } = run(s1, { kind: 'pci_p2pdma_map_sg', dev: ISOLATED, sgl, dir: 'to-device' });
    expect(state.mappings.get(lastId(state.mappings))?.entries).toEqual([{ dma: 0x1000, pfn: P2PDMA_BASE, gen: 1, reaches: null }]);
    void P2PDMA_PROVIDER;
  });

  it('pci_p2pdma_map_sg of a table holding a RAM page is accepted; its address (phys minus a garbage pgmap offset) reaches nothing', () => {
    const { state: s1 } = run(world(), mmapAnon(1), gup(0, 1, true));
    const { state: s2 } = run(s1, { kind: 'sg_alloc_table_from_pages', pages: lastId(s1.pageArrays) });
    const { state } = run(s2, { kind: 'pci_p2pdma_map_sg', dev: IMPORTER, sgl: lastId(s2.sgls), dir: 'from-device' });
    const mapping = lastId(state.mappings);
    expect(state.mappings.get(mapping)?.entries[0]?.reaches).toBeNull();
    expect(run(state, { kind: 'device_write', mapping, index: 0 }).events).toEqual([
      { kind: 'device-access', device: IMPORTER, mapping, pfn: 0, gen: 1, reached: null, write: true },
    ]);
  });

  it('pci_p2pdma_map_sg of a P2PDMA page freed after it was put in the table is accepted with the stale generation', () => {
    const { state: s1, sgl } = p2pTable();
    const { state } = run(s1, free(P2PDMA_BASE), { kind: 'pci_p2pdma_map_sg', dev: IMPORTER, sgl, dir: 'to-device' });
    expect(frame(state, P2PDMA_BASE).free).toBe(true);
    expect(state.mappings.get(lastId(state.mappings))?.entries[0]?.pfn).toBe(P2PDMA_BASE);
  });

  it('pci_p2pdma_map_sg of a table with an unset entry is rejected', () => {
    const { state } = run(world(), { kind: 'sg_alloc_table', nents: 1 });
    expect(rejectedWith(state, { kind: 'pci_p2pdma_map_sg', dev: IMPORTER, sgl: lastId(state.sgls), dir: 'to-device' })).toContain('has no page set');
  });

  it('pci_p2pdma_map_sg for a device that does not exist is rejected', () => {
    const { state, sgl } = p2pTable();
    expect(rejectedWith(state, { kind: 'pci_p2pdma_map_sg', dev: 7, sgl, dir: 'to-device' })).toContain('no device 7');
  });
});

describe('pci_p2pdma_unmap_sg', () => {
  it('pci_p2pdma_unmap_sg removes the mapping and emits mapping-torn-down', () => {
    const { state: s1, sgl } = p2pTable();
    const { state: s2 } = run(s1, { kind: 'pci_p2pdma_map_sg', dev: IMPORTER, sgl, dir: 'to-device' });
    const mapping = lastId(s2.mappings);
    const { state, events } = run(s2, { kind: 'pci_p2pdma_unmap_sg', mapping, dev: IMPORTER, nents: 1, dir: 'to-device' });
    expect(state.mappings.size).toBe(0);
    expect(events).toEqual([{ kind: 'mapping-torn-down', mapping }]);
  });

  it('pci_p2pdma_unmap_sg of a dma_map_sg mapping is accepted and undoes nothing (the mapping stays)', () => {
    const { state: s1 } = run(world(), mmapAnon(1), gup(0, 1, true));
    const { state: s2 } = run(s1, { kind: 'sg_alloc_table_from_pages', pages: lastId(s1.pageArrays) });
    const { state } = run(s2, { kind: 'dma_map_sg', dev: IMPORTER, sgl: lastId(s2.sgls), dir: 'to-device' });
    const r = accept(state, { kind: 'pci_p2pdma_unmap_sg', mapping: lastId(state.mappings), dev: IMPORTER, nents: 1, dir: 'to-device' });
    expect(r.state).toBe(state);
    expect(r.events).toEqual([]);
  });

  it('pci_p2pdma_unmap_sg of a mapping that is not live is accepted and changes nothing', () => {
    const r = accept(world(), { kind: 'pci_p2pdma_unmap_sg', mapping: 2, dev: IMPORTER, nents: 1, dir: 'to-device' });
    expect(r.events).toEqual([]);
  });
});

describe('pci_stop_and_remove_bus_device', () => {
  it('pci_stop_and_remove_bus_device while a P2PDMA page is still allocated is accepted: the removal starts, and memunmap_pages waits for the page', () => {
    const { state } = run(world(), alloc, remove(P2PDMA_PROVIDER));
    expect(state.bars[P2PDMA_BAR]).toMatchObject({ alive: true, removing: true });
    expect(rejectedWith(state, memunmap(P2PDMA_PROVIDER))).toBe(`waits: 1 P2PDMA page(s) of device ${P2PDMA_PROVIDER} are still referenced (pfn ${P2PDMA_BASE})`);
    // The driver drops its allocation: the wait ends and the removal completes.
    const { state: done, events } = run(state, free(P2PDMA_BASE), memunmap(P2PDMA_PROVIDER));
    expect(done.bars[P2PDMA_BAR]!.alive).toBe(false);
    expect(events).toEqual([
      { kind: 'page-freed', pfn: P2PDMA_BASE },
      { kind: 'provider-removed', device: P2PDMA_PROVIDER },
    ]);
  });

  it('during a removal the provider refuses new allocations (percpu_ref_tryget_live fails) and new p2pmem mmaps (-ENODEV)', () => {
    const { state } = run(world(), alloc, remove(P2PDMA_PROVIDER));
    expect(rejectedWith(state, alloc)).toContain('returns NULL: percpu_ref_tryget_live failed');
    expect(rejectedWith(state, mmapP2pmem(1))).toContain('-ENODEV');
    expect(rejectedWith(state, remove(P2PDMA_PROVIDER))).toBe(`ill-formed: device ${P2PDMA_PROVIDER} is already being removed or gone`);
  });

  it('a user pin on a p2pmem page keeps memunmap_pages waiting after the zap, until the pin is dropped', () => {
    const { state: s1 } = run(world(), mmapP2pmem(1), pin(0, 1, true, { p2pdma: true }));
    const pages = lastId(s1.pageArrays);
    const { state } = run(s1, remove(P2PDMA_PROVIDER));
    expect(pteAt(state, 0, 0)).toBeNull();
    expect(rejectedWith(state, memunmap(P2PDMA_PROVIDER))).toContain('waits: 1 P2PDMA page(s)');
    const { state: done } = run(state, { kind: 'unpin_user_pages', pages }, memunmap(P2PDMA_PROVIDER));
    expect(done.bars[P2PDMA_BAR]!.alive).toBe(false);
  });

  it('memunmap_pages for a provider whose removal has not started is ill-formed', () => {
    expect(rejectedWith(world(), memunmap(P2PDMA_PROVIDER))).toContain('ill-formed: device');
  });

  it('pci_stop_and_remove_bus_device of a raw BAR exporter is accepted and the BAR is no longer alive', () => {
    const s0 = world();
    const { state, events } = run(s0, remove(RAW_EXPORTER));
    expect(state.bars[RAW_BAR]).toEqual({ ...s0.bars[RAW_BAR]!, alive: false, removing: true });
    expect(state.bars[P2PDMA_BAR]!.alive).toBe(true);
    expect(events).toEqual([{ kind: 'provider-removed', device: RAW_EXPORTER }]);
  });

  it('pci_stop_and_remove_bus_device zaps a raw BAR window mapped into user space but leaves the VMA', () => {
    const { state: s1 } = run(world(), mmapBar(2));
    const vma = lastId(s1.vmas);
    const { state } = run(s1, remove(RAW_EXPORTER));
    expect(state.vmas.get(vma)?.ptes).toEqual([null, null]);
    // the exporter's frames stay handed out: whoever has their addresses holds stale ones
    expect(frame(state, RAW_BASE).free).toBe(false);
  });

  it('pci_stop_and_remove_bus_device zaps an unreferenced p2pmem mapping and frees its pages; memunmap_pages then completes the removal', () => {
    const { state: s1 } = run(world(), mmapP2pmem(1));
    const { state: s2, events } = run(s1, remove(P2PDMA_PROVIDER));
    expect(pteAt(s2, 0, 0)).toBeNull();
    expect(frame(s2, P2PDMA_BASE).free).toBe(true);
    expect(s2.bars[P2PDMA_BAR]!.alive).toBe(true);
    expect(events).toEqual([{ kind: 'page-freed', pfn: P2PDMA_BASE }]);
    const { state, events: end } = run(s2, memunmap(P2PDMA_PROVIDER));
    expect(state.bars[P2PDMA_BAR]!.alive).toBe(false);
    expect(end).toEqual([{ kind: 'provider-removed', device: P2PDMA_PROVIDER }]);
  });

  it('pci_stop_and_remove_bus_device under a notifier over the BAR window starts an invalidation (MMU_NOTIFY_CLEAR); range_end zaps and removes the provider', () => {
    const { state: s1 } = run(world(), mmapBar(2), { kind: 'mmu_interval_notifier_insert', mm: 0, start: 1, npages: 1, owner: IMPORTER });
    const vma = lastId(s1.vmas);
    const { state: s2, events } = run(s1, remove(RAW_EXPORTER));
    const inv = lastId(s2.invalidations);
    expect(events).toEqual([{ kind: 'invalidate-range-start', inv, event: 'MMU_NOTIFY_CLEAR' }]);
    expect(s2.invalidations.get(inv)).toMatchObject({ ranges: [{ mm: 0, start: 0, end: 2 }], mmapLocked: null, then: { kind: 'unmap_mapping_range', dev: RAW_EXPORTER } });
    expect(s2.bars[RAW_BAR]!.alive).toBe(true);
    expect(pteAt(s2, 0, 0)).not.toBeNull();
    const { state, events: end } = run(s2, { kind: 'mmu_notifier_invalidate_range_end', inv });
    expect(end).toEqual([
      { kind: 'provider-removed', device: RAW_EXPORTER },
      { kind: 'invalidate-range-end', inv },
    ]);
    expect(state.vmas.get(vma)?.ptes).toEqual([null, null]);
    expect(state.bars[RAW_BAR]!.alive).toBe(false);
  });

  it('pci_stop_and_remove_bus_device and memunmap_pages complete at once when the P2PDMA allocation was freed first', () => {
    const { state } = run(world(), alloc, free(P2PDMA_BASE), remove(P2PDMA_PROVIDER), memunmap(P2PDMA_PROVIDER));
    expect(state.bars[P2PDMA_BAR]!.alive).toBe(false);
  });

  it('pci_stop_and_remove_bus_device of a provider that was already removed is ill-formed (void call; the pci_dev is gone)', () => {
    const { state } = run(world(), remove(RAW_EXPORTER));
    expect(rejectedWith(state, remove(RAW_EXPORTER))).toBe(`ill-formed: device ${RAW_EXPORTER} is already being removed or gone`);
  });

  it('pci_stop_and_remove_bus_device of a device without a BAR is ill-formed: the model removes providers only', () => {
    expect(rejectedWith(world(), remove(IMPORTER))).toBe(`ill-formed: device ${IMPORTER} provides no BAR: the model removes providers only`);
  });

  it('pci_stop_and_remove_bus_device of a device that does not exist is ill-formed', () => {
    expect(rejectedWith(world(), remove(9))).toBe('ill-formed: no device 9');
  });
});
