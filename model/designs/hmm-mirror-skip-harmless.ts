import type { Design } from './design.ts';
import { violated } from './design.ts';
import { hmmMirror } from './hmm-mirror.ts';
import { world } from './worlds.ts';
import { currentEra } from '../world.ts';

/**
 * The mirror with a callback that skips MMU_NOTIFY_CLEAR and
 * MMU_NOTIFY_PROTECTION_PAGE, taking them for harmless. The events a
 * kernel path sends decide whether the device stays coherent.
 */
export const hmmMirrorSkipHarmless: Design = {
  ...hmmMirror,
  id: 'hmm-mirror-skip-harmless',
  title: 'HMM mirror whose callback skips CLEAR and PROTECTION_PAGE',
  summary:
    "hmm-mirror's driver with a callback that still sets the seq but leaves the device's entries alone on MMU_NOTIFY_CLEAR and MMU_NOTIFY_PROTECTION_PAGE, which its author took for harmless. Those are the events of a COW break, reclaim and migration (the PTE will point elsewhere or nowhere) and of fork's COW write-protect and page_mkclean (the PTE loses write access).",
  world: world('raw', currentEra, { name: 'mirroring device whose callback skips CLEAR and PROTECTION_PAGE', driver: { invalidate: 'mirror-invalidate-skip-harmless', mapPath: 'hmm-mirror-fault' } }),
  expected: {
    ...hmmMirror.expected,
    isolation: violated('The callback ignores fork\'s MMU_NOTIFY_PROTECTION_PAGE: the mirror keeps write access to a page fork has just shared copy-on-write, and the device\'s write lands in the child\'s private memory.'),
    'correct-dirtying': violated("page_mkclean's PROTECTION_PAGE is skipped: the device keeps writing a page writeback has cleaned, and reclaim then drops the clean page with the device's data."),
    'no-dma-after-free': violated('Reclaim or migration frees the page once the callbacks returned; the device entry the callback skipped still holds it.'),
    'notifier-protocol': violated('After a CLEAR or PROTECTION_PAGE invalidation every callback has returned while the device still maps the range.'),
    'mirror-coherent': violated('A COW break, migration or reclaim moves the page under CLEAR and the device keeps the old pfn; fork or page_mkclean write-protects under PROTECTION_PAGE and the device keeps writing.'),
  },
};
