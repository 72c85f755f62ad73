import * as O from 'fp-ts/lib/Option.js';
import type { Invariant } from '../invariant.ts';

/**
 * no-dma-after-free: a device access through a DMA mapping reaches the
 * memory the mapping was made for: not a page that was freed (and maybe
 * reused), not a BAR window its exporter gave back, not the BAR of a
 * provider that was removed, and not some other address because the
 * map call gave a wrong one (a P2PDMA page's CPU physical address from
 * dma_map_sg before 6.0, an address pci_p2pdma_map_sg (2019) computed for
 * a RAM page or for a client that cannot reach the provider).
 *
 * Judges every `device-access` event: the frame the address reached
 * (ghost) against the one the mapping was made for, and that frame's
 * allocation generation against the one recorded when it was mapped.
 *
 * @see Documentation/driver-api/pci/p2pdma.rst (provider removal must
 *   leave no DMA mapping of its MMIO)
 * @see Documentation/core-api/pin_user_pages.rst (a pin keeps the page
 *   from being freed while DMA is in flight)
 * @see Documentation/driver-api/pci/p2pdma.rst: P2PDMA pages must be
 *   mapped with the bus address (pci_p2pdma_map_sg, later dma_map_sg
 *   with P2PDMA support); the CPU physical address is not one.
 */
export const noDmaAfterFree: Invariant = {
  id: 'no-dma-after-free',
  rule: 'A device only reaches memory that is still allocated to the mapping it uses.',
  source: 'Documentation/driver-api/pci/p2pdma.rst; Documentation/core-api/pin_user_pages.rst',
  check: (before, _op, step) => {
    for (const e of step.events) {
      if (e.kind !== 'device-access') continue;
      const f = before.frames[e.pfn]!;
      const verb = e.write ? 'wrote' : 'read';
      const via = e.mapping === null ? `its mirror of page ${e.va?.addr ?? '?'} of mm ${e.va?.mm ?? '?'}` : `mapping ${e.mapping}`;
      if (e.reached !== e.pfn)
        return O.some(
          `device ${e.device} ${verb} through ${via}, made for pfn ${e.pfn}, but its bus address reaches ${e.reached === null ? 'no memory of the model (a wrong bus address)' : `pfn ${e.reached}`}`,
        );
      // Stryker disable next-line ConditionalExpression: before.bars[null] is undefined, the same answer as the guard
      const bar = f.bar === null ? undefined : before.bars[f.bar];
      if (bar !== undefined && !bar.alive)
        return O.some(`device ${e.device} ${verb} pfn ${e.pfn} through ${via}, but the provider of BAR ${bar.id} was removed`);
      if (f.free) return O.some(`device ${e.device} ${verb} pfn ${e.pfn} through ${via}, but that memory was freed`);
      if (f.gen !== e.gen)
        return O.some(`device ${e.device} ${verb} pfn ${e.pfn} through ${via}, but that memory was freed and now belongs to someone else`);
    }
    return O.none;
  },
  exercised: (_before, _op, step) => step.events.some((e) => e.kind === 'device-access'),
};
