import type { Design } from './design.ts';
import { held, violated, noDmaBuf, noIova, reachable } from './design.ts';
import { vmaP2pMapNotifier } from './vma-p2p-map-notifier.ts';
import { world } from './worlds.ts';
import { currentEra } from '../world.ts';

/** The notifier importer with a map path that never calls mmu_interval_read_retry (`hmm-map-noretry`). */
export const vmaP2pMapNotifierNoRetry: Design = {
  ...vmaP2pMapNotifier,
  id: 'vma-p2p-map-notifier-noretry',
  title: 'p2p_map VMA ops with a notifier, map path without mmu_interval_read_retry',
  summary:
    "The importer of vma-p2p-map-notifier with a common driver bug: its map path reads the seq and calls p2p_map, takes the lock and programs the device without checking mmu_interval_read_retry. An invalidation whose callback runs between p2p_map and the programming leaves the device with addresses the callback already gave back.",
  source: 'Documentation/mm/hmm.rst (the retry check the pattern requires); domain notes, design (c), counterexample C-2',
  world: world('raw', currentEra, { name: 'importer whose map path skips read_retry', driver: { invalidate: 'stop-unmap', mapPath: 'hmm-map-noretry' } }),
  expected: {
    'dmabuf-protocol': noDmaBuf,
    'iova-state': noIova,
    'p2p-reachable': reachable,
    'mirror-coherent': held('No device mirrors a process page table (no hmm_range_fault): nothing for the rule to judge.'),
    'no-cpu-iomem': held('No SGL with pages exists: p2p_map returns DMA addresses only.'),
    'map-within-vma-lifetime': held('The callback p2p_unmaps every mapping of the range, also one the map path has not programmed yet.'),
    'correct-dirtying': held('No GUP and no dirtying: BAR memory has no page cache.'),
    'no-dma-after-free': violated('The device is programmed with addresses the callback gave back; after munmap the exporter frees the window and the device still writes there.'),
    'pin-coherent': held('No GUP references exist.'),
    'dma-api-hygiene': held("p2p_map/p2p_unmap are the exporter's VMA ops, outside the streaming DMA API that dma-debug checks."),
    'provider-removal': violated('A map path that skipped read_retry programs addresses the callback already gave back; the removal then completes with the device holding them.'),
    'notifier-protocol': violated('An invalidate callback returns between p2p_map and device programming; without read_retry the map path programs the stale addresses.'),
    'gup-release': held('No GUP reference is taken here (p2p_map and hmm_range_fault take none): nothing for the rule to judge.'),
    'isolation': held('The device writes BAR memory through p2p_map, never process RAM: nothing for the rule to judge.'),
  },
};
