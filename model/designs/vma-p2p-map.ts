import type { Design, Plan, StepTemplate } from './design.ts';
import { bools, held, violated, noDmaBuf, noIova, reachable } from './design.ts';
import * as env from './environment.ts';
import { invalidateRangeEnd } from './importer-steps.ts';
import { IMPORTER } from './gup-io.ts';
import { mappingsWhere, vmasWith } from './queries.ts';
import { world } from './worlds.ts';

/** The importer without a notifier: p2p_map, then program its device with the addresses. */
export const p2pMapAny: StepTemplate = {
  name: 'import(p2p_map, device_program)',
  role: 'driver',
  weight: 2,
  options: (s) =>
    s.mappings.size >= s.bounds.mappings
      ? []
      : vmasWith(s, ['bar']).flatMap((v) =>
          bools.map((write): Plan => [() => ({ kind: 'p2p_map', vma: v.id, dev: IMPORTER, write }), (_st, made) => ({ kind: 'device_program', dev: IMPORTER, mapping: made[0]! })]),
        ),
};

/** Done with a mapping: stop the device for it, then p2p_unmap. */
export const p2pUnmapAny: StepTemplate = {
  name: 'release(device_stop_dma, p2p_unmap)',
  role: 'driver',
  weight: 1,
  options: (s) =>
    mappingsWhere(s, (x) => x.api === 'p2p_map' && x.origin.kind === 'vma-op').map((m): Plan => {
      const o = m.origin as Extract<typeof m.origin, { kind: 'vma-op' }>;
      return [() => ({ kind: 'device_stop_dma', dev: m.device, mm: o.mm, start: o.start, npages: o.npages }), () => ({ kind: 'p2p_unmap', mapping: m.id })];
    }),
};

export const exporterEnvironment = [
  env.mmapOf('bar'),
  env.munmapAny,
  env.mprotectAny(['bar']),
  env.mremapAny(['bar']),
  env.exitAny,
  env.forkOf(),
  env.removeProvider(0),
  env.deviceAccessAny(true),
  env.deviceAccessAny(false),
  invalidateRangeEnd,
];

export const vmaP2pMap: Design = {
  id: 'vma-p2p-map',
  title: 'p2p_map/p2p_unmap VMA ops, importer without mmu notifier',
  summary:
    'Jérôme Glisse\'s RFC (Jan 2019): an exporting driver mmaps its BAR (VM_IO|VM_PFNMAP) with two new vm_ops; the importer looks up the VMA behind a user address, calls p2p_map to get DMA addresses of the BAR window and programs its device, and calls p2p_unmap when it is done. This variant is an importer that does not register an mmu notifier (non-ODP RDMA, VFIO): nothing ties the mapping to the VMA.',
  source: 'Glisse, "[RFC PATCH 3/5] mm/vma: add support for peer to peer to device vma", linux-mm, 29 Jan 2019; Gunthorpe <20190131190202.GC7548@mellanox.com>',
  world: world('raw'),
  driver: [p2pMapAny, p2pUnmapAny],
  environment: exporterEnvironment,
  expected: {
    'dmabuf-protocol': noDmaBuf,
    'iova-state': noIova,
    'p2p-reachable': reachable,
    'mirror-coherent': held('No device mirrors a process page table (no hmm_range_fault): nothing for the rule to judge.'),
    'no-cpu-iomem': held('No SGL with pages exists: p2p_map returns DMA addresses only.'),
    'map-within-vma-lifetime': violated('munmap destroys the VMA while the importer still holds its p2p_map addresses.'),
    'correct-dirtying': held('No GUP and no dirtying: BAR memory has no page cache.'),
    'no-dma-after-free': violated('After munmap the exporter gives the BAR window back (or the provider is removed), and the device still writes there.'),
    'pin-coherent': held('No GUP references exist.'),
    'notifier-protocol': held('No mmu interval notifier callbacks run: nothing for the protocol to judge.'),
    'dma-api-hygiene': held("p2p_map/p2p_unmap are the exporter's VMA ops, outside the streaming DMA API that dma-debug checks."),
    'provider-removal': violated("The exporter's removal zaps the VMA, but nothing tells the importer: its device still holds the BAR addresses when the removal completes."),
    'gup-release': held('No GUP reference is taken here (p2p_map and hmm_range_fault take none): nothing for the rule to judge.'),
    'isolation': held('The device writes BAR memory through p2p_map, never process RAM: nothing for the rule to judge.'),
  },
  completeWorld: {
    set: { vmas: 2, mms: 2, mappings: 1 },
    without: [],
    why: "One importer mapping of one BAR window, two VMAs (the window, and fork's copy of it or a second window) and two address spaces (fork's child): every step of the design (mmap, p2p_map, p2p_unmap, munmap, mprotect, mremap, exit, fork, the provider's removal, the device's accesses) over these objects. Its three expected violations show in 3 and 4 design steps; a second mapping repeats the same lifetimes on another window.",
  },
};
