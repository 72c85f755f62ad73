import * as O from 'fp-ts/lib/Option.js';
import type { Invariant } from '../invariant.ts';

/**
 * no-cpu-iomem: the CPU never loads or stores PCI BAR memory through an
 * ordinary kernel pointer; only __iomem accessors (memcpy_toio/fromio,
 * readX/writeX) may touch it.
 *
 * Judges every `cpu-access` event: a plain access (sg_virt + memcpy,
 * kmap_local_page, sg_copy_to_buffer) whose frame lies inside a BAR is a
 * violation, struct page or not. A process's access through its own
 * mapping of a BAR is made with device memory attributes and is not.
 * Also judges `cpu-access-no-page`: a generic walker handed a struct
 * sg_table whose pages were left out (a table of BAR DMA addresses, as
 * dma-buf exporters build) dereferences whatever sg_page() holds.
 *
 * @see Documentation/driver-api/pci/p2pdma.rst ("Struct Page Caveats": a
 *   P2PDMA page's kernel address is MMIO and must not be dereferenced)
 * @see Gunthorpe, 30/31 Jan 2019 (linux-mm): SSE memcpy faults on uncached
 *   BARs, s390 needs special instructions, TPM width/alignment issues.
 * The copies a swiotlb bounce (`swiotlb_bounce`) and a dma_virt_ops device
 * (`dma_virt_ops`) make are CPU accesses too, judged the same way.
 */
export const noCpuIomem: Invariant = {
  id: 'no-cpu-iomem',
  rule: 'The CPU never touches PCI BAR memory except through __iomem accessors.',
  source: 'Documentation/driver-api/pci/p2pdma.rst; Gunthorpe, linux-mm, 30-31 Jan 2019',
  check: (before, _op, step) => {
    for (const e of step.events) {
      if (e.kind === 'cpu-access-no-page')
        return O.some(`${e.via} dereferenced entry ${e.index} of sgl ${e.sgl}, which has no page: the table's CPU side was left out, and its memory may be __iomem`);
      if (e.kind !== 'cpu-access' || e.io) continue;
      const f = before.frames[e.pfn];
      if (f === undefined || f.bar === null) continue;
      const bar = before.bars[f.bar]!;
      const what = f.structPage ? 'a ZONE_DEVICE P2PDMA page' : 'raw MMIO';
      return O.some(`${e.via} made a plain CPU access to pfn ${e.pfn}, ${what} in BAR ${bar.id} of device ${bar.device} (__iomem)`);
    }
    return O.none;
  },
  exercised: (_before, _op, step) => step.events.some((e) => (e.kind === 'cpu-access' && !e.io) || e.kind === 'cpu-access-no-page'),
};
