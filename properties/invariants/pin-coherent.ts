import * as O from 'fp-ts/lib/Option.js';
import type { Event } from '../../model/event.ts';
import { isSwapPte, pageOf } from '../../model/page.ts';
import type { PageArray, State } from '../../model/state.ts';
import type { Invariant } from '../invariant.ts';

/**
 * pin-coherent: a device accessing a page through a GUP reference taken
 * by a process reaches the page that process still maps at that address
 * (as long as the VMA exists and the page is mapped). Breaks when fork
 * makes the page copy-on-write and the process then moves to a copy, or
 * when a pinned zero page is replaced at the process's first store, or
 * (5.9 and 5.10, whose do_wp_page copied any page with page_count() != 1)
 * when reclaim swapped a pinned page out or clear_refs write-protected it
 * and the next store copied it (fixed by feb889fb40fa and 9348b73c2e1b): a
 * device write lands in a page the process no longer maps (lost), a
 * device read through a long-term pin sees data the process has since
 * replaced (stale; the read-only GUP-after-fork problem, CVE-2020-29374,
 * fixed for anon pages by FAULT_FLAG_UNSHARE in 5.19 and for the zero page
 * under FOLL_LONGTERM in 6.2).
 *
 * A device read through a short-term reference is not judged: the kernel
 * gives it snapshot semantics. gup_must_unshare() leaves a read-only
 * short-term pin of the zero page alone because such a pin does "not have
 * the semantics to observe successive changes through the process page
 * tables" (mm/internal.h), and a store while the I/O is in flight races
 * with it in user space.
 *
 * @see 70e806e4e645 "mm: Do early cow for pinned pages during fork() for
 *   ptes" (5.9): pinned anon pages are copied for the child at fork.
 * @see 84209e87c696 "mm/gup: reliable R/O long-term pinning in COW
 *   mappings" (6.2).
 * @see feb889fb40fa "mm: don't put pinned pages into the swap cache" and
 *   9348b73c2e1b "mm: don't play games with pinned pages in
 *   clear_page_refs" (5.11).
 * @see Documentation/core-api/pin_user_pages.rst: FOLL_GET references are
 *   invisible to fork, so the fix does not cover them.
 */
type DeviceAccess = Extract<Event, { kind: 'device-access' }>;

/**
 * The GUP arrays the access went through: the one behind the table its
 * mapping was made from, when it was made from one (none once that array
 * was given back: no GUP reference is left to judge); otherwise every
 * array holding the page. One page can be in two arrays of one process at two
 * addresses (a MAP_PRIVATE file page pinned read-only, then COWed at one
 * address and still mapped at another): the access goes through one of
 * them only.
 */
const arraysOf = (before: State, e: DeviceAccess): ReadonlyArray<PageArray> => {
  const m = e.mapping === null ? undefined : before.mappings.get(e.mapping);
  const pages = m?.origin.kind === 'sgl' ? before.sgls.get(m.origin.sgl)?.pages : undefined;
  if (pages === null || pages === undefined) return [...before.pageArrays.values()];
  const a = before.pageArrays.get(pages);
  return a === undefined ? [] : [a];
};

/** Does the kernel promise this access through `a` sees the process's page? Writes always; reads under FOLL_LONGTERM. */
const judged = (e: DeviceAccess, a: PageArray): boolean => e.write || a.longterm;

/**
 * What mm `a.mm` has now at the address where `a` took `e.pfn`: the pfn
 * of its page (for a swap entry, the swap-cache page swap-in will map),
 * `swap` when the data is on the swap device only (swap-in will read it
 * into another page), or null when nothing is mapped there.
 */
const mappedNow = (before: State, a: PageArray, i: number): number | 'swap' | null => {
  const v = before.vmas.get(a.vmas[i] ?? a.vma);
  if (v === undefined) return null;
  const p = v.ptes[a.start + i - v.start];
  const page = pageOf(before, p);
  return page === null && isSwapPte(p ?? null) ? 'swap' : page;
};

export const pinCoherent: Invariant = {
  id: 'pin-coherent',
  rule: 'A device write through a GUP reference, or a read through a long-term pin, reaches the page its process still maps there.',
  source: '70e806e4e645 (Linux 5.9); 84209e87c696 (Linux 6.2); Documentation/core-api/pin_user_pages.rst',
  check: (before, _op, step) => {
    for (const e of step.events) {
      if (e.kind !== 'device-access') continue;
      for (const a of arraysOf(before, e)) {
        const i = a.pfns.indexOf(e.pfn);
        if (i < 0 || !judged(e, a)) continue;
        const now = mappedNow(before, a, i);
        if (now !== null && now !== e.pfn)
          return O.some(
            `device ${e.device} ${e.write ? 'wrote' : 'read'} pfn ${e.pfn}, which mm ${a.mm} got from ${a.kind === 'pin' ? `pin_user_pages${a.fast === true ? '_fast' : ''}` : 'get_user_pages'} at virtual page ${a.start + i}, but mm ${a.mm} now ${now === 'swap' ? 'has a swap entry there whose data is on the swap device, not in that page' : `maps pfn ${now} there`}: ${e.write ? 'the write is lost to the process' : 'the device reads data the process has replaced'}`,
          );
      }
    }
    return O.none;
  },
  exercised: (before, _op, step) =>
    step.events.some(
      (e) =>
        e.kind === 'device-access' &&
        arraysOf(before, e).some((a) => {
          const i = a.pfns.indexOf(e.pfn);
          return i >= 0 && judged(e, a) && mappedNow(before, a, i) !== null;
        }),
    ),
};
