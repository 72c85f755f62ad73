import { describe, expect, it } from 'vitest';
import type { Op } from '../../model/op.ts';
import type { DmaDirection, State } from '../../model/state.ts';
import { makeWorld } from '../../model/world.ts';
import { IMPORTER, ISOLATED, P2PDMA_BAR, P2PDMA_BASE, accept, frame, gup, lastId, mmapAnon, newId, oldEra, rejectedWith, run, world, worldSpec, writeFault, munmapVma } from './helpers.ts';

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
        { dma: 0, pfn: 0, gen: 1, reaches: 0 },
        { dma: 1, pfn: 1, gen: 1, reaches: 1 },
      ],
      nents: 2,
      mapped: 2,
      errorChecked: false,
    });
    expect(state.frames).toBe(s1.frames);
    expect(events).toEqual([]);
  });

  // kernel/dma/mapping.c dma_map_sg_attrs() + dma-direct: before 6.0 a P2PDMA page got its CPU physical address.
  it('dma_map_sg of a P2PDMA page before 6.0 is accepted with the CPU physical address, which reaches nothing', () => {
    const { state: s1 } = run(world(oldEra), { kind: 'pci_alloc_p2pmem', bar: P2PDMA_BAR }, { kind: 'sg_alloc_table', nents: 1 });
    const sgl = lastId(s1.sgls);
    const { state } = run(s1, { kind: 'sg_set_page', sgl, index: 0, page: P2PDMA_BASE }, { kind: 'dma_map_sg', dev: IMPORTER, sgl, dir: 'from-device' });
    const mapping = lastId(state.mappings);
    expect(state.mappings.get(mapping)?.entries).toEqual([{ dma: P2PDMA_BASE, pfn: P2PDMA_BASE, gen: 1, reaches: null }]);
    expect(run(state, { kind: 'device_write', mapping, index: 0 }).events).toEqual([
      { kind: 'device-access', device: IMPORTER, mapping, pfn: P2PDMA_BASE, gen: 1, reached: null, write: true },
    ]);
  });

  it('dma_map_sg of a P2PDMA page since 6.0 maps its bus address, and returns 0 for a client that cannot reach it', () => {
    const { state: s1 } = run(world(), { kind: 'pci_alloc_p2pmem', bar: P2PDMA_BAR }, { kind: 'sg_alloc_table', nents: 1 });
    const sgl = lastId(s1.sgls);
    const { state } = run(s1, { kind: 'sg_set_page', sgl, index: 0, page: P2PDMA_BASE });
    const ok = run(state, { kind: 'dma_map_sg', dev: IMPORTER, sgl, dir: 'to-device' }).state;
    expect(ok.mappings.get(lastId(ok.mappings))?.entries).toEqual([{ dma: 0x1000, pfn: P2PDMA_BASE, gen: 1, reaches: P2PDMA_BASE }]);
    expect(rejectedWith(state, { kind: 'dma_map_sg', dev: ISOLATED, sgl, dir: 'to-device' })).toMatch(/^returns 0: /);
  });

  it('dma_map_sg returns one mapped entry for two when the IOMMU merges them, and keeps the nents it was given', () => {
    const spec = worldSpec();
    const merged = makeWorld({ ...spec, devices: spec.devices.map((d, i) => (i === IMPORTER ? { ...d, iommuMergesSg: true } : d)) });
    const { state: s1 } = run(merged, mmapAnon(2), gup(0, 2, true));
    const { state: s2 } = run(s1, { kind: 'sg_alloc_table_from_pages', pages: lastId(s1.pageArrays) });
    const { state } = run(s2, { kind: 'dma_map_sg', dev: IMPORTER, sgl: lastId(s2.sgls), dir: 'to-device' });
    expect(state.mappings.get(lastId(state.mappings))).toMatchObject({ nents: 2, mapped: 1 });
  });

  it('dma_map_sg of a table with an unset entry is ill-formed (sg_page() is NULL)', () => {
    const { state: s1 } = run(world(), { kind: 'sg_alloc_table', nents: 1 });
    expect(rejectedWith(s1, { kind: 'dma_map_sg', dev: IMPORTER, sgl: lastId(s1.sgls), dir: 'to-device' })).toMatch(/^ill-formed: .*has no page set/);
  });

  it('dma_map_sg of an entry whose page was freed in the meantime is accepted: the call does not look', () => {
    const { state: s1 } = run(world(), mmapAnon(1), writeFault(0), { kind: 'sg_alloc_table', nents: 1 });
    const sgl = lastId(s1.sgls);
    const { state } = run(s1, { kind: 'sg_set_page', sgl, index: 0, page: 0 }, munmapVma(s1, lastId(s1.vmas)), { kind: 'dma_map_sg', dev: IMPORTER, sgl, dir: 'to-device' });
    expect(state.mappings.get(lastId(state.mappings))?.entries[0]).toMatchObject({ pfn: 0, gen: 1 });
  });

  it('dma_map_sg for a device that does not exist is ill-formed', () => {
    const { state, sgl } = table();
    expect(rejectedWith(state, { kind: 'dma_map_sg', dev: 9, sgl, dir: 'to-device' })).toBe('ill-formed: no device 9');
  });

  it('dma_map_sg of a table that is not allocated is ill-formed', () => {
    expect(rejectedWith(world(), { kind: 'dma_map_sg', dev: IMPORTER, sgl: 4, dir: 'to-device' })).toBe('ill-formed: sgl 4 is not allocated');
  });
});

const unmapOp = (mapping: number, dir: DmaDirection = 'to-device', dev = IMPORTER, nents = 2): Op => ({ kind: 'dma_unmap_sg', mapping, dev, nents, dir });

// dma_unmap_sg() is void: every call is a step. It tears the mapping down when it is the
// device's DMA-layer mapping, whatever direction or count is passed; otherwise nothing changes.
describe('dma_unmap_sg', () => {
  it('dma_unmap_sg removes the mapping and emits mapping-torn-down', () => {
    const { state: s1, mapping } = mapped('to-device');
    const { state, events } = run(s1, unmapOp(mapping));
    expect(state.mappings.has(mapping)).toBe(false);
    expect(state.sgls).toBe(s1.sgls);
    expect(events).toEqual([{ kind: 'mapping-torn-down', mapping }]);
  });

  it('dma_unmap_sg with the wrong direction or count still tears the mapping down', () => {
    const { state: s1, mapping } = mapped('to-device');
    expect(run(s1, unmapOp(mapping, 'from-device', IMPORTER, 1)).state.mappings.has(mapping)).toBe(false);
  });

  it('dma_unmap_sg twice: the second call is accepted and changes nothing', () => {
    const { state: s1, mapping } = mapped('to-device');
    const { state } = run(s1, unmapOp(mapping));
    const r = accept(state, unmapOp(mapping));
    expect(r.state).toBe(state);
    expect(r.events).toEqual([]);
  });

  it('dma_unmap_sg for another device is accepted and leaves the mapping live', () => {
    const { state, mapping } = mapped('to-device');
    expect(accept(state, unmapOp(mapping, 'to-device', ISOLATED)).state).toBe(state);
  });

  it('dma_unmap_sg of a mapping made by pci_p2pdma_map_sg is accepted and leaves it live', () => {
    const { state, mapping } = p2pMapped();
    expect(accept(state, unmapOp(mapping, 'bidirectional', IMPORTER, 1)).state).toBe(state);
  });

  it('dma_unmap_sg for a device that does not exist is ill-formed', () => {
    const { state, mapping } = mapped('to-device');
    expect(rejectedWith(state, unmapOp(mapping, 'to-device', 9))).toBe('ill-formed: no device 9');
  });
});

describe('dma_sync_sg_for_cpu and dma_sync_sg_for_device', () => {
  for (const kind of ['dma_sync_sg_for_cpu', 'dma_sync_sg_for_device'] as const) {
    it(`${kind} is accepted and changes nothing, on a live mapping, after unmap, or in the wrong direction`, () => {
      const { state: s1, mapping } = mapped('bidirectional');
      for (const st of [s1, run(s1, unmapOp(mapping, 'bidirectional')).state]) {
        const r = accept(st, { kind, mapping, dev: IMPORTER, nents: 2, dir: 'to-device' });
        expect(r.state).toBe(st);
        expect(r.events).toEqual([]);
      }
    });

    it(`${kind} for a device that does not exist is ill-formed`, () => {
      const { state, mapping } = mapped('bidirectional');
      expect(rejectedWith(state, { kind, mapping, dev: 9, nents: 2, dir: 'to-device' })).toBe('ill-formed: no device 9');
    });
  }
});

describe('device_write', () => {
  it('device_write through a to-device mapping is a step (the driver programmed the device so): the write lands, and dma-api-hygiene judges it', () => {
    const { state: s1, mapping } = mapped('to-device');
    const { events } = run(s1, { kind: 'device_write', mapping, index: 0 });
    expect(events).toEqual([{ kind: 'device-access', device: IMPORTER, mapping, pfn: 0, gen: 1, reached: 0, write: true }]);
  });

  it('device_write through a from-device mapping emits device-access with the entry gen; a page already dirty is not marked (its writeback takes the data)', () => {
    const { state: s1, mapping } = mapped('from-device');
    const { state, events } = run(s1, { kind: 'device_write', mapping, index: 1 });
    expect(events).toEqual([{ kind: 'device-access', device: IMPORTER, mapping, pfn: 1, gen: 1, reached: 1, write: true }]);
    expect(frame(s1, 1).dirty).toBe(true);
    expect(frame(state, 1)).toEqual(frame(s1, 1));
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
    const { state: s3 } = run(s2, munmapVma(s2, lastId(s2.vmas)), mmapAnon(1), writeFault(0));
    expect(frame(s3, 0).gen).toBe(2);
    const { events } = run(s3, { kind: 'device_write', mapping, index: 0 });
    expect(events).toEqual([{ kind: 'device-access', device: IMPORTER, mapping, pfn: 0, gen: 1, reached: 0, write: true }]);
  });

  it('device_write to a frame that is now free leaves the free frame untouched', () => {
    const { state: s1 } = run(world(), mmapAnon(1), writeFault(0), { kind: 'sg_alloc_table', nents: 1 });
    const sgl = lastId(s1.sgls);
    const { state: s2 } = run(s1, { kind: 'sg_set_page', sgl, index: 0, page: 0 }, { kind: 'dma_map_sg', dev: IMPORTER, sgl, dir: 'from-device' });
    const mapping = lastId(s2.mappings);
    const { state: s3 } = run(s2, munmapVma(s2, lastId(s2.vmas)));
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
    expect(r.events).toEqual([{ kind: 'device-access', device: IMPORTER, mapping, pfn: 0, gen: 1, reached: 0, write: false }]);
  });

  it('device_read through a from-device mapping is rejected', () => {
    const { state, mapping } = mapped('from-device');
    const op: Op = { kind: 'device_read', mapping, index: 0 };
    expect(rejectedWith(state, op)).toContain('DMA_FROM_DEVICE; the device does not read it');
  });

  it('device_read of a P2PDMA mapping reports the P2PDMA pfn', () => {
    const { state, mapping } = p2pMapped();
    expect(run(state, { kind: 'device_read', mapping, index: 0 }).events).toEqual([
      { kind: 'device-access', device: IMPORTER, mapping, pfn: P2PDMA_BASE, gen: 1, reached: P2PDMA_BASE, write: false },
    ]);
  });
});
