import type { Design } from './design.ts';
import { held, violated, noDmaBuf, noIova, reachable } from './design.ts';
import { vmaP2pMapNotifier } from './vma-p2p-map-notifier.ts';
import { world } from './worlds.ts';
import { currentEra } from '../world.ts';

/**
 * The notifier importer whose map path records its p2p_map result before
 * mmap_read_unlock but without the driver lock (`hmm-map`). That closes
 * the window to every invalidation that takes mmap_lock for writing
 * (munmap, mremap, mprotect) and to exit (the driver holds mm_users), but
 * not to the exporter's removal: unmap_mapping_range runs the notifiers
 * under i_mmap_lock only, so its callback can run between p2p_map and the
 * record, find nothing, and let the removal complete.
 */
export const vmaP2pMapNotifierRecordUnlocked: Design = {
  ...vmaP2pMapNotifier,
  id: 'vma-p2p-map-notifier-record-unlocked',
  title: 'p2p_map VMA ops with a notifier, map path that records before mmap_read_unlock but without the driver lock',
  summary:
    "The importer of vma-p2p-map-notifier whose map path records each p2p_map result in its own list before mmap_read_unlock, as the first fix of hmm.rst's order suggests, but takes the driver lock only afterwards. mmap_read_lock keeps munmap, mremap and mprotect out of the window between p2p_map and the record, and the driver's mm_users reference keeps exit_mmap out; the exporter's removal is not kept out: unmap_mapping_range takes no mmap_lock, so its invalidate callback runs in the window, finds no record, and the removal completes while the importer holds the BAR's addresses.",
  source: 'Glisse RFC 3/5 (29 Jan 2019); Documentation/mm/hmm.rst; mm/memory.c unmap_mapping_range (i_mmap_lock, no mmap_lock); found by this model (issue 16)',
  world: world('raw', currentEra, { name: 'importer whose map path records without the driver lock', driver: { invalidate: 'stop-unmap', mapPath: 'hmm-map' } }),
  // The removal must land in a window of one call (between p2p_map and the record), then its
  // callback must finish before the map path records: 10000 runs find it on about 4 seeds in 6.
  searchRuns: 30000,
  expected: {
    'dmabuf-protocol': noDmaBuf,
    'iova-state': noIova,
    'p2p-reachable': reachable,
    'mirror-coherent': held('No device mirrors a process page table (no hmm_range_fault): nothing for the rule to judge.'),
    'no-cpu-iomem': held('No SGL with pages exists: p2p_map returns DMA addresses only.'),
    'map-within-vma-lifetime': held('Only munmap, mremap and exit destroy VMAs, and none can run between p2p_map and the record: the first two wait for mmap_read_lock, exit for the mm reference.'),
    'correct-dirtying': held('No GUP and no dirtying: BAR memory has no page cache.'),
    'no-dma-after-free': held('The retry check catches the removal before the device is programmed, so the device never reaches the removed BAR; only the mapping outlives the removal.'),
    'pin-coherent': held('No GUP references exist.'),
    'notifier-protocol': held('The map path checks read_retry under the driver lock before it programs the device; the callback stops the device for what it recorded.'),
    'dma-api-hygiene': held("p2p_map/p2p_unmap are the exporter's VMA ops, outside the streaming DMA API that dma-debug checks."),
    'provider-removal': violated("The removal's callback runs between p2p_map and the record (unmap_mapping_range takes no mmap_lock), finds nothing, and the removal completes with the importer's mapping of the BAR live."),
    'gup-release': held('No GUP reference is taken here (p2p_map and hmm_range_fault take none): nothing for the rule to judge.'),
    'isolation': held('The device writes BAR memory through p2p_map, never process RAM: nothing for the rule to judge.'),
  },
};
