/**
 * VFIO exports a BAR as a dma-buf (vfio_pci_dmabuf.c, 2025) and revokes it
 * with move_notify when the device resets or goes away; an RDMA importer
 * registers it as a memory region (ib_umem_dmabuf). The importer's map
 * path and its move_notify are driver code (model/designs/importers/
 * dmabuf.ts), run as threads the search interleaves with VFIO's revoke,
 * the hot-unplug after it and the device's own accesses.
 */
import type { Design } from './design.ts';
import { held, violated, noIova, reachable } from './design.ts';
import { dmabufEnvironment, dmabufImporter } from './dmabuf-steps.ts';
import { world } from './worlds.ts';
import { currentEra, type WorldSpec } from '../world.ts';
import type { DriverSpec } from '../state.ts';

const nothing = (what: string) => held(`${what}: nothing for the rule to judge.`);

/** What every design here holds: the rules about processes, pages and notifiers. */
export const common = {
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

/** The world with VFIO's revoke path (`revoke`) on the exporter and `driver` on the importer. */
const pinnedDriver: DriverSpec = { moveNotify: 'dmabuf-warn-pinned', mapAttachment: 'dmabuf-map-pinned' };

export const importer = (name: string, driver: DriverSpec, revoke: 'vfio-revoke' | 'vfio-revoke-wait' = 'vfio-revoke'): WorldSpec => {
  const w = world('raw', currentEra, { name, driver });
  return { ...w, devices: w.devices.map((d, i) => (i === 0 ? { ...d, name: 'exporter (VFIO, BAR exported as a dma-buf)', driver: { revoke } } : d)) };
};

/** The dma-buf family's complete world: its own. */
const completeWorld = {
  set: {},
  without: [],
  why: "Its own world: VFIO's two-page BAR exported as one dma-buf, one importer with one attachment and its driver's map path and move_notify as threads, VFIO's revoke and the hot-unplug after it, the device's accesses (and a GPU importer's jobs, two at most, and their fences). Every expected violation of the family needs one importer and one revoke, and the whole space of every order of these steps is explored (63 to 274 states). A second importer would get its move_notify after the first (dma_buf_move_notify calls them in turn), each with this race; a second dma-buf is another copy of it. The importer reaches the BAR by bus address (a common switch), where VFIO's unmap undoes nothing; through a host bridge to an importer behind an IOMMU the unmap destroys the IOVA range, and work still running on an unmapped table faults: vfio-dmabuf-phys's world.",
} as const;

export const vfioDmabufRevoke: Design = {
  id: 'vfio-dmabuf-revoke',
  title: 'VFIO dma-buf of a BAR, dynamic RDMA importer that unmaps on move_notify',
  summary:
    "VFIO exports its BAR as a dma-buf; an RDMA NIC attaches with allow_peer2peer and a move_notify, and its driver maps the attachment under the reservation lock and keeps the table (ib_umem_dmabuf_get). VFIO revokes the buffer before a reset or a hot-unplug: it takes the reservation lock, sets revoked (its map_dma_buf refuses from then on) and calls dma_buf_move_notify, whose callback, run as the importer's thread with the lock held by the exporter, unmaps the table it kept (mlx5_ib_dmabuf_invalidate_cb). The device may go away once the revoke has returned.",
  source: 'drivers/vfio/pci/vfio_pci_dmabuf.c; drivers/infiniband/core/umem_dmabuf.c; include/linux/dma-buf.h (move_notify)',
  world: importer('importer (RDMA NIC, dynamic dma-buf MR)', { moveNotify: 'dmabuf-unmap-on-move', mapAttachment: 'dmabuf-map' }),
  driver: dmabufImporter(false),
  environment: dmabufEnvironment,
  completeWorld,
  expected: {
    ...common,
    'no-dma-after-free': held('The map path maps and keeps the table under the reservation lock, so a revoke either comes first (the map is refused, -ENODEV) or finds the table and unmaps it before the lock is dropped and the device can go.'),
    'provider-removal': held("VFIO's remove revokes first, and the revoke's move_notify leaves no table of the BAR."),
    'dmabuf-protocol': held('Map and unmap run under the reservation lock (the callback under the exporter\'s), move_notify is called with it held, and nothing pins.'),
    'iova-state': noIova,
    'p2p-reachable': reachable,
  },
};

export const vfioDmabufMapUnlocked: Design = {
  id: 'vfio-dmabuf-map-unlocked',
  title: 'VFIO dma-buf, importer that maps without the reservation lock',
  summary:
    "vfio-dmabuf-revoke with one change to the importer's map path: it calls dma_buf_map_attachment without taking the reservation lock and keeps the table afterwards. VFIO's revoke can then run between the map and the keep: the callback finds no table, returns, and the device keeps a table of a BAR that was revoked and then removed.",
  source: 'include/linux/dma-buf.h (dma_buf_map_attachment: the importer holds the reservation lock); drivers/dma-buf/dma-buf.c',
  world: importer('importer (RDMA NIC, maps without the reservation lock)', { moveNotify: 'dmabuf-unmap-on-move', mapAttachment: 'dmabuf-map-unlocked' }),
  driver: dmabufImporter(false),
  environment: dmabufEnvironment,
  // The race wants the revoke between two calls of the map path and a device access after the
  // removal, 13 calls in one order: 30000 runs find it on every seed tried (docs/performance.md).
  searchRuns: 30000,
  completeWorld,
  expected: {
    ...common,
    'no-dma-after-free': violated('A revoke between the map and the keep finds nothing to unmap; after the hot-unplug the device still reaches the BAR through the table.'),
    'provider-removal': violated('The removal completes while the table the callback missed still holds bus addresses of the BAR.'),
    'dmabuf-protocol': violated('dma_buf_map_attachment without the reservation lock: dma_resv_assert_held() fails.'),
    'iova-state': noIova,
    'p2p-reachable': reachable,
  },
};

export const dmabufPinnedRevoke: Design = {
  id: 'dmabuf-pinned-revoke',
  title: 'VFIO dma-buf, pinned RDMA importer (before VFIO refused pinned importers)',
  summary:
    "The importer registers a pinned dma-buf MR (ib_umem_dmabuf_get_pinned: dma_buf_pin, then map, under the reservation lock). Its move_notify only warns, as ib_umem_dmabuf_unsupported_move_notify does: pinned memory is not supposed to move. VFIO's revoke calls it all the same (dma_buf_move_notify does not skip pinned attachments), and the device keeps its table across the revoke and the hot-unplug. It runs on a kernel before 6.19; dmabuf-pinned-refused is the same importer on today's, where VFIO refuses the pin (61ceaf236115).",
  source: "drivers/infiniband/core/umem_dmabuf.c (ib_umem_dmabuf_get_pinned, ib_umem_dmabuf_unsupported_move_notify); Romanovsky's 2026 series (\"dma-buf has quietly allowed calling move_notify on pinned dma-bufs\"); 61ceaf236115",
  world: { ...importer('importer (RDMA NIC, pinned dma-buf MR)', pinnedDriver), era: { ...currentEra, vfioDmabufRefusesPin: false } },
  driver: dmabufImporter(false),
  environment: dmabufEnvironment,
  completeWorld,
  expected: {
    ...common,
    'no-dma-after-free': violated('The revoke cannot take the table back from a pinned importer: after the hot-unplug the device still reaches the BAR.'),
    'provider-removal': violated('The removal completes while the pinned table holds bus addresses of the BAR.'),
    'dmabuf-protocol': violated('dma_buf_move_notify calls the move_notify of a pinned attachment.'),
    'iova-state': noIova,
    'p2p-reachable': reachable,
  },
};

const gpu = { moveNotify: 'dmabuf-invalidate-on-move', mapAttachment: 'dmabuf-submit-fenced' };

export const dmabufDynamic: Design = {
  id: 'dmabuf-dynamic',
  title: 'dma-buf of a BAR, GPU importer with fenced jobs, exporter that waits for the fences',
  summary:
    "A GPU attaches to VFIO's dma-buf as a dynamic importer. Its submissions take the reservation lock, map the attachment (or reuse the table they keep), submit a job on it and publish the job's fence (dma_resv_add_fence). Its move_notify cannot stop a job in flight: it unmaps and forgets the table and returns, as dma-buf.h allows (\"dynamic importers should set fences for any access that they can't disable immediately\"). The exporter's revoke sets revoked, calls dma_buf_move_notify, then waits for every fence of the buffer with the lock held (dma_resv_wait_timeout, DMA_RESV_USAGE_BOOKKEEP) before it unlocks; the device may go away after that.",
  source: "include/linux/dma-buf.h (move_notify, dma_buf.resv); König's review of the VFIO revoke (Jan 2026: move_notify \"just triggers asynchronous invalidation\") and the proposed \"vfio: Wait for dma-buf invalidation to complete\"",
  world: importer('importer (GPU, dynamic dma-buf importer)', gpu, 'vfio-revoke-wait'),
  driver: dmabufImporter(true),
  environment: dmabufEnvironment,
  completeWorld,
  expected: {
    ...common,
    'no-dma-after-free': held('A job reaches the BAR until its fence signals, and the revoke does not return before every fence signalled; no job can start after move_notify (the map is refused once revoked, and a kept table was forgotten).'),
    'provider-removal': held('The removal comes after the revoke, which waited for every job.'),
    'dmabuf-protocol': held('Maps, unmaps and fences under the reservation lock; the revoke ends only once every fence signalled; nothing pins.'),
    'iova-state': noIova,
    'p2p-reachable': reachable,
  },
};

export const dmabufDynamicNowait: Design = {
  id: 'dmabuf-dynamic-nowait',
  title: 'dma-buf of a BAR, GPU importer with fenced jobs, exporter that does not wait (VFIO as first merged)',
  summary:
    "dmabuf-dynamic with the revoke VFIO first merged (5d74781ebc86): lock, revoked, dma_buf_move_notify, unlock, with no wait for the importers' fences. The GPU's move_notify returns while a job still runs on the old table, the revoke returns, the device goes away, and the job's next access reaches a BAR that is gone.",
  source: "drivers/vfio/pci/vfio_pci_dmabuf.c (vfio_pci_dma_buf_move, as merged); the 2026 review (\"A dma_buf_move_notify() just triggers asynchronous invalidation of the mapping! You need to use dma_resv_wait() to wait for that to finish.\")",
  world: importer('importer (GPU, dynamic dma-buf importer)', gpu),
  driver: dmabufImporter(true),
  environment: dmabufEnvironment,
  completeWorld,
  expected: {
    ...common,
    'no-dma-after-free': violated('A job submitted before the revoke runs on after it; once the device is gone its access reaches a removed BAR.'),
    'provider-removal': violated("The removal completes while a job still reaches the BAR: nothing waited for its fence."),
    'dmabuf-protocol': violated('The exporter ends its revoke with a fence unsignalled.'),
    'iova-state': noIova,
    'p2p-reachable': reachable,
  },
};

export const dmabufPinnedRefused: Design = {
  id: 'dmabuf-pinned-refused',
  title: "VFIO dma-buf, pinned RDMA importer on today's kernel: VFIO refuses the pin",
  summary:
    "dmabuf-pinned-revoke's importer on Linux 6.19 and later: VFIO's dma-buf has a pin op that returns -EOPNOTSUPP (61ceaf236115, \"vfio: Prevent from pinned DMABUF importers to attach to VFIO DMABUF\"), so ib_umem_dmabuf_get_pinned fails at dma_buf_pin, unlocks and returns the error, and the device never gets an address a revoke could not take back.",
  source: '61ceaf236115 (vfio_pci_dma_buf_pin returning -EOPNOTSUPP); drivers/infiniband/core/umem_dmabuf.c (ib_umem_dmabuf_get_pinned)',
  world: importer('importer (RDMA NIC, pinned dma-buf MR)', pinnedDriver),
  driver: dmabufImporter(false),
  environment: dmabufEnvironment,
  completeWorld,
  expected: {
    ...common,
    'no-dma-after-free': held('The pin is refused before any map: the NIC never holds an address of the BAR.'),
    'provider-removal': held('No table of the BAR is ever made, so none is left at the removal.'),
    'dmabuf-protocol': held('Nothing is pinned (the pin is refused), so move_notify reaches no pinned attachment; the refused map path holds the lock while it tries.'),
    'iova-state': noIova,
    'p2p-reachable': reachable,
  },
};
