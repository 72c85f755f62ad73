/**
 * The window of a fork in a world with fork's steps (`State.forkSteps`):
 * between fork's check of the parent's pages and its write-protect of the
 * PTEs it shares (`ptep_set_wrprotect`), fork holds the parent's
 * mmap_write_lock and, in copy_pte_range, its page-table locks, and the
 * child does not run yet. What takes those locks waits; what does not (a
 * device, a CPU store through a present writable PTE, GUP-fast) goes on.
 */
import { present } from '../page.ts';
import type { MmId, Pfn, State } from '../state.ts';

/**
 * Why `mm` cannot take a lock or run now because of a fork in its steps,
 * or null: fork holds the parent's mmap_write_lock (and its page-table
 * locks) until ptep_set_wrprotect, and the child runs only once fork has
 * returned.
 */
export const forkHolds = (s: State, mm: MmId): string | null => {
  if (s.mms.get(mm)?.forkWrprotect !== undefined) return `mmap_write_lock of mm ${mm} is held by fork (copy_page_range has yet to write-protect the parent's PTEs)`;
  return notYetRunning(s, mm);
};

/** Why `mm` makes no call at all yet (it is the child of a fork that has not returned), or null. */
export const notYetRunning = (s: State, mm: MmId): string | null => {
  for (const m of s.mms.values()) if (m.forkWrprotect?.child === mm) return `mm ${mm} is the child of fork of mm ${m.id}, which has not returned yet`;
  return null;
};

/** Why an rmap walk of `pfn` (reclaim, migration, writeback) waits for a fork in its steps (the parent's page-table lock), or null. */
export const forkHoldsPage = (s: State, pfn: Pfn): string | null => {
  for (const m of s.mms.values())
    if (m.forkWrprotect !== undefined && [...s.vmas.values()].some((v) => (v.mm === m.id || v.mm === m.forkWrprotect!.child) && v.ptes.some((p) => present(p)?.pfn === pfn)))
      return `fork of mm ${m.id} holds the page-table lock of pfn ${pfn} (copy_page_range)`;
  return null;
};
