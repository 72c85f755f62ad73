import type { Design } from './design.ts';
import { held, noDmaBuf, noIova, reachable } from './design.ts';
import { threadedImporter } from './importer-steps.ts';
import { exporterEnvironment } from './vma-p2p-map.ts';
import { world } from './worlds.ts';
import { currentEra } from '../world.ts';

/**
 * The RFC's importer following the documented pattern. Its driver code is
 * data (model/designs/importers/): the map path `hmm-map` and the
 * invalidate callback `stop-unmap`; the model runs both as threads the
 * search interleaves with munmap, exit, fork, provider removal and the
 * device's own accesses.
 */
export const vmaP2pMapNotifier: Design = {
  id: 'vma-p2p-map-notifier',
  title: 'p2p_map/p2p_unmap VMA ops, importer holds an mmu interval notifier',
  summary:
    "The same VMA ops with the importer the RFC asks for: it registers an mmu interval notifier over the range; its map path is hmm.rst's (mmget_not_zero, read_begin, mmap_read_lock, find_vma, p2p_map, mmap_read_unlock, take the driver lock, read_retry, program the device, unlock, mmput) with one change: it takes the driver lock before p2p_map and records the result in its own list under it, so no callback can run between p2p_map and the record (vma-p2p-map-notifier-hmm-literal and -record-unlocked show why both parts are needed). Its invalidate callback takes the lock, sets the seq, stops the device for the range, p2p_unmaps and forgets what it recorded in the range, and unlocks. The callback knows only what the driver recorded, as a C driver does. Both run as driver threads interleaved with everything else. Fits importers that can stop DMA at any time (GPUs, ODP RDMA). Finding about the RFC's API: p2p_map(vma, ...) takes no range and maps the whole VMA, so a notifier over part of the VMA (a notifier that outlived its VMA, with a bigger VMA mmapped at the same address) leaves pages mapped whose munmap runs no callback; the map path must refuse a VMA that reaches past its notifier's range, or the API must take a range.",
  source: 'Glisse RFC 3/5 (29 Jan 2019) and his reply of 31 Jan 2019; Documentation/mm/hmm.rst',
  world: world('raw', currentEra, { name: 'importer (GPU or ODP RDMA NIC)', driver: { invalidate: 'stop-unmap', mapPath: 'hmm-map-locked' } }),
  driver: threadedImporter,
  environment: exporterEnvironment,
  // Its races take 16 to 25 calls in one order, between exits and removals that end a run's world
  // (measured in docs/performance.md): swarm runs, twice the steps per run.
  searchSwarm: true,
  searchCommands: 160,
  translate: (op, s) => {
    // Cross-design replay from an importer without threads: its p2p_map is this importer's
    // notifier and map path, its release this importer's release; its device_program and
    // device_stop_dma are what this importer's threads do themselves.
    if (op.kind === 'p2p_map') {
      const v = s.vmas.get(op.vma);
      if (v === undefined) return [op];
      return [
        { kind: 'mmu_interval_notifier_insert', mm: v.mm, start: v.start, npages: v.npages, owner: op.dev },
        { kind: 'driver_map_range', dev: op.dev, notifier: s.nextId },
      ];
    }
    if (op.kind === 'device_program' || op.kind === 'device_stop_dma') return [];
    if (op.kind === 'p2p_unmap') {
      const m = s.mappings.get(op.mapping);
      if (m === undefined || m.origin.kind !== 'vma-op') return [op];
      return [
        { kind: 'driver_lock', dev: m.device },
        { kind: 'device_stop_dma', dev: m.device, mm: m.origin.mm, start: m.origin.start, npages: m.origin.npages },
        op,
        { kind: 'driver_forget', dev: m.device, mapping: op.mapping },
        { kind: 'driver_unlock', dev: m.device },
      ];
    }
    return [op];
  },
  expected: {
    'dmabuf-protocol': noDmaBuf,
    'iova-state': noIova,
    'p2p-reachable': reachable,
    'mirror-coherent': held('No device mirrors a process page table (no hmm_range_fault): nothing for the rule to judge.'),
    'no-cpu-iomem': held('No SGL with pages exists: p2p_map returns DMA addresses only.'),
    'map-within-vma-lifetime': held('munmap and exit invalidate the range first, and the callback p2p_unmaps every recorded mapping before the VMA goes; the map path records its mapping under the driver lock before mmap_read_unlock, so no callback can run between p2p_map and the record, and it holds an mm_users reference, so exit_mmap waits for its mmput.'),
    'correct-dirtying': held('No GUP and no dirtying: BAR memory has no page cache.'),
    'no-dma-after-free': held('Provider removal and munmap run the notifier first: the callback stops the device before the window is zapped or given back.'),
    'pin-coherent': held('No GUP references exist.'),
    'notifier-protocol': held('The callback sets the seq under the driver lock; the map path checks read_retry under the same lock before it programs the device.'),
    'dma-api-hygiene': held("p2p_map/p2p_unmap are the exporter's VMA ops, outside the streaming DMA API that dma-debug checks."),
    'provider-removal': held("unmap_mapping_range runs the notifier: the callback stops the device and p2p_unmaps what was recorded before the removal completes; it waits for the driver lock while a map path is between p2p_map and the record, so it always finds the mapping."),
    'gup-release': held('No GUP reference is taken here (p2p_map and hmm_range_fault take none): nothing for the rule to judge.'),
    'isolation': held('The device writes BAR memory through p2p_map, never process RAM: nothing for the rule to judge.'),
  },
};
