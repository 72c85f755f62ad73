/**
 * p2p-reachable: the rule fires when a map call gives a device an address
 * that does not reach the memory, through paths other than its two corpus
 * traces (a RAM page in a 2019 pci_p2pdma_map_sg table, a P2PDMA page
 * bounced by a DMA layer that lost its check), and a map call that gives
 * every page its right address passes.
 */
import { describe, expect, it } from 'vitest';
import { designById } from '../../model/designs/index.ts';
import type { Op } from '../../model/op.ts';
import { withVariant } from '../../model/variant.ts';
import { catalogue } from '../../properties/mutants/catalogue.ts';
import { invariantById } from '../../properties/registry.ts';
import { replay, type ReplayResult } from '../../properties/replay.ts';

const check = (design: string, ops: ReadonlyArray<Op>): ReplayResult => replay(designById(design)!, ops, [invariantById('p2p-reachable')]);
const violation = (r: ReplayResult): [number, string] => (r.kind === 'violates' ? [r.at, r.violation.message] : [-1, r.kind === 'rejected' ? r.reason : r.kind]);

/** An O_DIRECT read into one page of anonymous memory (vma 1, pinned as page array 2, table 3) and the map call `map` of table 3. */
const anonIo = (map: Op): ReadonlyArray<Op> => [
  { kind: 'mmap', mm: 0, npages: 1, backing: { kind: 'anon' } },
  { kind: 'pin_user_pages', mm: 0, start: 0, npages: 1, write: true, longterm: false, p2pdma: false },
  { kind: 'sg_alloc_table_from_pages', pages: 2 },
  map,
];

/** The same on the provider's p2pmem allocate file: a P2PDMA page, pinned with FOLL_PCI_P2PDMA. */
const p2pmemIo = (map: Op): ReadonlyArray<Op> => [
  { kind: 'mmap', mm: 0, npages: 1, backing: { kind: 'p2pmem', bar: 0 } },
  { kind: 'pin_user_pages', mm: 0, start: 0, npages: 1, write: true, longterm: false, p2pdma: true },
  { kind: 'sg_alloc_table_from_pages', pages: 2 },
  map,
];

describe('p2p-reachable', () => {
  it('catches a RAM page in a table given to the 2019 pci_p2pdma_map_sg: the bus-address arithmetic of a page that is not P2P memory', () => {
    const r = check('p2pdma-page-sgl', anonIo({ kind: 'pci_p2pdma_map_sg', dev: 1, sgl: 3, dir: 'from-device' }));
    expect(violation(r)[0]).toBe(4);
    expect(violation(r)[1]).toMatch(/^pci_p2pdma_map_sg gave device 1 DMA address 0x[0-9a-f]+ for RAM pfn 0, which reaches no memory from that device$/);
  });

  it('catches a P2PDMA page bounced through swiotlb when the DMA layer loses its P2PDMA check (the catalogue mutant), and passes the same call without it', () => {
    const ops = p2pmemIo({ kind: 'dma_map_sg', dev: 1, sgl: 3, dir: 'from-device' });
    expect(check('foll-pci-p2pdma-bounce', ops)).toMatchObject({ kind: 'rejected', at: 4 });
    const broken = withVariant(catalogue.find((m) => m.id === 'swiotlb-bounces-p2pdma')!.variant, () => check('foll-pci-p2pdma-bounce', ops));
    expect(violation(broken)[1]).toContain('a swiotlb bounce slot for pfn');
    expect(violation(broken)[1]).toContain('MMIO cannot bounce');
  });

  it('passes dma_map_sg of a P2PDMA page below a common switch (its bus address) and of a RAM page (its DMA address)', () => {
    expect(check('foll-pci-p2pdma', p2pmemIo({ kind: 'dma_map_sg', dev: 1, sgl: 3, dir: 'from-device' })).kind).toBe('holds');
    expect(check('foll-pci-p2pdma', anonIo({ kind: 'dma_map_sg', dev: 1, sgl: 3, dir: 'from-device' })).kind).toBe('holds');
  });

  it('judges the map call, before any access: the pre-6.0 dma_map_sg of a P2PDMA page is caught at the map, no-dma-after-free only at the device write', () => {
    const ops: Op[] = [
      { kind: 'pci_alloc_p2pmem', bar: 0 },
      { kind: 'sg_alloc_table', nents: 1 },
      { kind: 'sg_set_page', sgl: 1, index: 0, page: 6 },
      { kind: 'dma_map_sg', dev: 1, sgl: 1, dir: 'from-device' },
      { kind: 'device_write', mapping: 2, index: 0 },
    ];
    const d = designById('dma-api-misuse')!;
    expect(violation(check('dma-api-misuse', ops))[0]).toBe(4);
    const later = replay(d, ops, [invariantById('no-dma-after-free')]);
    expect(violation(later)[0]).toBe(5);
  });
});
