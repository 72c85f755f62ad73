/** provider-removal: the invariant (removal completing under live mappings, access after it) and the liveness of the wait. */
import { describe, expect, it } from 'vitest';
import { designById } from '../../model/designs/index.ts';
import type { Op } from '../../model/op.ts';
import { removalLiveness } from '../../properties/liveness.ts';
import { invariantById } from '../../properties/registry.ts';
import { replay } from '../../properties/replay.ts';

const run = (design: string, ops: ReadonlyArray<Op>) => replay(designById(design)!, ops, [invariantById('provider-removal')]);

const bar: Op = { kind: 'mmap', mm: 0, npages: 1, backing: { kind: 'bar', bar: 0 } };
const imported: ReadonlyArray<Op> = [bar, { kind: 'p2p_map', vma: 1, dev: 1, write: true }, { kind: 'device_program', dev: 1, mapping: 2 }];

describe('provider-removal', () => {
  it('fires when a raw BAR exporter is removed while the importer\'s device is still programmed with its addresses (no notifier)', () => {
    const r = run('vma-p2p-map', [...imported, { kind: 'pci_stop_and_remove_bus_device', dev: 0 }]);
    expect(r.kind).toBe('violates');
    if (r.kind === 'violates') {
      expect(r.at).toBe(4);
      expect(r.violation.message).toBe('the removal of provider device 0 completed while mapping 2 (p2p_map for device 1) still holds the DMA address of pfn 6');
    }
  });

  it('fires when the mapping was given back but the device was never stopped: its page table still holds the address', () => {
    const r = run('vma-p2p-map', [...imported, { kind: 'p2p_unmap', mapping: 2 }, { kind: 'pci_stop_and_remove_bus_device', dev: 0 }]);
    expect(r.kind === 'violates' && [r.at, r.violation.message]).toEqual([5, 'the removal of provider device 0 completed while device 1 is still programmed with pfn 6 (mapping 2)']);
  });

  it('holds when the importer stops its device and gives the mapping back before the removal', () => {
    const r = run('vma-p2p-map', [...imported, { kind: 'device_stop_dma', dev: 1, mm: 0, start: 0, npages: 1 }, { kind: 'p2p_unmap', mapping: 2 }, { kind: 'pci_stop_and_remove_bus_device', dev: 0 }]);
    expect(r.kind).toBe('holds');
  });

  it('holds when the importer\'s notifier callback stops the device and p2p_unmaps before the removal completes', () => {
    const d = designById('vma-p2p-map-notifier')!;
    const ops: Op[] = [bar, { kind: 'mmu_interval_notifier_insert', mm: 0, start: 0, npages: 1, owner: 1 }, { kind: 'pci_stop_and_remove_bus_device', dev: 0 }];
    // The callback runs as thread 4: lock, set_seq, stop, (nothing to unmap), unlock, return; then range_end.
    const callback: Op[] = [
      { kind: 'driver_lock', dev: 1, by: 4 },
      { kind: 'mmu_interval_set_seq', notifier: 2, seq: 3, by: 4 },
      { kind: 'device_stop_dma', dev: 1, mm: 0, start: 0, npages: 1, by: 4 },
      { kind: 'driver_unlock', dev: 1, by: 4 },
      { kind: 'invalidate_callback_return', notifier: 2, ret: true, by: 4 },
      { kind: 'mmu_notifier_invalidate_range_end', inv: 3 },
    ];
    const r = replay(d, [...ops, ...callback], [invariantById('provider-removal')]);
    expect(r.kind).toBe('holds');
    if (r.kind === 'holds') expect(r.trace.at(-1)!.events.map((e) => e.kind)).toContain('provider-removed');
  });
});

describe('the liveness of provider removal (memunmap_pages waits for every page)', () => {
  it('in p2pdma-page-sgl a started removal can always still complete: the whole space is explored', () => {
    const r = removalLiveness(designById('p2pdma-page-sgl')!, 20000);
    expect(r).toMatchObject({ kind: 'always-completes', complete: true });
    if (r.kind === 'always-completes') expect(r.started).toBeGreaterThan(0);
  });

  it('an orchestrator whose recipe never frees its allocation makes the removal hang, and the shortest trace shows it', () => {
    const d = designById('p2pdma-page-sgl')!;
    const mutant = { ...d, driver: d.driver.filter((t) => t.name !== 'pci_free_p2pmem') };
    const r = removalLiveness(mutant, 20000);
    expect(r.kind).toBe('hangs');
    if (r.kind === 'hangs') {
      expect(r.trace.map((t) => t.op.kind)).toEqual(['pci_alloc_p2pmem', 'pci_stop_and_remove_bus_device']);
      expect(r.held).toEqual([6]);
    }
  });

  it('a design whose provider has no P2PDMA pages has no such wait', () => {
    expect(removalLiveness(designById('vma-p2p-map')!, 200).kind).toBe('no-removal');
  });
});
