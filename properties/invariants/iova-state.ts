import * as O from 'fp-ts/lib/Option.js';
import { linkedPages, ownerGone, ownerName } from '../../model/ops/iova.ts';
import type { Invariant } from '../invariant.ts';

/** What a step did to an IOVA range (a call of the API, or a helper making them: dma_buf_phys_vec_to_sgt). */
const IOVA_EVENTS: ReadonlySet<string> = new Set(['iova-allocated', 'iova-linked', 'iova-synced', 'iova-unlinked', 'iova-freed', 'iova-programmed', 'iova-fault']);

/**
 * iova-state: the two-step IOVA DMA API's rules for one IOVA range.
 *
 * 1. The device uses only pages of the range that are linked and synced:
 *    "dma_iova_sync() ... must be called to sync the IOMMU page tables"
 *    before the device uses what dma_iova_link() linked. A page it was
 *    handed without a translation faults in the IOMMU, and the I/O loses
 *    its data while the request may complete as a success.
 * 2. An unlink takes away only what is linked: dma_iova_destroy's "range
 *    of IOVA from dma_addr to mapped_len must all be linked", and
 *    __iommu_dma_iova_unlink() says WARN_ON(unmapped != size) when the
 *    IOMMU unmapped fewer pages than asked (iommu_unmap stops at the first
 *    page with no translation, so a later linked page stays).
 * 3. The range is freed with nothing linked: "all dma_iova_link() calls
 *    need to be undone first" (dma_iova_free checks nothing, and what is
 *    still linked stays in the IOMMU's page table, translating to pages
 *    the I/O gives back).
 * 4. Every dma_iova_try_alloc that returned true ends in dma_iova_free or
 *    dma_iova_destroy, error paths included: the dma_iova_state lives in
 *    the request (nvme's iod), so once the request has ended (its pages
 *    went back) nothing can free the range any more.
 *
 * @see Documentation/core-api/dma-api.rst (Part Ie, IOVA-based DMA mappings)
 * @see drivers/iommu/dma-iommu.c (dma_iova_destroy, __iommu_dma_iova_unlink, dma_iova_free)
 * @see 81e7223b1a2d "block: fix partial IOVA mapping cleanup in blk_rq_dma_map_iova"
 */
export const iovaState: Invariant = {
  id: 'iova-state',
  rule: 'A device uses only linked and synced pages of an IOVA range, an unlink finds every page it names linked, a range is freed with nothing linked, and every range a request allocated is freed before the request ends.',
  source: 'Documentation/core-api/dma-api.rst (Part Ie); drivers/iommu/dma-iommu.c (dma_iova_destroy, __iommu_dma_iova_unlink)',
  check: (before, _op, step) => {
    for (const e of step.events) {
      if (e.kind === 'iova-fault')
        return O.some(
          `device ${e.device} ${e.write ? 'wrote' : 'read'} page ${e.offset} of IOVA ${e.iova}, which its driver handed it, but that page is ${e.linked ? 'linked and not synced (no dma_iova_sync covered it)' : 'not linked'}: the IOMMU faults and the I/O's data is lost`,
        );
      if (e.kind === 'iova-unlinked' && e.unmapped !== e.requested)
        return O.some(
          `unlink of ${e.requested} page(s) of IOVA ${e.iova} from page ${e.offset} found page ${e.offset + e.unmapped} not linked: iommu_unmap stopped there after ${e.unmapped} page(s), and WARN_ON(unmapped != size) fires in __iommu_dma_iova_unlink`,
        );
      if (e.kind === 'iova-freed' && e.linked > 0)
        return O.some(`IOVA ${e.iova} was freed with ${e.linked} page(s) still linked: the IOMMU keeps translating them to pages the I/O gives back`);
    }
    for (const v of step.state.iovas.values()) {
      const was = before.iovas.get(v.id);
      if (v.allocated && ownerGone(step.state, v) && (was === undefined || !ownerGone(before, was)))
        return O.some(
          `${ownerName(v)} is gone with IOVA ${v.id} still allocated${linkedPages(v) > 0 ? ` and ${linkedPages(v)} page(s) linked` : ''}: no dma_iova_free or dma_iova_destroy ran before, and the dma_iova_state went with it (the IOVA space is leaked)`,
        );
    }
    return O.none;
  },
  exercised: (before, op, step) =>
    op.kind.startsWith('dma_iova_') ||
    step.events.some((e) => IOVA_EVENTS.has(e.kind) || (e.kind === 'device-access' && (before.iovas.has(e.mapping ?? -1) || before.mappings.get(e.mapping ?? -1)?.entries[0]?.iova !== undefined))),
};
