/**
 * Tearing a VMA down, shared by munmap, exit_mmap and provider removal:
 * zap PTEs (dropping the references they hold), run the exporter's ->close
 * and forget the VMA. The callers run the mmu notifiers first
 * (`invalidateThen`); these helpers are what comes after.
 */
import { drop, put } from '../collections.ts';
import type { Changed } from '../page.ts';
import { fold, isSwapPte, isZeroPage, present, putPage, releaseFrame, setFrame, setVma } from '../page.ts';
import { swapEntryGone } from './swap.ts';
import type { PageArray, State, Vma } from '../state.ts';

/** zap_page_range(): clear every PTE of `vma`, dropping mapcount and the PTE's reference, and each swap entry's slot count. */
export const zapPtes = (s: State, vma: Vma): Changed => zapPteRange(s, vma, vma.start, vma.start + vma.npages);

/** zap_page_range_single(): the same for the pages of `vma` in [start, end). */
export const zapPteRange = (s: State, vma: Vma, start: number, end: number): Changed => {
  const inRange = (i: number): boolean => vma.start + i >= start && vma.start + i < end;
  const mapped = vma.ptes.flatMap((p, i) => { const q = present(p); return q === null || !inRange(i) ? [] : [q.pfn]; });
  const swapped = vma.ptes.flatMap((p, i) => (isSwapPte(p) && inRange(i) ? [p.swap] : []));
  const cleared = setVma(s, { ...vma, ptes: vma.ptes.map((p, i) => (inRange(i) ? null : p)) });
  const unmapped = fold(cleared, mapped, (st, pfn) => {
    const f = st.frames[pfn]!;
    // No struct page (PFNMAP), or the zero page's special PTE: nothing was held.
    if (!f.structPage || isZeroPage(f)) return { state: st, events: [] };
    return putPage(setFrame(st, { ...f, mapcount: f.mapcount - 1 }), pfn);
  });
  // free_swap_and_cache() for each swap entry.
  const freed = fold(unmapped.state, swapped, swapEntryGone);
  return { state: freed.state, events: [...unmapped.events, ...freed.events] };
};

/**
 * Ghost bookkeeping: the pages a GUP array took from `vma`'s range no
 * longer come from any VMA of their process (`PageArray.vmas[i]` becomes
 * -1): the process gave that address up (munmap, a move by mremap, exit,
 * MADV_DONTNEED, which discards the data there),
 * so whatever it maps there later is not the page GUP took. Operations
 * never branch on it; pin-coherent reads it. By address, not by VMA id: a
 * split keeps the id on one piece, and a later merge can bring it back
 * over the address.
 */
export const unmappedFrom = (arrays: State['pageArrays'], vma: Pick<Vma, 'mm' | 'start' | 'npages'>): State['pageArrays'] => {
  const inRange = (a: PageArray, i: number): boolean => a.mm === vma.mm && a.start + i >= vma.start && a.start + i < vma.start + vma.npages && a.vmas[i] !== -1;
  let out = arrays;
  for (const a of arrays.values())
    if (a.pfns.some((_, i) => inRange(a, i))) out = put(out, a.id, { ...a, vmas: a.pfns.map((_, i) => (inRange(a, i) ? -1 : (a.vmas[i] ?? a.vma))) });
  return out;
};

/** Zap, close and remove `vma` (its notifiers already ran). */
export const destroyVma = (s: State, vma: Vma): Changed => {
  const zap = zapPtes(s, vma);
  let state = zap.state;
  // Stryker disable next-line ArrayDeclaration: a window of non-pfns names no frame (setFrame of pfn undefined replaces no element)
  const window = vma.backing.kind === 'bar' ? vma.backing.window : [];
  // The exporter's vm_ops->close gives a BAR window page back to its
  // allocator when no other VMA maps it any more (a fork copies the VMA and
  // its window; a split VMA's pieces each keep the pages they cover).
  const mappedElsewhere = (pfn: number): boolean =>
    [...state.vmas.values()].some((w) => w.id !== vma.id && w.backing.kind === 'bar' && w.backing.window.includes(pfn));
  for (const pfn of window) if (!mappedElsewhere(pfn)) state = setFrame(state, releaseFrame(state.frames[pfn]!));
  state = { ...state, vmas: drop(state.vmas, vma.id), pageArrays: unmappedFrom(state.pageArrays, vma) };
  return { state, events: [...zap.events, { kind: 'vma-destroyed', vma: vma.id, mm: vma.mm, start: vma.start, end: vma.start + vma.npages }] };
};
