/**
 * CVE-2020-29374 as Jann Horn reported it: a process splices memory it
 * shares copy-on-write with another into a pipe (vmsplice takes read-only
 * FOLL_GET references), drops its own mapping, and the other process's
 * next store reuses the page in place, so the pipe's reader sees data
 * written after the splice by a process that never shared it. Two kernels:
 * one before the fixes, where a write fault reuses an anonymous page
 * mapped only once whoever else references it; 5.8, whose fix
 * (17839856fd58) makes GUP break COW even for a read, so the splicer gets
 * the exclusive copy; and today's, where a write fault reuses only a page
 * nothing else references (09854ba94c6a, with a308c71bf1e6 removing the
 * 5.8 workaround).
 */
import type { Op } from '../op.ts';
import type { Era } from '../state.ts';
import type { InvariantId } from '../../properties/invariant.ts';
import type { Design, Expectation, StepTemplate } from './design.ts';
import { held, single, violated, noDmaBuf, noIova, reachable } from './design.ts';
import * as env from './environment.ts';
import { world } from './worlds.ts';
import { era59 } from '../world.ts';

/** Before 5.8: no early COW at fork, a write fault reuses an anon page mapped once, no FOLL_PIN unsharing; nothing of 6.x. */
export const pre58: Era = { ...era59, forkEarlyCow: false, cowReuseOnlyUnreferenced: false };

/** A process splices one page of an anonymous VMA of its own into a pipe: vmsplice(2) with no flags. */
const spliceAny: StepTemplate = single('vmsplice', 'driver', 2, (s) =>
  s.pageArrays.size >= s.bounds.ios
    ? []
    : [...s.vmas.values()]
        .filter((v) => v.backing.kind === 'anon' && s.mms.get(v.mm)?.alive === true)
        .sort((a, b) => a.mm - b.mm || a.start - b.start)
        .flatMap((v) => Array.from({ length: v.npages }, (_, j): Op => ({ kind: 'vmsplice', mm: v.mm, start: v.start + j, npages: 1 }))),
);

/** Whoever holds the pipe's read end reads it: the spliced pages are copied out and their references dropped. */
const readAny: StepTemplate = single('pipe_read', 'driver', 2, (s) =>
  [...s.pageArrays.values()].filter((a) => a.pipe === true).map((a): Op => ({ kind: 'pipe_read', pages: a.id })),
);

const nothingToJudge = (what: string) => held(`${what}: nothing for the rule to judge.`);

const common: Readonly<Record<Exclude<InvariantId, 'isolation'>, Expectation>> = {
  'dmabuf-protocol': noDmaBuf,
  'iova-state': noIova,
  'p2p-reachable': reachable,
  'no-cpu-iomem': held('Only anonymous RAM is spliced (vmsplice takes no VM_IO|VM_PFNMAP page, and this world maps no BAR): the pipe read copies RAM.'),
  'map-within-vma-lifetime': nothingToJudge('No DMA mapping is made from a VMA'),
  'correct-dirtying': nothingToJudge('No device writes and no file pages'),
  'no-dma-after-free': nothingToJudge('No device accesses memory'),
  'pin-coherent': nothingToJudge('No device reaches a page through a GUP reference (the pipe is read by the CPU)'),
  'notifier-protocol': nothingToJudge('No mmu interval notifier is registered'),
  'dma-api-hygiene': nothingToJudge('No streaming DMA API call is made'),
  'provider-removal': nothingToJudge('No P2P provider is removed in this world'),
  'mirror-coherent': nothingToJudge('No device mirrors a process page table'),
  'gup-release': held("vmsplice's FOLL_GET references are dropped by the pipe read with put_page, as they were taken."),
};

const environment: ReadonlyArray<StepTemplate> = [env.mmapOf('anon'), env.storeAny, env.forkOf(), env.munmapAny, env.exitAny];

export const vmspliceLeak: Design = {
  id: 'vmsplice-leak',
  title: 'vmsplice of copy-on-write memory into a pipe, before 5.8 (CVE-2020-29374)',
  summary:
    "Processes map anonymous memory, store to it, fork, munmap and exit; any of them vmsplices a page of its own into a pipe, and the pipe is read later. On a kernel before 5.8 a write fault reuses an anonymous page that only one PTE maps, even while a pipe holds a reference to it: after a child splices a page it shares with its parent and unmaps it, the parent's next store goes into the page the pipe holds.",
  source: 'CVE-2020-29374 (Jann Horn, project zero issue 2045); 17839856fd58 ("gup: document and work around COW can break either way issue", 5.8); 09854ba94c6a ("mm: do_wp_page() simplification", 5.9); LWN "Patching until the COWs come home" (2021)',
  world: world('raw', pre58),
  driver: [spliceAny, readAny],
  environment,
  completeWorld: {
    set: { 'ram-pages': 3, vmas: 2, mms: 2, ios: 1 },
    without: [],
    why: "Two address spaces (the splicer and the process whose store may leak), two VMAs (one kept, one dropped), one pipe, and three RAM pages (the spliced page, a store's copy of it and one more): every expected violation of the family shows here (5 and 6 calls), and on today's kernel every order of mmap, store, fork, munmap, exit, vmsplice and the pipe read over these objects is explored.",
  },
  expected: {
    ...common,
    isolation: violated("The parent's store after the child spliced their shared page and unmapped it: do_wp_page reuses a page mapped once, so the store lands in the page the pipe holds and the pipe's reader sees it."),
  },
};

export const vmsplice58: Design = {
  ...vmspliceLeak,
  id: 'vmsplice-5.8',
  title: 'vmsplice of copy-on-write memory into a pipe, on 5.8 (GUP breaks COW for reads)',
  summary:
    "The same processes and pipe on 5.8, with the CVE fix: get_user_pages on a private writable mapping faults for write even for a read (should_force_cow_break), so a process splicing a page it shares takes its own copy first. A write fault still reuses an anonymous page mapped only once, whatever else references it.",
  world: world('raw', { ...pre58, gupBreaksCow: true }),
  expected: {
    ...common,
    isolation: violated("The fix covers the page shared when vmsplice runs, not one shared after it: a process splices a page of its own, forks, and exits; the child's store finds the page mapped once, reuses it in place, and the write lands in the page the pipe holds."),
  },
};

export const vmsplice: Design = {
  ...vmspliceLeak,
  id: 'vmsplice',
  title: 'vmsplice of copy-on-write memory into a pipe, on a current kernel',
  summary:
    "The same processes and pipe on today's kernel: a write fault reuses an anonymous page only when nothing but its PTE references it (09854ba94c6a), so a page a pipe still holds is copied first and the pipe keeps what was spliced.",
  world: world('raw'),
  expected: {
    ...common,
    isolation: held("do_wp_page reuses an anonymous page only when nothing but the faulting PTE references it; the pipe's reference makes the store copy the page first, so the pipe keeps what was spliced."),
  },
};
