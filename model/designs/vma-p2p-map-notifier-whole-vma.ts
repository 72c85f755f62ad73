import type { Design } from './design.ts';
import { held, violated, noDmaBuf, noIova, reachable } from './design.ts';
import * as env from './environment.ts';
import { vmaP2pMapNotifier } from './vma-p2p-map-notifier.ts';
import { exporterEnvironment } from './vma-p2p-map.ts';
import { world } from './worlds.ts';
import { currentEra } from '../world.ts';

/**
 * The notifier importer whose invalidate callback (`whole-range-only`)
 * acts only when the invalidation covers its whole notifier range, as if
 * every invalidation meant "the VMA is gone". A partial munmap or an
 * mremap shrink of a two-page BAR window invalidates only part of it.
 */
export const vmaP2pMapNotifierWholeVma: Design = {
  ...vmaP2pMapNotifier,
  id: 'vma-p2p-map-notifier-whole-vma',
  title: 'p2p_map VMA ops with a notifier, callback that ignores partial invalidations',
  summary:
    'The importer of vma-p2p-map-notifier whose invalidate callback only stops the device and p2p_unmaps when the invalidation covers the whole notifier range. munmap of one page of a two-page BAR window, or an mremap that shrinks it, invalidates part of the range: the callback sets the seq and returns while the device keeps the addresses of the page being unmapped. Its exporter maps two-page windows only, so every one-page munmap and mremap shrink is such a partial invalidation.',
  source: 'include/linux/mmu_notifier.h (the range passed to ->invalidate is the part being invalidated); Documentation/mm/hmm.rst',
  // The exporter maps two-page BAR windows only: every munmap of one page, and every mremap
  // shrink, is then an invalidation of part of a notifier's range, which is what this
  // importer gets wrong.
  environment: exporterEnvironment.map((t) => (t.name === 'mmap_bar' ? env.mmapOf('bar', 0, [2]) : t)),
  world: world('raw', currentEra, { name: 'importer that handles whole-range invalidations only', driver: { invalidate: 'whole-range-only', mapPath: 'hmm-map-locked' } }),
  expected: {
    'dmabuf-protocol': noDmaBuf,
    'iova-state': noIova,
    'p2p-reachable': reachable,
    'mirror-coherent': held('No device mirrors a process page table (no hmm_range_fault): nothing for the rule to judge.'),
    'no-cpu-iomem': held('No SGL with pages exists: p2p_map returns DMA addresses only.'),
    'map-within-vma-lifetime': violated('A partial munmap unmaps one page of the window while the mapping made for the whole VMA stays live.'),
    'correct-dirtying': held('No GUP and no dirtying: BAR memory has no page cache.'),
    'no-dma-after-free': violated(
      "A partial munmap or an mremap shrink gives a window page back to the exporter at ->close while the device, never stopped for that page, still reaches it. The search finds it on 13 of 20 seeds in the default budget.",
    ),
    'pin-coherent': held('No GUP references exist.'),
    'notifier-protocol': violated('The callback returns true for a partial range while the device can still reach it.'),
    'dma-api-hygiene': held("p2p_map/p2p_unmap are the exporter's VMA ops, outside the streaming DMA API that dma-debug checks."),
    'provider-removal': violated('A removal whose range covers only part of the notifier (after a partial munmap) is ignored by the callback: the removal completes with the device still programmed.'),
    'gup-release': held('No GUP reference is taken here (p2p_map and hmm_range_fault take none): nothing for the rule to judge.'),
    'isolation': held('The device writes BAR memory through p2p_map, never process RAM: nothing for the rule to judge.'),
  },
};
