import * as O from 'fp-ts/lib/Option.js';
import type { Invariant } from '../invariant.ts';
import type { DmaMapping, State } from '../../model/state.ts';
import type { Op } from '../../model/op.ts';

/** The pages [start, end) of `mm` a VMA-op mapping was made for, if it is one. */
const originRange = (m: DmaMapping): { mm: number; start: number; end: number } | null =>
  // Stryker disable next-line ConditionalExpression: an sgl or page origin has no mm field, so the range's mm is undefined and never equals the mm hits() compares
  m.origin.kind === 'vma-op' ? { mm: m.origin.mm, start: m.origin.start, end: m.origin.start + m.origin.npages } : null;

const hits = (m: DmaMapping, mm: number, start: number, end: number): boolean => {
  const r = originRange(m);
  return r !== null && r.mm === mm && r.start < end && start < r.end;
};

/** The address range a VMA-changing call names, if it names one. */
const opRange = (op: Op): { mm: number; start: number; end: number } | null =>
  op.kind === 'munmap' || op.kind === 'mremap' ? { mm: op.mm, start: op.start, end: op.start + op.npages } : op.kind === 'exit_mmap' ? { mm: op.mm, start: 0, end: Number.MAX_SAFE_INTEGER } : null;

const liveIn = (s: State, mm: number, start: number, end: number): boolean => [...s.mappings.values()].some((m) => hits(m, mm, start, end));

/**
 * map-within-vma-lifetime: a DMA mapping obtained through a VMA (the
 * p2p_map VMA op, or a DMA-only map of an exporter's VMA) is torn down
 * before any page of the VMA range it was made for is unmapped.
 *
 * Judges every `vma-destroyed` event (a whole VMA, or a piece that munmap
 * or mremap split off, or the old VMA of an mremap move): any mapping
 * still live afterwards whose origin range overlaps the destroyed range
 * of the same mm is a violation. Such mappings carry no page reference,
 * so nothing else keeps the BAR window they point at.
 *
 * @see Glisse, "[RFC PATCH 3/5] mm/vma: add support for peer to peer to
 *   device vma", 29 Jan 2019: importers MUST honour mmu notifier
 *   invalidations and call p2p_unmap from them.
 * @see Gunthorpe, <20190131190202.GC7548@mellanox.com>, point (2): can the
 *   VMA be destroyed before the importer calls p2p_unmap?
 */
export const mapWithinVmaLifetime: Invariant = {
  id: 'map-within-vma-lifetime',
  rule: 'A DMA mapping taken through a VMA is torn down before any page of that VMA is unmapped.',
  source: 'Glisse RFC 3/5 (29 Jan 2019); Gunthorpe <20190131190202.GC7548@mellanox.com>',
  check: (_before, _op, step) => {
    for (const e of step.events) {
      if (e.kind !== 'vma-destroyed') continue;
      for (const m of step.state.mappings.values()) {
        if (!hits(m, e.mm, e.start, e.end)) continue;
        // Stryker disable next-line ConditionalExpression: hits() only holds for vma-op origins (originRange is null otherwise), so the kind test is always true here
        const whole = m.origin.kind === 'vma-op' && m.origin.vma === e.vma;
        return O.some(
          whole
            ? `vma ${e.vma} was destroyed while mapping ${m.id} (${m.api} for device ${m.device}) still holds DMA addresses of its BAR window`
            : `pages [${e.start}, ${e.end}) of mm ${e.mm} were unmapped (vma ${e.vma}) while mapping ${m.id} (${m.api} for device ${m.device}) still holds DMA addresses of the BAR window there`,
        );
      }
    }
    return O.none;
  },
  /** Pages are unmapped, or an invalidation that will unmap them starts, while a mapping made for them is live. */
  exercised: (before, op, step) =>
    step.events.some((e) => {
      if (e.kind === 'vma-destroyed') return liveIn(before, e.mm, e.start, e.end);
      if (e.kind !== 'invalidate-range-start') return false;
      const r = opRange(op);
      return r !== null && liveIn(before, r.mm, r.start, r.end);
    }),
};
