/** The small worlds the designs run in. Device 0 provides a BAR, device 1 imports (an RDMA NIC, say). */
import type { DriverSpec, Era } from '../state.ts';
import type { CompleteWorld } from './design.ts';
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

/**
 * The complete world of the GUP recipes on user memory (gup-set-page-dirty
 * and the pin_user_pages pair): what `--world small` keeps (two VMAs, two
 * address spaces, one I/O) with two RAM pages and one file page.
 */
export const gupFamilyCompleteWorld: CompleteWorld = {
  set: { 'ram-pages': 2, 'file-pages': 1, 'swap-slots': 1, vmas: 2, mms: 2, ios: 1 },
  without: [],
  why: "One swap slot (a page a reference keeps in the swap cache, whose swap entry fork then shares; a second slot swaps the copy out as well, the same story on the other page), two RAM pages (an anonymous page and the copy a COW break makes of it, or a private file page's copy), one file page (the page-cache page writeback, reclaim and the late dirtying act on), two VMAs and two address spaces (the parent and fork's child) and one I/O in flight, with every environment step of the recipes over these objects. Every expected violation of the family shows here: gup-set-page-dirty's correct-dirtying (8 calls), pin-coherent (7) and isolation (6), pin-user-pages-5.9's correct-dirtying, pin-coherent and isolation (a pinned page swapped out, then fork); today's pin_user_pages holds every invariant over the whole space. Left out: a second I/O on the same page (two references at once), which dma-api-misuse's second-release traces exercise.",
};
