/**
 * VFIO's dma-buf through the host bridge (model/ops/dmabuf-phys.ts): the
 * table is one IOVA range built by dma_buf_phys_vec_to_sgt and destroyed
 * by dma_buf_free_sgt at the unmap; a first link the IOMMU refuses leaks
 * the range as merged and gives it back with the proposed fix; a failed
 * sync gives everything back; a device still using the table after the
 * unmap faults in the IOMMU.
 */
import { describe, expect, it } from 'vitest';
import { designById } from '../../model/designs/index.ts';
import type { Op } from '../../model/op.ts';
import type { State } from '../../model/state.ts';
import { makeWorld } from '../../model/world.ts';
import { invariantById } from '../../properties/registry.ts';
import { replay } from '../../properties/replay.ts';
import { peekThread } from '../../model/driver-thread.ts';
import { kinds, rejectedWith, run } from './helpers.ts';

const world = (id: string): State => makeWorld(designById(id)!.world);
/** VFIO's dma-buf 1 of its whole BAR, attachment 2 of the importer (device 1), and the importer holding the reservation lock. */
const SETUP: ReadonlyArray<Op> = [
  { kind: 'dma_buf_export', dev: 0, bar: 0 },
  { kind: 'dma_buf_dynamic_attach', dmabuf: 1, dev: 1, peer2peer: true },
  { kind: 'dma_resv_lock', dmabuf: 1, dev: 1 },
];
const MAP: Op = { kind: 'dma_buf_map_attachment', attachment: 2, dir: 'bidirectional' };
const inject = (call: 'iommu_map' | 'iommu_sync_map'): Op => ({ kind: 'iommu_fault_inject', dev: 1, call });

describe('dma_buf_phys_vec_to_sgt through the host bridge, the importer behind dma-iommu', () => {
  it('maps the BAR into one IOVA range whose pages the table entries name, and the unmap destroys the range', () => {
    const mapped = run(world('vfio-dmabuf-phys'), ...SETUP, MAP);
    expect(kinds(mapped.events)).toEqual(expect.arrayContaining(['iova-allocated', 'iova-linked', 'iova-synced', 'dmabuf-mapped']));
    // The range is IOVA 3, the table mapping 4: one entry per BAR page, each a page of the range.
    const m = mapped.state.mappings.get(4)!;
    expect(m.entries.map((e) => e.iova)).toEqual([{ id: 3, offset: 0 }, { id: 3, offset: 1 }]);
    expect(mapped.state.iovas.get(3)!.owner).toEqual({ kind: 'table', mapping: 4 });
    const unmapped = run(mapped.state, { kind: 'dma_buf_unmap_attachment', attachment: 2, mapping: 4 });
    expect(unmapped.state.iovas.size).toBe(0);
    expect(unmapped.events.find((e) => e.kind === 'iova-unlinked')).toMatchObject({ requested: 2, unmapped: 2 });
  });

  it('as merged, a first link the IOMMU refuses returns -ENOMEM and leaves the range allocated with no owner; with the proposed fix the call gives everything back', () => {
    const leaked = run(world('vfio-dmabuf-phys'), inject('iommu_map'), ...SETUP, MAP);
    expect(leaked.events.find((e) => e.kind === 'call-failed')).toMatchObject({ op: 'dma_buf_map_attachment' });
    expect([...leaked.state.iovas.values()].map((v) => [v.allocated, v.owner])).toEqual([[true, { kind: 'table', mapping: null }]]);
    expect(leaked.state.mappings.size).toBe(0);
    const fixed = run(world('vfio-dmabuf-phys-fixed'), inject('iommu_map'), ...SETUP).state;
    expect(rejectedWith(fixed, MAP)).toMatch(/^-ENOMEM: dma_buf_phys_vec_to_sgt: dma_iova_link of range 0 failed/);
  });

  it("the importer's map path gets the error back after the leak: it unlocks and returns it, and no new registration is tried", () => {
    const s = run(world('vfio-dmabuf-phys'), inject('iommu_map'), { kind: 'dma_buf_export', dev: 0, bar: 0 }, { kind: 'dma_buf_dynamic_attach', dmabuf: 1, dev: 1, peer2peer: true }, { kind: 'driver_map_attachment', dev: 1, attachment: 2 }).state;
    const failed = run(s, { kind: 'dma_resv_lock', dmabuf: 1, dev: 1, by: 3 }, { kind: 'dma_buf_map_attachment', attachment: 2, dir: 'bidirectional', by: 3 });
    expect(peekThread(failed.state, 3)).toEqual({ kind: 'dma_resv_unlock', dmabuf: 1, dev: 1, by: 3 });
    const ended = run(failed.state, { kind: 'dma_resv_unlock', dmabuf: 1, dev: 1, by: 3 }, { kind: 'driver_return', dev: 1, err: '-ENODEV', by: 3 }).state;
    expect([ended.threads.size, ended.dmaBufs.get(1)!.resv, ended.iovas.size]).toEqual([0, null, 1]);
    const d = designById('vfio-dmabuf-phys')!;
    expect(d.driver.find((t) => t.name === 'driver_map_attachment')!.options(ended)).toEqual([]);
  });

  it('a sync the IOMMU refuses goes to err_unmap_dma, which destroys what was linked: the call changes nothing', () => {
    const s = run(world('vfio-dmabuf-phys'), inject('iommu_sync_map'), ...SETUP).state;
    expect(rejectedWith(s, MAP)).toMatch(/^-ENOMEM: dma_buf_phys_vec_to_sgt: dma_iova_sync failed/);
  });

  it('a job that runs on after the unmap faults in the IOMMU (iova-state), where through a common switch it would still reach the BAR', () => {
    const ops: Op[] = [...SETUP, MAP, { kind: 'dma_resv_add_fence', dmabuf: 1, dev: 1, mapping: 4 }, { kind: 'dma_buf_unmap_attachment', attachment: 2, mapping: 4 }, { kind: 'device_write', mapping: 4, index: 1 }];
    const r = replay(designById('vfio-dmabuf-phys-fixed')!, ops, [invariantById('iova-state')]);
    expect(r.kind === 'violates' ? [r.at, r.violation.message] : r.kind).toEqual([
      7,
      "device 1 wrote page 1 of IOVA 3, which its driver handed it, but that page is not linked: the IOMMU faults and the I/O's data is lost",
    ]);
  });

  it('without an IOMMU, an importer that must bounce (a confidential guest) is refused: dma_map_phys(DMA_ATTR_MMIO) will not bounce MMIO', () => {
    const spec = designById('vfio-dmabuf-phys')!.world;
    const bouncing = makeWorld({ ...spec, devices: spec.devices.map((d, i) => (i === 1 ? { ...d, iommuMergesSg: false, swiotlbForce: true } : d)) });
    expect(rejectedWith(run(bouncing, ...SETUP).state, MAP)).toMatch(/^-ENOMEM: dma_buf_phys_vec_to_sgt: dma_map_phys\(DMA_ATTR_MMIO\) of dma-buf 1 returns DMA_MAPPING_ERROR/);
    const direct = makeWorld({ ...spec, devices: spec.devices.map((d, i) => (i === 1 ? { ...d, iommuMergesSg: false } : d)) });
    const mapped = run(direct, ...SETUP, MAP).state;
    // Its CPU physical addresses: the model's dma-direct address of a frame is its pfn.
    expect(mapped.mappings.get(3)!.entries.map((e) => [e.dma, e.pfn, e.iova])).toEqual([[6, 6, undefined], [7, 7, undefined]]);
  });

  it('a buffer of two ranges never maps as merged (each range linked at offset 0, the second refused over the first); with the proposed fix both are linked in their place', () => {
    const ranges: ReadonlyArray<Op> = [{ kind: 'dma_buf_export', dev: 0, bar: 0, pages: [1, 0] }, ...SETUP.slice(1)];
    expect(rejectedWith(run(world('vfio-dmabuf-phys'), ...ranges).state, MAP)).toMatch(/^-EEXIST: dma_buf_phys_vec_to_sgt links range 1 at offset 0, over range 0/);
    const spec = designById('vfio-dmabuf-phys')!.world;
    const fixed = run(makeWorld({ ...spec, era: { ...spec.era, physVecLinksAtOffset: true } }), ...ranges, MAP).state;
    // Range 0 is BAR page 1 (pfn 7), range 1 BAR page 0 (pfn 6): each page of the table reaches its own.
    expect(fixed.mappings.get(4)!.entries.map((e) => [e.pfn, e.reaches])).toEqual([[7, 7], [6, 6]]);
  });

  it('through a common switch (vfio-dmabuf-revoke) the table keeps bus addresses and no IOVA range is made', () => {
    const mapped = run(world('vfio-dmabuf-revoke'), ...SETUP, MAP).state;
    expect(mapped.iovas.size).toBe(0);
    expect(mapped.mappings.get(3)!.entries.every((e) => e.iova === undefined)).toBe(true);
  });
});
