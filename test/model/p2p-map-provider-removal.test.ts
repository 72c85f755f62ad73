/**
 * p2p_map while the exporter's provider is being removed: the BAR is
 * marked removing before unmap_mapping_range's invalidation runs its
 * callbacks, and the exporter refuses new mappings from then on.
 */
import { describe, expect, it } from 'vitest';
import type { Op } from '../../model/op.ts';
import { designWorld, lastId, rejectedWith, run } from './helpers.ts';

const EXPORTER = 0;
const DRIVER = 1;
const barOp: Op = { kind: 'mmap', mm: 0, npages: 1, backing: { kind: 'bar', bar: 0 } };

describe('p2p_map during pci_stop_and_remove_bus_device', () => {
  it('p2p_map while the removal waits for an invalidate callback is -ENODEV, though the window is still mapped', () => {
    const { state: s1 } = run(designWorld('vma-p2p-map-notifier'), barOp, { kind: 'mmu_interval_notifier_insert', mm: 0, start: 0, npages: 1, owner: DRIVER });
    const vma = lastId(s1.vmas);
    const { state } = run(s1, { kind: 'pci_stop_and_remove_bus_device', dev: EXPORTER });
    expect(state.bars[0]).toMatchObject({ alive: true, removing: true });
    expect(state.invalidations.size).toBe(1);
    expect(state.vmas.get(vma)?.ptes.every((p) => p !== null)).toBe(true);
    expect(rejectedWith(state, { kind: 'p2p_map', vma, dev: DRIVER, write: true })).toBe('-ENODEV: the provider of BAR 0 was removed');
  });
});
