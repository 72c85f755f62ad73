/** The small worlds the designs run in. Device 0 provides a BAR, device 1 imports (an RDMA NIC, say). */
import type { DriverSpec, Era } from '../state.ts';
import { currentEra, type WorldSpec } from '../world.ts';

const devices = [
  { name: 'provider (PCI device with a BAR)', p2pPeers: [1] },
  { name: 'importer (RDMA NIC)', p2pPeers: [0] },
];

/** `importer`: the driver code the importing device runs (its recipes), when the design has any. */
export const world = (bar: 'p2pdma' | 'raw', era: Era = currentEra, importer?: { readonly name: string; readonly driver: DriverSpec }): WorldSpec => ({
  ramPages: 6,
  devices: importer === undefined ? devices : [devices[0]!, { name: importer.name, p2pPeers: [0], driver: importer.driver }],
  bars: [{ device: 0, npages: 2, structPages: bar === 'p2pdma' }],
  filePages: 2,
  era,
});
