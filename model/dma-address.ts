/** DMA addresses as a device sees them. The model runs with the IOMMU off. */
import type { Frame, State } from './state.ts';

/** dma-direct with no IOMMU: the DMA address of RAM is its physical address. */
export const directAddress = (f: Frame): number => f.pfn;

/** A PCI bus address: the BAR's bus window differs from its CPU physical window. */
export const busAddress = (s: State, f: Frame): number => {
  const bar = s.bars[f.bar ?? -1];
  return bar === undefined ? f.pfn : 0x1000 * (bar.id + 1) + (f.pfn - bar.basePfn);
};

/**
 * How `client` reaches `provider`'s BAR, as pci_p2pdma_map_type() answers
 * from the topology (drivers/pci/p2pdma.c, calc_map_type_and_dist): by
 * bus address below a common switch whose ports do not redirect peer
 * traffic (ACS); through the host bridge when both devices' host bridges
 * are on the allow-list; else not at all. A world without a topology says
 * it with each device's `p2pPeers` (bus address, or not supported).
 */
export type P2pMapType = 'bus-addr' | 'thru-host-bridge' | 'not-supported';

export const mapType = (s: State, provider: number, client: number): P2pMapType => {
  // pci_p2pdma_distance_many() (until 5.10): "cannot be used for peer-to-peer DMA because the
  // driver makes use of dma_virt_ops": the client's "DMA" would be the CPU.
  if (s.devices[client]?.virtDma === true) return 'not-supported';
  const t = s.topology;
  if (t === null) return s.devices[provider]?.p2pPeers.includes(client) === true ? 'bus-addr' : 'not-supported';
  if (provider === client) return 'bus-addr';
  const [a, b] = [t.slots[provider], t.slots[client]];
  if (a === undefined || b === undefined) return 'not-supported';
  if ('switch' in a && 'switch' in b && a.switch === b.switch && t.switches[a.switch]?.acsRedirect === false) return 'bus-addr';
  const bridge = (x: typeof a) => ('switch' in x ? t.switches[x.switch]?.hostBridge : x.hostBridge);
  const allowed = (h: number | undefined) => h !== undefined && t.hostBridges[h]?.allowListed === true;
  return allowed(bridge(a)) && allowed(bridge(b)) ? 'thru-host-bridge' : 'not-supported';
};

/** pci_p2pdma_distance() >= 0: the provider can be reached peer-to-peer by `client`. */
export const p2pReachable = (s: State, provider: number, client: number): boolean => mapType(s, provider, client) !== 'not-supported';
