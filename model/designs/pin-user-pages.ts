import type { Design } from './design.ts';
import { held, noDmaBuf, noIova, reachable } from './design.ts';
import * as env from './environment.ts';
import { asPinCall, completeIo, startIo } from './gup-io.ts';
import { gupFamilyCompleteWorld, world } from './worlds.ts';

export const pinUserPagesEnvironment = env.userMemoryEnvironment();

export const pinUserPages: Design = {
  id: 'pin-user-pages',
  title: 'pin_user_pages + unpin_user_pages_dirty_lock (today\'s kernel)',
  summary:
    'The FOLL_PIN recipe on a current kernel: pin_user_pages(FOLL_WRITE [|FOLL_LONGTERM]) takes a pin that page_maybe_dma_pinned() can see, the driver maps an SGL, and completion unmaps and calls unpin_user_pages_dirty_lock. fork copies pinned anon pages early (5.9), a read-only pin unshares a page fork left shared (5.19), reclaim leaves pinned pages\' buffers alone (6.4), and long-term writable pins of file mappings are refused (6.5).',
  source: 'Documentation/core-api/pin_user_pages.rst; 70e806e4e645; d824ec2a1546; 8ac268436e6d',
  world: world('raw'),
  driver: [startIo('pin'), completeIo('pin')],
  environment: pinUserPagesEnvironment,
  translate: asPinCall,
  completeWorld: gupFamilyCompleteWorld,
  expected: {
    'dmabuf-protocol': noDmaBuf,
    'iova-state': noIova,
    'p2p-reachable': reachable,
    'mirror-coherent': held('No device mirrors a process page table (no hmm_range_fault): nothing for the rule to judge.'),
    'no-cpu-iomem': held('GUP refuses VM_IO|VM_PFNMAP VMAs and P2PDMA pages without FOLL_PCI_P2PDMA.'),
    'map-within-vma-lifetime': held('Mappings come from pins, not from a VMA op.'),
    'correct-dirtying': held('Since 6.4 reclaim keeps the buffers of pinned pages, and unpin_user_pages_dirty_lock dirties before the pin goes. The pin_user_pages.rst TODO (writeback racing a pinned page: stable pages) is outside what this model writes back.'),
    'no-dma-after-free': held('The pin keeps every mapped page allocated until unpin.'),
    'pin-coherent': held('Early COW at fork (5.9) leaves a pinned page with the parent, a read-only pin unshares a page fork left shared (5.19), and a read-only long-term pin unshares the zero page and a MAP_PRIVATE file\'s page-cache page (6.2). A short-term read-only pin of the zero page is not unshared, and its reads are snapshots the invariant does not judge.'),
    'notifier-protocol': held('No mmu interval notifier callbacks run: nothing for the protocol to judge.'),
    'dma-api-hygiene': held('The driver unmaps with the device, count and direction it mapped with, before freeing the table; nothing is left mapped at unbind (no unbind step).'),
    'provider-removal': held('No P2P provider is removed in this world: nothing for the rule to judge.'),
    'gup-release': held('Every pin_user_pages array goes back with unpin_user_pages_dirty_lock, never with put_page.'),
    'isolation': held('A pin the device writes through is FOLL_WRITE, which gives the process an exclusive page first, and fork copies a maybe-pinned page at once (5.9); a read-only pin is mapped DMA_TO_DEVICE, which the device only reads.'),
  },
};
