import type { Design } from './design.ts';
import { held, single, violated, noDmaBuf, noIova } from './design.ts';
import { liveMms } from './queries.ts';
import type { Op } from '../op.ts';
import * as env from './environment.ts';
import { completeIo, IMPORTER, startIo } from './gup-io.ts';
import { mapPage, misuseTemplates, unmapPage } from './misuse.ts';
import type { Era } from '../state.ts';
import { era59 } from '../world.ts';

/**
 * Linux 5.9 (era59): early COW at fork, no FAULT_FLAG_UNSHARE, no P2PDMA support in dma_map_sg, no
 * FOLL_PCI_P2PDMA gate; the holes the misuses meet here last until 5.18 and 6.0. No step of this
 * design is a GUP-fast, so 5.11's write_protect_seq changes nothing in it.
 */
const era: Era = era59;

/** A two-page buffer, so that a table has two entries for the IOMMU to merge. */
const mmapTwoPages = single('mmap_anon(2 pages)', 'environment', 1, (s) =>
  s.vmas.size >= s.bounds.vmas ? [] : liveMms(s).map((mm): Op => ({ kind: 'mmap', mm: mm.id, npages: 2, backing: { kind: 'anon' } })),
);

export const dmaApiMisuse: Design = {
  id: 'dma-api-misuse',
  title: 'A careless driver on the streaming DMA API (what dma-debug catches)',
  summary:
    'A driver following the pin_user_pages recipe, plus single pages mapped with dma_map_page, that may also commit each common misuse: unmap twice, unmap with the wrong device, direction, entry count (the one dma_map_sg returned after the IOMMU merged entries) or API, sync after unmap or in the wrong direction, skip dma_mapping_error, free the table before unmapping, unmap before quiescing the device (which then uses the unmapped addresses), unbind with mappings live, put a P2PDMA page through plain dma_map_sg (before 6.0), hand RAM to pci_p2pdma_map_sg (2019), give pinned pages back with put_page instead of unpin_user_pages, or release them twice (two completion paths: the second unpin_user_page takes a pin that belongs to nobody, or to another I/O on the same page). The importer sits behind an IOMMU that merges entries.',
  source: 'kernel/dma/debug.c (CONFIG_DMA_API_DEBUG); Documentation/core-api/dma-api.rst; Documentation/driver-api/pci/p2pdma.rst; Documentation/core-api/pin_user_pages.rst',
  world: {
    ramPages: 6,
    devices: [
      { name: 'provider (PCI device with a BAR)', p2pPeers: [1] },
      { name: 'importer behind a merging IOMMU', p2pPeers: [0], iommuMergesSg: true },
    ],
    bars: [{ device: 0, npages: 2, structPages: true }],
    filePages: 2,
    era,
  },
  driver: [startIo('pin'), completeIo('pin'), mapPage(IMPORTER), unmapPage, ...misuseTemplates(IMPORTER, 0)],
  environment: [env.mmapOf('anon'), mmapTwoPages, env.mmapOf('file-private'), env.munmapAny, env.deviceAccessAny(true), env.deviceAccessAny(false)],
  expected: {
    'dmabuf-protocol': noDmaBuf,
    'iova-state': noIova,
    'p2p-reachable': violated('A P2PDMA page mapped with plain dma_map_sg before 6.0 gets its CPU physical address, which does not reach the BAR from the client below the same switch: the map call itself gives the device an address it cannot use.'),
    'mirror-coherent': held('No device mirrors a process page table (no hmm_range_fault): nothing for the rule to judge.'),
    'no-cpu-iomem': held('No generic SGL walker runs in this world: the driver touches memory only through the device.'),
    'map-within-vma-lifetime': held('No mapping is taken through a VMA op.'),
    'correct-dirtying': held('The driver still unpins with unpin_user_pages_dirty_lock, and nothing writes back or reclaims here: misuse of the DMA API alone loses no write.'),
    'no-dma-after-free': violated('A P2PDMA page mapped with plain dma_map_sg before 6.0 gets its CPU physical address: the device write reaches no BAR page.'),
    'pin-coherent': violated(
      'Not a misuse: the kernel hole of this era (before 84209e87c696, 6.2). A read-only FOLL_LONGTERM pin of never-written memory pins the shared zero page, and the next write fault (a FOLL_WRITE pin, or a store) moves the process to a fresh page the device never reads.',
    ),
    'notifier-protocol': held('No mmu interval notifier callbacks run: nothing for the protocol to judge.'),
    'dma-api-hygiene': violated('Each misuse template is one dma-debug class; the search finds the first it reaches (counterexamples/ has one trace per class).'),
    'provider-removal': held('No P2P provider is removed in this world: nothing for the rule to judge.'),
    'gup-release': violated('bug:put_page_on_pin: a completion path gives a pin_user_pages array back with put_page, as drivers did before their FOLL_PIN conversion; the pins stay counted with nobody to drop them. bug:unpin_twice: two completion paths both release, and the second takes pins nobody holds.'),
    'isolation': violated('bug:device_writes_to_device_buffer on a read-only long-term pin of never-written memory: before 6.2 the pin takes the shared zero page, and the device\'s write changes what every process reads as zeroes (a device write through a reference taken without FOLL_WRITE). The same write through a read-only pin of a MAP_PRIVATE file mapping lands in the page cache, in every era.'),
  },
};
