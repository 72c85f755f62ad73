import type { Design } from './design.ts';
import { held, violated, noDmaBuf, noIova, reachable } from './design.ts';
import { vmaP2pMapNotifier } from './vma-p2p-map-notifier.ts';
import { world } from './worlds.ts';
import { currentEra } from '../world.ts';

/**
 * The notifier importer whose map path follows Documentation/mm/hmm.rst
 * to the letter (`hmm-map-literal`): it records what it got only after
 * mmu_interval_read_retry said no retry, under the driver lock. Right for
 * hmm_range_fault, which allocates nothing; wrong for p2p_map, which
 * does: a callback that runs between p2p_map and the record finds nothing
 * of the driver's to give back, so the mapping outlives the range.
 */
export const vmaP2pMapNotifierHmmLiteral: Design = {
  ...vmaP2pMapNotifier,
  id: 'vma-p2p-map-notifier-hmm-literal',
  title: "p2p_map VMA ops with a notifier, map path that records its mapping where hmm.rst does",
  summary:
    "The importer of vma-p2p-map-notifier with hmm.rst's map path taken literally: read_begin, mmap_read_lock, find_vma, p2p_map, mmap_read_unlock, take the driver lock, read_retry, and only then record the mapping in the driver's own list and program the device. Between mmap_read_unlock and the record an invalidation (munmap, exit, the provider's removal) runs the callback, which finds no record of the new mapping and returns; the VMA goes while the mapping is live. p2p_map allocates where hmm_range_fault does not, so the driver must record each p2p_map result before mmap_read_unlock.",
  source: 'Documentation/mm/hmm.rst (the map path); Glisse RFC 3/5 (29 Jan 2019); issue 16 of this project (found by restricting the callback to the driver\'s own records)',
  world: world('raw', currentEra, { name: "importer whose map path records after read_retry (hmm.rst's order)", driver: { invalidate: 'stop-unmap', mapPath: 'hmm-map-literal' } }),
  // The munmap must land in a window of one call (between mmap_read_unlock and driver_lock), then the
  // callback must win the lock: 10000 runs find it on 17 of seeds 1..20 (docs/performance.md).
  searchRuns: 30000,
  expected: {
    'dmabuf-protocol': noDmaBuf,
    'iova-state': noIova,
    'p2p-reachable': reachable,
    'mirror-coherent': held('No device mirrors a process page table (no hmm_range_fault): nothing for the rule to judge.'),
    'no-cpu-iomem': held('No SGL with pages exists: p2p_map returns DMA addresses only.'),
    'map-within-vma-lifetime': violated('munmap runs the callback after p2p_map and before the record: the callback finds nothing to give back, and the VMA is destroyed under the live mapping.'),
    'correct-dirtying': held('No GUP and no dirtying: BAR memory has no page cache.'),
    'no-dma-after-free': held('The retry check catches the invalidation before the device is programmed, so the device never reaches the window; only the mapping outlives it.'),
    'pin-coherent': held('No GUP references exist.'),
    'notifier-protocol': held('The map path checks read_retry under the driver lock before it programs the device; the callback stops the device for what it recorded.'),
    'dma-api-hygiene': held("p2p_map/p2p_unmap are the exporter's VMA ops, outside the streaming DMA API that dma-debug checks."),
    'provider-removal': violated("The provider's removal runs the callback between p2p_map and the record; the callback finds nothing, and the removal completes with the importer's mapping of the BAR still live."),
    'gup-release': held('No GUP reference is taken here (p2p_map and hmm_range_fault take none): nothing for the rule to judge.'),
    'isolation': held('The device writes BAR memory through p2p_map, never process RAM: nothing for the rule to judge.'),
  },
};
