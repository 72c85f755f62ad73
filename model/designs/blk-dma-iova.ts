/**
 * O_DIRECT on an NVMe queue behind an IOMMU with the scatterlist-less
 * block mapping of 6.17 (858299dc6160 "block: add scatterlist-less DMA
 * mapping helpers", Christoph Hellwig): the request's pages go into one
 * IOVA range with the two-step DMA API, and the device gets iter->addr and
 * iter->len. The IOMMU's calls may fail (fault injection: a page-table
 * allocation, an IOTLB sync), and the map path's error handling is what
 * the pair of designs compares: before and after 81e7223b1a2d "block: fix
 * partial IOVA mapping cleanup in blk_rq_dma_map_iova".
 */
import type { Op } from '../op.ts';
import type { IommuCall, State } from '../state.ts';
import type { WorldSpec } from '../world.ts';
import { currentEra } from '../world.ts';
import type { Design, Plan, StepTemplate } from './design.ts';
import { bools, held, noDmaBuf, single, violated } from './design.ts';
import * as env from './environment.ts';
import { driverThreadRunsOn, driverThreads, newestThreadRunsOn } from './importer-steps.ts';
import { vmasWith } from './queries.ts';
import { ownerGone } from '../ops/iova.ts';

/** The NVMe controller: device 0, behind dma-iommu. */
export const NVME = 0;

const world = (mapRequest: string): WorldSpec => ({
  ramPages: 2,
  devices: [{ name: 'NVMe controller behind an IOMMU (dma-iommu)', p2pPeers: [], iommuMergesSg: true, driver: { mapRequest } }],
  bars: [],
  filePages: 0,
  era: currentEra,
  bounds: { vmas: 1, mms: 1, notifiers: 0, ios: 1, mappings: 0 },
});

/**
 * Requests the world holds: those in flight (their pages pinned) and those
 * that ended and left an IOVA range behind (a leak never ends), against
 * the world's bound on I/Os.
 */
const requestsHeld = (s: State): number => s.pageArrays.size + [...s.iovas.values()].filter((v) => ownerGone(s, v)).length;

/** An O_DIRECT read or write of a whole anonymous VMA: pin_user_pages (FOLL_WRITE for a read from disk), then the queue maps the request. */
const oDirect: StepTemplate = {
  name: 'o_direct(nvme, IOVA)',
  role: 'driver',
  weight: 2,
  options: (s) =>
    requestsHeld(s) >= s.bounds.ios
      ? []
      : vmasWith(s, ['anon']).flatMap((v) =>
          bools.map((write): Plan => [
            (): Op => ({ kind: 'pin_user_pages', mm: v.mm, start: v.start, npages: v.npages, write, longterm: false, p2pdma: false }),
            (_s, made): Op => ({ kind: 'nvme_queue_rq', dev: NVME, pages: made[0]! }),
          ]),
        ),
};

/**
 * The request completes (nvme_unmap_data -> blk_rq_dma_unmap): destroy the
 * IOVA range with iod->total_len, the length the command was given, then
 * unpin the pages, dirtying them for a read from disk.
 */
const completeIo: StepTemplate = {
  name: 'complete_io(dma_iova_destroy, unpin_user_pages_dirty_lock)',
  role: 'driver',
  weight: 2,
  options: (s) =>
    [...s.iovas.values()].flatMap((v): Plan[] => {
      const a = v.owner.kind === 'request' ? s.pageArrays.get(v.owner.pages) : undefined;
      if (!v.allocated || v.handed === null || a === undefined) return [];
      const destroy: Op = { kind: 'dma_iova_destroy', dev: v.device, iova: v.id, mapped: v.handed.npages, dir: v.handed.dir };
      const unpin: Op = { kind: 'unpin_user_pages_dirty_lock', pages: a.id, make_dirty: a.write };
      return [[() => destroy, () => unpin]];
    }),
};

/** Fault injection: the IOMMU's page-table allocation or its IOTLB sync fails from now on. */
const faultInject: StepTemplate = single('iommu_fault_inject', 'environment', 1, (s) =>
  (['iommu_map', 'iommu_sync_map'] as ReadonlyArray<IommuCall>).filter((c) => !s.devices[NVME]!.iommuFaults.includes(c)).map((call): Op => ({ kind: 'iommu_fault_inject', dev: NVME, call })),
);

const environment: ReadonlyArray<StepTemplate> = [env.mmapOf('anon', 0, [1, 2]), env.munmapAny, env.exitAny, env.deviceAccessAny(true), env.deviceAccessAny(false), faultInject];

const common = {
  'dmabuf-protocol': noDmaBuf,
  'no-cpu-iomem': held('No BAR in this world, and nothing walks the request with the CPU.'),
  'map-within-vma-lifetime': held('The addresses come from pinned pages, not from a VMA op: a munmap during the I/O leaves the pinned pages to it.'),
  'correct-dirtying': held('Completion unpins with unpin_user_pages_dirty_lock(make_dirty) for a read from disk; a failed request gave the device no address, so nothing was written.'),
  'no-dma-after-free': held('The pins hold every page until completion, which destroys the IOVA range before it unpins: every translation the device can use is to a pinned page.'),
  'pin-coherent': held('One process and no fork: nothing moves the process off a pinned page.'),
  'notifier-protocol': held('No mmu interval notifier: nothing for the protocol to judge.'),
  'dma-api-hygiene': held('No scatterlist or page mapping is made: the IOVA calls are iova-state\'s to judge.'),
  'provider-removal': held('No P2PDMA provider in this world.'),
  'mirror-coherent': held('No device mirrors a process page table: nothing for the rule to judge.'),
  'gup-release': held('Every pin_user_pages array goes back with unpin_user_pages or unpin_user_pages_dirty_lock, never put_page.'),
  'isolation': held('One process: no other process to leak to.'),
  'p2p-reachable': held('No map call makes a DMA mapping here: the IOVA range\'s translations are iova-state\'s to judge.'),
} as const;

export const blkDmaIova617: Design = {
  id: 'blk-dma-iova-6.17',
  title: 'Block requests through the two-step IOVA API, before the partial-link fix (6.17 to 6.19)',
  summary:
    "A process does O_DIRECT reads and writes of anonymous memory on an NVMe queue behind an IOMMU. The queue's map path (blk_rq_dma_map_iova as merged in 6.17) allocates one IOVA range for the request, links each page, syncs what it linked and hands the device the whole range; completion destroys the range with the command's length and unpins. Fault injection may make the IOMMU's page-table allocation (dma_iova_link: -ENOMEM) or its IOTLB sync fail. A failing link breaks out of the loop and the sync's success overwrites its error, so the request goes to the device with pages that have no translation; a failing sync returns false and leaves the range allocated and linked.",
  source:
    '858299dc6160 "block: add scatterlist-less DMA mapping helpers" (6.17); 81e7223b1a2d "block: fix partial IOVA mapping cleanup in blk_rq_dma_map_iova" (Chaitanya Kulkarni, reviewed by Christoph Hellwig); drivers/iommu/dma-iommu.c (dma_iova_destroy, __iommu_dma_iova_unlink: WARN_ON(unmapped != size))',
  world: world('blk-rq-dma-map-iova-6.17'),
  driver: [oDirect, driverThreads, driverThreadRunsOn, newestThreadRunsOn, completeIo],
  environment,
  expected: {
    ...common,
    'iova-state': violated(
      'A link that fails part-way is lost: the sync of what was linked returns 0, the function returns true with iter->len the whole range, and the device uses a page with no translation (an IOMMU fault); completion then destroys the whole length and unlinks pages never linked (WARN_ON). A failing sync returns false with no destroy: the request ends with its IOVA range allocated and linked.',
    ),
  },
  completeWorld: {
    set: {},
    without: [],
    why: "Its own world: one request at a time of one or two pages (a two-page request has a first link that succeeds and a second that can fail), one process, both IOMMU faults, the device's reads and writes, munmap and exit during the I/O. Both of the bug's paths (a lost link error, a sync error that leaks) and the fix's out_unlink need one request; a second request in flight would only hold more IOVA space, which this model does not bound.",
  },
};

export const blkDmaIova: Design = {
  ...blkDmaIova617,
  id: 'blk-dma-iova',
  title: 'Block requests through the two-step IOVA API, with the partial-link fix (81e7223b1a2d)',
  summary:
    "blk-dma-iova-6.17 with blk_rq_dma_map_iova as fixed by 81e7223b1a2d: a failing link or sync goes to out_unlink, which destroys what was linked (dma_iova_destroy of `mapped`), and the request fails; the device only ever gets a range whose every page is linked and synced.",
  world: world('blk-rq-dma-map-iova'),
  expected: {
    ...common,
    'iova-state': held(
      'Every error goes to out_unlink: dma_iova_destroy unlinks exactly what was linked and frees the range before the request fails; the device is handed the range only after every page was linked and the sync returned 0, and completion destroys the length it handed.',
    ),
  },
};
