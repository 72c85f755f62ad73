/**
 * Swap of anonymous pages: reclaim's unmap into a swap slot (add_to_swap,
 * try_to_unmap, pageout), swap-in (do_swap_page), and what fork and the
 * zap of a swap entry do to the slot (swap_duplicate, free_swap_and_cache).
 *
 * The model's swap device is more than half full (vm_swap_full()): the
 * kernel then frees a slot, and drops its page from the swap cache, as
 * soon as no swap entry names it. So a page is in the swap cache only
 * while some swap entry names its slot.
 */
import * as E from 'fp-ts/lib/Either.js';
import { replaceAt } from '../collections.ts';
import type { Event } from '../event.ts';
import { allocRamPage, freeFrame, kernelRefcount, present, putPage, rmap, setFrame, setVma, swapSlotOf, type Changed } from '../page.ts';
import type { Pfn, State, SwapPte, SwapSlot, SwapSlotId, Vma } from '../state.ts';

export const setSlot = (s: State, id: SwapSlotId, slot: SwapSlot | null): State => ({ ...s, swap: replaceAt(s.swap, id, slot) });

/** The lowest free slot, or null when the device is full (add_to_swap() fails). */
export const freeSwapSlot = (s: State): SwapSlotId | null => {
  const i = s.swap.indexOf(null);
  return i < 0 ? null : i;
};

/**
 * Why reclaim would leave anonymous page `pfn` where it is before it
 * starts (nothing changes, no notifier runs), or null: a maybe-pinned page
 * not yet in the swap cache is kept from 5.11 (feb889fb40fa), and
 * add_to_swap() fails on a full device.
 */
export const swapOutRefused = (s: State, pfn: Pfn): string | null => {
  if (swapSlotOf(s, pfn) !== null) return null;
  if (s.era.reclaimSkipsPinnedAnon && s.frames[pfn]!.pincount > 0) return `page ${pfn} may be DMA-pinned: shrink_page_list keeps it out of the swap cache (keep_locked)`;
  if (freeSwapSlot(s) === null) return 'add_to_swap: no free swap slot; the page is activated';
  return null;
};

/**
 * Reclaim's work on anonymous page `pfn` once the notifiers returned:
 * add_to_swap() (unless the page is in the swap cache already), then
 * try_to_unmap() turns every PTE mapping it into a swap entry, and
 * pageout() with __remove_mapping() frees the page if the swap cache holds
 * its only reference; any other reference (a GUP reference, a pin) keeps
 * it there (PAGE_KEEP). From 5.19 try_to_unmap_one() restores the PTE of
 * an exclusive page that may be pinned and fails (6c287605fd56): the page
 * stays mapped. The model checks that before add_to_swap(), where the
 * kernel would leave the still-mapped page in the swap cache; a page in
 * the swap cache and mapped once is a reuse candidate at the next write
 * fault either way.
 */
export const swapOut = (s: State, pfn: Pfn): Changed => {
  const unchanged = { state: s, events: [] };
  if (swapOutRefused(s, pfn) !== null) return unchanged;
  const f = s.frames[pfn]!;
  if (s.era.unmapKeepsPinnedAnon && f.pincount > 0 && f.mapcount === 1) return unchanged;
  const cached = swapSlotOf(s, pfn);
  // An anonymous page nothing maps any more (a GUP reference outlived its munmap): the kernel adds it
  // to the swap cache and keeps it there for the reference (PAGE_KEEP); no swap entry will ever name
  // that slot, so the model leaves the page as it is.
  if (cached === null && f.mapcount === 0) return unchanged;
  // A swap-cache page nothing maps: pageout() and __remove_mapping() free it unless a reference keeps it.
  if (cached !== null && f.mapcount === 0) {
    if (kernelRefcount(f) !== 1) return unchanged;
    const dropped = setSlot(s, cached, { ...s.swap[cached]!, cache: null });
    return { state: freeFrame(dropped, { ...f, refcount: 0 }), events: [{ kind: 'page-freed', pfn }] };
  }
  const id = cached ?? freeSwapSlot(s)!;
  const slot: SwapSlot = cached === null ? { count: 0, cache: pfn } : s.swap[cached]!;
  // PageAnonExclusive, as far as the model can tell it: mapped by this one PTE, writable (a COW break or
  // a first fault gave it to this process alone) or pinned (a pin requires it), and no other swap entry
  // sharing the data. A read-only PTE of a page fork once shared stays shared to the kernel.
  const mappers = rmap(s, pfn);
  const only = mappers[0];
  const writable = only === undefined ? false : present(s.vmas.get(only.vma)!.ptes[only.index])?.writable === true;
  const exclusive = s.era.unmapKeepsPinnedAnon && f.mapcount === 1 && slot.count === 0 && (writable || f.pincount > 0);
  let state = s;
  for (const { vma, index } of mappers) {
    const v = state.vmas.get(vma)!;
    const entry: SwapPte = { swap: id, exclusive };
    state = setVma(state, { ...v, ptes: replaceAt(v.ptes, index, entry) });
  }
  // add_to_swap_cache() takes a reference; each unmapped PTE drops its own.
  const refcount = f.refcount - f.mapcount + (cached === null ? 1 : 0);
  const unmapped = { ...f, mapcount: 0, refcount };
  const filled = setSlot(state, id, { count: slot.count + f.mapcount, cache: pfn });
  if (kernelRefcount(unmapped) === 1) {
    // pageout() writes it; __remove_mapping() deletes it from the swap cache and frees it.
    const freed = setSlot(filled, id, { count: slot.count + f.mapcount, cache: null });
    return { state: freeFrame(freed, unmapped), events: [{ kind: 'swapped-out', pfn, slot: id, kept: false }, { kind: 'page-freed', pfn }] };
  }
  return { state: setFrame(filled, unmapped), events: [{ kind: 'swapped-out', pfn, slot: id, kept: true }] };
};

/**
 * One swap entry naming slot `id` is gone (swap_free() at swap-in,
 * free_swap_and_cache() at a zap). With none left the slot is freed and
 * its swap-cache page, if any, loses the cache's reference.
 */
export const swapEntryGone = (s: State, id: SwapSlotId): Changed => {
  const slot = s.swap[id]!;
  if (slot.count > 1) return { state: setSlot(s, id, { ...slot, count: slot.count - 1 }), events: [] };
  const freed = setSlot(s, id, null);
  return slot.cache === null ? { state: freed, events: [] } : putPage(freed, slot.cache);
};

/** fork's copy_nonpresent_pte(): swap_duplicate() of the entry's slot. */
export const swapDuplicate = (s: State, id: SwapSlotId): State => {
  const slot = s.swap[id]!;
  return setSlot(s, id, { ...slot, count: slot.count + 1 });
};

/** What do_swap_page() mapped: the page, and whether a write fault still needs do_wp_page() (a copy). */
export interface SwappedIn {
  readonly changed: Changed;
  readonly pfn: Pfn;
  readonly cow: boolean;
}

/**
 * do_swap_page() for swap entry `p` at page `index` of `v`: the swap
 * cache's page, or a page read from the device into the swap cache
 * (-ENOMEM when none is free), mapped read-only, or writable on a write
 * fault when the page can be reused: before 5.19 reuse_swap_page() asks
 * only whether mapcount and swap count add up to at most one (a pinned
 * page is reused), from 5.19 the entry's exclusive bit or no reference
 * beyond the swap cache's decides, and such a page is mapped writable on a
 * read fault too where the VMA allows writing (c18160dba5ff, 6.11; from
 * 5.19 to 6.10 it was mapped read-only but PageAnonExclusive, so the next
 * write reused it: the model, which keeps no exclusive flag on a present
 * page, takes 6.11's form for all of 5.19 on). A write fault that cannot
 * reuse goes on to do_wp_page(), the caller's copy. Then swap_free().
 */
export const swapIn = (s: State, v: Vma, index: number, p: SwapPte, write: boolean): E.Either<string, SwappedIn> => {
  const slot = s.swap[p.swap]!;
  let state = s;
  let pfn = slot.cache;
  if (pfn === null) {
    const got = allocRamPage(s, { kind: 'anon' });
    if (got === null) return E.left('-ENOMEM: no free RAM page to swap in (VM_FAULT_OOM)');
    [state, pfn] = got;
    // The new page's one reference is the swap cache's.
    state = setSlot(state, p.swap, { ...slot, cache: pfn });
  }
  const f = state.frames[pfn]!;
  const reuse = s.era.unmapKeepsPinnedAnon
    ? p.exclusive || (f.refcount === 1 && f.mapcount === 0 && slot.count === 1)
    : f.mapcount + slot.count <= 1;
  const writable = s.era.unmapKeepsPinnedAnon ? reuse && v.writable : write && reuse;
  const mapped = setFrame(state, { ...f, mapcount: f.mapcount + 1, refcount: f.refcount + 1, dirty: f.dirty || writable });
  const withPte = setVma(mapped, { ...v, ptes: replaceAt(v.ptes, index, { pfn, writable }) });
  const gone = swapEntryGone(withPte, p.swap);
  const events: Event[] = [{ kind: 'swapped-in', pfn, slot: p.swap, read: slot.cache === null }, ...gone.events];
  return E.right({ changed: { state: gone.state, events }, pfn, cow: write && !reuse });
};
