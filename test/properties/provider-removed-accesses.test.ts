/**
 * provider-removal and no-dma-after-free judged on single accesses in the
 * default world (RAM 0..7, the P2PDMA BAR 0 of device 0 at pfns 8..9),
 * once the provider's removal completed (BAR 0 no longer alive).
 */
import * as O from 'fp-ts/lib/Option.js';
import { describe, expect, it } from 'vitest';
import type { Event } from '../../model/event.ts';
import type { Op } from '../../model/op.ts';
import type { State } from '../../model/state.ts';
import type { Invariant } from '../../properties/invariant.ts';
import { noDmaAfterFree } from '../../properties/invariants/no-dma-after-free.ts';
import { providerRemoval } from '../../properties/invariants/provider-removal.ts';
import { IMPORTER, P2PDMA_BASE, world } from '../model/helpers.ts';

const s = world();
const removed: State = { ...s, bars: s.bars.map((b) => (b.id === 0 ? { ...b, alive: false } : b)) };
const op: Op = { kind: 'device_stop_dma', dev: IMPORTER, mm: 0, start: 0, npages: 1 };
const verdict = (inv: Invariant, before: State, events: ReadonlyArray<Event>): string | null => O.toNullable(inv.check(before, op, { state: before, events }));
const access = (pfn: number, reached: number | null, write = true): Event => ({ kind: 'device-access', device: IMPORTER, mapping: 4, pfn, gen: s.frames[pfn]?.gen ?? 0, reached, write });

describe('provider-removal: accesses after the removal completed', () => {
  it('a device write and a CPU kmap_local_page of a P2PDMA page of the removed provider', () => {
    expect(verdict(providerRemoval, removed, [access(P2PDMA_BASE, P2PDMA_BASE)])).toBe(`device 1 wrote pfn ${P2PDMA_BASE} after the removal of provider device 0 completed`);
    expect(verdict(providerRemoval, removed, [{ kind: 'cpu-access', pfn: P2PDMA_BASE, via: 'kmap_local_page', io: false }])).toBe(
      `the CPU (kmap_local_page) accessed pfn ${P2PDMA_BASE} after the removal of provider device 0 completed`,
    );
  });
  it('the page being freed or dirtied is not an access; the same write before the removal, or to RAM, is fine', () => {
    expect(verdict(providerRemoval, removed, [{ kind: 'page-freed', pfn: P2PDMA_BASE }, { kind: 'page-dirtied', pfn: P2PDMA_BASE }])).toBeNull();
    expect(verdict(providerRemoval, s, [access(P2PDMA_BASE, P2PDMA_BASE)])).toBeNull();
    expect(verdict(providerRemoval, removed, [access(0, 0)])).toBeNull();
  });
  it('an access outside the modelled memory is no access to a BAR', () => {
    expect(verdict(providerRemoval, removed, [{ kind: 'cpu-access', pfn: 99, via: 'load', io: false }])).toBeNull();
  });
});

describe('no-dma-after-free: where the bus address lands', () => {
  it('a DMA address that reaches another frame, or no memory at all', () => {
    expect(verdict(noDmaAfterFree, s, [access(0, 5)])).toBe('device 1 wrote through mapping 4, made for pfn 0, but its bus address reaches pfn 5');
    expect(verdict(noDmaAfterFree, s, [access(0, null, false)])).toBe('device 1 read through mapping 4, made for pfn 0, but its bus address reaches no memory of the model (a wrong bus address)');
  });
  it('a device read of a P2PDMA page after its provider was removed', () => {
    expect(verdict(noDmaAfterFree, removed, [access(P2PDMA_BASE, P2PDMA_BASE, false)])).toBe(`device 1 read pfn ${P2PDMA_BASE} through mapping 4, but the provider of BAR 0 was removed`);
  });
});
