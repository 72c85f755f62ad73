/**
 * The single-page streaming DMA API (dma_map_page, dma_map_single,
 * dma_unmap_single), dma_mapping_error's dma-debug mark, and
 * device_release_driver.
 */
import { describe, expect, it } from 'vitest';
import type { Op } from '../../model/op.ts';
import { IMPORTER, ISOLATED, P2PDMA_BAR, P2PDMA_BASE, lastId, oldEra, rejectedWith, run, world } from './helpers.ts';

const mapPage = (page: number, dev = IMPORTER): Op => ({ kind: 'dma_map_page', dev, page, dir: 'to-device' });

describe('dma_map_page and dma_map_single', () => {
  it('dma_map_page for a device that does not exist is ill-formed', () => {
    expect(rejectedWith(world(), mapPage(0, 9))).toBe('ill-formed: no device 9');
  });

  it('dma_map_page of a pfn past every frame is ill-formed: there is no struct page', () => {
    expect(rejectedWith(world(), mapPage(99))).toBe('ill-formed: pfn 99 has no struct page (and no kernel virtual address)');
  });

  it('before 6.0 dma_map_page of a P2PDMA page gives its CPU physical address, which reaches no frame on the bus', () => {
    const { state } = run(world(oldEra), { kind: 'pci_alloc_p2pmem', bar: P2PDMA_BAR }, mapPage(P2PDMA_BASE));
    expect(state.mappings.get(lastId(state.mappings))?.entries).toEqual([{ dma: P2PDMA_BASE, pfn: P2PDMA_BASE, gen: 1, reaches: null }]);
  });

  it('dma_unmap_single undoes a dma_map_single mapping', () => {
    const { state: s1 } = run(world(), { kind: 'dma_map_single', dev: IMPORTER, page: 0, dir: 'to-device' });
    const mapping = lastId(s1.mappings);
    const { state, events } = run(s1, { kind: 'dma_unmap_single', mapping, dev: IMPORTER, dir: 'to-device' });
    expect(events).toEqual([{ kind: 'mapping-torn-down', mapping }]);
    expect(state.mappings.size).toBe(0);
  });

  it('dma_unmap_page also undoes a dma_map_single mapping (the DMA layer unmaps by address)', () => {
    const { state: s1 } = run(world(), { kind: 'dma_map_single', dev: IMPORTER, page: 0, dir: 'to-device' });
    const mapping = lastId(s1.mappings);
    const { events } = run(s1, { kind: 'dma_unmap_page', mapping, dev: IMPORTER, dir: 'to-device' });
    expect(events).toEqual([{ kind: 'mapping-torn-down', mapping }]);
  });
});

describe('dma_mapping_error', () => {
  it("dma_mapping_error by another device leaves the mapping's dma-debug mark unset", () => {
    const { state: s1 } = run(world(), mapPage(0));
    const mapping = lastId(s1.mappings);
    const { state, events } = run(s1, { kind: 'dma_mapping_error', dev: ISOLATED, mapping });
    expect(events).toEqual([]);
    expect(state.mappings.get(mapping)?.errorChecked).toBe(false);
    const { state: checked } = run(s1, { kind: 'dma_mapping_error', dev: IMPORTER, mapping });
    expect(checked.mappings.get(mapping)?.errorChecked).toBe(true);
  });

  it('dma_mapping_error on an address no mapping gave changes nothing', () => {
    const s = world();
    const { state, events } = run(s, { kind: 'dma_mapping_error', dev: IMPORTER, mapping: 5 });
    expect(events).toEqual([]);
    expect(state).toBe(s);
  });
});

describe('device_release_driver', () => {
  it('device_release_driver unbinds once; a second call on the unbound device does nothing', () => {
    const { state: s1, events } = run(world(), { kind: 'device_release_driver', dev: IMPORTER });
    expect(events).toEqual([{ kind: 'driver-unbound', device: IMPORTER }]);
    expect(s1.devices[IMPORTER]?.bound).toBe(false);
    const { state, events: again } = run(s1, { kind: 'device_release_driver', dev: IMPORTER });
    expect(again).toEqual([]);
    expect(state).toBe(s1);
  });
});
