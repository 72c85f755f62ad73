import * as O from 'fp-ts/lib/Option.js';
import type { Event } from '../../model/event.ts';
import { findVma, pageOf, present } from '../../model/page.ts';
import type { Frame, PageArray, State } from '../../model/state.ts';
import type { Invariant } from '../invariant.ts';

/**
 * A fork's child whose copy of `pfn` is not taken yet: fork checked the
 * page and has still to write-protect the parent's PTE (a world with
 * fork's steps). copy_present_pte sets the child's PTE only after that
 * write-protect, so until then the page is the parent's alone; the model
 * sets it one step early, and this leaves it out.
 */
const notYetCopiedTo = (s: State, pfn: number): ReadonlyArray<number> =>
  [...s.mms.values()].flatMap((m) => (m.forkWrprotect?.ptes.some((p) => present(s.vmas.get(p.vma)?.ptes[p.index])?.pfn === pfn) === true ? [m.forkWrprotect.child] : []));

/** The processes that map `pfn` privately (a PTE, or a swap entry whose slot's swap-cache page it is, in a VMA that is not MAP_SHARED), in id order. */
export const privateMappers = (s: State, pfn: number): ReadonlyArray<number> => {
  const pending = notYetCopiedTo(s, pfn);
  return [...new Set([...s.vmas.values()].filter((v) => !v.shared && !pending.includes(v.mm) && v.ptes.some((p) => pageOf(s, p) === pfn)).map((v) => v.mm))].sort((a, b) => a - b);
};

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
 * The GUP reference of a process other than `mm` that holds `pfn` as that
 * process's private memory (taken through a copy-on-write mapping): what it
 * reads through that reference (a pipe's buffer after vmsplice, a device)
 * is meant to be its own copy.
 */
const snapshotOf = (s: State, pfn: number, mm: number): { readonly a: PageArray; readonly i: number } | undefined => {
  for (const a of s.pageArrays.values()) {
    if (a.mm === mm) continue;
    const i = a.pfns.findIndex((p, j) => p === pfn && a.cow[j] === true);
    if (i >= 0) return { a, i };
  }
  return undefined;
};

/** The anonymous frame `mm`'s page table maps at `addr` in `s`, if any. */
const anonAt = (s: State, mm: number, addr: number): number | null => {
  const v = findVma(s, mm, addr);
  const p = present(v?.ptes[addr - v.start]);
  return p !== null && s.frames[p.pfn]?.mapping.kind === 'anon' ? p.pfn : null;
};

/** A CPU store of `mm` that lands in a page another process's GUP reference holds as its private memory. */
const storeLeak = (before: State, mm: number, step: { readonly events: ReadonlyArray<Event> }): string | null => {
  for (const e of step.events) {
    if (e.kind !== 'cpu-access' || e.via !== 'store' || before.frames[e.pfn]?.mapping.kind !== 'anon') continue;
    const held = snapshotOf(before, e.pfn, mm);
    if (held !== undefined)
      return `mm ${mm}'s store landed in pfn ${e.pfn}, which a GUP reference mm ${held.a.mm} took through its private mapping still holds (pages ${held.a.id}${held.a.pipe === true ? ', a pipe buffer filled by vmsplice' : ''}): what is read through it now shows mm ${mm}'s write, which mm ${mm} never shared with mm ${held.a.mm}`;
  }
  return null;
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
 * The other direction is CVE-2020-29374 itself: a process takes a
 * read-only GUP reference (vmsplice into a pipe) to a page it shares
 * copy-on-write with another, drops its own mapping, and the other
 * process's next store reuses the page in place (a write fault that
 * reuses an anon page mapped only once, before 5.9) instead of copying it:
 * the pipe's reader sees that store. Judged at every CPU store: the page
 * it lands in must not be held by another process's GUP reference taken
 * through its private mapping.
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
  rule: "A device write through a GUP reference never lands in another process's private memory (the zero page, a page shared copy-on-write, a page the writer's process no longer owns) nor in the page cache of a file its process maps MAP_PRIVATE; a CPU store never lands in a page another process holds through a GUP reference as its own private copy (a pipe's buffer after vmsplice).",
  source: 'Documentation/core-api/pin_user_pages.rst; mm/memory.c do_wp_page(); CVE-2020-29374 (17839856fd58, 09854ba94c6a)',
  check: (before, op, step) => {
    if (op.kind === 'store') {
      const leak = storeLeak(before, op.mm, step);
      if (leak !== null) return O.some(leak);
    }
    for (const e of step.events) {
      if (e.kind !== 'device-access' || !e.write || e.reached === null) continue;
      const f = before.frames[e.reached];
      if (f === undefined || f.free) continue;
      const where = landsIn(before, f, writer(before, e), through(before, e));
      if (where !== null) return O.some(`device ${e.device} wrote pfn ${e.reached}, ${where}: the write shows in memory its writer does not own`);
    }
    return O.none;
  },
  exercised: (before, op, step) =>
    // A store to a page another process's GUP reference holds privately: the kernel must copy first.
    (op.kind === 'store' && ((pfn) => pfn !== null && snapshotOf(before, pfn, op.mm) !== undefined)(anonAt(before, op.mm, op.addr))) ||
    step.events.some(
      (e) =>
        e.kind === 'device-access' &&
        e.write &&
        e.reached !== null &&
        (before.frames[e.reached]?.mapping.kind === 'anon' || before.frames[e.reached]?.mapping.kind === 'zero' || (before.frames[e.reached]?.mapping.kind === 'file' && ((v) => v?.a.cow[v.i] === true)(through(before, e)))),
    ),
};
