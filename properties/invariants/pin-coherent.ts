import * as O from 'fp-ts/lib/Option.js';
import type { Invariant } from '../invariant.ts';

/**
 * pin-coherent: a device writing through a GUP reference taken by a
 * process writes the page that process still maps at that address (as
 * long as the VMA exists and the page is mapped). Breaks when fork makes
 * the page copy-on-write and the parent's next store moves it to a copy:
 * the device's data lands in the child's page.
 *
 * @see 70e806e4e645 "mm: Do early cow for pinned pages during fork() for
 *   ptes" (5.9): pinned anon pages are copied for the child at fork.
 * @see Documentation/core-api/pin_user_pages.rst: FOLL_GET references are
 *   invisible to fork, so the fix does not cover them.
 */
export const pinCoherent: Invariant = {
  id: 'pin-coherent',
  rule: 'A device write through a GUP reference lands in the page its process still maps there.',
  source: '70e806e4e645 (Linux 5.9); Documentation/core-api/pin_user_pages.rst',
  check: (before, _op, step) => {
    for (const e of step.events) {
      if (e.kind !== 'device-access' || !e.write) continue;
      for (const a of before.pageArrays.values()) {
        const i = a.pfns.indexOf(e.pfn);
        if (i < 0 || !a.write) continue;
        const v = before.vmas.get(a.vma);
        if (v === undefined) continue;
        const pte = v.ptes[a.start + i - v.start] ?? null;
        if (pte !== null && pte.pfn !== e.pfn)
          return O.some(
            `device ${e.device} wrote pfn ${e.pfn}, which mm ${a.mm} got from ${a.kind === 'pin' ? 'pin_user_pages' : 'get_user_pages'} at virtual page ${a.start + i}, but mm ${a.mm} now maps pfn ${pte.pfn} there: the write is lost to the process`,
          );
      }
    }
    return O.none;
  },
  exercised: (before, _op, step) =>
    step.events.some((e) => e.kind === 'device-access' && e.write && [...before.pageArrays.values()].some((a) => a.write && a.pfns.includes(e.pfn))),
};
