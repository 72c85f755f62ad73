/**
 * struct scatterlist: building tables, and the generic consumers that touch
 * an entry's memory with the CPU (sg_virt + memcpy, kmap_local_page,
 * sg_copy_to_buffer). Those assume every entry is ordinary memory, which
 * is exactly what a P2PDMA page is not: its kernel address is MMIO.
 */
import { drop, put, replaceAt } from '../collections.ts';
import type { CpuAccessor, Event } from '../event.ts';
import { freshId } from '../page.ts';
import { done, illFormed, reject, type Outcome } from '../result.ts';
import type { PagesId, Pfn, Sgl, SglId, State } from '../state.ts';

/** The model's worlds are small: a larger table is not built (ill-formed: a world the model does not build). */
export const MAX_SG_ENTRIES = 1024;

const addSgl = (s: State, make: (id: SglId) => Sgl): State => {
  const [s1, id] = freshId(s);
  return { ...s1, sgls: put(s1.sgls, id, make(id)) };
};

export const sgAllocTable = (s: State, nents: number): Outcome => {
  if (!Number.isInteger(nents) || nents < 1) return reject('sg_alloc_table', `-EINVAL: __sg_alloc_table: nents ${nents} must be at least 1`);
  if (nents > MAX_SG_ENTRIES) return illFormed('sg_alloc_table', `nents ${nents} is over the model's limit of ${MAX_SG_ENTRIES}`);
  return done(addSgl(s, (id) => ({ id, entries: Array.from({ length: nents }, () => ({ page: null })), dmaOnly: false, pages: null, mapping: null })));
};

/** sg_alloc_table_from_pages(): one entry per page of a GUP array the caller holds. */
export const sgAllocTableFromPages = (s: State, pages: PagesId): Outcome => {
  const a = s.pageArrays.get(pages);
  if (a === undefined) return illFormed('sg_alloc_table_from_pages', `pages ${pages} are not held (the model no longer knows that array)`);
  return done(addSgl(s, (id) => ({ id, entries: a.pfns.map((page) => ({ page })), dmaOnly: false, pages, mapping: null })));
};

export const sgSetPage = (s: State, sgl: SglId, index: number, page: Pfn): Outcome => {
  const op = 'sg_set_page';
  const t = s.sgls.get(sgl);
  if (t === undefined) return illFormed(op, `sgl ${sgl} is not allocated`);
  if (t.dmaOnly) return illFormed(op, `sgl ${sgl} is a DMA-only table: it has no page entries`);
  if (t.entries[index] === undefined) return illFormed(op, `index ${index} is outside sgl ${sgl} (${t.entries.length} entries)`);
  const f = s.frames[page];
  if (f === undefined || !f.structPage) return illFormed(op, `pfn ${page} has no struct page`);
  // A free page is accepted: sg_set_page() only stores the pointer.
  return done({ ...s, sgls: put(s.sgls, sgl, { ...t, entries: replaceAt(t.entries, index, { page }) }) });
};

export const sgFreeTable = (s: State, sgl: SglId): Outcome => {
  const t = s.sgls.get(sgl);
  if (t === undefined) return illFormed('sg_free_table', `sgl ${sgl} is not allocated (a second free is not modelled)`);
  if (t.dmaOnly) return illFormed('sg_free_table', `sgl ${sgl} is a DMA-only table: release it with sgl_dma_unmap`);
  return done({ ...s, sgls: drop(s.sgls, sgl) });
};

/**
 * A generic consumer touches the entries' memory with the CPU. A DMA-only
 * table is a distinct C type with no sg_page(): it cannot be passed. An
 * ordinary table whose pages the driver left out can: the consumer
 * dereferences whatever sg_page() gives (NULL), and the event says so.
 */
const touch = (s: State, op: CpuAccessor, sgl: SglId, indices: ReadonlyArray<number> | 'all'): Outcome => {
  const t = s.sgls.get(sgl);
  if (t === undefined) return illFormed(op, `sgl ${sgl} is not allocated`);
  if (t.dmaOnly) return illFormed(op, `sgl ${sgl} is a DMA-only table: it has no CPU side to touch`);
  const which = indices === 'all' ? t.entries.map((_, i) => i) : indices;
  const events: Event[] = [];
  for (const index of which) {
    const e = t.entries[index];
    if (e === undefined) return illFormed(op, `index ${index} is outside sgl ${sgl} (${t.entries.length} entries)`);
    events.push(e.page === null ? { kind: 'cpu-access-no-page', sgl, index, via: op } : { kind: 'cpu-access', pfn: e.page, via: op, io: false });
  }
  return done(s, events);
};

/** sg_virt() then memcpy(): a CPU load/store at the entry's kernel virtual address. */
export const sgVirt = (s: State, sgl: SglId, index: number): Outcome => touch(s, 'sg_virt', sgl, [index]);

export const kmapLocalPage = (s: State, sgl: SglId, index: number): Outcome => touch(s, 'kmap_local_page', sgl, [index]);

/** sg_copy_to_buffer(): the CPU reads every entry (bounce buffers, integrity, soft RDMA). */
export const sgCopyToBuffer = (s: State, sgl: SglId): Outcome => touch(s, 'sg_copy_to_buffer', sgl, 'all');

/** memcpy_toio(): the legal way for the CPU to write __iomem. */
export const memcpyToio = (s: State, page: Pfn): Outcome => {
  const f = s.frames[page];
  if (f === undefined || f.bar === null) return illFormed('memcpy_toio', `pfn ${page} is not __iomem`);
  return done(s, [{ kind: 'cpu-access', pfn: page, via: 'memcpy_toio', io: true }]);
};
