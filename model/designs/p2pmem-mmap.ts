/**
 * The p2pmem `allocate` file (7e9c7ef83d78, 6.2) when its mmap fails half
 * way, and a removal of the provider after it. p2pmem_alloc_mmap() takes
 * the whole length from the provider's gen_pool and a reference to its
 * pgmap (percpu_ref_tryget_live_rcu()), then inserts the pages one by one
 * with vm_insert_page(). When an insert fails (-ENOMEM, its page table
 * could not be allocated: fault injection here), the error path gives the
 * rest of the length back; until a1f4dc72efc3 (Hou Tao, 6.19) it returned
 * without percpu_ref_put(), and memunmap_pages() waited for that reference
 * forever when the provider was removed. The verdict is a liveness one:
 * `dmacheck explore` reports whether every removal under way can complete.
 */
import type { Op } from '../op.ts';
import type { Era } from '../state.ts';
import type { WorldSpec } from '../world.ts';
import { currentEra } from '../world.ts';
import type { Design, StepTemplate } from './design.ts';
import { held, noDmaBuf, single, noIova, reachable } from './design.ts';
import * as env from './environment.ts';
import { liveMms } from './queries.ts';

/** Linux 6.2 to 6.18: the allocate file exists, its mmap error path keeps the pgmap reference. */
const era618: Era = { ...currentEra, p2pmemMmapErrorPutsRef: false };

const world = (era: Era): WorldSpec => ({
  ramPages: 2,
  devices: [
    { name: 'provider (P2PDMA pages published through its p2pmem allocate file)', p2pPeers: [1] },
    { name: 'client', p2pPeers: [0] },
  ],
  bars: [{ device: 0, npages: 2, structPages: true }],
  filePages: 0,
  era,
});

/**
 * A process mmaps the allocate file, one or two pages; with fault
 * injection (fail_page_alloc on the page-table allocation), the
 * vm_insert_page() of any one page may fail. The world stops injecting
 * once a reference has leaked: every further failure leaks one more, and
 * the world would have no end.
 */
const mmapAllocate: StepTemplate = {
  ...single('mmap_p2pmem', 'environment', 2, (s) =>
    s.vmas.size >= s.bounds.vmas
      ? []
      : liveMms(s).flatMap((mm) =>
          [1, 2].flatMap((npages): Op[] => [
            { kind: 'mmap', mm: mm.id, npages, backing: { kind: 'p2pmem', bar: 0 } },
            ...(s.bars.some((b) => b.pgmapRefs > 0) ? [] : Array.from({ length: npages }, (_, k): Op => ({ kind: 'mmap', mm: mm.id, npages, backing: { kind: 'p2pmem', bar: 0, insert_fails_at: k } }))),
          ]),
        ),
  ),
  swarm: false,
};

const summary = (fixed: boolean): string =>
  `A process mmaps the provider's p2pmem allocate file (ZONE_DEVICE pages inserted one by one with vm_insert_page), where fault injection may make any one insert fail with -ENOMEM, unmaps, exits; the provider may be removed at any point, and its removal waits in memunmap_pages() until the pgmap's percpu_ref is zero. ${
    fixed
      ? "Today's kernel: the mmap error path drops the pgmap reference the call took (a1f4dc72efc3), so every removal can complete."
      : 'Linux 6.2 to 6.18: the error path returns without percpu_ref_put(), so after a failed mmap the removal hangs forever (`dmacheck explore` reports it).'
  }`;

const expected = (fixed: boolean): Design['expected'] => ({
  'dmabuf-protocol': noDmaBuf,
  'iova-state': noIova,
  'p2p-reachable': reachable,
  'no-cpu-iomem': held('No generic SGL walker runs in this world: nothing touches the pages with the CPU through a table.'),
  'map-within-vma-lifetime': held('No mapping is taken through a VMA op.'),
  'correct-dirtying': held('No device writes here: nothing to dirty.'),
  'no-dma-after-free': held('No device is given an address here.'),
  'pin-coherent': held('Nothing pins the pages.'),
  'notifier-protocol': held('No mmu interval notifier callbacks run: nothing for the protocol to judge.'),
  'dma-api-hygiene': held('No streaming DMA mapping is made.'),
  'provider-removal': held(
    fixed
      ? 'The removal zaps the process mapping of the allocate file and completes once its pages are free: no mapping of the BAR is left.'
      : 'No mapping of the BAR outlives a removal that completes. The hole of this era is liveness: after a failed mmap the removal never completes (dmacheck explore, provider removal: HANGS).',
  ),
  'mirror-coherent': held('No device mirrors a process page table (no hmm_range_fault): nothing for the rule to judge.'),
  'gup-release': held('GUP takes nothing here.'),
  isolation: held('No GUP reference, no device write.'),
});

const design = (fixed: boolean): Design => ({
  id: fixed ? 'p2pmem-mmap' : 'p2pmem-mmap-6.18',
  title: fixed ? 'mmap of the p2pmem allocate file failing half way, then removal (today)' : 'mmap of the p2pmem allocate file failing half way, then removal (6.2 to 6.18: the pgmap reference leaks)',
  summary: summary(fixed),
  source: 'drivers/pci/p2pdma.c p2pmem_alloc_mmap() (7e9c7ef83d78, 6.2); a1f4dc72efc3 "PCI/P2PDMA: Release per-CPU pgmap ref when vm_insert_page() fails" (Hou Tao, 6.19); mm/memremap.c memunmap_pages()',
  world: world(fixed ? currentEra : era618),
  driver: [],
  environment: [mmapAllocate, env.munmapAny, env.exitAny, env.removeProvider(0)],
  expected: expected(fixed),
  completeWorld: {
    set: {},
    without: [],
    why: "Its own world, which explore closes (18 and 30 states): one process mmapping one or two pages of the two-page allocate file, any one insert failing, munmap, exit, and the provider's removal at any point. The leaked reference shows after one failed mmap (6.18's removal hangs after 2 calls: the failed mmap, then the removal); a second failed mmap only leaks another, and a second process would run the same steps on the same file.",
  },
  ...(fixed
    ? {}
    : { removalHangs: "After a failed mmap of the allocate file the error path has kept the pgmap reference it took (before a1f4dc72efc3): no page holds it and no step drops it, so memunmap_pages() waits for it forever." }),
});

export const p2pmemMmap618 = design(false);
export const p2pmemMmap = design(true);
