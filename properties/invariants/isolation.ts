import * as O from 'fp-ts/lib/Option.js';
import type { Event } from '../../model/event.ts';
import type { Frame, PageArray, State } from '../../model/state.ts';
import type { Invariant } from '../invariant.ts';

/** The processes that map `pfn` privately (a PTE in a VMA that is not MAP_SHARED), in id order. */
const privateMappers = (s: State, pfn: number): ReadonlyArray<number> =>
  [...new Set([...s.vmas.values()].filter((v) => !v.shared && v.ptes.some((p) => p !== null && p.pfn === pfn)).map((v) => v.mm))].sort((a, b) => a - b);

/**
 * The process whose memory a device write is meant for: the mm a mirror
 * access translates for, or the mm the GUP array behind the mapping's
 * table came from; null for memory no process owns (P2P, kernel pages).
 */
const writer = (s: State, e: Extract<Event, { kind: 'device-access' }>): number | null => {
  if (e.va !== undefined) return e.va.mm;
  const m = e.mapping === null ? undefined : s.mappings.get(e.mapping);
  if (m?.origin.kind !== 'sgl') return null;
  const pages = s.sgls.get(m.origin.sgl)?.pages;
  return pages === null || pages === undefined ? null : (s.pageArrays.get(pages)?.mm ?? null);
};

/** The GUP array behind the mapping a device write went through, and the index of the written frame in it. */
const through = (s: State, e: Extract<Event, { kind: 'device-access' }>): { readonly a: PageArray; readonly i: number } | undefined => {
  const m = e.mapping === null ? undefined : s.mappings.get(e.mapping);
  if (m?.origin.kind !== 'sgl') return undefined;
  const pages = s.sgls.get(m.origin.sgl)?.pages;
  const a = pages === null || pages === undefined ? undefined : s.pageArrays.get(pages);
  const i = a === undefined || e.reached === null ? -1 : a.pfns.indexOf(e.reached);
  return i < 0 ? undefined : { a: a!, i };
};

/**
 * Whose private memory the write lands in besides its writer's: the zero
 * page (everyone's), an anonymous page another process maps privately, or
 * the page cache of a file the writer maps MAP_PRIVATE (everyone's view
 * of the file, written back to it).
 */
const landsIn = (s: State, f: Frame, owner: number | null, via: { readonly a: PageArray; readonly i: number } | undefined): string | null => {
  if (f.mapping.kind === 'zero') return 'the shared zero page, which every process reads as zeroes';
  if (f.mapping.kind === 'file' && via !== undefined && via.a.cow[via.i] === true)
    return `a page-cache page of inode ${f.mapping.inode}, which mm ${via.a.mm} took through a MAP_PRIVATE mapping (pages ${via.a.id}): the write goes into the file every process reads and writeback stores, not into a private copy`;
  if (f.mapping.kind !== 'anon') return null;
  const mms = privateMappers(s, f.pfn);
  const others = owner === null ? (mms.length >= 2 ? mms : []) : mms.filter((m) => m !== owner);
  if (others.length === 0) return null;
  if (owner === null) return `an anonymous page mms ${mms.join(' and ')} share copy-on-write, each as its own private memory`;
  return `an anonymous page that is mm ${others.join(' and mm ')}'s private memory${mms.includes(owner) ? ` (shared copy-on-write with mm ${owner})` : ''}, through a reference mm ${owner} gave the device`;
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
 * Judges every device write by the frame it reached, who maps that frame
 * privately in the state before it, and whose reference the device wrote
 * through (the mm of the GUP array behind the mapping, or of the mirror):
 * a page only another process maps privately (the writer moved to a copy
 * after fork) is a leak too.
 *
 * @see Documentation/core-api/pin_user_pages.rst (FOLL_WRITE when the
 *   device will write the pages)
 * @see mm/memory.c do_wp_page(), mm/gup.c gup_must_unshare() (COW and
 *   unsharing before a pinned page may be written or read)
 */
export const isolation: Invariant = {
  id: 'isolation',
  rule: "A device write through a GUP reference never lands in another process's private memory (the zero page, a page shared copy-on-write, a page the writer's process no longer owns) nor in the page cache of a file its process maps MAP_PRIVATE.",
  source: 'Documentation/core-api/pin_user_pages.rst; mm/memory.c do_wp_page(); CVE-2020-29374',
  check: (before, _op, step) => {
    for (const e of step.events) {
      if (e.kind !== 'device-access' || !e.write || e.reached === null) continue;
      const f = before.frames[e.reached];
      if (f === undefined || f.free) continue;
      const where = landsIn(before, f, writer(before, e), through(before, e));
      if (where !== null) return O.some(`device ${e.device} wrote pfn ${e.reached}, ${where}: the write shows in memory its writer does not own`);
    }
    return O.none;
  },
  exercised: (before, _op, step) =>
    step.events.some(
      (e) =>
        e.kind === 'device-access' &&
        e.write &&
        e.reached !== null &&
        (before.frames[e.reached]?.mapping.kind === 'anon' || before.frames[e.reached]?.mapping.kind === 'zero' || (before.frames[e.reached]?.mapping.kind === 'file' && ((v) => v?.a.cow[v.i] === true)(through(before, e)))),
    ),
};
