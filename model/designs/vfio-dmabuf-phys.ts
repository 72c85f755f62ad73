/**
 * VFIO's dma-buf reached through the host bridge by an importer behind an
 * IOMMU (issue 19's vfio-dmabuf-phys): the exporter builds the importer's
 * table with dma_buf_phys_vec_to_sgt(), which maps the BAR's physical
 * range into one IOVA range (dma_iova_try_alloc, dma_iova_link with
 * DMA_ATTR_MMIO, dma_iova_sync), and dma_buf_free_sgt() destroys it when
 * the importer unmaps (on its own release, or in move_notify when VFIO
 * revokes). The importer's IOMMU may fail a page-table allocation or an
 * IOTLB sync (fault injection).
 */
import type { Design, StepTemplate } from './design.ts';
import { held, reachable, single, violated } from './design.ts';
import { dmabufEnvironment, dmabufImporter } from './dmabuf-steps.ts';
import { IMPORTER } from './gup-io.ts';
import { common, importer } from './vfio-dmabuf.ts';
import type { Era, IommuCall } from '../state.ts';
import { currentEra, type WorldSpec } from '../world.ts';

/** The RDMA importer of vfio-dmabuf-revoke, behind dma-iommu, both devices on one host bridge on the P2P allow-list: no common switch, so P2P goes through the host bridge. */
const hostBridgeWorld = (era: Era): WorldSpec => {
  const w = importer('importer (RDMA NIC behind an IOMMU, dynamic dma-buf MR)', { moveNotify: 'dmabuf-unmap-on-move', mapAttachment: 'dmabuf-map' });
  return {
    ...w,
    era,
    devices: w.devices.map((d, i) => (i === IMPORTER ? { ...d, iommuMergesSg: true } : d)),
    pci: { hostBridges: [{ allowListed: true }], switches: [], slots: [{ hostBridge: 0 }, { hostBridge: 0 }] },
  };
};

/** Fault injection in the importer's IOMMU domain: its page-table allocation or its IOTLB sync fails from now on. */
const faultInject: StepTemplate = single('iommu_fault_inject', 'environment', 1, (s) =>
  (['iommu_map', 'iommu_sync_map'] as ReadonlyArray<IommuCall>).filter((c) => !s.devices[IMPORTER]!.iommuFaults.includes(c)).map((call) => ({ kind: 'iommu_fault_inject' as const, dev: IMPORTER, call })),
);

const common2 = {
  ...common,
  'no-dma-after-free': held("The map path maps and keeps the table under the reservation lock; VFIO's revoke unmaps it before the device can go, and the unmap destroys the IOVA range, so nothing reaches the BAR after it."),
  'provider-removal': held("VFIO's remove revokes first, and the revoke's move_notify leaves no table and no IOVA translation of the BAR."),
  'dmabuf-protocol': held("Map and unmap run under the reservation lock (the callback under the exporter's), move_notify is called with it held, and nothing pins."),
  'p2p-reachable': reachable,
} as const;

export const vfioDmabufPhys: Design = {
  id: 'vfio-dmabuf-phys',
  title: "VFIO dma-buf through the host bridge: dma_buf_phys_vec_to_sgt's IOVA path, as merged",
  summary:
    "vfio-dmabuf-revoke with the importer behind an IOMMU and no common switch: VFIO's map_dma_buf calls dma_buf_phys_vec_to_sgt, which allocates one IOVA range for the buffer, links the BAR's range with DMA_ATTR_MMIO and syncs it, and the table's one entry is the IOVA; the importer's unmap destroys the range. When the IOMMU fails the first link (a page-table allocation), err_unmap_dma does nothing for the first range (`if (!i || !dma->state)`), the state is kfree'd, and the IOVA range stays allocated with nobody to free it.",
  source: 'drivers/dma-buf/dma-buf-mapping.c (dma_buf_phys_vec_to_sgt, dma_buf_free_sgt; read in torvalds/linux at 0b9828c7231e); drivers/vfio/pci/vfio_pci_dmabuf.c; drivers/iommu/dma-iommu.c (dma_iova_try_alloc, dma_iova_link)',
  world: hostBridgeWorld(currentEra),
  driver: dmabufImporter(false),
  environment: [...dmabufEnvironment, faultInject],
  completeWorld: {
    set: {},
    without: [],
    why: "Its own world: vfio-dmabuf-revoke's (one two-page BAR exported whole, one RDMA importer with its map path and move_notify as threads, VFIO's revoke and the hot-unplug, the device's accesses) with the importer's IOMMU and both of its faults. The leak needs one map whose first link fails; a second range (VFIO exports ranges a user names) is linked at offset 0 over the first and refused (-EEXIST), a map that fails and gives everything back: not in this world, whose buffer is one range.",
  },
  expected: {
    ...common2,
    'iova-state': violated("A first dma_iova_link that fails (the IOMMU's page-table allocation) goes to err_unmap_dma with i == 0, which does nothing; dma->state is kfree'd and the IOVA range dma_iova_try_alloc allocated is never freed. No thread or fix names this path (as read in 0b9828c7231e)."),
  },
};

export const vfioDmabufPhysFixed: Design = {
  ...vfioDmabufPhys,
  id: 'vfio-dmabuf-phys-fixed',
  title: 'VFIO dma-buf through the host bridge, dma_buf_phys_vec_to_sgt freeing the IOVA range on every error (proposed)',
  summary:
    "vfio-dmabuf-phys with the error path this model proposes: err_unmap_dma frees the IOVA range whatever range failed (dma_iova_destroy of what was linked, which is dma_iova_free when nothing was). Every map that fails gives everything back.",
  world: hostBridgeWorld({ ...currentEra, physVecErrorFreesIova: true }),
  expected: {
    ...common2,
    'iova-state': held('Every error path of dma_buf_phys_vec_to_sgt destroys the IOVA range before the state is freed; a table that was made is destroyed by dma_buf_free_sgt when the importer unmaps it, before VFIO lets the device go.'),
  },
};

