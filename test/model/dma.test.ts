import { describe, expect, it } from 'vitest';
import type { Op } from '../../model/op.ts';
import type { DmaDirection, State } from '../../model/state.ts';
import { IMPORTER, P2PDMA_BAR, P2PDMA_BASE, accept, frame, gup, lastId, mmapAnon, newId, rejectedWith, run, world, writeFault } from './helpers.ts';

/** Two anonymous pages (pfns 0, 1) held by get_user_pages, in a table. */
const table = (): { state: State; sgl: number } => {
  const { state: s1 } = run(world(), mmapAnon(2), gup(0, 2, true));
  const { state } = run(s1, { kind: 'sg_alloc_table_from_pages', pages: lastId(s1.pageArrays) });
  return { state, sgl: lastId(state.sgls) };
};

/** That table mapped for the importer in direction `dir`. */
const mapped = (dir: DmaDirection): { state: State; sgl: number; mapping: number } => {
  const { state: s1, sgl } = table();
  const { state } = run(s1, { kind: 'dma_map_sg', dev: IMPORTER, sgl, dir });
  return { state, sgl, mapping: lastId(state.mappings) };
};

/** A table holding one allocated P2PDMA page, mapped with pci_p2pdma_map_sg. */
const p2pMapped = (): { state: State; mapping: number } => {
  const { state: s1 } = run(world(), { kind: 'pci_alloc_p2pmem', bar: P2PDMA_BAR }, { kind: 'sg_alloc_table', nents: 1 });
  const sgl = lastId(s1.sgls);
  const { state } = run(s1, { kind: 'sg_set_page', sgl, index: 0, page: P2PDMA_BASE }, { kind: 'pci_p2pdma_map_sg', dev: IMPORTER, sgl, dir: 'bidirectional' });
  return { state, mapping: lastId(state.mappings) };
};

describe('dma_map_sg', () => {
  it('dma_map_sg maps every RAM entry at its physical address, remembering each frame generation', () => {
    const { state: s1, sgl } = table();
    const { state, events } = run(s1, { kind: 'dma_map_sg', dev: IMPORTER, sgl, dir: 'from-device' });
    const id = newId(s1.mappings, state.mappings);
    expect(state.mappings.get(id)).toEqual({
      id,
      device: IMPORTER,
      dir: 'from-device',
      api: 'dma_map_sg',
      origin: { kind: 'sgl', sgl },
      entries: [
        { dma: 0, pfn: 0, gen: 1 },
        { dma: 1, pfn: 1, gen: 1 },
      ],
    });
    expect(state.frames).toBe(s1.frames);
    expect(events).toEqual([]);
  });

  it('dma_map_sg of a table holding a P2PDMA page is rejected for lack of DMA_F_PCI_P2PDMA_SUPPORTED', () => {
    const { state: s1 } = run(world(), { kind: 'pci_alloc_p2pmem', bar: P2PDMA_BAR }, { kind: 'sg_alloc_table', nents: 1 });
    const sgl = lastId(s1.sgls);
    const { state } = run(s1, { kind: 'sg_set_page', sgl, index: 0, page: P2PDMA_BASE });
    expect(rejectedWith(state, { kind: 'dma_map_sg', dev: IMPORTER, sgl, dir: 'to-device' })).toContain('DMA_F_PCI_P2PDMA_SUPPORTED');
  });

  it('dma_map_sg of a table with an unset entry is rejected', () => {
    const { state: s1 } = run(world(), { kind: 'sg_alloc_table', nents: 1 });
    expect(rejectedWith(s1, { kind: 'dma_map_sg', dev: IMPORTER, sgl: lastId(s1.sgls), dir: 'to-device' })).toContain('has no page set');
  });

  it('dma_map_sg of an entry whose page was freed in the meantime is rejected', () => {
    const { state: s1 } = run(world(), mmapAnon(1), writeFault(0), { kind: 'sg_alloc_table', nents: 1 });
    const sgl = lastId(s1.sgls);
    const { state } = run(s1, { kind: 'sg_set_page', sgl, index: 0, page: 0 }, { kind: 'munmap', vma: lastId(s1.vmas) });
    expect(rejectedWith(state, { kind: 'dma_map_sg', dev: IMPORTER, sgl, dir: 'to-device' })).toContain('points at free page 0');
  });

  it('dma_map_sg for a device that does not exist is rejected', () => {
    const { state, sgl } = table();
    expect(rejectedWith(state, { kind: 'dma_map_sg', dev: 9, sgl, dir: 'to-device' })).toContain('no device 9');
  });

  it('dma_map_sg of a table that is not allocated is rejected', () => {
    expect(rejectedWith(world(), { kind: 'dma_map_sg', dev: IMPORTER, sgl: 4, dir: 'to-device' })).toContain('sgl 4 is not allocated');
  });
});

describe('dma_unmap_sg', () => {
  it('dma_unmap_sg removes the mapping and emits mapping-torn-down', () => {
    const { state: s1, mapping } = mapped('to-device');
    const { state, events } = run(s1, { kind: 'dma_unmap_sg', mapping });
    expect(state.mappings.has(mapping)).toBe(false);
    expect(state.sgls).toBe(s1.sgls);
    expect(events).toEqual([{ kind: 'mapping-torn-down', mapping }]);
  });

  it('dma_unmap_sg of a mapping that was already unmapped is rejected', () => {
    const { state: s1, mapping } = mapped('to-device');
    const { state } = run(s1, { kind: 'dma_unmap_sg', mapping });
    expect(rejectedWith(state, { kind: 'dma_unmap_sg', mapping })).toContain(`mapping ${mapping} is not live`);
  });

  it('dma_unmap_sg of a mapping made by pci_p2pdma_map_sg is rejected', () => {
    const { state, mapping } = p2pMapped();
    expect(rejectedWith(state, { kind: 'dma_unmap_sg', mapping })).toContain('was made by pci_p2pdma_map_sg, not dma_map_sg');
  });
});

describe('dma_sync_sg_for_cpu and dma_sync_sg_for_device', () => {
  for (const kind of ['dma_sync_sg_for_cpu', 'dma_sync_sg_for_device'] as const) {
    it(`${kind} on a live dma_map_sg mapping is accepted and changes nothing`, () => {
      const { state, mapping } = mapped('bidirectional');
      const r = accept(state, { kind, mapping });
      expect(r.state).toBe(state);
      expect(r.events).toEqual([]);
    });

    it(`${kind} after dma_unmap_sg is rejected`, () => {
      const { state: s1, mapping } = mapped('bidirectional');
      const { state } = run(s1, { kind: 'dma_unmap_sg', mapping });
      expect(rejectedWith(state, { kind, mapping })).toContain(`mapping ${mapping} is not live`);
    });

    it(`${kind} on a pci_p2pdma_map_sg mapping is rejected`, () => {
      const { state, mapping } = p2pMapped();
      expect(rejectedWith(state, { kind, mapping })).toContain('not dma_map_sg');
    });
  }
});

describe('device_write', () => {
  it('device_write through a to-device mapping is rejected', () => {
    const { state, mapping } = mapped('to-device');
    expect(rejectedWith(state, { kind: 'device_write', mapping, index: 0 })).toContain('DMA_TO_DEVICE; the device may not write it');
  });

  it('device_write through a from-device mapping emits device-access with the entry gen and marks the page written by the device', () => {
    const { state: s1, mapping } = mapped('from-device');
    const { state, events } = run(s1, { kind: 'device_write', mapping, index: 1 });
    expect(events).toEqual([{ kind: 'device-access', device: IMPORTER, mapping, pfn: 1, gen: 1, write: true }]);
    expect(frame(state, 1)).toEqual({ ...frame(s1, 1), deviceWroteSinceDirtied: true });
    expect(frame(state, 0).deviceWroteSinceDirtied).toBe(false);
  });

  it('device_write through a bidirectional mapping is accepted', () => {
    const { state, mapping } = mapped('bidirectional');
    expect(run(state, { kind: 'device_write', mapping, index: 0 }).events).toHaveLength(1);
  });

  it('device_write after the frame was freed and reused carries the stale generation of the mapping', () => {
    const { state: s1 } = run(world(), mmapAnon(1), writeFault(0), { kind: 'sg_alloc_table', nents: 1 });
    const sgl = lastId(s1.sgls);
    const { state: s2 } = run(s1, { kind: 'sg_set_page', sgl, index: 0, page: 0 }, { kind: 'dma_map_sg', dev: IMPORTER, sgl, dir: 'from-device' });
    const mapping = lastId(s2.mappings);
    const { state: s3 } = run(s2, { kind: 'munmap', vma: lastId(s2.vmas) }, mmapAnon(1), writeFault(0));
    expect(frame(s3, 0).gen).toBe(2);
    const { events } = run(s3, { kind: 'device_write', mapping, index: 0 });
    expect(events).toEqual([{ kind: 'device-access', device: IMPORTER, mapping, pfn: 0, gen: 1, write: true }]);
  });

  it('device_write to a frame that is now free leaves the free frame untouched', () => {
    const { state: s1 } = run(world(), mmapAnon(1), writeFault(0), { kind: 'sg_alloc_table', nents: 1 });
    const sgl = lastId(s1.sgls);
    const { state: s2 } = run(s1, { kind: 'sg_set_page', sgl, index: 0, page: 0 }, { kind: 'dma_map_sg', dev: IMPORTER, sgl, dir: 'from-device' });
    const mapping = lastId(s2.mappings);
    const { state: s3 } = run(s2, { kind: 'munmap', vma: lastId(s2.vmas) });
    const { state } = run(s3, { kind: 'device_write', mapping, index: 0 });
    expect(state.frames).toBe(s3.frames);
  });

  it('device_write beyond the last entry is rejected', () => {
    const { state, mapping } = mapped('from-device');
    expect(rejectedWith(state, { kind: 'device_write', mapping, index: 2 })).toContain('index 2 is outside');
  });

  it('device_write through a mapping that is not live is rejected', () => {
    expect(rejectedWith(world(), { kind: 'device_write', mapping: 3, index: 0 })).toContain('mapping 3 is not live');
  });
});

describe('device_read', () => {
  it('device_read through a to-device mapping emits device-access and changes nothing', () => {
    const { state, mapping } = mapped('to-device');
    const r = accept(state, { kind: 'device_read', mapping, index: 0 });
    expect(r.state).toBe(state);
    expect(r.events).toEqual([{ kind: 'device-access', device: IMPORTER, mapping, pfn: 0, gen: 1, write: false }]);
  });

  it('device_read through a from-device mapping is rejected', () => {
    const { state, mapping } = mapped('from-device');
    const op: Op = { kind: 'device_read', mapping, index: 0 };
    expect(rejectedWith(state, op)).toContain('DMA_FROM_DEVICE; the device may not read it');
  });

  it('device_read of a P2PDMA mapping reports the P2PDMA pfn', () => {
    const { state, mapping } = p2pMapped();
    expect(run(state, { kind: 'device_read', mapping, index: 0 }).events).toEqual([
      { kind: 'device-access', device: IMPORTER, mapping, pfn: P2PDMA_BASE, gen: 1, write: false },
    ]);
  });
});
