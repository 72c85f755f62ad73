/**
 * P2PDMA memory and a soft RDMA device (rxe, siw, rdmavt): a device whose
 * DMA ops are dma_virt_ops (lib/dma-virt.c, until 5.10), so its "DMA" is
 * the CPU copying through each entry's kernel virtual address. Given a
 * P2PDMA page, that copy is a plain CPU load or store of a BAR.
 *
 * The 2019 kernel keeps P2PDMA memory away from such a client twice:
 * pci_p2pdma_distance_many() refuses it ("cannot be used for peer-to-peer
 * DMA because the driver makes use of dma_virt_ops"), so pci_p2pmem_find()
 * finds no provider for nvmet, and pci_p2pdma_map_sg() warns and returns 0
 * for it. From 5.10 the check moved to rdma_rw_map_sg() (ib_uses_virt_dma).
 * Both guards sit in the path a ULP takes through rdma_rw; a ULP that
 * picks its p2pmem device itself and maps with ib_dma_map_sg passes
 * neither.
 */
import type { Op } from '../op.ts';
import type { State } from '../state.ts';
import type { WorldSpec } from '../world.ts';
import { currentEra } from '../world.ts';
import type { Design, Expectation, Plan, StepTemplate } from './design.ts';
import { bools, held, single, violated, noDmaBuf, noIova, reachable } from './design.ts';
import * as env from './environment.ts';
import { completeIo, IMPORTER, startIo } from './gup-io.ts';
import { buildP2pSgl, looseP2pPages } from './p2pdma-page-sgl.ts';
import { isMapped, mappingsWhere, sglsWhere } from './queries.ts';

const softRdmaWorld: WorldSpec = {
  ramPages: 6,
  devices: [
    { name: 'provider (NVMe CMB with P2PDMA pages)', p2pPeers: [1] },
    { name: 'soft RDMA device (rxe: dma_virt_ops)', p2pPeers: [0], virtDma: true },
  ],
  bars: [{ device: 0, npages: 2, structPages: true }],
  filePages: 2,
  era: currentEra,
};

/** Ordinary tables not mapped yet, and whether they hold a P2PDMA page (is_pci_p2pdma_page of the first entry). */
const unmappedTables = (s: State) =>
  sglsWhere(s, (t) => !t.dmaOnly && t.pages === null && !isMapped(s, t)).map((t) => ({
    sgl: t.id,
    p2p: t.entries.some((e) => e.page !== null && s.frames[e.page]?.bar !== null),
  }));

/** nvmet asks for a provider its client can reach, then allocates from it. */
const allocFound: StepTemplate = {
  name: 'p2pmem_alloc(pci_p2pmem_find, pci_alloc_p2pmem)',
  role: 'driver',
  weight: 1,
  options: () => [[(): Op => ({ kind: 'pci_p2pmem_find', client: IMPORTER }), (): Op => ({ kind: 'pci_alloc_p2pmem', bar: 0 })]],
};

/** A ULP configured with a p2pmem device allocates from it without asking whether its client can reach it. */
const allocConfigured = single('pci_alloc_p2pmem', 'driver', 1, () => [{ kind: 'pci_alloc_p2pmem', bar: 0 }]);

/** rdma_rw_map_sg() (2019): a table of P2PDMA pages goes to pci_p2pdma_map_sg, any other to ib_dma_map_sg. */
const rdmaRwMapSg = single('rdma_rw_map_sg', 'driver', 2, (s) =>
  unmappedTables(s).flatMap((t) =>
    bools.map((write): Op => ({ kind: t.p2p ? 'pci_p2pdma_map_sg' : 'dma_map_sg', dev: IMPORTER, sgl: t.sgl, dir: write ? 'from-device' : 'to-device' })),
  ),
);

/** ib_dma_map_sg() of any table: the ULP maps by itself. */
const ibDmaMapSg = single('ib_dma_map_sg', 'driver', 2, (s) =>
  unmappedTables(s).flatMap((t) => bools.map((write): Op => ({ kind: 'dma_map_sg', dev: IMPORTER, sgl: t.sgl, dir: write ? 'from-device' : 'to-device' }))),
);

/** The I/O completes: unmap with the call that matches the map, then free the table. */
const completeP2pIo: StepTemplate = {
  name: 'complete(unmap, sg_free_table)',
  role: 'driver',
  weight: 1,
  options: (s) =>
    mappingsWhere(s, (m) => (m.api === 'pci_p2pdma_map_sg' || m.api === 'dma_map_sg') && m.origin.kind === 'sgl' && s.sgls.get(m.origin.sgl)?.pages === null).flatMap((m): Plan[] => {
      // Stryker disable next-line ArrayDeclaration: a redundant guard: the filter kept table origins only (it narrows the type)
      if (m.origin.kind !== 'sgl') return [];
      const sgl = m.origin.sgl;
      const kind = m.api === 'pci_p2pdma_map_sg' ? 'pci_p2pdma_unmap_sg' : 'dma_unmap_sg';
      return [[(): Op => ({ kind, mapping: m.id, dev: m.device, nents: m.nents, dir: m.dir }), (): Op => ({ kind: 'sg_free_table', sgl })]];
    }),
};

const freeP2pmem = single('pci_free_p2pmem', 'driver', 1, (s) => looseP2pPages(s).map((f): Op => ({ kind: 'pci_free_p2pmem', page: f.pfn })));

const common = (alloc: StepTemplate, map: StepTemplate): ReadonlyArray<StepTemplate> => [
  startIo('pin'),
  completeIo('pin'),
  alloc,
  buildP2pSgl,
  map,
  completeP2pIo,
  freeP2pmem,
];

const environment: ReadonlyArray<StepTemplate> = [env.mmapOf('anon'), env.deviceAccessAny(true), env.deviceAccessAny(false), env.removeProvider(0)];

/** The expectations both designs share: everything but no-cpu-iomem. */
const shared: Omit<Design['expected'], 'no-cpu-iomem'> = {
  'dmabuf-protocol': noDmaBuf,
  'iova-state': noIova,
  'p2p-reachable': reachable,
  'map-within-vma-lifetime': held('No mapping comes from a VMA op.'),
  'correct-dirtying': held('User buffers are unpinned with unpin_user_pages_dirty_lock, and nothing writes back or reclaims here.'),
  'no-dma-after-free': held('A pin keeps every user page until its unpin, and provider removal waits for every P2PDMA page reference; the ULP frees only after unmapping.'),
  'pin-coherent': held('No fork or fault moves the process off a pinned page here.'),
  'notifier-protocol': held('No mmu interval notifier callbacks run: nothing for the protocol to judge.'),
  'dma-api-hygiene': held('Every mapping is unmapped with the call, device, count and direction it was mapped with, before its table is freed.'),
  'provider-removal': held('memunmap_pages waits until the ULP has unmapped and freed every page, and a page in a mapped table is never freed.'),
  'mirror-coherent': held('No device mirrors a process page table (no hmm_range_fault): nothing for the rule to judge.'),
  'gup-release': held('User buffers are pinned with pin_user_pages and go back with unpin_user_pages_dirty_lock.'),
  isolation: held('Device writes land only in user buffers pinned with FOLL_WRITE (exclusive pages) or in P2P memory; no fork runs here.'),
};

const noCpuIomem = (e: Expectation): Design['expected'] => ({ ...shared, 'no-cpu-iomem': e });

export const p2pdmaSoftRdma: Design = {
  id: 'p2pdma-soft-rdma',
  title: 'P2PDMA memory offered to a soft RDMA device through rdma_rw (2019 guards)',
  summary:
    'nvmet-rdma on a soft RDMA device (rxe, whose DMA ops are dma_virt_ops): the target asks pci_p2pmem_find for a provider its client can reach before allocating p2pmem, and maps through rdma_rw_map_sg, which sends P2PDMA tables to pci_p2pdma_map_sg. The distance check refuses a dma_virt_ops client, and so does pci_p2pdma_map_sg (WARN_ON_ONCE, returns 0): the device only ever copies RAM, pinned user buffers here.',
  source: 'drivers/pci/p2pdma.c (2019: pci_p2pdma_distance_many, pci_p2pdma_map_sg); drivers/infiniband/core/rw.c (rdma_rw_map_sg); lib/dma-virt.c',
  world: softRdmaWorld,
  driver: common(allocFound, rdmaRwMapSg),
  environment,
  expected: noCpuIomem(
    held('pci_p2pmem_find returns NULL for a dma_virt_ops client, and pci_p2pdma_map_sg refuses one: no P2PDMA page reaches the device, whose every access is a CPU copy (of RAM).'),
  ),
  completeWorld: {
    set: {},
    without: [],
    why: "Its own world: one provider and one dma_virt_ops client, the target's allocation, mapping, completion and free, the user buffer's pin, the device's accesses and the provider's removal. The unguarded sibling's violation (a P2PDMA page given to the soft device) needs 5 calls over these objects, and the whole space explored here holds every one of them with the two guards in place.",
  },
};

export const p2pdmaSoftRdmaUnguarded: Design = {
  id: 'p2pdma-soft-rdma-unguarded',
  title: 'P2PDMA memory handed to a soft RDMA device by a ULP that skips both guards',
  summary:
    'The same soft RDMA device and provider, with a ULP that allocates from its configured p2pmem device without pci_p2pmem_find and maps every table with ib_dma_map_sg: dma_virt_map_sg gives each entry its kernel virtual address, P2PDMA pages included, and the device\'s access is a CPU memcpy to or from the BAR.',
  source: 'lib/dma-virt.c (dma_virt_map_sg: sg_virt of every entry); drivers/pci/p2pdma.c (2019)',
  world: softRdmaWorld,
  driver: common(allocConfigured, ibDmaMapSg),
  environment,
  expected: {
    ...noCpuIomem(violated('dma_virt_map_sg maps the P2PDMA page to its kernel virtual address, and the soft device\'s read or write is a plain CPU copy of __iomem.')),
    'p2p-reachable': violated('ib_dma_map_sg gives the dma_virt_ops device the kernel virtual address of a P2PDMA page: the device is the CPU, and MMIO is no memory it may copy (the guard in pci_p2pdma_distance refuses such a client).'),
  },
  completeWorld: {
    set: { 'ram-pages': 1, ios: 1 },
    without: [],
    why: "Its own world with one RAM page (the user buffer) and one I/O: without the guards the ULP's allocation, mapping, completion and free, the user buffer's pin, the device's accesses and the provider's removal make a much larger space than the guarded sibling's, and one buffer and one I/O hold every order of them. The violation (a P2PDMA page given to the soft device) shows in 5 calls.",
  },
};
