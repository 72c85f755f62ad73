/**
 * madvise(mm, start, npages, MADV_DONTNEED): the process discards the
 * range's contents. Under mmap_read_lock, zap_page_range_single() runs the
 * notifiers of the range (MMU_NOTIFY_CLEAR), then clears its PTEs,
 * dropping their references; the VMAs stay, and the next touch faults in
 * a fresh page (anon: the zero page or a new one; file: the page cache
 * again). A GUP reference keeps its page; the process no longer maps it
 * there (the arrays' ghost `vmas[i]` is -1: it gave the address's data
 * up). VM_PFNMAP VMAs (the exporter's BAR window) are -EINVAL
 * (madvise_dontneed_free_valid_vma) and a hole -ENOMEM; the model refuses
 * both before anything changes, where the kernel applies the advice to
 * the VMAs before the offending one and then fails (the templates never
 * ask for such a range). Writers (munmap, mprotect, mremap, fork, mmap)
 * wait while its invalidation runs, as for the read lock it holds.
 *
 * madvise(mm, start, npages, MADV_DONTFORK | MADV_DOFORK): set or clear
 * VM_DONTCOPY on the VMAs of the range, splitting them at its ends and
 * merging neighbours that then agree (madvise_update_vma). A VMA with
 * VM_DONTCOPY is not copied into a child at fork, so its pages are never
 * shared copy-on-write: the RDMA mitigation (ibv_fork_init) for pinned
 * buffers before fork learned to copy maybe-pinned pages itself (5.9).
 * It takes mmap_write_lock. As the model's mprotect does, a hole in the
 * range is -ENOMEM before anything changes (the kernel applies the advice
 * to the mapped VMAs before it and then returns -ENOMEM), and
 * MADV_DOFORK on a VM_IO VMA (the exporter's BAR window) is -EINVAL
 * (madvise_vma_behavior) before anything changes.
 */
import { type Changed, fold, setVma } from '../page.ts';
import { done, illFormed, reject, waits, type Outcome } from '../result.ts';
import type { MmId, State } from '../state.ts';
import { invalidateThen, mmapWriteBusy, mmapWriteLocked } from './invalidate.ts';
import { unmappedFrom, zapPteRange } from './vma-teardown.ts';
import { coveredWithoutHole } from './mprotect.ts';
import { isolate, mergeAround, vmasIn } from './vma-split.ts';

export type Advice = 'dontfork' | 'dofork' | 'dontneed';

export const madvise = (s: State, mm: MmId, start: number, npages: number, advice: Advice): Outcome => {
  const op = 'madvise';
  if (s.mms.get(mm)?.alive !== true) return illFormed(op, `mm ${mm} has exited: it runs no code`);
  // MADV_DONTNEED takes mmap_read_lock (other readers do not hold it off); the others mmap_write_lock.
  const busy = advice === 'dontneed' ? (mmapWriteLocked(s, mm) ? `mmap_write_lock of mm ${mm} is held` : null) : mmapWriteBusy(s, mm);
  if (busy !== null) return waits(op, busy);
  if (npages === 0) return done(s);
  const end = start + npages;
  if (!coveredWithoutHole(s, mm, start, end)) return reject(op, `-ENOMEM: madvise: pages [${start}, ${end}) of mm ${mm} are not all mapped`);
  if (advice === 'dofork' && vmasIn(s, mm, start, end).some((v) => v.backing.kind === 'bar'))
    return reject(op, `-EINVAL: madvise_vma_behavior: MADV_DOFORK on a VM_IO VMA in pages [${start}, ${end}) of mm ${mm}`);
  if (advice === 'dontneed') {
    if (vmasIn(s, mm, start, end).some((v) => v.backing.kind === 'bar'))
      return reject(op, `-EINVAL: madvise_dontneed_free_valid_vma: MADV_DONTNEED on a VM_PFNMAP VMA in pages [${start}, ${end}) of mm ${mm}`);
    const r = invalidateThen(s, [{ mm, start, end }], 'MMU_NOTIFY_CLEAR', null, { kind: 'madvise_dontneed', mm, start, end }, (st) => dontneedRest(st, mm, start, end));
    return done(r.state, r.events);
  }
  const [s1, ids] = isolate(s, mm, start, end);
  let state = s1;
  for (const id of ids) state = setVma(state, { ...state.vmas.get(id)!, dontcopy: advice === 'dontfork' });
  return done(mergeAround(state, mm, start, end));
};

/** What MADV_DONTNEED does once the notifiers returned: zap the range's PTEs in whatever VMAs of `mm` cover it now. */
export const dontneedRest = (s: State, mm: MmId, start: number, end: number): Changed => {
  const covering = [...s.vmas.values()].filter((v) => v.mm === mm && v.start < end && v.start + v.npages > start).map((v) => v.id);
  const zapped = fold(s, covering, (st, id) => zapPteRange(st, st.vmas.get(id)!, start, end));
  return { state: { ...zapped.state, pageArrays: unmappedFrom(zapped.state.pageArrays, { mm, start, npages: end - start }) }, events: zapped.events };
};
