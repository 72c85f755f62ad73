import * as O from 'fp-ts/lib/Option.js';
import type { DmaMapping, MappedEntry, State } from '../../model/state.ts';
import type { Invariant } from '../invariant.ts';

/** The mappings a step made: in the state after it and not before. */
const made = (before: State, after: State): ReadonlyArray<DmaMapping> =>
  // A step that touches no mapping keeps the very same map (states share what they do not change).
  after.mappings === before.mappings || after.mappings.size === 0 ? [] : [...after.mappings.values()].filter((m) => !before.mappings.has(m.id));

/** Why one entry of a new mapping gives its device an address it cannot use for that memory; null when it can. */
const unreachable = (s: State, m: DmaMapping, e: MappedEntry): string | null => {
  const f = s.frames[e.pfn]!;
  const what = f.bar === null ? `RAM pfn ${e.pfn}` : `pfn ${e.pfn} of BAR ${f.bar} (device ${s.bars[f.bar]!.device})`;
  if (e.reaches !== e.pfn && e.iova !== undefined)
    return `${m.api} gave device ${m.device} DMA address 0x${e.dma.toString(16)} (page ${e.iova.offset} of IOVA ${e.iova.id}) for ${what}, and the IOMMU translates that page ${e.reaches === null ? 'to nothing: it was never linked' : `to pfn ${e.reaches}`}`;
  if (e.reaches !== e.pfn)
    return `${m.api} gave device ${m.device} DMA address 0x${e.dma.toString(16)} for ${what}, which reaches ${e.reaches === null ? 'no memory' : `pfn ${e.reaches}`} from that device${f.bar === null ? '' : ' (pci_p2pdma_map_type says how the provider is reached: a bus address below a common switch, the CPU physical address through an allowed host bridge, else not at all)'}`;
  if (f.bar === null) return null;
  if (e.bounced === true) return `${m.api} gave device ${m.device} a swiotlb bounce slot for ${what}: MMIO cannot bounce (the CPU would copy __iomem with memcpy)`;
  if (s.devices[m.device]?.virtDma === true) return `${m.api} gave device ${m.device}, whose DMA is dma_virt_ops, the kernel virtual address of ${what}: its "DMA" is the CPU touching __iomem`;
  return null;
};

/**
 * p2p-reachable: a device is only given a DMA address it can use to
 * reach the memory the address was made for. For P2P memory that is what
 * pci_p2pdma_map_type() decides from the topology: the bus address when
 * both sit below a common switch (PCI_P2PDMA_MAP_BUS_ADDR), the CPU
 * physical address (or an IOVA for it) through a host bridge on the
 * allow-list (PCI_P2PDMA_MAP_THRU_HOST_BRIDGE), and no mapping at all
 * otherwise (PCI_P2PDMA_MAP_NOT_SUPPORTED: the map call must fail); never
 * a swiotlb bounce slot (the CPU cannot copy MMIO as memory), and never
 * to a device whose "DMA" is the CPU (dma_virt_ops). For RAM it is the
 * address the DMA API computes for it.
 *
 * Judged when a mapping is made, on its every entry: the address a map
 * call returns is what the driver programs into the device, so a wrong
 * one is wrong before any access (no-dma-after-free judges the access,
 * when one happens).
 *
 * @see drivers/pci/p2pdma.c (pci_p2pdma_map_type, pci_p2pdma_distance: "the two devices must be behind the same host bridge" or the bridge on the allow-list)
 * @see Documentation/driver-api/pci/p2pdma.rst ("the bus address ... must be used"; P2P through the host bridge needs the CPU address)
 * @see kernel/dma/direct.h dma_direct_map_page (a P2PDMA page is never bounced: DMA_MAPPING_ERROR)
 */
export const p2pReachable: Invariant = {
  id: 'p2p-reachable',
  rule: 'A map call gives a device only addresses that reach the memory they were made for from that device: a P2P page by the route pci_p2pdma_map_type() allows, never a bounce slot for MMIO, never MMIO to a CPU-copying device.',
  source: 'drivers/pci/p2pdma.c (pci_p2pdma_map_type); Documentation/driver-api/pci/p2pdma.rst; kernel/dma/direct.h (dma_direct_map_page)',
  check: (before, _op, step) => {
    for (const m of made(before, step.state))
      for (const e of m.entries) {
        const why = unreachable(step.state, m, e);
        if (why !== null) return O.some(why);
      }
    return O.none;
  },
  exercised: (before, _op, step) => made(before, step.state).length > 0,
};
