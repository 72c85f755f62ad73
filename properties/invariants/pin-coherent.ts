import * as O from 'fp-ts/lib/Option.js';
import type { Invariant } from '../invariant.ts';

/**
 * pin-coherent: a device accessing a page through a GUP reference taken
 * by a process reaches the page that process still maps at that address
 * (as long as the VMA exists and the page is mapped). Breaks when fork
 * makes the page copy-on-write and the process then moves to a copy: a
 * device write lands in the child's page (lost), a device read sees data
 * the process has since replaced (stale; the read-only GUP-after-fork
 * problem, CVE-2020-29374, fixed for FOLL_PIN by FAULT_FLAG_UNSHARE).
 *
 * @see 70e806e4e645 "mm: Do early cow for pinned pages during fork() for
 *   ptes" (5.9): pinned anon pages are copied for the child at fork.
 * @see Documentation/core-api/pin_user_pages.rst: FOLL_GET references are
 *   invisible to fork, so the fix does not cover them.
 */
export const pinCoherent: Invariant = {
  id: 'pin-coherent',
  rule: 'A device access through a GUP reference reaches the page its process still maps there.',
  source: '70e806e4e645 (Linux 5.9); Documentation/core-api/pin_user_pages.rst',
  check: (before, _op, step) => {
    for (const e of step.events) {
      if (e.kind !== 'device-access') continue;
      for (const a of before.pageArrays.values()) {
        const i = a.pfns.indexOf(e.pfn);
        if (i < 0) continue;
        const v = before.vmas.get(a.vmas[i] ?? a.vma);
        if (v === undefined) continue;
        const pte = v.ptes[a.start + i - v.start] ?? null;
        if (pte !== null && pte.pfn !== e.pfn)
          return O.some(
            `device ${e.device} ${e.write ? 'wrote' : 'read'} pfn ${e.pfn}, which mm ${a.mm} got from ${a.kind === 'pin' ? 'pin_user_pages' : 'get_user_pages'} at virtual page ${a.start + i}, but mm ${a.mm} now maps pfn ${pte.pfn} there: ${e.write ? 'the write is lost to the process' : 'the device reads data the process has replaced'}`,
          );
      }
    }
    return O.none;
  },
  exercised: (before, _op, step) =>
    step.events.some(
      (e) =>
        e.kind === 'device-access' &&
        [...before.pageArrays.values()].some((a) => {
          const i = a.pfns.indexOf(e.pfn);
          const v = i < 0 ? undefined : before.vmas.get(a.vmas[i] ?? a.vma);
          return v !== undefined && (v.ptes[a.start + i - v.start] ?? null) !== null;
        }),
    ),
};
