import type { Design } from './design.ts';
import { violated } from './design.ts';
import { hmmMirror } from './hmm-mirror.ts';
import { world } from './worlds.ts';
import { currentEra } from '../world.ts';

/** The mirror whose map path programs the device without mmu_interval_read_retry. */
export const hmmMirrorNoRetry: Design = {
  ...hmmMirror,
  id: 'hmm-mirror-noretry',
  title: 'HMM mirror whose map path skips mmu_interval_read_retry',
  summary:
    "hmm-mirror's driver with its map path missing the read_retry check: it programs the device with what hmm_range_fault returned even when an invalidation ran between the two (its callback found nothing to zap yet), a common driver bug.",
  world: world('raw', currentEra, { name: 'mirroring device without the retry check', driver: { invalidate: 'mirror-invalidate', mapPath: 'hmm-mirror-fault-noretry' } }),
  // Its isolation race needs a fork to land between hmm_range_fault(write) and the programming, then a
  // device write; its correct-dirtying race writeback's callback there, then a device write and reclaim.
  // Since the device's access sits out no swarm run (2026-12-08), seed 2019 meets them at runs 4857 and
  // 28782 of 30000, and seeds 1 to 20 at a median of 5,400 and 8,700 (correct-dirtying misses seed 18).
  searchRuns: 30000,
  expected: {
    ...hmmMirror.expected,
    isolation: violated('A map path without read_retry programs the pfn hmm_range_fault returned before fork write-protected and shared the page: the device\'s write lands in the child\'s private memory.'),
    'no-dma-after-free': violated('Reclaim or migration frees the page between hmm_range_fault and the programming; the device is then given the freed pfn.'),
    'notifier-protocol': violated('The map path programs pfns after an invalidation of its notifier set a new seq since its read_begin.'),
    'mirror-coherent': violated('Between hmm_range_fault and the programming, a COW break, migration, reclaim or munmap changes the PTE; the callback finds no entry yet, and the device is then given the old pfn.'),
    'correct-dirtying': violated("Writeback's page_mkclean runs the callback between hmm_range_fault(write) and the programming; the callback finds no entry yet, the map path then gives the device write access to the page writeback cleans, and reclaim drops the clean page with the device's later write (expected held until 2026-12-07 only because check's search had not met it; it needs no MADV_DONTNEED, which changed the search's path)."),
  },
};
