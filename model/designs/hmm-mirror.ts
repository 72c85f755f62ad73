import type { Design } from './design.ts';
import { held, noDmaBuf, noIova, reachable } from './design.ts';
import * as env from './environment.ts';
import { invalidateRangeEnd } from './importer-steps.ts';
import { mirrorImporter } from './mirror-steps.ts';
import { world } from './worlds.ts';
import { currentEra } from '../world.ts';

/**
 * What a mirror must survive: everything that changes a process's page
 * table. Each source sends its own event: munmap UNMAP, exit RELEASE,
 * mprotect PROTECTION_VMA, fork's COW write-protect and writeback's
 * page_mkclean PROTECTION_PAGE, a COW break, reclaim and migration CLEAR.
 */
export const mirrorEnvironment = [
  env.mmapOf('anon'),
  env.mmapOf('file'),
  env.munmapAny,
  env.mprotectAny(['anon', 'file']),
  env.madviseDontneedAny(['anon', 'file']),
  env.exitAny,
  env.forkOf(),
  env.writeFaultAny,
  env.reclaimAny,
  env.migrateAny,
  env.writebackAny,
  env.deviceSvmAccessAny,
  invalidateRangeEnd,
];

/**
 * An HMM mirror as Documentation/mm/hmm.rst writes it, over ordinary
 * process memory: no page is pinned or referenced; the interval notifier
 * alone keeps the device's page table in step with the CPU's.
 */
export const hmmMirror: Design = {
  id: 'hmm-mirror',
  title: 'HMM mirror over process memory (hmm_range_fault + interval notifier)',
  summary:
    "A device that shares the process's address space (a GPU with SVM, an ODP RDMA NIC) registers an mmu interval notifier over anonymous or file memory. On a device fault its driver runs hmm.rst's loop: mmget_not_zero, read_begin, mmap_read_lock, hmm_range_fault (faulting pages in, -EBUSY when its own fault broke COW, -EPERM for a write to a VMA without VM_WRITE), mmap_read_unlock, take the driver lock, read_retry, program the device page table from the pfns (read-only where the CPU PTE was), unlock, mmput. Its callback takes the lock, sets the seq and zaps the device's entries for the range on every event. No pins: munmap, exit, mprotect, fork, a COW break, page_mkclean, reclaim and migration all reach the device only through the notifier.",
  source: 'Documentation/mm/hmm.rst; mm/hmm.c (hmm_range_fault); include/linux/mmu_notifier.h',
  world: world('raw', currentEra, { name: 'mirroring device (GPU with SVM, ODP RDMA NIC)', driver: { invalidate: 'mirror-invalidate', mapPath: 'hmm-mirror-fault' } }),
  driver: mirrorImporter,
  environment: mirrorEnvironment,
  searchSwarm: true,
  searchCommands: 160,
  expected: {
    'dmabuf-protocol': noDmaBuf,
    'iova-state': noIova,
    'p2p-reachable': reachable,
    'no-cpu-iomem': held('No SGL exists, and hmm_range_fault refuses VM_IO|VM_PFNMAP memory (-EFAULT).'),
    'map-within-vma-lifetime': held('No p2p_map mapping exists.'),
    'correct-dirtying': held('The device writes only through entries made from writable PTEs, which a write fault dirtied; page_mkclean write-protects the PTE and the callback zaps the entry before the page is clean, so reclaim never drops a page holding device data.'),
    'no-dma-after-free': held('Reclaim and migration free a page only after its notifier callbacks returned, and the callback zapped the device entry first.'),
    'pin-coherent': held('No GUP references exist.'),
    'notifier-protocol': held('The callback sets the seq and zaps under the driver lock; the map path checks read_retry under the same lock before it programs the device.'),
    'dma-api-hygiene': held('No streaming DMA API mappings exist.'),
    'provider-removal': held('No P2P memory is mirrored: hmm_range_fault refuses BAR VMAs.'),
    'mirror-coherent': held('Every PTE change waits for the callbacks, which zap the device entries of the range; a map path that an invalidation overtook sees read_retry say so under the lock the callback takes, and faults again.'),
    'gup-release': held('No GUP reference is taken here (p2p_map and hmm_range_fault take none): nothing for the rule to judge.'),
    'isolation': held('The mirror gets write access only from hmm_range_fault(write), which breaks COW first, and the callback zaps on fork\'s MMU_NOTIFY_PROTECTION_PAGE before the page is shared.'),
  },
};
