import type { Design, Plan } from './design.ts';
import { bools, held, single } from './design.ts';
import type { Op } from '../op.ts';
import { IMPORTER } from './gup-io.ts';
import { mappingsWhere, vmasWith } from './queries.ts';
import { exporterEnvironment, MAX_MAPPINGS } from './vma-p2p-map.ts';
import { world } from './worlds.ts';
import type { Notifier, State } from '../state.ts';

/** The importer's notifiers that no live mapping of it (other than `except`) depends on. */
const idleNotifiersAfter = (s: State, except: number | null): ReadonlyArray<Notifier> =>
  [...s.notifiers.values()].filter(
    (n) =>
      !mappingsWhere(
        s,
        (m) => m.id !== except && m.device === n.owner && m.origin.kind === 'vma-op' && m.origin.mm === n.mm && m.origin.start < n.end && n.start < m.origin.start + m.origin.npages,
      ).length,
  );

const idleNotifiers = (s: State): ReadonlyArray<Notifier> => idleNotifiersAfter(s, null);

export const vmaP2pMapNotifier: Design = {
  id: 'vma-p2p-map-notifier',
  title: 'p2p_map/p2p_unmap VMA ops, importer holds an mmu interval notifier',
  summary:
    'The same VMA ops with the importer the RFC asks for: before p2p_map it registers an mmu interval notifier over the range, and its invalidate callback stops the device and calls p2p_unmap. munmap, exit and the exporter\'s unmap_mapping_range all invalidate the range first, so the mapping cannot outlive the VMA. Fits importers that can stop DMA at any time (GPUs, ODP RDMA).',
  source: 'Glisse RFC 3/5 (29 Jan 2019) and his reply of 31 Jan 2019; Documentation/mm/hmm.rst',
  world: world('raw'),
  driver: [
    {
      name: 'import(mmu_interval_notifier_insert, p2p_map)',
      role: 'driver',
      weight: 2,
      options: (s) =>
        s.mappings.size >= MAX_MAPPINGS
          ? []
          : vmasWith(s, ['bar']).flatMap((v) =>
              bools.map((write): Plan => [
                () => ({ kind: 'mmu_interval_notifier_insert', mm: v.mm, start: v.start, npages: v.npages, owner: IMPORTER }),
                () => ({ kind: 'p2p_map', vma: v.id, dev: IMPORTER, write }),
              ]),
            ),
    },
    single('release(p2p_unmap)', 'driver', 1, (s) => mappingsWhere(s, (x) => x.api === 'p2p_map').map((m): Op => ({ kind: 'p2p_unmap', mapping: m.id }))),
    single('mmu_interval_notifier_remove', 'driver', 1, (s) => idleNotifiers(s).map((n): Op => ({ kind: 'mmu_interval_notifier_remove', notifier: n.id }))),
  ],
  environment: exporterEnvironment,
  translate: (op, s) => {
    if (op.kind === 'p2p_map') {
      const v = s.vmas.get(op.vma);
      return v === undefined ? [op] : [{ kind: 'mmu_interval_notifier_insert', mm: v.mm, start: v.start, npages: v.npages, owner: op.dev }, op];
    }
    if (op.kind === 'p2p_unmap') {
      const m = s.mappings.get(op.mapping);
      const n = m === undefined || m.origin.kind !== 'vma-op' ? undefined : idleNotifiersAfter(s, m.id).find((x) => x.owner === m.device);
      return n === undefined ? [op] : [op, { kind: 'mmu_interval_notifier_remove', notifier: n.id }];
    }
    return [op];
  },
  expected: {
    'no-cpu-iomem': held('No SGL with pages exists: p2p_map returns DMA addresses only.'),
    'map-within-vma-lifetime': held('munmap and exit invalidate the range first; the callback p2p_unmaps before the VMA goes.'),
    'correct-dirtying': held('No GUP and no dirtying: BAR memory has no page cache.'),
    'no-dma-after-free': held('Provider removal zaps the VMA through unmap_mapping_range, which runs the notifier: the device is stopped first.'),
    'pin-coherent': held('No GUP references exist.'),
    'dma-api-hygiene': held("p2p_map/p2p_unmap are the exporter's VMA ops, outside the streaming DMA API that dma-debug checks."),
  },
};
