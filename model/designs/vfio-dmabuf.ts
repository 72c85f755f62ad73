/**
 * VFIO exports a BAR as a dma-buf (vfio_pci_dmabuf.c, 2025) and revokes it
 * with move_notify when the device resets or goes away; an RDMA importer
 * registers it as a memory region (ib_umem_dmabuf). The importer's map
 * path and its move_notify are driver code (model/designs/importers/
 * dmabuf.ts), run as threads the search interleaves with VFIO's revoke,
 * the hot-unplug after it and the device's own accesses.
 */
import type { Design } from './design.ts';
import { held, violated } from './design.ts';
import { dmabufEnvironment, dmabufImporter } from './dmabuf-steps.ts';
import { world } from './worlds.ts';
import { currentEra } from '../world.ts';
import type { DriverSpec } from '../state.ts';

const nothing = (what: string) => held(`${what}: nothing for the rule to judge.`);

/** What every design here holds: the rules about processes, pages and notifiers. */
const common = {
  'no-cpu-iomem': nothing('No SGL with pages exists: the exporter hands out DMA addresses only'),
  'map-within-vma-lifetime': nothing('No mapping comes from a VMA'),
  'correct-dirtying': nothing('No GUP and no dirtying: BAR memory has no page cache'),
  'pin-coherent': nothing('No GUP references exist'),
  'notifier-protocol': nothing('No mmu interval notifier exists'),
  'dma-api-hygiene': held("dma_buf_map_attachment's tables are the exporter's (VFIO's map_dma_buf), outside the streaming DMA API that dma-debug checks."),
  'mirror-coherent': nothing('No device mirrors a process page table'),
  'gup-release': nothing('No GUP reference is taken'),
  isolation: nothing('The device reaches BAR memory only, never process RAM'),
} as const;

const importer = (name: string, driver: DriverSpec) => world('raw', currentEra, { name, driver });

export const vfioDmabufRevoke: Design = {
  id: 'vfio-dmabuf-revoke',
  title: 'VFIO dma-buf of a BAR, dynamic RDMA importer that unmaps on move_notify',
  summary:
    "VFIO exports its BAR as a dma-buf; an RDMA NIC attaches with allow_peer2peer and a move_notify, and its driver maps the attachment under the reservation lock and keeps the table (ib_umem_dmabuf_get). VFIO revokes the buffer before a reset or a hot-unplug: it takes the reservation lock, sets revoked (its map_dma_buf refuses from then on) and calls dma_buf_move_notify, whose callback, run as the importer's thread with the lock held by the exporter, unmaps the table it kept (mlx5_ib_dmabuf_invalidate_cb). The device may go away once the revoke has returned.",
  source: 'drivers/vfio/pci/vfio_pci_dmabuf.c; drivers/infiniband/core/umem_dmabuf.c; include/linux/dma-buf.h (move_notify)',
  world: importer('importer (RDMA NIC, dynamic dma-buf MR)', { moveNotify: 'dmabuf-unmap-on-move', mapAttachment: 'dmabuf-map' }),
  driver: dmabufImporter,
  environment: dmabufEnvironment,
  expected: {
    ...common,
    'no-dma-after-free': held('The map path maps and keeps the table under the reservation lock, so a revoke either comes first (the map is refused, -ENODEV) or finds the table and unmaps it before the lock is dropped and the device can go.'),
    'provider-removal': held("VFIO's remove revokes first, and the revoke's move_notify leaves no table of the BAR."),
    'dmabuf-protocol': held('Map and unmap run under the reservation lock (the callback under the exporter\'s), move_notify is called with it held, and nothing pins.'),
  },
};

export const vfioDmabufMapUnlocked: Design = {
  id: 'vfio-dmabuf-map-unlocked',
  title: 'VFIO dma-buf, importer that maps without the reservation lock',
  summary:
    "vfio-dmabuf-revoke with one change to the importer's map path: it calls dma_buf_map_attachment without taking the reservation lock and keeps the table afterwards. VFIO's revoke can then run between the map and the keep: the callback finds no table, returns, and the device keeps a table of a BAR that was revoked and then removed.",
  source: 'include/linux/dma-buf.h (dma_buf_map_attachment: the importer holds the reservation lock); drivers/dma-buf/dma-buf.c',
  world: importer('importer (RDMA NIC, maps without the reservation lock)', { moveNotify: 'dmabuf-unmap-on-move', mapAttachment: 'dmabuf-map-unlocked' }),
  driver: dmabufImporter,
  environment: dmabufEnvironment,
  expected: {
    ...common,
    'no-dma-after-free': violated('A revoke between the map and the keep finds nothing to unmap; after the hot-unplug the device still reaches the BAR through the table.'),
    'provider-removal': violated('The removal completes while the table the callback missed still holds bus addresses of the BAR.'),
    'dmabuf-protocol': violated('dma_buf_map_attachment without the reservation lock: dma_resv_assert_held() fails.'),
  },
};

export const vfioDmabufPinned: Design = {
  id: 'vfio-dmabuf-pinned',
  title: 'VFIO dma-buf, pinned RDMA importer (before VFIO refused pinned importers)',
  summary:
    "The importer registers a pinned dma-buf MR (ib_umem_dmabuf_get_pinned: dma_buf_pin, then map, under the reservation lock). Its move_notify only warns, as ib_umem_dmabuf_unsupported_move_notify does: pinned memory is not supposed to move. VFIO's revoke calls it all the same (dma_buf_move_notify does not skip pinned attachments), and the device keeps its table across the revoke and the hot-unplug. Linux closed this in VFIO by refusing pinned importers (61ceaf236115, 6.19-rc8), which the model does not yet have.",
  source: "drivers/infiniband/core/umem_dmabuf.c (ib_umem_dmabuf_get_pinned, ib_umem_dmabuf_unsupported_move_notify); Romanovsky's 2026 series (\"dma-buf has quietly allowed calling move_notify on pinned dma-bufs\"); 61ceaf236115",
  world: importer('importer (RDMA NIC, pinned dma-buf MR)', { moveNotify: 'dmabuf-warn-pinned', mapAttachment: 'dmabuf-map-pinned' }),
  driver: dmabufImporter,
  environment: dmabufEnvironment,
  expected: {
    ...common,
    'no-dma-after-free': violated('The revoke cannot take the table back from a pinned importer: after the hot-unplug the device still reaches the BAR.'),
    'provider-removal': violated('The removal completes while the pinned table holds bus addresses of the BAR.'),
    'dmabuf-protocol': violated('dma_buf_move_notify calls the move_notify of a pinned attachment.'),
  },
};
