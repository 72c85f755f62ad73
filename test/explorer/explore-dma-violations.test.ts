/**
 * exploreDesign on vma-p2p-map (mmap the BAR, p2p_map + device_program,
 * munmap, remove the provider, device writes): the shortest violation,
 * replayed into kernel calls, and the memory it reports.
 */
import { describe, expect, it } from 'vitest';
import { designById } from '../../model/designs/index.ts';
import { type DmaExploration, MAX_ACTIONS, enabledActions, exploreDesign, opsOf } from '../../properties/explore-dma.ts';
import type { StepTemplate } from '../../model/designs/design.ts';
import { makeWorld } from '../../model/world.ts';
import { invariantById } from '../../properties/registry.ts';

const design = designById('vma-p2p-map')!;
// Explored inside each test, not at import: under StrykerJS a mutant is switched on only
// after the test file is imported, and a test is run for a mutant only if its own body reaches it.
const explored = (): DmaExploration => exploreDesign(design, [invariantById('provider-removal'), invariantById('no-dma-after-free')], { maxStates: 50 });

describe('exploreDesign on vma-p2p-map within 50 states', () => {
  it('pci_stop_and_remove_bus_device with the importer programmed; no device access to freed memory yet', () => {
    const e = explored();
    expect(e.result.states).toBe(50);
    expect(e.violations.map((v) => [v.invariant, v.depth, v.message])).toEqual([
      ['provider-removal', 3, 'the removal of provider device 0 completed while mapping 2 (p2p_map for device 1) still holds the DMA address of pfn 6'],
    ]);
    expect(e.violations.map((v) => opsOf(v).map((op) => op.kind))).toEqual([['mmap', 'p2p_map', 'device_program', 'pci_stop_and_remove_bus_device']]);
    expect(opsOf(e.violations[0]!)).toEqual(e.violations[0]!.trace.map((t) => t.op));
  });

  it('bytes per state count the interned canonical keys on top of the store', () => {
    const e = explored();
    const store = e.result.bytes / e.result.states;
    // Every key names each frame, BAR, device and inode of the world: well over 50 UTF-16 characters.
    expect(e.bytesPerState).toBeGreaterThan(store + 100);
    expect(e.bytesPerState).toBeLessThan(store + 4096);
  });
});

describe('a state with more actions than the explorer can number', () => {
  it('is a model bug naming the design and the count (one action past MAX_ACTIONS); MAX_ACTIONS itself is accepted', () => {
    const mmaps = (n: number): StepTemplate => ({
      name: 'mmap_many',
      role: 'driver',
      weight: 1,
      options: () => Array.from({ length: n }, () => [() => ({ kind: 'mmap', mm: 0, npages: 1, backing: { kind: 'anon' } })]),
    });
    const wide = (n: number) => ({ ...design, id: 'wide', driver: [mmaps(n)], environment: [] });
    expect(() => enabledActions(wide(MAX_ACTIONS + 1), makeWorld(design.world))).toThrow(`wide: ${MAX_ACTIONS + 1} actions enabled in one state (more than ${MAX_ACTIONS})`);
    expect(enabledActions(wide(MAX_ACTIONS), makeWorld(design.world))).toHaveLength(MAX_ACTIONS);
  });
});
