import type { Design, StepTemplate } from './design.ts';
import { held, violated } from './design.ts';
import * as env from './environment.ts';
import { completeIo } from './gup-io.ts';
import { common, register } from './pin-swap.ts';
import { world } from './worlds.ts';
import { currentEra, era59 } from '../world.ts';

/** A process whose memory a checkpointer tracks with soft-dirty bits (CRIU's pre-dump) while a device holds a pin: no fork, no swap. */
const environment: ReadonlyArray<StepTemplate> = [
  env.mmapOf('anon'),
  env.munmapAny,
  env.exitAny,
  env.storeAny,
  env.clearRefsAny,
  env.deviceAccessAny(true),
  env.deviceAccessAny(false),
];

const completeWorld = {
  set: { 'ram-pages': 2, vmas: 1, mms: 1, ios: 1 },
  without: [],
  why: 'One anonymous page and the copy a write fault makes of it (two RAM pages), one process with one VMA, one registration: every step of the race (pin, clear_refs, the store that copies, the device write) with every environment step of the design over these objects. Fork and swap are left out, so that soft-dirty clearing is the only way off the pinned page.',
};

export const pinSoftDirty510: Design = {
  id: 'pin-soft-dirty-5.10',
  title: 'A long-term pin under soft-dirty tracking on Linux 5.10 (before 9348b73c2e1b)',
  summary:
    "The writable long-term registration of pin-swap, in a process whose memory a checkpointer tracks (echo 4 > /proc/PID/clear_refs, as CRIU's pre-dump does). On 5.10 clear_soft_dirty() write-protects every present PTE, the pinned page's too; the process's next store faults, and 5.9's do_wp_page (page_count() != 1) copies: the process moves to a new page and the device keeps writing the old one. Linus Torvalds: \"Turning a pinned page read-only breaks the pinning after COW. Don't do it.\" Fixed in 5.11 and 5.10.9.",
  source: '9348b73c2e1b ("mm: don\'t play games with pinned pages in clear_page_refs", 5.11, backported to 5.10.9); 09854ba94c6a ("mm: do_wp_page() simplification", 5.9); fs/proc/task_mmu.c clear_refs_write, clear_soft_dirty',
  world: world('raw', era59),
  driver: [register, completeIo('pin')],
  environment,
  completeWorld,
  expected: {
    ...common,
    'pin-coherent': violated("clear_refs write-protects the pinned page's PTE; the process's next store copies it (do_wp_page: page_count() != 1), so the device writes a page the process no longer maps."),
  },
};

export const pinSoftDirty: Design = {
  ...pinSoftDirty510,
  id: 'pin-soft-dirty',
  title: "A long-term pin under soft-dirty tracking on today's kernel",
  summary:
    "The same registration and checkpointer on today's kernel. clear_soft_dirty() leaves alone a writable PTE of a COW mapping whose page may be pinned (pte_is_pinned, 9348b73c2e1b, 5.11), and since 5.19 a write fault reuses an exclusive page whatever its reference count (PageAnonExclusive). The process never leaves the pinned page.",
  source: '9348b73c2e1b (5.11); 6c287605fd56 (PageAnonExclusive, 5.19); fs/proc/task_mmu.c pte_is_pinned',
  world: world('raw', currentEra),
  expected: {
    ...common,
    'pin-coherent': held('clear_refs skips the pinned page (pte_is_pinned), so its PTE stays writable and the process never faults on it.'),
  },
};
