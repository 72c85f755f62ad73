/**
 * `echo 4 > /proc/PID/clear_refs` (CLEAR_REFS_SOFT_DIRTY, fs/proc/task_mmu.c
 * clear_refs_write): soft-dirty tracking, as CRIU's pre-dump uses it. Under
 * mmap_write_lock it write-protects every present PTE of the process
 * (clear_soft_dirty: pte_wrprotect, pte_clear_soft_dirty), so the next
 * store faults and the kernel sees which pages were written. A swap entry
 * only loses its soft-dirty bit, and VM_PFNMAP VMAs (an exporter's BAR
 * window) are not walked (clear_refs_test_walk). Before 5.11 the walk ran
 * under mmap_read_lock (the write lock only cleared VM_SOFTDIRTY);
 * 29a951dfb3c3 "mm: fix clear_refs_write locking", in the same 5.11-rc4
 * batch as the pinned-page fix, takes mmap_write_lock throughout, so the
 * era flag below stands for both. Before 5.11 a pinned page was
 * write-protected too, and 5.9's do_wp_page (page_count() != 1) then moved
 * the process to a copy at its next store; 9348b73c2e1b ("mm: don't play
 * games with pinned pages in clear_page_refs") skips a writable PTE of a
 * COW mapping whose page may be pinned (pte_is_pinned).
 *
 * The kernel runs MMU_NOTIFY_SOFT_DIRTY notifiers over the whole address
 * space around the walk; the model has no such invalidation yet, so the
 * call is ill-formed while an interval notifier covers the process.
 */
import { present, setVma } from '../page.ts';
import { done, illFormed, waits, type Outcome } from '../result.ts';
import type { MmId, PteEntry, State, Vma } from '../state.ts';
import { mmapWriteBusy, mmapWriteLocked } from './invalidate.ts';
import { forkHolds } from './fork-window.ts';

/** pte_is_pinned() (5.11): a writable PTE of a COW mapping, in an mm that has pinned, whose page may be DMA-pinned. */
const pteIsPinned = (s: State, v: Vma, p: PteEntry): boolean => {
  const q = present(p);
  if (q === null || !q.writable || v.shared) return false;
  if (s.mms.get(v.mm)?.hasPinned !== true) return false;
  const f = s.frames[q.pfn]!;
  return f.structPage && f.pincount > 0;
};

export const clearRefs = (s: State, mm: MmId): Outcome => {
  const op = 'clear_refs';
  if (s.mms.get(mm)?.alive !== true) return illFormed(op, `mm ${mm} has exited: its /proc/PID/clear_refs is gone`);
  if ([...s.notifiers.values()].some((n) => n.mm === mm)) return illFormed(op, `mm ${mm} has an mmu interval notifier: the MMU_NOTIFY_SOFT_DIRTY invalidation around the walk is not modelled`);
  const fork = forkHolds(s, mm);
  if (fork !== null) return waits(op, fork);
  const busy = s.era.clearRefsSkipsPinned ? mmapWriteBusy(s, mm) : mmapWriteLocked(s, mm) ? `mmap_write_lock of mm ${mm} is held` : null;
  if (busy !== null) return waits(op, busy);
  let state = s;
  for (const v of s.vmas.values()) {
    if (v.mm !== mm || v.backing.kind === 'bar') continue;
    const ptes = v.ptes.map((p) => {
      const q = present(p);
      if (q === null || !q.writable || (s.era.clearRefsSkipsPinned && pteIsPinned(s, v, p))) return p;
      return { ...q, writable: false };
    });
    if (ptes.some((p, i) => p !== v.ptes[i])) state = setVma(state, { ...v, ptes });
  }
  return done(state);
};
