/**
 * An exporter of MMIO ranges (VFIO since 2025) builds its importer's table
 * with dma_buf_phys_vec_to_sgt() (drivers/dma-buf/dma-buf-mapping.c), and
 * frees it with dma_buf_free_sgt(). Through a host bridge, for an importer
 * behind dma-iommu, that is the two-step IOVA API: one range for the whole
 * buffer, each physical range linked with DMA_ATTR_MMIO, one sync, and one
 * table entry for the range; the free destroys the range. The model runs
 * the helper as one call: the importer holds the reservation lock across
 * it, so nothing of the dma-buf runs in between, and what may happen
 * inside (an IOMMU call failing) is fault injection, armed before.
 *
 * As merged (read in torvalds/linux at 0b9828c7231e): every range is
 * linked at offset 0 of the IOVA range; a failing link or sync goes to
 * err_unmap_dma, which destroys what was linked unless the failing range
 * was the first (`if (!i || !dma->state)` does nothing), and the state is
 * then kfree'd. A first link that fails leaves the IOVA range allocated
 * with no one to free it (era `physVecErrorFreesIova` false).
 */
import { put } from '../collections.ts';
import type { Event } from '../event.ts';
import { freshId } from '../page.ts';
import { done, reject, type Outcome } from '../result.ts';
import type { DmaBuf, DmaBufAttachment, DmaDirection, DmaIova, DmaMapping, IovaLink, MappedEntry, State } from '../state.ts';
import { dmaIovaDestroy } from './iova.ts';

/** The buffer's physical ranges (phys_vec): maximal runs of consecutive frames. */
const ranges = (pfns: ReadonlyArray<number>): ReadonlyArray<ReadonlyArray<number>> =>
  pfns.reduce<number[][]>((rs, p) => {
    const last = rs[rs.length - 1];
    if (last !== undefined && last[last.length - 1]! + 1 === p) last.push(p);
    else rs.push([p]);
    return rs;
  }, []);

/** A DMA address inside IOVA range `id` (the model's IOVAs are numbered apart from bus and physical addresses). */
const iovaAddress = (id: number, offset: number): number => 0x100000 + 0x100 * id + offset;

/**
 * dma_buf_phys_vec_to_sgt() for attachment `a` of `b` through the host
 * bridge, the importer behind dma-iommu. A link or sync the IOMMU refuses
 * (fault injection) fails the map: with everything given back a rejection
 * (-ENOMEM, or -EEXIST where a second range is linked over the first at
 * offset 0 and the page table refuses); after a first link that failed, a
 * step that returns the error and leaves the range allocated. As merged,
 * a buffer of two or more ranges never maps: the second is linked over
 * the first (era `physVecLinksAtOffset` false).
 */
export const physVecToSgt = (s: State, a: DmaBufAttachment, b: DmaBuf, dir: DmaDirection): Outcome => {
  const op = 'dma_buf_map_attachment';
  const dev = a.importer;
  const faults = s.devices[dev]!.iommuFaults;
  const rs = ranges(b.pfns);
  if (faults.includes('iommu_map')) {
    const linkFailed = 'dma_buf_phys_vec_to_sgt: dma_iova_link of range 0 failed (iommu_map_nosync could not allocate a page table: fault injection)';
    if (s.era.physVecErrorFreesIova) return reject(op, `-ENOMEM: ${linkFailed}`);
    // err_unmap_dma with i == 0 does nothing; kfree(dma->state) drops the only record of the range.
    const [s1, id] = freshId(s);
    const v: DmaIova = { id, device: dev, owner: { kind: 'table', mapping: null }, links: b.pfns.map(() => null), allocated: true, handed: null };
    return done({ ...s1, iovas: put(s1.iovas, id, v) }, [{ kind: 'iova-allocated', device: dev, iova: id }, { kind: 'call-failed', op, reason: `-ENOMEM: ${linkFailed}` }]);
  }
  // The loop over the ranges: range i is linked at offset 0 as merged (at mapped_len with the proposed fix).
  const links: Array<IovaLink | null> = b.pfns.map(() => null);
  let mapped = 0;
  for (const [i, r] of rs.entries()) {
    const at = s.era.physVecLinksAtOffset ? mapped : 0;
    // iommu_map over a page already linked: refused (io-pgtable-arm: WARN and -EEXIST; the generic page table: -EADDRINUSE).
    if (r.some((_, k) => links[at + k] !== null))
      return reject(op, `-EEXIST: dma_buf_phys_vec_to_sgt links range ${i} at offset ${at}, over range 0 (the IOMMU page table refuses to map over a translation); err_unmap_dma destroys what was linked`);
    for (const [k, pfn] of r.entries()) links[at + k] = { pfn, gen: s.frames[pfn]!.gen, reaches: pfn, dir, synced: false };
    mapped += r.length;
  }
  if (faults.includes('iommu_sync_map')) return reject(op, `-ENOMEM: dma_buf_phys_vec_to_sgt: dma_iova_sync failed (fault injection); err_unmap_dma destroyed what was linked`);
  const synced = links.map((l, k) => (l !== null && k < mapped ? { ...l, synced: true } : l));
  const [s1, id] = freshId(s);
  const [s2, mappingId] = freshId(s1);
  // One table entry for the whole range: byte k of the buffer is IOVA offset k, and reaches whatever is linked there.
  const entries: MappedEntry[] = b.pfns.map((pfn, k) => ({ dma: iovaAddress(id, k), pfn, gen: s.frames[pfn]!.gen, reaches: synced[k]?.reaches ?? null, iova: { id, offset: k } }));
  const v: DmaIova = { id, device: dev, owner: { kind: 'table', mapping: mappingId }, links: synced, allocated: true, handed: null };
  const m: DmaMapping = { id: mappingId, device: dev, dir, api: 'dma_buf_map_attachment', origin: { kind: 'dmabuf', attachment: a.id, dmabuf: b.id }, entries, nents: 1, mapped: 1, errorChecked: false };
  const linkedEvents = synced.flatMap((l, k): Event[] => (l === null ? [] : [{ kind: 'iova-linked', iova: id, offset: k, pfn: l.pfn }]));
  const events: Event[] = [{ kind: 'iova-allocated', device: dev, iova: id }, ...linkedEvents, { kind: 'iova-synced', iova: id, offset: 0, npages: mapped }, { kind: 'dmabuf-mapped', attachment: a.id, mapping: mappingId }];
  return done({ ...s2, iovas: put(s2.iovas, id, v), mappings: put(s2.mappings, mappingId, m) }, events);
};

/** dma_buf_free_sgt() of a table made through an IOVA range: dma_iova_destroy(dma->size), whatever is linked. Other tables: nothing. */
export const freeSgtIova = (s: State, m: DmaMapping): Outcome => {
  const ref = m.entries[0]?.iova;
  const v = ref === undefined ? undefined : s.iovas.get(ref.id);
  return v === undefined || !v.allocated ? done(s) : dmaIovaDestroy(s, v.device, v.id, v.links.length);
};
