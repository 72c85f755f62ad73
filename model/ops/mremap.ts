/**
 * mremap(mm, start, npages, new_npages, may_move), after mm/mremap.c:
 *
 * - new_npages 0 is -EINVAL. [start, start+npages) must lie inside one
 *   VMA (vma_to_resize: -EFAULT, "we can't remap across vm area
 *   boundaries"). npages 0 asks for a duplicate of the mapping: -EINVAL
 *   for a private one (vma_to_resize refuses it), not modelled (ill-formed)
 *   for a shared one.
 * - Shrinking unmaps the tail like munmap (MMU_NOTIFY_UNMAP).
 * - Growing a VM_PFNMAP VMA (the exporter's BAR window) or a p2pmem VMA
 *   is -EFAULT (VM_DONTEXPAND|VM_PFNMAP in vma_to_resize). A file VMA may
 *   grow past the end of the file; a fault there is SIGBUS.
 * - Growing in place when the range ends the VMA and the pages after it
 *   are free; otherwise, with MREMAP_MAYMOVE, the range moves to a free
 *   area: a new VMA is made there (copy_vma), move_page_tables() moves
 *   the PTEs under MMU_NOTIFY_UNMAP of the old range, and the old VMA is
 *   unmapped. Without MREMAP_MAYMOVE: -ENOMEM.
 *
 * Interval notifiers stay on their addresses: a moved VMA leaves its
 * notifier behind, covering nothing.
 */
import type { Changed } from '../page.ts';
import { findVma, freshId, setVma } from '../page.ts';
import { done, illFormed, reject, waits, type Outcome } from '../result.ts';
import type { MmId, Pte, State, Vma, VmaId } from '../state.ts';
import { invalidateThen, mmapWriteBusy } from './invalidate.ts';
import { MAX_VMA_PAGES, unmapRange, unmappedArea } from './mm.ts';
import { destroyVma } from './vma-teardown.ts';
import { isolate, mergeAround, vmasIn } from './vma-split.ts';

export const mremap = (s: State, mm: MmId, start: number, npages: number, newNpages: number, mayMove: boolean): Outcome => {
  const op = 'mremap';
  if (s.mms.get(mm)?.alive !== true) return illFormed(op, `mm ${mm} has exited: it runs no code`);
  // A zero new_len is checked before the mmap lock is taken.
  if (newNpages === 0) return reject(op, '-EINVAL: mremap: new_len is 0');
  if (newNpages > MAX_VMA_PAGES) return illFormed(op, `new_npages ${newNpages} is over the model's limit of ${MAX_VMA_PAGES} pages per VMA`);
  const busy = mmapWriteBusy(s, mm);
  if (busy !== null) return waits(op, busy);
  const v = findVma(s, mm, start);
  if (v === undefined) return reject(op, `-EFAULT: vma_to_resize: no vma of mm ${mm} covers page ${start}`);
  if (npages === 0 && !v.shared) return reject(op, `-EINVAL: vma_to_resize: old_len 0 would duplicate private vma ${v.id}`);
  if (npages === 0) return illFormed(op, `old_len 0 duplicates shared vma ${v.id}, which the model does not build`);
  const end = start + npages;
  if (end > v.start + v.npages) return reject(op, `-EFAULT: vma_to_resize: pages [${start}, ${end}) of mm ${mm} are not inside one vma`);
  if (newNpages === npages) return done(s);
  if (newNpages < npages) {
    const r = unmapRange(s, mm, start + newNpages, end);
    return done(r.state, r.events);
  }
  if (v.backing.kind === 'bar' || v.backing.kind === 'p2pmem') return reject(op, `-EFAULT: vma_to_resize: vma ${v.id} is VM_PFNMAP/VM_DONTEXPAND and cannot grow`);
  // A file VMA may grow past the end of the file, as mmap may map past it: a fault there is SIGBUS.
  const grow = newNpages - npages;
  if (end === v.start + v.npages && vmasIn(s, mm, end, end + grow).length === 0) {
    const nulls: ReadonlyArray<Pte | null> = Array.from({ length: grow }, () => null);
    return done(mergeAround(setVma(s, { ...v, npages: v.npages + grow, ptes: [...v.ptes, ...nulls] }), mm, v.start, end + grow));
  }
  if (!mayMove) return reject(op, `-ENOMEM: mremap: pages after [${start}, ${end}) are in use and MREMAP_MAYMOVE is not set`);
  const [s1, ids] = isolate(s, mm, start, end);
  const from = s1.vmas.get(ids[0]!)!;
  const [s2, to] = freshId(s1);
  const moved: Vma = {
    ...from,
    id: to,
    start: unmappedArea(s, mm, newNpages),
    npages: newNpages,
    ptes: Array.from({ length: newNpages }, () => null),
  };
  const s3 = setVma(s2, moved);
  const r = invalidateThen(s3, [{ mm, start, end }], 'MMU_NOTIFY_UNMAP', mm, { kind: 'mremap_move', from: from.id, to }, (st) => mremapMoveRest(st, from.id, to));
  return done(r.state, r.events);
};

/** move_page_tables() from `from` to `to`, then the old VMA is unmapped (its window pages stay with `to`). */
export const mremapMoveRest = (s: State, from: VmaId, to: VmaId): Changed => {
  const f = s.vmas.get(from);
  const t = s.vmas.get(to);
  if (f === undefined || t === undefined) return { state: s, events: [] };
  const ptes = t.ptes.map((p, i) => f.ptes[i] ?? p);
  const state = setVma(setVma(s, { ...t, ptes }), { ...f, ptes: f.ptes.map(() => null) });
  const d = destroyVma(state, state.vmas.get(from)!);
  return { state: mergeAround(d.state, t.mm, t.start, t.start + t.npages), events: d.events };
};
