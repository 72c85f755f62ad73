/**
 * The liveness of a P2PDMA provider's removal (memunmap_pages waits for
 * every page reference) when the world also has a raw BAR without struct
 * pages: only the P2PDMA BAR's removal is waited for, so the answers are
 * those of p2pdma-page-sgl alone.
 */
import { describe, expect, it } from 'vitest';
import { designById } from '../../model/designs/index.ts';
import { removalLiveness } from '../../properties/liveness.ts';

const d = designById('p2pdma-page-sgl')!;
const withRawBar = { ...d, world: { ...d.world, bars: [...d.world.bars, { device: d.world.devices.length - 1, npages: 1, structPages: false }] } };

describe('removalLiveness beside a raw BAR that is never removed', () => {
  it('pci_stop_and_remove_bus_device of the P2PDMA provider still starts and completes: same counts as without the raw BAR', () => {
    expect(withRawBar.world.bars.map((b) => b.structPages)).toEqual([...d.world.bars.map((b) => b.structPages), false]);
    expect(removalLiveness(withRawBar, 10)).toEqual(removalLiveness(d, 10));
    expect(removalLiveness(withRawBar, 10)).toEqual({ kind: 'completes', states: 10, started: 2, complete: false });
  });
});
