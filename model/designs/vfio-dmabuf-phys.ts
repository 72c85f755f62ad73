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
const hostBridgeWorld = (era: Era, iommuOverwrites = false): WorldSpec => {
  const w = importer(`importer (RDMA NIC behind ${iommuOverwrites ? "an AMD IOMMU (v1 page table)" : 'an IOMMU'}, dynamic dma-buf MR)`, { moveNotify: 'dmabuf-unmap-on-move', mapAttachment: 'dmabuf-map' });
  return {
    ...w,
    era,
    devices: w.devices.map((d, i) => (i === IMPORTER ? { ...d, iommuMergesSg: true, iommuOverwrites } : d)),
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

/** VFIO exports its BAR as two physical ranges (VFIO_DEVICE_FEATURE_DMA_BUF with two dma_ranges): page 1, then page 0. */
const exportTwoRanges: StepTemplate = single('dma_buf_export', 'driver', 1, (s) =>
  s.dmaBufs.size === 0 && s.bars[0]!.alive && !s.bars[0]!.removing ? [{ kind: 'dma_buf_export' as const, dev: 0, bar: 0, pages: [1, 0] }] : [],
);

const twoRanges = (design: Design): Design['driver'] => design.driver.map((t) => (t.name === 'dma_buf_export' ? exportTwoRanges : t));

export const vfioDmabufPhysRanges: Design = {
  ...vfioDmabufPhys,
  id: 'vfio-dmabuf-phys-ranges',
  title: "VFIO dma-buf of two ranges through the host bridge to an importer behind AMD's IOMMU: every range linked at offset 0",
  summary:
    "vfio-dmabuf-phys with the BAR exported as two physical ranges (page 1, then page 0) and the importer behind an IOMMU whose page table replaces a translation it is asked to map over (AMD's v1 io-pgtable). dma_buf_phys_vec_to_sgt links every range at offset 0 of the IOVA range, so the second lands on the first: no error, one table entry for the whole buffer, whose first page reaches the second range's memory and whose second page has no translation. The importer's device writes the wrong page of the BAR, and dma_buf_free_sgt's destroy of the whole size finds a page never linked (WARN_ON).",
  source:
    'drivers/dma-buf/dma-buf-mapping.c (dma_buf_phys_vec_to_sgt: dma_iova_link(attach->dev, dma->state, phys_vec[i].paddr, 0, ...), read in torvalds/linux at 0b9828c7231e); drivers/iommu/amd/io_pgtable.c (iommu_v1_map_pages: free_clear_pte, then the new PTE, read at 025d1371cc8c); drivers/vfio/pci/vfio_pci_dmabuf.c (priv->phys_vec, priv->nr_ranges)',
  world: hostBridgeWorld(currentEra, true),
  driver: twoRanges(vfioDmabufPhys),
  completeWorld: {
    set: {},
    without: [],
    why: "Its own world: vfio-dmabuf-phys's, with the buffer in two one-page ranges and an IOMMU that replaces translations. Two ranges are the fewest that overlap; the importer's one map path, VFIO's revoke and the hot-unplug, the device's accesses and both IOMMU faults over these objects.",
  },
  expected: {
    ...vfioDmabufPhys.expected,
    'p2p-reachable': violated("The table's first page, made for range 0's memory (pfn of BAR page 1), reaches range 1's (BAR page 0): range 1 was linked at offset 0 over range 0, and the IOMMU replaced the translation."),
    'no-dma-after-free': violated('The NIC writes through the table and lands on the other page of the BAR than the one the buffer has there.'),
    'iova-state': violated("dma_buf_free_sgt destroys the whole size, and the IOVA range's second page was never linked: iommu_unmap stops there (WARN_ON(unmapped != size)); before that, the device's use of that page faults."),
  },
};

export const vfioDmabufPhysRangesFixed: Design = {
  ...vfioDmabufPhysRanges,
  id: 'vfio-dmabuf-phys-ranges-fixed',
  title: 'VFIO dma-buf of two ranges through the host bridge, each range linked at its offset (proposed)',
  summary:
    'vfio-dmabuf-phys-ranges with the fix this model proposes: dma_buf_phys_vec_to_sgt links range i at offset mapped_len (its place in the buffer), and frees the IOVA range on every error. Every page of the table reaches the memory the buffer has there.',
  world: hostBridgeWorld({ ...currentEra, physVecLinksAtOffset: true, physVecErrorFreesIova: true }, true),
  expected: vfioDmabufPhysFixed.expected,
};
