import * as O from 'fp-ts/lib/Option.js';
import type { State } from '../../model/state.ts';
import type { Invariant } from '../invariant.ts';

/** The BAR a frame belongs to, if its provider is `device`. */
const barOf = (s: State, pfn: number, device?: number) => {
  const f = s.frames[pfn];
  // Stryker disable next-line ConditionalExpression: f.bar === null forced false reads s.bars[null], undefined, the same answer (forcing the whole test false crashes on a pfn outside the frames; test/properties/provider-removed-accesses.test.ts covers that case)
  const bar = f === undefined || f.bar === null ? undefined : s.bars[f.bar];
  return bar !== undefined && (device === undefined || bar.device === device) ? bar : undefined;
};

/**
 * provider-removal: when a P2P provider's removal completes, no device
 * holds a DMA address of its BARs any more, and nothing reaches its
 * frames afterwards.
 *
 * Judged at the step whose events say the provider is removed (the end of
 * `unmap_mapping_range` for a raw BAR exporter, `memunmap_pages` for
 * P2PDMA pages): every live DMA mapping and every range a driver
 * programmed into its device is checked for addresses of the provider's
 * BARs. And every device or CPU access is checked against providers whose
 * removal already completed. A removal that never completes (a page
 * reference nobody will drop) is a liveness failure, not a step: the
 * explorer reports it (`properties/liveness.ts`).
 *
 * @see Documentation/driver-api/pci/p2pdma.rst (the provider's remove must
 *   leave no DMA mapping of its memory; memunmap_pages waits for every
 *   page reference)
 * @see drivers/pci/p2pdma.c, pci_p2pdma_release()
 */
export const providerRemoval: Invariant = {
  id: 'provider-removal',
  rule: 'When a provider\'s removal completes no device holds an address of its BARs, and nothing reaches its frames afterwards.',
  source: 'Documentation/driver-api/pci/p2pdma.rst; drivers/pci/p2pdma.c (pci_p2pdma_release, memunmap_pages)',
  check: (before, _op, step) => {
    for (const e of step.events) {
      if (e.kind === 'provider-removed') {
        for (const m of step.state.mappings.values()) {
          const hit = m.entries.find((x) => barOf(step.state, x.pfn, e.device) !== undefined);
          if (hit !== undefined)
            return O.some(`the removal of provider device ${e.device} completed while mapping ${m.id} (${m.api} for device ${m.device}) still holds the DMA address of pfn ${hit.pfn}`);
        }
        for (const j of step.state.jobs.values()) {
          const hit = j.entries.find((x) => barOf(step.state, x.pfn, e.device) !== undefined);
          if (hit !== undefined)
            return O.some(`the removal of provider device ${e.device} completed while ${j.fenced ? `job ${j.id}` : `memory region ${j.id}`} of device ${j.device} still reaches pfn ${hit.pfn} (mapping ${j.mapping})`);
        }
        for (const r of step.state.deviceRanges.values()) {
          const hit = r.entries.find((x) => barOf(step.state, x.pfn, e.device) !== undefined);
          if (hit !== undefined)
            return O.some(`the removal of provider device ${e.device} completed while device ${r.device} is still programmed with pfn ${hit.pfn} (mapping ${r.mapping})`);
        }
      }
      if (e.kind === 'device-access' || e.kind === 'cpu-access') {
        const bar = barOf(before, e.pfn);
        if (bar !== undefined && !bar.alive)
          return O.some(
            `${e.kind === 'device-access' ? `device ${e.device} ${e.write ? 'wrote' : 'read'}` : `the CPU (${e.via}) accessed`} pfn ${e.pfn} after the removal of provider device ${bar.device} completed`,
          );
      }
    }
    return O.none;
  },
  exercised: (_before, _op, step) => step.events.some((e) => e.kind === 'provider-removed'),
};
