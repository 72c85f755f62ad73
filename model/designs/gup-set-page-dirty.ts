import type { Design } from './design.ts';
import { held, violated, noDmaBuf, noIova, reachable } from './design.ts';
import * as env from './environment.ts';
import { asLegacyCall, completeIo, startIo } from './gup-io.ts';
import { gupFamilyCompleteWorld, world } from './worlds.ts';

export const gupSetPageDirty: Design = {
  id: 'gup-set-page-dirty',
  title: 'Legacy get_user_pages + set_page_dirty_lock + put_page',
  summary:
    'The pre-5.6 recipe every GUP user followed, still legal today: get_user_pages(FOLL_WRITE) takes a plain page reference, the driver builds and maps an SGL, the device writes, and at completion the driver unmaps, calls set_page_dirty_lock and drops the reference with put_page. The reference is indistinguishable from any other, so neither reclaim nor fork can tell a page is under DMA.',
  source: 'Documentation/core-api/pin_user_pages.rst; Jan Kara and John Hubbard, linux-fsdevel/linux-mm 2018',
  world: world('raw'),
  driver: [startIo('legacy'), completeIo('legacy')],
  environment: env.userMemoryEnvironment(),
  translate: asLegacyCall,
  completeWorld: gupFamilyCompleteWorld,
  expected: {
    'dmabuf-protocol': noDmaBuf,
    'iova-state': noIova,
    'p2p-reachable': reachable,
    'mirror-coherent': held('No device mirrors a process page table (no hmm_range_fault): nothing for the rule to judge.'),
    'no-cpu-iomem': held('GUP refuses VM_IO|VM_PFNMAP VMAs, so only RAM reaches the SGL.'),
    'map-within-vma-lifetime': held('Mappings come from page references, not from a VMA op.'),
    'correct-dirtying': violated('Reclaim strips the buffers of a page it cannot see is under DMA; the late set_page_dirty_lock dirties a page the filesystem never prepared (the 2018 ext4 BUG).'),
    'no-dma-after-free': held('The page reference keeps every mapped page allocated until put_page.'),
    'pin-coherent': violated('fork shares the referenced page copy-on-write; the parent\'s next store moves it to a copy and the device writes the child\'s page.'),
    'notifier-protocol': held('No mmu interval notifier callbacks run: nothing for the protocol to judge.'),
    'dma-api-hygiene': held('The driver unmaps with the device, count and direction it mapped with, before freeing the table; nothing is left mapped at unbind (no unbind step).'),
    'provider-removal': held('No P2P provider is removed in this world: nothing for the rule to judge.'),
    'gup-release': held('Every get_user_pages (FOLL_GET) array goes back with put_page, and every pin_user_pages array of the fixed path with unpin_user_pages_dirty_lock.'),
    'isolation': violated('FOLL_GET references are invisible to fork: the child shares the page copy-on-write, and the device\'s write through the parent\'s reference shows in the child\'s private memory (the other face of the fork-after-GUP bug).'),
  },
};
