import type { Design } from './design.ts';
import { held, violated, noDmaBuf, noIova, reachable } from './design.ts';
import { vmaP2pMapNotifier } from './vma-p2p-map-notifier.ts';
import { world } from './worlds.ts';
import { currentEra } from '../world.ts';

/**
 * The notifier importer whose device cannot stop DMA on demand: its
 * invalidate callback (`record-only`) takes the lock, sets the seq and
 * returns. Nothing in the kernel differs from vma-p2p-map-notifier; only
 * the driver code does.
 */
export const vmaP2pMapNotifierNoStop: Design = {
  ...vmaP2pMapNotifier,
  id: 'vma-p2p-map-notifier-nostop',
  title: 'p2p_map/p2p_unmap VMA ops with a notifier, importer that cannot stop DMA',
  summary:
    'The notifier importer run by a device that cannot stop at an arbitrary moment: a non-ODP RDMA NIC or VFIO, the case the 2019 thread asked about. The invalidate callback is delivered, but all the driver can do is record it (set the seq) and return; the device keeps the BAR addresses p2p_map gave it. Such importers must either refuse the mapping or fall back to a pin, which the RFC did not offer.',
  source: 'Gunthorpe <20190131190202.GC7548@mellanox.com>, point (2); domain notes, design (c), counterexample C-1',
  world: world('raw', currentEra, { name: 'importer that cannot stop DMA (non-ODP RDMA NIC)', driver: { invalidate: 'record-only', mapPath: 'hmm-map-locked' } }),
  expected: {
    'dmabuf-protocol': noDmaBuf,
    'iova-state': noIova,
    'p2p-reachable': reachable,
    'mirror-coherent': held('No device mirrors a process page table (no hmm_range_fault): nothing for the rule to judge.'),
    'no-cpu-iomem': held('No SGL with pages exists: p2p_map returns DMA addresses only.'),
    'map-within-vma-lifetime': violated('The callback returns with the mapping still live, and munmap then destroys the VMA under it.'),
    'correct-dirtying': held('No GUP and no dirtying: BAR memory has no page cache.'),
    'no-dma-after-free': violated('After munmap the exporter gives the BAR window back while the device still writes there.'),
    'pin-coherent': held('No GUP references exist.'),
    'notifier-protocol': violated('The callback returns true while the device can still reach the range.'),
    'dma-api-hygiene': held("p2p_map/p2p_unmap are the exporter's VMA ops, outside the streaming DMA API that dma-debug checks."),
    'provider-removal': violated('The callback cannot stop the device, so it still holds the BAR addresses when the removal completes.'),
    'gup-release': held('No GUP reference is taken here (p2p_map and hmm_range_fault take none): nothing for the rule to judge.'),
    'isolation': held('The device writes BAR memory through p2p_map, never process RAM: nothing for the rule to judge.'),
  },
};
