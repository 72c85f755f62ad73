import type { Era } from '../state.ts';
import { currentEra, era59, type WorldSpec } from '../world.ts';
import type { Design, Plan, StepTemplate } from './design.ts';
import { held, noDmaBuf, single, violated, noIova, reachable } from './design.ts';
import * as env from './environment.ts';
import { completeIo, IMPORTER } from './gup-io.ts';
import { vmasWith } from './queries.ts';
import { world } from './worlds.ts';

/**
 * An I/O that pins its user buffer with pin_user_pages_fast(FOLL_WRITE)
 * (the lockless GUP-fast most drivers call: io_uring, RDMA, VFIO), maps it
 * for the device to write, and at completion unmaps and unpins with
 * unpin_user_pages_dirty_lock. Short-term and FOLL_WRITE only: the pin is
 * of an exclusive, writable page, so nothing but a race with fork can
 * leave it on a page the process does not own.
 */
const startFastIo: StepTemplate = {
  name: 'start_io(pin_user_pages_fast)',
  role: 'driver',
  weight: 2,
  options: (s) =>
    s.pageArrays.size >= s.bounds.ios
      ? []
      : vmasWith(s, ['anon']).map((v): Plan => [
          () => ({ kind: 'pin_user_pages_fast', mm: v.mm, start: v.start, npages: v.npages, write: true, longterm: false, p2pdma: false }),
          (_s, made) => ({ kind: 'sg_alloc_table_from_pages', pages: made[0]! }),
          (_s, made) => ({ kind: 'dma_map_sg', dev: IMPORTER, sgl: made[1]!, dir: 'from-device' }),
        ]),
};

/** fork's copy_present_pte finishing: it write-protects the parent's PTEs it shares with the child (a kernel step, in a world with fork's steps). */
const forkWrprotect: StepTemplate = single('ptep_set_wrprotect', 'environment', 2, (s) =>
  [...s.mms.values()].filter((m) => m.forkWrprotect !== undefined).map((m) => ({ kind: 'ptep_set_wrprotect', mm: m.id })),
);

/** Linux 5.10: the switches of 5.9 (early COW of pinned pages at fork); GUP-fast checks no write_protect_seq yet (5.11). */
const era510: Era = era59;

/** Anonymous memory of processes that fork, with fork's copy in its two steps so that GUP-fast can run between them. */
const forkingWorld = (era: Era): WorldSpec => ({ ...world('raw', era), forkSteps: true });

const environment: ReadonlyArray<StepTemplate> = [
  env.mmapOf('anon'),
  env.munmapAny,
  env.exitAny,
  env.forkOf(),
  forkWrprotect,
  env.storeAny,
  env.writeFaultAny,
  env.migrateAny,
  env.deviceAccessAny(true),
  env.deviceAccessAny(false),
];

const common = {
  'dmabuf-protocol': noDmaBuf,
  'iova-state': noIova,
  'p2p-reachable': reachable,
  'mirror-coherent': held('No device mirrors a process page table (no hmm_range_fault): nothing for the rule to judge.'),
  'no-cpu-iomem': held('Only anonymous RAM is pinned: no BAR page reaches a table.'),
  'map-within-vma-lifetime': held('Mappings come from pins, not from a VMA op.'),
  'correct-dirtying': held('Anonymous pages only: no filesystem tracks them, and unpin_user_pages_dirty_lock marks them dirty.'),
  'no-dma-after-free': held('The pin keeps every mapped page allocated until unpin.'),
  'notifier-protocol': held('No mmu interval notifier callbacks run: nothing for the protocol to judge.'),
  'dma-api-hygiene': held('The driver unmaps with the device, count and direction it mapped with, before freeing the table.'),
  'provider-removal': held('No P2P provider is removed in this world: nothing for the rule to judge.'),
  'gup-release': held('Every pin goes back with unpin_user_pages_dirty_lock, never with put_page.'),
} as const;

export const pinForkGupFast510: Design = {
  id: 'pin-fork-gup-fast-5.10',
  title: 'pin_user_pages_fast racing fork on Linux 5.10 (before write_protect_seq)',
  summary:
    "A FOLL_WRITE pin taken with pin_user_pages_fast, on the kernel between the early COW of pinned pages at fork (5.9) and write_protect_seq in GUP-fast (5.11). fork's copy_present_pte finds the page unpinned and shares it copy-on-write, but has not yet write-protected the parent's PTE; GUP-fast, which takes neither the mmap lock fork holds nor the page-table lock, walks the still-writable PTE and pins the page. fork then write-protects it: the pinned page is now the child's too, and the parent's next store moves the parent to a copy. The device writes a page the parent no longer maps, and the child sees them. The race of 57efa1fe5957's commit message, found by the search.",
  source: '57efa1fe5957 ("mm/gup: prevent gup_fast from racing with COW during fork", 5.11); 70e806e4e645 (early COW of pinned pages, 5.9); mm/gup.c lockless_pages_from_mm; mm/memory.c copy_present_pte',
  world: forkingWorld(era510),
  driver: [startFastIo, completeIo('pin')],
  environment,
  completeWorld: {
    set: { 'ram-pages': 2, vmas: 2, mms: 2, ios: 1 },
    without: [],
    why: "One anonymous page and the copy a write fault makes of it (two RAM pages), the parent and fork's child (two address spaces, two VMAs) and one I/O: every step of the race (store, fork, pin_user_pages_fast in fork's window, ptep_set_wrprotect, the parent's write fault, the device write) with every environment step of the design over these objects. Both expected violations of 5.10 show here (6 and 7 design steps), and on today's kernel every order is explored; a second page or I/O repeats the same race on other objects.",
  },
  expected: {
    ...common,
    'pin-coherent': violated("GUP-fast pins the page between fork's check (page_maybe_dma_pinned: not pinned) and its ptep_set_wrprotect: fork shares the page copy-on-write anyway, and the parent's next store moves the parent to a copy; the device writes the child's page."),
    isolation: violated("The same race: once fork has write-protected the pinned page, it is private memory of both parent and child, and the device's write through the parent's pin lands in the child's copy too."),
  },
};

export const pinForkGupFast: Design = {
  ...pinForkGupFast510,
  id: 'pin-fork-gup-fast',
  title: 'pin_user_pages_fast racing fork on today\'s kernel (write_protect_seq)',
  summary:
    "The same I/O on today's kernel. fork's copy_page_range holds mm->write_protect_seq odd from before its check of each page until it has write-protected the parent's PTEs; a FOLL_PIN GUP-fast reads it first and, odd, takes the slow path, whose mmap_read_lock waits for fork. The pin comes either before fork's check (which sees it and copies the page for the child at once) or after fork returned (the PTE is read-only: the slow path's write fault gives the parent its own copy first).",
  source: '57efa1fe5957 (5.11); mm/gup.c gup_fast / lockless_pages_from_mm; Documentation/core-api/pin_user_pages.rst',
  world: forkingWorld(currentEra),
  expected: {
    ...common,
    'pin-coherent': held("write_protect_seq keeps GUP-fast out of fork's window: a pin is either seen by fork's check (the child gets a copy) or taken after fork returned through a write fault that gives the parent an exclusive page."),
    isolation: held('A pinned page is never shared copy-on-write: fork copies a page it finds pinned, and a pin after fork is of the exclusive copy the write fault gave the parent.'),
  },
};
