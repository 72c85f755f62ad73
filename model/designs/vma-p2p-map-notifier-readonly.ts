import type { Design } from './design.ts';
import { held } from './design.ts';
import { vmaP2pMapNotifier } from './vma-p2p-map-notifier.ts';
import { world } from './worlds.ts';
import { currentEra } from '../world.ts';

/**
 * The notifier importer whose callback keeps read-only access when the
 * invalidation only takes write permission away (`protect-readonly`):
 * on MMU_NOTIFY_PROTECTION_VMA, for which
 * mmu_notifier_range_update_to_read_only() returns true, it
 * write-protects its device's page table for the range and keeps its
 * mappings; on every other event it stops the device and gives them back.
 * The callback reads the event the kernel passes: a kernel path that sent
 * the wrong one (munmap saying PROTECTION_VMA) would leave the device
 * mapped over a freed window.
 */
export const vmaP2pMapNotifierReadOnly: Design = {
  ...vmaP2pMapNotifier,
  id: 'vma-p2p-map-notifier-readonly',
  title: 'p2p_map VMA ops with a notifier, importer that keeps read-only access on mprotect',
  summary:
    "The importer of vma-p2p-map-notifier (the locked map path, which asks p2p_map for a writable mapping only where the VMA has VM_WRITE) with a callback that uses mmu_notifier_range_update_to_read_only(): on MMU_NOTIFY_PROTECTION_VMA (mprotect) it write-protects its device's page table for the range and keeps the mappings, so the device goes on reading; on MMU_NOTIFY_UNMAP, CLEAR or RELEASE it stops the device and p2p_unmaps as stop-unmap does. Safe only because the kernel passes the right event: the callback's choice hangs on it.",
  source: 'include/linux/mmu_notifier.h and mm/mmu_notifier.c (mmu_notifier_range_update_to_read_only: PROTECTION_VMA and VM_READ); Documentation/mm/hmm.rst',
  world: world('raw', currentEra, { name: 'importer that keeps read-only access on a protection change', driver: { invalidate: 'protect-readonly', mapPath: 'hmm-map-locked' } }),
  expected: {
    ...vmaP2pMapNotifier.expected,
    'map-within-vma-lifetime': held('munmap and exit send MMU_NOTIFY_UNMAP or RELEASE, on which the callback gives every recorded mapping back before the VMA goes; only mprotect keeps a mapping, and mprotect destroys no VMA.'),
    'notifier-protocol': held('On a protection change the device keeps only read access, which the protocol allows after PROTECTION_VMA; on every other event the callback stops the device before it returns.'),
  },
};
