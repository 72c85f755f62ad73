import type { Design, Plan, StepTemplate } from './design.ts';
import { bools, held, single, violated, noDmaBuf, noIova, reachable } from './design.ts';
import * as env from './environment.ts';
import { IMPORTER } from './gup-io.ts';
import { isMapped, mappingsWhere, sglsWhere } from './queries.ts';
import { world } from './worlds.ts';
import type { Op } from '../op.ts';
import type { State } from '../state.ts';

/** P2PDMA pages the driver allocated and has not put in a table yet. */
export const looseP2pPages = (s: State) =>
  s.frames.filter(
    (f) => f.bar !== null && f.structPage && !f.free && f.mapping.kind === 'kernel' && ![...s.sgls.values()].some((t) => t.entries.some((e) => e.page === f.pfn)),
  );

/** The orchestrator puts an allocated P2PDMA page in a one-entry ordinary table. */
export const buildP2pSgl: StepTemplate = {
  name: 'build_sgl(sg_alloc_table, sg_set_page)',
  role: 'driver',
  weight: 2,
  options: (s) =>
    looseP2pPages(s).map((f): Plan => [() => ({ kind: 'sg_alloc_table', nents: 1 }), (_s, made) => ({ kind: 'sg_set_page', sgl: made[0]!, index: 0, page: f.pfn })]),
};

export const p2pdmaPageSgl: Design = {
  id: 'p2pdma-page-sgl',
  title: 'ZONE_DEVICE P2PDMA pages in ordinary SGLs (2019 upstream)',
  summary:
    'Logan Gunthorpe\'s P2PDMA as merged in 4.20: a provider registers its BAR with pci_p2pdma_add_resource, an orchestrator (nvmet) allocates with pci_alloc_p2pmem, puts the pages in an ordinary scatterlist with sg_set_page, and the client maps it with pci_p2pdma_map_sg. The pages have struct pages, so the SGL looks like any other to the generic code that walks it.',
  source: 'drivers/pci/p2pdma.c (2019); Documentation/driver-api/pci/p2pdma.rst',
  world: world('p2pdma'),
  driver: [
    single('pci_alloc_p2pmem', 'driver', 1, () => [{ kind: 'pci_alloc_p2pmem', bar: 0 }]),
    buildP2pSgl,
    single('pci_p2pdma_map_sg', 'driver', 2, (s) =>
      sglsWhere(s, (x) => !x.dmaOnly && !isMapped(s, x)).flatMap((t) =>
        bools.map((write): Op => ({ kind: 'pci_p2pdma_map_sg', dev: IMPORTER, sgl: t.id, dir: write ? 'from-device' : 'to-device' })),
      ),
    ),
    {
      name: 'complete(pci_p2pdma_unmap_sg, sg_free_table)',
      role: 'driver',
      weight: 1,
      options: (s) =>
        mappingsWhere(s, (x) => x.api === 'pci_p2pdma_map_sg').flatMap((m): Plan[] => {
          // Stryker disable next-line ArrayDeclaration: a redundant guard: pci_p2pdma_map_sg mappings always come from a table (it narrows the type)
          if (m.origin.kind !== 'sgl') return [];
          const sgl = m.origin.sgl;
          return [[() => ({ kind: 'pci_p2pdma_unmap_sg', mapping: m.id, dev: m.device, nents: m.nents, dir: m.dir }), () => ({ kind: 'sg_free_table', sgl })]];
        }),
    },
    single('pci_free_p2pmem', 'driver', 1, (s) => looseP2pPages(s).map((f): Op => ({ kind: 'pci_free_p2pmem', page: f.pfn }))),
    single('memcpy_toio', 'driver', 1, (s) => looseP2pPages(s).map((f): Op => ({ kind: 'memcpy_toio', page: f.pfn }))),
  ],
  environment: [env.sglConsumer, env.deviceAccessAny(true), env.deviceAccessAny(false), env.removeProvider(0)],
  completeWorld: {
    set: {},
    without: [],
    why: 'Its own world: one provider with a two-page BAR, its allocator, a table the driver fills and maps, the generic SGL walkers, the device and the removal. Its expected violation (a CPU walk of a P2PDMA page) shows in one step, and the whole space of every order of these steps is explored.',
  },
  expected: {
    'dmabuf-protocol': noDmaBuf,
    'iova-state': noIova,
    'p2p-reachable': reachable,
    'mirror-coherent': held('No device mirrors a process page table (no hmm_range_fault): nothing for the rule to judge.'),
    'no-cpu-iomem': violated('Any generic SGL walker (bounce, integrity, soft RDMA) kmaps or memcpys the P2PDMA page: its kernel address is MMIO.'),
    'map-within-vma-lifetime': held('Kernel-internal: no VMA is involved.'),
    'correct-dirtying': held('No GUP and no dirtying: the orchestrator owns the memory.'),
    'no-dma-after-free': held('Provider removal waits for every page reference; the driver frees only after unmapping.'),
    'pin-coherent': held('No user pages are involved.'),
    'notifier-protocol': held('No mmu interval notifier callbacks run: nothing for the protocol to judge.'),
    'dma-api-hygiene': held('The orchestrator unmaps with pci_p2pdma_unmap_sg and the arguments it mapped with, then frees the table.'),
    'provider-removal': held('memunmap_pages waits until the orchestrator has unmapped and freed every page, and a page in a mapped table is never freed, so no mapping outlives the removal.'),
    'gup-release': held('The pages come from pci_alloc_p2pmem, not from GUP: nothing for the rule to judge.'),
    'isolation': held('The pages come from pci_alloc_p2pmem, not from process memory: nothing for the rule to judge.'),
  },
};
