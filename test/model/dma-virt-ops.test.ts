/**
 * dma_virt_ops devices (lib/dma-virt.c, until 5.10: rxe, siw, rdmavt):
 * dma_map_sg gives every entry its kernel virtual address, every device
 * access is a CPU copy, and the 2019 P2PDMA code keeps P2P memory away
 * from such a client (pci_p2pdma_distance_many, pci_p2pdma_map_sg).
 */
import { describe, expect, it } from 'vitest';
import { mapType } from '../../model/dma-address.ts';
import type { State } from '../../model/state.ts';
import { makeWorld } from '../../model/world.ts';
import { invariantById } from '../../properties/registry.ts';
import { IMPORTER, P2PDMA_BAR, P2PDMA_BASE, gup, lastId, mmapAnon, rejectedWith, run, worldSpec } from './helpers.ts';

/** The test world with the importer a dma_virt_ops device. */
const soft = (): State => {
  const w = worldSpec();
  return makeWorld({ ...w, devices: w.devices.map((d, i) => (i === IMPORTER ? { ...d, virtDma: true } : d)) });
};

/** A table of one allocated P2PDMA page. */
const p2pTable = (s: State): { state: State; sgl: number } => {
  const { state: s1 } = run(s, { kind: 'pci_alloc_p2pmem', bar: P2PDMA_BAR }, { kind: 'sg_alloc_table', nents: 1 });
  const sgl = lastId(s1.sgls);
  return { state: run(s1, { kind: 'sg_set_page', sgl, index: 0, page: P2PDMA_BASE }).state, sgl };
};

describe('a dma_virt_ops device', () => {
  it('pci_p2pdma_distance refuses it, so pci_p2pmem_find finds no provider for it; an ordinary client gets one', () => {
    expect(mapType(soft(), 0, IMPORTER)).toBe('not-supported');
    expect(rejectedWith(soft(), { kind: 'pci_p2pmem_find', client: IMPORTER })).toBe(
      `returns NULL: no live provider of p2pmem that device ${IMPORTER} can reach (pci_p2pdma_distance_many: device uses dma_virt_ops)`,
    );
    const ordinary = makeWorld(worldSpec());
    expect(run(ordinary, { kind: 'pci_p2pmem_find', client: IMPORTER }).events).toEqual([{ kind: 'p2pmem-found', provider: 0 }]);
  });

  it('pci_p2pdma_map_sg refuses it (WARN_ON_ONCE, returns 0)', () => {
    const { state, sgl } = p2pTable(soft());
    expect(rejectedWith(state, { kind: 'pci_p2pdma_map_sg', dev: IMPORTER, sgl, dir: 'to-device' })).toBe(`returns 0: device ${IMPORTER} uses dma_virt_ops (WARN_ON_ONCE: p2pdma mappings are not compatible with it)`);
  });

  it('its access through dma_map_sg of RAM is a CPU copy of the page, which no-cpu-iomem counts and allows', () => {
    const { state: s1 } = run(soft(), mmapAnon(1), gup(0, 1, true), { kind: 'sg_alloc_table_from_pages', pages: 2 }, { kind: 'dma_map_sg', dev: IMPORTER, sgl: 3, dir: 'from-device' });
    const m = s1.mappings.get(4)!;
    expect(m.entries.map((e) => e.reaches)).toEqual([0]);
    const { state, events } = run(s1, { kind: 'device_write', mapping: 4, index: 0 });
    expect(events).toContainEqual({ kind: 'cpu-access', pfn: 0, via: 'dma_virt_ops', io: false });
    const inv = invariantById('no-cpu-iomem');
    const step = { state, events };
    expect(inv.exercised(s1, { kind: 'device_write', mapping: 4, index: 0 }, step)).toBe(true);
    expect(inv.check(s1, { kind: 'device_write', mapping: 4, index: 0 }, step)._tag).toBe('None');
  });

  it('dma_map_sg of a P2PDMA page gives it its kernel virtual address, and the access is a plain CPU copy of __iomem', () => {
    const { state: s1, sgl } = p2pTable(soft());
    const { state: s2 } = run(s1, { kind: 'dma_map_sg', dev: IMPORTER, sgl, dir: 'to-device' });
    const mapping = lastId(s2.mappings);
    const op = { kind: 'device_read', mapping, index: 0 } as const;
    const r = run(s2, op);
    expect(r.events).toContainEqual({ kind: 'cpu-access', pfn: P2PDMA_BASE, via: 'dma_virt_ops', io: false });
    const v = invariantById('no-cpu-iomem').check(s2, op, r);
    expect(v._tag === 'Some' && v.value).toBe(`dma_virt_ops made a plain CPU access to pfn ${P2PDMA_BASE}, a ZONE_DEVICE P2PDMA page in BAR ${P2PDMA_BAR} of device 0 (__iomem)`);
  });
});

describe('dma_map_page on a dma_virt_ops device', () => {
  it('gives the kernel virtual address of any page, a P2PDMA page too, and the access is a CPU copy of it (dma_virt_map_page)', () => {
    const { state: s1 } = run(soft(), { kind: 'pci_alloc_p2pmem', bar: P2PDMA_BAR }, { kind: 'dma_map_page', dev: IMPORTER, page: P2PDMA_BASE, dir: 'to-device' });
    const m = s1.mappings.get(lastId(s1.mappings))!;
    expect(m.entries.map((e) => e.reaches)).toEqual([P2PDMA_BASE]);
    const { events } = run(s1, { kind: 'device_read', mapping: m.id, index: 0 });
    expect(events).toContainEqual({ kind: 'cpu-access', pfn: P2PDMA_BASE, via: 'dma_virt_ops', io: false });
    expect(invariantById('no-cpu-iomem').check(s1, { kind: 'device_read', mapping: m.id, index: 0 }, run(s1, { kind: 'device_read', mapping: m.id, index: 0 }))._tag).toBe('Some');
    // An ordinary client's dma_map_page of the same page is refused since 6.0.
    const ordinary = run(makeWorld(worldSpec()), { kind: 'pci_alloc_p2pmem', bar: P2PDMA_BAR }).state;
    expect(rejectedWith(ordinary, { kind: 'dma_map_page', dev: IMPORTER, page: P2PDMA_BASE, dir: 'to-device' })).toContain('DMA_MAPPING_ERROR');
  });
});
