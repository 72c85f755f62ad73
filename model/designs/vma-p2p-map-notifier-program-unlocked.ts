import type { Design } from './design.ts';
import { held, violated } from './design.ts';
import { vmaP2pMapNotifier } from './vma-p2p-map-notifier.ts';
import { world } from './worlds.ts';
import { currentEra } from '../world.ts';

/**
 * The walk-through of docs/adding-a-design.md: the notifier importer with
 * one line of its map path moved. It checks mmu_interval_read_retry under
 * the driver lock, as hmm.rst says, but drops the lock before it programs
 * the device (`hmm-map-program-unlocked`).
 */
export const vmaP2pMapNotifierProgramUnlocked: Design = {
  ...vmaP2pMapNotifier,
  id: 'vma-p2p-map-notifier-program-unlocked',
  title: 'p2p_map VMA ops with a notifier, device programmed after the driver lock is dropped',
  summary:
    "The importer of vma-p2p-map-notifier with one line of its map path moved: it checks mmu_interval_read_retry under the driver lock, then unlocks and programs the device outside the lock. hmm.rst programs the device \"under the update lock\": the retry check says no invalidation began since read_begin only while the lock keeps the callback out, so a callback that runs between the unlock and the programming gives the mapping back and the device is then programmed with it.",
  source: 'Documentation/mm/hmm.rst ("Use pfns array content to update device page table, under the update lock"); docs/adding-a-design.md (the walk-through)',
  world: world('raw', currentEra, { name: 'importer that programs the device outside its lock', driver: { invalidate: 'stop-unmap', mapPath: 'hmm-map-program-unlocked' } }),
  expected: {
    ...vmaP2pMapNotifier.expected,
    'notifier-protocol': violated('The retry check passes under the lock; the callback then runs between the unlock and the programming, sets the seq and gives the mapping back, and the map path programs the device with it.'),
    'no-dma-after-free': violated('The device is programmed with addresses the callback gave back; after munmap the exporter frees the window and the device still reaches it.'),
    'provider-removal': violated('A removal whose callback ran between the unlock and the programming completes while the device is then programmed with the removed BAR\'s addresses.'),
    'map-within-vma-lifetime': held('The callback p2p_unmaps every recorded mapping before the VMA goes, and the map path records under the lock before mmap_read_unlock; the stale programming uses a mapping that was already given back, which no-dma-after-free and provider-removal judge.'),
  },
};
