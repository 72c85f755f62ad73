import type { Design } from './design.ts';
import { held, violated, noDmaBuf, noIova, reachable } from './design.ts';
import { asPinCall, completeIo, startIo } from './gup-io.ts';
import { pinUserPagesEnvironment } from './pin-user-pages.ts';
import { gupFamilyCompleteWorld, world } from './worlds.ts';
import { era59 } from '../world.ts';

export const pinUserPages59: Design = {
  id: 'pin-user-pages-5.9',
  title: 'pin_user_pages + unpin_user_pages_dirty_lock on Linux 5.9',
  summary:
    'The same FOLL_PIN recipe on Linux 5.9, the kernel that brought early COW at fork: pins are visible to fork, but reclaim still releases the buffers of a pinned page-cache page (until 6.4), so the dirtying at unpin reaches a page the filesystem no longer tracks; a read-only pin of a page shared by fork is not unshared (until 5.19), so the process moves off the page the device reads; and reclaim still swaps a pinned anonymous page out (until 5.11), so fork shares it through the swap entry. These are holes the kernel itself had, shown as they were.',
  source: 'Documentation/core-api/pin_user_pages.rst (TODO); d824ec2a1546 (the 6.4 reclaim fix); cc5095747edf (ext4, 5.18); CVE-2020-29374 and FAULT_FLAG_UNSHARE (5.19); feb889fb40fa (pinned pages kept out of the swap cache, 5.11)',
  world: world('raw', era59),
  driver: [startIo('pin'), completeIo('pin')],
  environment: pinUserPagesEnvironment,
  translate: asPinCall,
  completeWorld: gupFamilyCompleteWorld,
  expected: {
    'dmabuf-protocol': noDmaBuf,
    'iova-state': noIova,
    'p2p-reachable': reachable,
    'mirror-coherent': held('No device mirrors a process page table (no hmm_range_fault): nothing for the rule to judge.'),
    'no-cpu-iomem': held('GUP refuses VM_IO|VM_PFNMAP VMAs, so only RAM reaches the SGL.'),
    'map-within-vma-lifetime': held('Mappings come from pins, not from a VMA op.'),
    'correct-dirtying': violated('The kernel\'s own hole until 6.4: reclaim strips a pinned page\'s buffers and unpin_user_pages_dirty_lock dirties it anyway.'),
    'no-dma-after-free': held('The pin keeps every mapped page allocated until unpin.'),
    'pin-coherent': violated('Early COW only copies pages pinned at fork time; a read-only pin taken after fork does not unshare before 5.19, so the parent\'s next store moves it off the page the device reads (CVE-2020-29374). A read-only long-term pin of never-written memory pins the shared zero page until 6.2 (84209e87c696), with the same effect at the first store.'),
    'notifier-protocol': held('No mmu interval notifier callbacks run: nothing for the protocol to judge.'),
    'dma-api-hygiene': held('The driver unmaps with the device, count and direction it mapped with, before freeing the table; nothing is left mapped at unbind (no unbind step).'),
    'provider-removal': held('No P2P provider is removed in this world: nothing for the rule to judge.'),
    'gup-release': held('Every pin_user_pages array goes back with unpin_user_pages_dirty_lock, never with put_page.'),
    'isolation': violated("Reclaim still unmaps a pinned page into the swap cache before 5.11 (feb889fb40fa), and fork then shares the swap entry with the child: copy_nonpresent_pte() checks no pin (5.9's early COW sees only present pages). The device's write through the parent's pin lands in the page the child swaps in."),
  },
};
