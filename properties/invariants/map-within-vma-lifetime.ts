import * as O from 'fp-ts/lib/Option.js';
import type { Invariant } from '../invariant.ts';

/**
 * map-within-vma-lifetime: a DMA mapping obtained through a VMA (the
 * p2p_map VMA op, or a DMA-only map of an exporter's VMA) is torn down
 * before that VMA is destroyed.
 *
 * Judges every `vma-destroyed` event: any mapping still live afterwards
 * whose origin is that VMA is a violation. Such mappings carry no page
 * reference, so nothing else keeps the BAR window they point at.
 *
 * @see Glisse, "[RFC PATCH 3/5] mm/vma: add support for peer to peer to
 *   device vma", 29 Jan 2019: importers MUST honour mmu notifier
 *   invalidations and call p2p_unmap from them.
 * @see Gunthorpe, <20190131190202.GC7548@mellanox.com>, point (2): can the
 *   VMA be destroyed before the importer calls p2p_unmap?
 */
export const mapWithinVmaLifetime: Invariant = {
  id: 'map-within-vma-lifetime',
  rule: 'A DMA mapping taken through a VMA is torn down before the VMA is destroyed.',
  source: 'Glisse RFC 3/5 (29 Jan 2019); Gunthorpe <20190131190202.GC7548@mellanox.com>',
  check: (_before, _op, step) => {
    for (const e of step.events) {
      if (e.kind !== 'vma-destroyed') continue;
      for (const m of step.state.mappings.values()) {
        if (m.origin.kind === 'vma-op' && m.origin.vma === e.vma)
          return O.some(`vma ${e.vma} was destroyed while mapping ${m.id} (${m.api} for device ${m.device}) still holds DMA addresses of its BAR window`);
      }
    }
    return O.none;
  },
  /** A VMA is destroyed, or an invalidation that will destroy it starts, while a mapping made from it is live. */
  exercised: (before, op, step) =>
    step.events.some(
      (e) =>
        (e.kind === 'vma-destroyed' && [...before.mappings.values()].some((m) => m.origin.kind === 'vma-op' && m.origin.vma === e.vma)) ||
        (e.kind === 'invalidate-range-start' &&
          (op.kind === 'munmap' || op.kind === 'exit_mmap') &&
          [...before.mappings.values()].some((m) => m.origin.kind === 'vma-op' && (op.kind === 'munmap' ? m.origin.vma === op.vma : m.origin.mm === op.mm))),
    ),
};
