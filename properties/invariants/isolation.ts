import * as O from 'fp-ts/lib/Option.js';
import type { Frame, State } from '../../model/state.ts';
import type { Invariant } from '../invariant.ts';

/** The processes that map `pfn` privately (a PTE in a VMA that is not MAP_SHARED), in id order. */
const privateMappers = (s: State, pfn: number): ReadonlyArray<number> =>
  [...new Set([...s.vmas.values()].filter((v) => !v.shared && v.ptes.some((p) => p !== null && p.pfn === pfn)).map((v) => v.mm))].sort((a, b) => a - b);

/** A page whose contents more than one process (or every process) reads as its own: the zero page, or an anon page fork left shared copy-on-write. */
const sharedPrivately = (s: State, f: Frame): string | null => {
  if (f.mapping.kind === 'zero') return 'the shared zero page, which every process reads as zeroes';
  if (f.mapping.kind !== 'anon') return null;
  const mms = privateMappers(s, f.pfn);
  return mms.length >= 2 ? `an anonymous page mms ${mms.join(' and ')} share copy-on-write, each as its own private memory` : null;
};

/**
 * isolation: a write lands only in memory the writer shares with whoever
 * reads it. A device write through a GUP reference never changes a page
 * that is the private memory of more than one process: the shared zero
 * page, or an anonymous page fork left shared copy-on-write. The kernel
 * gives each process its own copy before a write it can see (the COW
 * break, FAULT_FLAG_UNSHARE, FOLL_WRITE); a DMA write bypasses the page
 * tables, so only the GUP call can have broken the sharing first. A page
 * pinned without FOLL_WRITE and written by the device, or a FOLL_GET
 * reference that fork left shared, leaks one process's data into another's
 * private memory (the class of CVE-2020-29374).
 *
 * Judges every device write by the frame it reached and who maps that
 * frame privately in the state before it.
 *
 * @see Documentation/core-api/pin_user_pages.rst (FOLL_WRITE when the
 *   device will write the pages)
 * @see mm/memory.c do_wp_page(), mm/gup.c gup_must_unshare() (COW and
 *   unsharing before a pinned page may be written or read)
 */
export const isolation: Invariant = {
  id: 'isolation',
  rule: "A device write through a GUP reference never lands in a page that is more than one process's private memory (the zero page, a page shared copy-on-write).",
  source: 'Documentation/core-api/pin_user_pages.rst; mm/memory.c do_wp_page(); CVE-2020-29374',
  check: (before, _op, step) => {
    for (const e of step.events) {
      if (e.kind !== 'device-access' || !e.write || e.reached === null) continue;
      const f = before.frames[e.reached];
      if (f === undefined || f.free) continue;
      const shared = sharedPrivately(before, f);
      if (shared !== null) return O.some(`device ${e.device} wrote pfn ${e.reached}, ${shared}: the write shows in memory its writer does not own`);
    }
    return O.none;
  },
  exercised: (before, _op, step) =>
    step.events.some((e) => e.kind === 'device-access' && e.write && e.reached !== null && (before.frames[e.reached]?.mapping.kind === 'anon' || before.frames[e.reached]?.mapping.kind === 'zero')),
};
