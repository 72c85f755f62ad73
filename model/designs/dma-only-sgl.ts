import type { Design } from './design.ts';
import { bools, held, single, violated, noDmaBuf, noIova, reachable } from './design.ts';
import type { Op } from '../op.ts';
import * as env from './environment.ts';
import { IMPORTER } from './gup-io.ts';
import { sglsWhere, vmasWith } from './queries.ts';
import { world } from './worlds.ts';

export const dmaOnlySgl: Design = {
  id: 'dma-only-sgl',
  title: 'DMA-only SGL, DMA mapping done next to GUP',
  summary:
    'Jason Gunthorpe\'s counter-proposal (Jan 2019): sgl_dma_map_user(dev, uptr, len) walks the VMAs itself, pins ordinary memory and DMA-maps it, asks an exporter\'s VMA for BAR addresses, and returns a table of DMA addresses with no CPU side. The layer keeps the pinned pages privately and dirties and unpins them in sgl_dma_unmap. Generic SGL code cannot take such a table at all.',
  source: 'Gunthorpe, linux-mm, 30 Jan 2019 (sgl_dma_map_user sketch) and <20190131190202.GC7548@mellanox.com>',
  world: world('raw'),
  driver: [
    single('sgl_dma_map_user', 'driver', 2, (s) =>
      s.mappings.size >= s.bounds.mappings
        ? []
        : vmasWith(s, ['anon', 'file', 'bar']).flatMap((v) =>
            bools.map((write): Op => ({ kind: 'sgl_dma_map_user', dev: IMPORTER, mm: v.mm, start: v.start, npages: v.npages, dir: write ? 'from-device' : 'to-device' })),
          ),
    ),
    single('sgl_dma_unmap', 'driver', 1, (s) => sglsWhere(s, (x) => x.dmaOnly).map((t): Op => ({ kind: 'sgl_dma_unmap', sgl: t.id }))),
  ],
  environment: [...env.userMemoryEnvironment(), env.mmapOf('bar'), env.removeProvider(0)],
  expected: {
    'dmabuf-protocol': noDmaBuf,
    'iova-state': noIova,
    'p2p-reachable': reachable,
    'mirror-coherent': held('No device mirrors a process page table (no hmm_range_fault): nothing for the rule to judge.'),
    'no-cpu-iomem': held('A DMA-only table has no CPU side: generic SGL walkers cannot be handed one.'),
    'map-within-vma-lifetime': violated('The BAR half has no lifetime of its own: munmap of the exporter\'s VMA leaves the DMA-only mapping live (the sketch names no notifier or revoke).'),
    'correct-dirtying': held('The layer pins, keeps the pages and dirties them in sgl_dma_unmap; today\'s reclaim leaves pinned pages\' buffers alone.'),
    'no-dma-after-free': violated('Provider removal or munmap frees the BAR window while the device still has its addresses: the gap dma-buf move_notify and p2pdma_provider later filled.'),
    'pin-coherent': held('RAM is pinned with FOLL_PIN: fork copies pinned pages early (5.9) and a read-only pin unshares a page fork left shared (5.19). A read-only short-term pin of a MAP_PRIVATE file page keeps the page-cache page when the process then COWs its copy; its reads are snapshots the invariant does not judge, and a write through another mapping of that page goes through its own pin.'),
    'notifier-protocol': held('No mmu interval notifier callbacks run: nothing for the protocol to judge.'),
    'dma-api-hygiene': held('The layer maps and unmaps inside sgl_dma_map_user/sgl_dma_unmap; the driver makes no streaming DMA API call for dma-debug to judge.'),
    'provider-removal': violated('A DMA-only table of a BAR window has no lifetime link to the exporter: the removal completes while its mapping is live.'),
    'gup-release': held('The DMA-only layer takes its pins privately and gives them back itself at sgl_dma_unmap with unpin_user_pages; the driver never holds them.'),
    'isolation': held('sgl_dma_map_user pins with FOLL_WRITE when the device writes, which gives the process an exclusive page first; no fork runs here.'),
  },
};
