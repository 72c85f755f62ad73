/**
 * struct page bookkeeping shared by the operations: allocation, references,
 * freeing and the reverse map. These helpers are total: callers check the
 * preconditions and turn failures into rejections.
 */
import { put, replaceAt } from './collections.ts';
import type { Event } from './event.ts';
import type { BarId, Frame, PageMapping, Pfn, Pte, PteEntry, State, SwapPte, Vma, VmaId } from './state.ts';

export const setFrame = (s: State, f: Frame): State => ({ ...s, frames: replaceAt(s.frames, f.pfn, f) });

export const isRamPage = (f: Frame): boolean => f.bar === null;

export const isP2pdmaPage = (f: Frame): boolean => f.bar !== null && f.structPage;

/** is_zero_page(): the shared zero page, mapped by special PTEs that hold no reference. */
export const isZeroPage = (f: Frame): boolean => f.mapping.kind === 'zero';

/** The pfn of the shared zero page (makeWorld puts it after RAM and the BARs). */
export const zeroPfn = (s: State): Pfn => s.frames.findIndex(isZeroPage);

const allocated = (f: Frame, mapping: PageMapping): Frame => ({
  ...f,
  free: false,
  gen: f.gen + 1,
  refcount: f.structPage ? 1 : 0,
  pincount: 0,
  lostPins: 0,
  unheldRefs: 0,
  unheldPins: 0,
  mapcount: 0,
  dirty: false,
  fsPrivate: false,
  mapping,
  deviceWroteSinceDirtied: false,
});

/**
 * A frame the allocator may hand out: free, and no release that held
 * nothing changed its count (`unheldRefs`). Such a frame is one the
 * allocator's page checks find bad (check_new_pages(): "Bad page state")
 * and never hand out; the model assumes those checks are on, as with
 * CONFIG_DEBUG_VM (without them the kernel would overwrite the count and
 * use the page).
 */
const allocatable = (f: Frame): boolean => f.free && f.unheldRefs === 0;

/** The lowest allocatable frame in `pool`, allocated with one reference. */
const allocFrom = (s: State, pool: (f: Frame) => boolean, mapping: PageMapping): [State, Pfn] | null => {
  const f = s.frames.find((x) => allocatable(x) && pool(x));
  return f === undefined ? null : [setFrame(s, allocated(f, mapping)), f.pfn];
};

/** alloc_page(): the lowest free RAM frame (the zero page is never free). */
export const allocRamPage = (s: State, mapping: PageMapping): [State, Pfn] | null => allocFrom(s, isRamPage, mapping);

/** A free frame of `bar` (gen_pool for P2PDMA pages, the exporter's allocator for raw BARs). */
export const allocBarFrame = (s: State, bar: BarId): [State, Pfn] | null => allocFrom(s, (f) => f.bar === bar, { kind: 'none' });

/** The frames of `pool` the allocator could hand out now (what a caller checks before it commits to allocating). */
export const freeFrameCount = (s: State, pool: (f: Frame) => boolean): number => s.frames.filter((f) => allocatable(f) && pool(f)).length;

/** Give a frame back to its allocator. */
export const releaseFrame = (f: Frame): Frame => ({
  ...f,
  free: true,
  refcount: 0,
  pincount: 0,
  lostPins: 0,
  unheldRefs: 0,
  unheldPins: 0,
  mapcount: 0,
  dirty: false,
  fsPrivate: false,
  mapping: { kind: 'none' },
  deviceWroteSinceDirtied: false,
});

export interface Changed {
  readonly state: State;
  readonly events: ReadonlyArray<Event>;
}

/** `PageArray.gens` of a page freed under the array by a release that held nothing. */
export const FREED_UNDER = -1;

/** GUP_PIN_COUNTING_BIAS: what a FOLL_PIN adds to an order-0 page's _refcount. */
const GUP_PIN_COUNTING_BIAS = 1024;

/** The kernel's _refcount of an order-0 page: the model counts a pin as one reference (and one in `pincount`). */
export const kernelRefcount = (f: Frame): number => f.refcount + (GUP_PIN_COUNTING_BIAS - 1) * f.pincount;

/** The page cache of its file still has `f` (the cache holds a reference, and folio->mapping points at the file). */
const inPageCache = (s: State, f: Frame): boolean => f.mapping.kind === 'file' && s.inodes[f.mapping.inode]?.cache[f.mapping.index] === f.pfn;

/**
 * A frame whose counts just changed to `f`: freed when the kernel's count
 * reaches zero (`kernelRefcount`: the model counts a pin as one
 * reference, the kernel as GUP_PIN_COUNTING_BIAS on an order-0 page). A count that went below its holders (`unheldRefs`)
 * can reach zero while a PTE or the page cache still holds the page:
 * free_pages_prepare() then reports "Bad page state" and leaks the page
 * rather than freeing it (bad_page()), with the page checks on, as the
 * model assumes (CONFIG_DEBUG_VM; see allocFrom).
 */
const settle = (s: State, f: Frame): Changed => {
  if (kernelRefcount(f) !== 0) return { state: setFrame(s, f), events: [] };
  if (f.mapcount > 0 || inPageCache(s, f) || swapSlotOf(s, f.pfn) !== null) return { state: setFrame(s, f), events: [{ kind: 'bad-page-state', pfn: f.pfn }] };
  return { state: freeFrame(s, f), events: [{ kind: 'page-freed', pfn: f.pfn }] };
};

/**
 * Give `f` back to its allocator. A page whose counts fell below its
 * holders (`unheldRefs`) may still be in GUP arrays: their pointers go
 * stale (reclaim and migration free such a page too, as nothing in its
 * count tells them an array still has it).
 */
export const freeFrame = (s: State, f: Frame): State => {
  const freed = setFrame(s, releaseFrame(f));
  return f.unheldRefs === 0 ? freed : { ...freed, pageArrays: freedUnder(freed.pageArrays, f) };
};

/** Ghost: `PageArray.gens` marks each array pointer to `f` FREED_UNDER (the page went while the array held it). */
const freedUnder = (arrays: State['pageArrays'], f: Frame): State['pageArrays'] =>
  new Map(
    [...arrays].map(([id, a]) =>
      a.pfns.includes(f.pfn) ? [id, { ...a, gens: a.gens.map((g, i) => (a.pfns[i] === f.pfn && g === f.gen ? FREED_UNDER : g)) }] : [id, a],
    ),
  );

/** put_page(): one reference less; the page is freed when none is left. */
export const putPage = (s: State, pfn: Pfn): Changed => {
  const f = s.frames[pfn]!;
  return settle(s, { ...f, refcount: f.refcount - 1 });
};

/**
 * A reference (`pin`: a pin, GUP_PIN_COUNTING_BIAS on an order-0 page)
 * given back by a caller that did not hold one: a second release through
 * stale page pointers. The arithmetic is the kernel's (gup_put_folio(),
 * folio_put_refs()): the count drops whoever holds the page, so it may
 * free the page under its remaining holders, or go below zero on a page
 * no pin held, or on a page already free, which the allocator's checks
 * then never hand out again (allocFrom).
 */
export const putUnheld = (s: State, pfn: Pfn, pin: boolean): Changed => {
  const f = s.frames[pfn]!;
  const g: Frame = { ...f, refcount: f.refcount - 1, unheldRefs: f.unheldRefs + 1, pincount: f.pincount - (pin ? 1 : 0), unheldPins: f.unheldPins + (pin ? 1 : 0) };
  return f.free ? { state: setFrame(s, g), events: [] } : settle(s, g);
};

/** Thread `f` over items, collecting events. */
export const fold = <A>(s: State, items: ReadonlyArray<A>, f: (s: State, a: A) => Changed): Changed =>
  items.reduce<Changed>(
    (acc, a) => {
      const r = f(acc.state, a);
      return { state: r.state, events: [...acc.events, ...r.events] };
    },
    { state: s, events: [] },
  );

export const setVma = (s: State, v: Vma): State => ({ ...s, vmas: put(s.vmas, v.id, v) });

/** A swap entry (is_swap_pte()), not a present PTE. */
export const isSwapPte = (p: PteEntry): p is SwapPte => p !== null && 'swap' in p;

/** The present PTE (pte_present()), or null for pte_none and a swap entry. */
export const present = (p: PteEntry | undefined): Pte | null => (p === undefined || p === null || 'swap' in p ? null : p);

/**
 * The page holding what the process has at this PTE: the page a present
 * PTE maps, or the swap-cache page of a swap entry's slot (what swap-in
 * will map); null for pte_none and for a slot only the swap device holds.
 */
export const pageOf = (s: State, p: PteEntry | undefined): Pfn | null => {
  if (p === undefined || p === null) return null;
  return 'swap' in p ? (s.swap[p.swap]?.cache ?? null) : p.pfn;
};

/** Every present PTE that maps `pfn` (the reverse map). */
export const rmap = (s: State, pfn: Pfn): ReadonlyArray<{ readonly vma: VmaId; readonly index: number }> =>
  [...s.vmas.values()].flatMap((v) =>
    v.ptes.flatMap((p, index) => (present(p)?.pfn === pfn ? [{ vma: v.id, index }] : [])),
  );

/** The swap slot whose swap cache holds `pfn`, or null (PageSwapCache()). */
export const swapSlotOf = (s: State, pfn: Pfn): number | null => {
  const i = s.swap.findIndex((slot) => slot !== null && slot.cache === pfn);
  return i < 0 ? null : i;
};

/** The VMA of `mm` covering virtual page `addr`. */
export const findVma = (s: State, mm: number, addr: number): Vma | undefined => {
  for (const v of s.vmas.values()) if (v.mm === mm && addr >= v.start && addr < v.start + v.npages) return v;
  return undefined;
};

export const freshId = (s: State): [State, number] => [{ ...s, nextId: s.nextId + 1 }, s.nextId];
