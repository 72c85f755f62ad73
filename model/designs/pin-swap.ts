import type { Design, Plan, StepTemplate } from './design.ts';
import { held, noDmaBuf, violated, noIova, reachable } from './design.ts';
import * as env from './environment.ts';
import { completeIo, IMPORTER } from './gup-io.ts';
import { vmasWith } from './queries.ts';
import { world } from './worlds.ts';
import { currentEra, era59 } from '../world.ts';

/**
 * A long-term writable registration of anonymous memory, as RDMA's
 * ib_umem_get and io_uring's fixed buffers take it: pin_user_pages
 * (FOLL_WRITE | FOLL_LONGTERM), a table mapped for the device, and at
 * deregistration unpin_user_pages_dirty_lock. FOLL_WRITE gives the process
 * an exclusive, writable page first, and nothing forks: only reclaim can
 * move the process off the pinned page.
 */
export const register: StepTemplate = {
  name: 'register(pin_user_pages FOLL_WRITE|FOLL_LONGTERM)',
  role: 'driver',
  weight: 2,
  options: (s) =>
    s.pageArrays.size >= s.bounds.ios
      ? []
      : vmasWith(s, ['anon']).map((v): Plan => [
          () => ({ kind: 'pin_user_pages', mm: v.mm, start: v.start, npages: v.npages, write: true, longterm: true, p2pdma: false }),
          (_s, made) => ({ kind: 'sg_alloc_table_from_pages', pages: made[0]! }),
          (_s, made) => ({ kind: 'dma_map_sg', dev: IMPORTER, sgl: made[1]!, dir: 'bidirectional' }),
        ]),
};

/** A process touching its memory while the pages are reclaimed: no fork, no file. */
const environment: ReadonlyArray<StepTemplate> = [
  env.mmapOf('anon'),
  env.munmapAny,
  env.exitAny,
  env.loadAny,
  env.storeAny,
  env.reclaimAny,
  env.deviceAccessAny(true),
  env.deviceAccessAny(false),
];

export const common = {
  'dmabuf-protocol': noDmaBuf,
  'iova-state': noIova,
  'p2p-reachable': reachable,
  'mirror-coherent': held('No device mirrors a process page table (no hmm_range_fault): nothing for the rule to judge.'),
  'no-cpu-iomem': held('Only anonymous RAM is pinned: no BAR page reaches a table.'),
  'map-within-vma-lifetime': held('Mappings come from pins, not from a VMA op.'),
  'correct-dirtying': held('Anonymous pages only: no filesystem tracks them, and unpin_user_pages_dirty_lock marks them dirty.'),
  'no-dma-after-free': held('The pin keeps every mapped page allocated until unpin, in the swap cache too.'),
  'notifier-protocol': held('No mmu interval notifier callbacks run: nothing for the protocol to judge.'),
  'dma-api-hygiene': held('The driver unmaps with the device, count and direction it mapped with, before freeing the table.'),
  'provider-removal': held('No P2P provider is removed in this world: nothing for the rule to judge.'),
  'gup-release': held('Every pin goes back with unpin_user_pages_dirty_lock, never with put_page.'),
  isolation: held('One process: nothing it writes can show in another.'),
} as const;

const completeWorld = {
  set: { 'ram-pages': 2, vmas: 1, mms: 1, ios: 1 },
  without: [],
  why: 'One anonymous page and the copy a write fault makes of it (two RAM pages), one process with one VMA, one registration: every step of the race (pin, reclaim, the load that swaps the page back in, the store that copies it, the device write) with every environment step of the design over these objects. A second page or registration repeats it on other objects; fork is left out on purpose, so that swap is the only way off the pinned page.',
};

export const pinSwap510: Design = {
  id: 'pin-swap-5.10',
  title: 'A long-term pin swapped out on Linux 5.10 (before feb889fb40fa)',
  summary:
    "A writable long-term registration (pin_user_pages FOLL_WRITE|FOLL_LONGTERM) of anonymous memory on 5.10, whose reclaim still unmaps a pinned page into the swap cache (add_to_swap, try_to_unmap); the pin's reference keeps the page there (pageout: PAGE_KEEP). The process's next load swaps the same page back in read-only; its store then faults, and 5.9's do_wp_page (page_count() != 1: the pin, the swap cache) copies: the process moves to a new page and the device keeps writing the old one. Linus Torvalds: swap activity \"can now break the connection to a GUP page\"; fixed in 5.11 and 5.10.9 by not adding a maybe-pinned page to the swap cache.",
  source: 'feb889fb40fa ("mm: don\'t put pinned pages into the swap cache", 5.11, backported to 5.10.9); 09854ba94c6a ("mm: do_wp_page() simplification", 5.9); mm/vmscan.c shrink_page_list; mm/memory.c do_swap_page',
  world: world('raw', era59),
  driver: [register, completeIo('pin')],
  environment,
  completeWorld,
  expected: {
    ...common,
    'pin-coherent': violated("Reclaim swaps the pinned page out (the pin keeps it in the swap cache); the process's load maps it back read-only, and its store copies it (do_wp_page: page_count() != 1), so the device writes a page the process no longer maps."),
  },
};

export const pinSwap: Design = {
  ...pinSwap510,
  id: 'pin-swap',
  title: "A long-term pin under reclaim on today's kernel",
  summary:
    "The same registration on today's kernel. shrink_folio_list keeps a maybe-pinned anonymous page out of the swap cache (feb889fb40fa, 5.11), and try_to_unmap_one restores the PTE of an exclusive page that may be pinned (6c287605fd56, 5.19): the pinned page stays mapped, and the process never leaves it. A page swapped out before the registration is swapped back in by the pin's own fault, and the pin is of that page.",
  source: 'feb889fb40fa (5.11); 6c287605fd56 and 1493a1913e34 (5.19); mm/vmscan.c shrink_folio_list; mm/rmap.c try_to_unmap_one',
  world: world('raw', currentEra),
  expected: {
    ...common,
    'pin-coherent': held('Reclaim never unmaps a maybe-pinned anonymous page: it keeps it out of the swap cache (5.11), and try_to_unmap_one fails on an exclusive pinned page (5.19). So the process maps the pinned page until it unmaps it itself.'),
  },
};
