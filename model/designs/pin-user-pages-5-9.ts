import type { Design } from './design.ts';
import { held, violated } from './design.ts';
import { asPinCall, completeIo, startIo } from './gup-io.ts';
import { pinUserPagesEnvironment } from './pin-user-pages.ts';
import { world } from './worlds.ts';

export const pinUserPages59: Design = {
  id: 'pin-user-pages-5.9',
  title: 'pin_user_pages + unpin_user_pages_dirty_lock on Linux 5.9 to 6.3',
  summary:
    'The same FOLL_PIN recipe on the kernels between early COW (5.9) and the reclaim fix (6.4): pins are visible to fork, but reclaim still releases the buffers of a pinned page-cache page, so the dirtying at unpin reaches a page the filesystem no longer tracks. This is the gup-vs-writeback hole that pin_user_pages.rst lists as a TODO, shown as it was.',
  source: 'Documentation/core-api/pin_user_pages.rst (TODO); d824ec2a1546 (the 6.4 fix); cc5095747edf (ext4, 5.18)',
  world: world('raw', { forkEarlyCow: true, p2pGupGate: false, longtermFileGate: false, cowReuseOnlyUnreferenced: true, reclaimKeepsPinnedPrivate: false }),
  driver: [startIo('pin'), completeIo('pin')],
  environment: pinUserPagesEnvironment,
  translate: asPinCall,
  expected: {
    'no-cpu-iomem': held('GUP refuses VM_IO|VM_PFNMAP VMAs, so only RAM reaches the SGL.'),
    'map-within-vma-lifetime': held('Mappings come from pins, not from a VMA op.'),
    'correct-dirtying': violated('The kernel\'s own hole until 6.4: reclaim strips a pinned page\'s buffers and unpin_user_pages_dirty_lock dirties it anyway.'),
    'no-dma-after-free': held('The pin keeps every mapped page allocated until unpin.'),
    'pin-coherent': held('Early COW at fork (5.9) leaves the pinned page with the parent.'),
  },
};
