/**
 * mprotect(mm, start, npages, write): the range must be mapped without a
 * hole (-ENOMEM otherwise). The VMAs are split at the range's ends, their
 * VM_WRITE set or cleared, and change_protection() rewrites the present
 * PTEs under MMU_NOTIFY_PROTECTION_VMA (change_pmd_range starts the
 * invalidation only where page tables exist). Removing write makes every
 * PTE read-only. Granting it makes the PTEs of VM_PFNMAP/VM_MIXEDMAP
 * device mappings writable (they need no write notification); anon and
 * file PTEs stay read-only and the next store faults (do_wp_page reuse,
 * ->page_mkwrite). Then adjacent anon VMAs that now agree merge
 * (vma_merge); BAR VMAs never merge (VM_SPECIAL).
 */
import { replaceAt } from '../collections.ts';
import type { Changed } from '../page.ts';
import { present, setVma } from '../page.ts';
import { done, illFormed, reject, waits, type Outcome } from '../result.ts';
import type { MmId, State } from '../state.ts';
import { invalidateThen, mmapWriteBusy } from './invalidate.ts';
import { isolate, mergeAround, vmasIn } from './vma-split.ts';

/** Is [start, end) of `mm` covered by VMAs without a hole? */
export const coveredWithoutHole = (s: State, mm: MmId, start: number, end: number): boolean => {
  let at = start;
  for (const v of vmasIn(s, mm, start, end)) {
    if (v.start > at) return false;
    at = v.start + v.npages;
  }
  return at >= end;
};

export const mprotect = (s: State, mm: MmId, start: number, npages: number, write: boolean): Outcome => {
  const op = 'mprotect';
  if (s.mms.get(mm)?.alive !== true) return illFormed(op, `mm ${mm} has exited: it runs no code`);
  const busy = mmapWriteBusy(s, mm);
  if (busy !== null) return waits(op, busy);
  const end = start + npages;
  if (npages === 0) return done(s);
  if (!coveredWithoutHole(s, mm, start, end)) return reject(op, `-ENOMEM: do_mprotect_pkey: pages [${start}, ${end}) of mm ${mm} are not all mapped`);
  const [s1, ids] = isolate(s, mm, start, end);
  let state = s1;
  for (const id of ids) state = setVma(state, { ...state.vmas.get(id)!, writable: write });
  const populated = ids.some((id) => state.vmas.get(id)!.ptes.some((p) => p !== null));
  const rest = (st: State): Changed => mprotectRest(st, mm, start, end, write);
  if (!populated) return done(rest(state).state);
  const r = invalidateThen(state, [{ mm, start, end }], 'MMU_NOTIFY_PROTECTION_VMA', mm, { kind: 'mprotect', mm, start, end, write }, rest);
  return done(r.state, r.events);
};

/** change_protection() of [start, end), then vma_merge around it. */
export const mprotectRest = (s: State, mm: MmId, start: number, end: number, write: boolean): Changed => {
  let state = s;
  for (const v of vmasIn(s, mm, start, end)) {
    let ptes = v.ptes;
    for (let i = 0; i < v.npages; i++) {
      // change_pte_range() leaves swap entries alone: swap-in maps by the VMA's new protection.
      const p = present(ptes[i]);
      const addr = v.start + i;
      if (p === null || addr < start || addr >= end) continue;
      const device = v.backing.kind === 'bar' || v.backing.kind === 'p2pmem';
      ptes = replaceAt(ptes, i, { ...p, writable: write && (p.writable || device) });
    }
    state = setVma(state, { ...v, ptes });
  }
  return { state: mergeAround(state, mm, start, end), events: [] };
};
