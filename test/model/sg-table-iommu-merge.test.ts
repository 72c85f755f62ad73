/**
 * Building and mapping a struct sg_table: sg_alloc_table's size limit,
 * sg_set_page of a pfn with no struct page, and the entry count
 * dma_map_sg returns behind an IOMMU that merges entries (which
 * pci_p2pdma_map_sg, mapping bus addresses, does not do).
 */
import { describe, expect, it } from 'vitest';
import type { State } from '../../model/state.ts';
import { MAX_SG_ENTRIES } from '../../model/ops/scatterlist.ts';
import { makeWorld } from '../../model/world.ts';
import { IMPORTER, P2PDMA_BASE, lastId, mmapAnon, gup, rejectedWith, run, world, worldSpec } from './helpers.ts';

/** The default world with the importer behind an IOMMU that merges scatterlist entries. */
const mergingWorld = (): State => {
  const spec = worldSpec();
  return makeWorld({ ...spec, devices: spec.devices.map((d, i) => (i === IMPORTER ? { ...d, iommuMergesSg: true } : d)) });
};

describe('sg_alloc_table', () => {
  it(`sg_alloc_table of exactly the model's limit (${MAX_SG_ENTRIES} entries) is accepted`, () => {
    const { state } = run(world(), { kind: 'sg_alloc_table', nents: MAX_SG_ENTRIES });
    expect(state.sgls.get(lastId(state.sgls))?.entries).toHaveLength(MAX_SG_ENTRIES);
    expect(rejectedWith(world(), { kind: 'sg_alloc_table', nents: MAX_SG_ENTRIES + 1 })).toBe(
      `ill-formed: nents ${MAX_SG_ENTRIES + 1} is over the model's limit of ${MAX_SG_ENTRIES}`,
    );
  });

  it('sg_set_page of a pfn past every frame is ill-formed: it has no struct page', () => {
    const { state } = run(world(), { kind: 'sg_alloc_table', nents: 1 });
    expect(rejectedWith(state, { kind: 'sg_set_page', sgl: lastId(state.sgls), index: 0, page: 99 })).toBe('ill-formed: pfn 99 has no struct page');
  });
});

describe('IOMMU merging', () => {
  it('dma_map_sg of two RAM pages behind a merging IOMMU returns one mapped entry', () => {
    const { state: s1 } = run(mergingWorld(), mmapAnon(2), gup(0, 2, true));
    const { state: s2 } = run(s1, { kind: 'sg_alloc_table_from_pages', pages: lastId(s1.pageArrays) });
    const sgl = lastId(s2.sgls);
    const { state } = run(s2, { kind: 'dma_map_sg', dev: IMPORTER, sgl, dir: 'from-device' });
    expect(state.mappings.get(lastId(state.mappings))).toMatchObject({ api: 'dma_map_sg', nents: 2, mapped: 1 });
  });

  it('pci_p2pdma_map_sg of two P2PDMA pages for the same device maps both entries: bus addresses are not merged by the IOMMU', () => {
    const { state: s1 } = run(mergingWorld(), { kind: 'sg_alloc_table', nents: 2 });
    const sgl = lastId(s1.sgls);
    const { state } = run(
      s1,
      { kind: 'sg_set_page', sgl, index: 0, page: P2PDMA_BASE },
      { kind: 'sg_set_page', sgl, index: 1, page: P2PDMA_BASE + 1 },
      { kind: 'pci_p2pdma_map_sg', dev: IMPORTER, sgl, dir: 'bidirectional' },
    );
    expect(state.mappings.get(lastId(state.mappings))).toMatchObject({ api: 'pci_p2pdma_map_sg', nents: 2, mapped: 2 });
  });
});
