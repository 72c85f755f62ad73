/** DMA addresses as a device sees them. The model runs with the IOMMU off. */
import type { Frame, State } from './state.ts';

/** dma-direct with no IOMMU: the DMA address of RAM is its physical address. */
export const directAddress = (f: Frame): number => f.pfn;

/** A PCI bus address: the BAR's bus window differs from its CPU physical window. */
export const busAddress = (s: State, f: Frame): number => {
  const bar = s.bars[f.bar ?? -1];
  return bar === undefined ? f.pfn : 0x1000 * (bar.id + 1) + (f.pfn - bar.basePfn);
};

/** pci_p2pdma_distance() >= 0: the provider can be reached peer-to-peer by `client`. */
export const p2pReachable = (s: State, provider: number, client: number): boolean =>
  s.devices[provider]?.p2pPeers.includes(client) === true;
