import * as O from 'fp-ts/lib/Option.js';
import type { Invariant } from '../invariant.ts';

/**
 * no-dma-after-free: a device access through a DMA mapping reaches the
 * memory the mapping was made for: not a page that was freed (and maybe
 * reused), not a BAR window its exporter gave back, not the BAR of a
 * provider that was removed.
 *
 * Judges every `device-access` event against the frame's allocation
 * generation recorded when the mapping was made.
 *
 * @see Documentation/driver-api/pci/p2pdma.rst (provider removal must
 *   leave no DMA mapping of its MMIO)
 * @see Documentation/core-api/pin_user_pages.rst (a pin keeps the page
 *   from being freed while DMA is in flight)
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
      const bar = f.bar === null ? undefined : before.bars[f.bar];
      if (bar !== undefined && !bar.alive)
        return O.some(`device ${e.device} ${verb} pfn ${e.pfn} through mapping ${e.mapping}, but the provider of BAR ${bar.id} was removed`);
      if (f.free) return O.some(`device ${e.device} ${verb} pfn ${e.pfn} through mapping ${e.mapping}, but that memory was freed`);
      if (f.gen !== e.gen)
        return O.some(`device ${e.device} ${verb} pfn ${e.pfn} through mapping ${e.mapping}, but that memory was freed and now belongs to someone else`);
    }
    return O.none;
  },
  exercised: (_before, _op, step) => step.events.some((e) => e.kind === 'device-access'),
};
