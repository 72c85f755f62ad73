/**
 * exploreDesign on vma-p2p-map (mmap the BAR, p2p_map + device_program,
 * munmap, remove the provider, device writes): the shortest violation,
 * replayed into kernel calls, and the memory it reports.
 */
import { describe, expect, it } from 'vitest';
import { designById } from '../../model/designs/index.ts';
import { exploreDesign, opsOf } from '../../properties/explore-dma.ts';
import { invariantById } from '../../properties/registry.ts';

const design = designById('vma-p2p-map')!;
const e = exploreDesign(design, [invariantById('provider-removal'), invariantById('no-dma-after-free')], { maxStates: 50 });

describe('exploreDesign on vma-p2p-map within 50 states', () => {
  it('pci_stop_and_remove_bus_device with the importer programmed; no device access to freed memory yet', () => {
    expect(e.result.states).toBe(50);
    expect(e.violations.map((v) => [v.invariant, v.depth, v.message])).toEqual([
      ['provider-removal', 3, 'the removal of provider device 0 completed while mapping 2 (p2p_map for device 1) still holds the DMA address of pfn 6'],
    ]);
    expect(e.violations.map((v) => opsOf(v).map((op) => op.kind))).toEqual([['mmap', 'p2p_map', 'device_program', 'pci_stop_and_remove_bus_device']]);
    expect(opsOf(e.violations[0]!)).toEqual(e.violations[0]!.trace.map((t) => t.op));
  });

  it('bytes per state count the interned canonical keys on top of the store', () => {
    const store = e.result.bytes / e.result.states;
    // Every key names each frame, BAR, device and inode of the world: well over 50 UTF-16 characters.
    expect(e.bytesPerState).toBeGreaterThan(store + 100);
    expect(e.bytesPerState).toBeLessThan(store + 4096);
  });
});
