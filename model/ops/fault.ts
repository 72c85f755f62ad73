/**
 * Page faults: handle_mm_fault() for one virtual page, used by write_fault
 * (a CPU store from the process) and by GUP, which faults pages in itself.
 */
import * as E from 'fp-ts/lib/Either.js';
import { replaceAt } from '../collections.ts';
import type { Changed } from '../page.ts';
import { allocRamPage, isSwapPte, isZeroPage, present, putPage, setFrame, setVma, zeroPfn } from '../page.ts';
import type { Invalidation, MmId, Pfn, State, SwapPte, Vma } from '../state.ts';
import { swapIn } from './swap.ts';

/**
 * Why page `pfn` is locked now, or null: reclaim, migration and writeback
 * hold the folio lock from before their notifiers run until the PTEs are
 * changed (shrink_folio_list, migrate_pages, folio_clear_dirty_for_io and
 * folio_mkclean), and the unmap leaves migration or swap entries. A fault
 * that would map the page, or change the PTE that maps it, sleeps on the
 * lock (filemap_fault, do_page_mkwrite, migration_entry_wait).
 */
export const pageLocked = (s: State, pfn: Pfn): string | null => {
  const i = lockedBy(s, pfn);
  if (i === undefined) return null;
  return `page ${pfn} is locked by ${i.then.kind === 'page_mkclean' ? 'writeback (page_mkclean)' : i.then.kind === 'reclaim' ? 'reclaim' : 'migration'}, whose invalidation ${i.id} is in progress`;
};

/** Why a page `mm` maps (outside VM_DONTCOPY VMAs) is locked by reclaim, migration or writeback, or null: fork waits for such a page. */
export const pageOfMmLocked = (s: State, mm: MmId): string | null => {
  for (const v of s.vmas.values()) {
    if (v.mm !== mm || v.dontcopy) continue;
    for (const p of v.ptes) {
      // A swap entry is copied without its page (swap_duplicate): only present PTEs lock fork out.
      const q = present(p);
      const locked = q === null ? null : pageLocked(s, q.pfn);
      if (locked !== null) return locked;
    }
  }
  return null;
};

/**
 * Why a walk of the page tables meets no present PTE for `pfn` (reclaim or
 * migration has passed range_start: every callback returned, and the PTEs
 * are migration or swap entries until range_end), or null. While the
 * callbacks run, a walk still reads the present PTE.
 */
export const pageUnmapping = (s: State, pfn: Pfn): string | null => {
  const i = lockedBy(s, pfn);
  if (i === undefined || i.then.kind === 'page_mkclean' || i.running !== null || i.queue.length > 0) return null;
  return `page ${pfn} is being unmapped by ${i.then.kind === 'reclaim' ? 'reclaim' : 'migration'} (invalidation ${i.id}): a migration or swap entry`;
};

/** The invalidation of reclaim, migration or writeback that holds page `pfn` locked (the page it locked, not a later allocation of the frame). */
const lockedBy = (s: State, pfn: Pfn): Invalidation | undefined =>
  [...s.invalidations.values()].find((i) => (i.then.kind === 'reclaim' || i.then.kind === 'migrate_page' || i.then.kind === 'page_mkclean') && i.then.pfn === pfn && holdsPage(s, i.then));

/**
 * Is the page a reclaim, migration or writeback locked still the frame's
 * current allocation? The model frees a page when its last mapping or
 * reference goes, also while such a path holds it (the kernel frees it
 * when the path drops its own reference); once the frame is allocated
 * again, it is another page, which the path never locked.
 */
export const holdsPage = (s: State, c: { readonly pfn: Pfn; readonly gen: number }): boolean => {
  const f = s.frames[c.pfn];
  return f !== undefined && !f.free && f.gen === c.gen;
};

const withPte = (s: State, vma: Vma, index: number, pfn: number, writable: boolean): State =>
  setVma(s, { ...vma, ptes: replaceAt(vma.ptes, index, { pfn, writable }) });

/** Fault one page of an anonymous (MAP_PRIVATE) VMA. */
const faultAnon = (s: State, v: Vma, index: number, write: boolean): E.Either<string, Changed> => {
  const entry = v.ptes[index] ?? null;
  if (isSwapPte(entry)) return faultSwap(s, v, index, entry, write);
  const first = entry;
  // do_anonymous_page(): a read fault maps the shared zero page read-only
  // (a special PTE: no reference, no mapcount, no anon_vma yet).
  if (first === null && !write) return E.right({ state: withPte(s, v, index, zeroPfn(s), false), events: [] });
  // anon_vma_prepare(): the VMA gets its anon_vma with its first anonymous page.
  const vma = withAnonVma(v);
  const pte = present(vma.ptes[index]);
  if (pte === null) {
    const got = allocRamPage(s, { kind: 'anon' });
    if (got === null) return E.left('-ENOMEM: no free RAM page (VM_FAULT_OOM)');
    const [s1, pfn] = got;
    const f = s1.frames[pfn]!;
    return E.right({ state: withPte(setFrame(s1, { ...f, mapcount: 1, dirty: write }), vma, index, pfn, true), events: [] });
  }
  if (pte.writable || !write) return E.right({ state: s, events: [] });
  return wpAnon(s, vma, index, pte.pfn);
};

/**
 * do_swap_page() (./swap.ts), then, for a write fault that cannot reuse
 * the page, do_wp_page()'s copy. A copy that finds no free page fails the
 * whole fault here, where the kernel would leave the page mapped
 * read-only. (write_fault runs the copy itself, under the notifiers.)
 */
const faultSwap = (s: State, v: Vma, index: number, p: SwapPte, write: boolean): E.Either<string, Changed> => {
  const r = swapIn(s, v, index, p, write);
  if (E.isLeft(r)) return r;
  const { changed, pfn, cow } = r.right;
  if (!cow) return E.right(changed);
  const c = wpAnon(changed.state, changed.state.vmas.get(v.id)!, index, pfn);
  return E.isLeft(c) ? c : E.right({ state: c.right.state, events: [...changed.events, ...c.right.events] });
};

/** anon_vma_prepare(): a private VMA gets its anon_vma with its first anonymous page. */
const withAnonVma = (v: Vma): Vma => (v.anonVma === null ? { ...v, anonVma: v.id } : v);

/** A fresh anonymous page mapped writable at `index` in place of nothing: the copy of a COW fault. */
const mapCopy = (s: State, vma: Vma, index: number, why: string): E.Either<string, [State, Pfn]> => {
  const got = allocRamPage(s, { kind: 'anon' });
  if (got === null) return E.left(`-ENOMEM: no free RAM page ${why} (VM_FAULT_OOM)`);
  const [s1, copy] = got;
  return E.right([withPte(setFrame(s1, { ...s1.frames[copy]!, mapcount: 1, dirty: true }), vma, index, copy, true), copy]);
};

/** The page a COW fault replaced loses this PTE's mapping and reference. */
const unmapOld = (s: State, pfn: Pfn): Changed => {
  const o = s.frames[pfn]!;
  return putPage(setFrame(s, { ...o, mapcount: o.mapcount - 1 }), pfn);
};

/** do_wp_page() for an anonymous page (or the zero page) a private VMA maps read-only at `index`. */
const wpAnon = (s: State, vma: Vma, index: number, pfn: Pfn): E.Either<string, Changed> => {
  const old = s.frames[pfn]!;
  if (isZeroPage(old)) {
    // wp_page_copy() from the zero page: a fresh zeroed page; the special PTE held nothing to drop.
    const c = mapCopy(s, vma, index, 'to replace the zero page');
    return E.isLeft(c) ? c : E.right({ state: c.right[0], events: [] });
  }
  // do_wp_page(): reuse the page if this PTE is its only user, otherwise copy on write.
  // With FAULT_FLAG_UNSHARE (5.19) a pinned page mapped once is PageAnonExclusive and is reused too.
  const exclusivePinned = s.era.pinUnsharesReadOnly && old.pincount > 0 && old.mapcount === 1;
  const reuse = s.era.cowReuseOnlyUnreferenced ? old.refcount === 1 || exclusivePinned : old.mapcount === 1;
  if (reuse) return E.right({ state: withPte(s, vma, index, pfn, true), events: [] });
  const c = mapCopy(s, vma, index, 'for the COW copy');
  return E.isLeft(c) ? c : E.right(unmapOld(c.right[0], pfn));
};

/**
 * Fault one page of a MAP_PRIVATE file VMA (a COW mapping). A read maps
 * the page-cache page read-only (do_read_fault); a write copies it to an
 * anonymous page (do_cow_fault with no PTE, wp_page_copy over a read-only
 * one): the page cache is never written through a private mapping, and no
 * ->page_mkwrite runs. An anonymous copy fork left shared is COWed as any
 * anonymous page.
 */
const faultPrivateFile = (s: State, v: Vma, inodeId: number, index: number, write: boolean): E.Either<string, Changed> => {
  const entry = v.ptes[index] ?? null;
  // An anonymous copy of the file page that reclaim swapped out.
  if (isSwapPte(entry)) return faultSwap(s, v, index, entry, write);
  const pte = entry;
  if (pte !== null) {
    if (pte.writable || !write) return E.right({ state: s, events: [] });
    const vma = withAnonVma(v);
    if (s.frames[pte.pfn]!.mapping.kind !== 'file') return wpAnon(s, vma, index, pte.pfn);
    const c = mapCopy(s, vma, index, 'for the private copy of a file page');
    return E.isLeft(c) ? c : E.right(unmapOld(c.right[0], pte.pfn));
  }
  const cached = filemapFault(s, inodeId, index, v);
  if (E.isLeft(cached)) return cached;
  const [state, pfn] = cached.right;
  if (write) {
    // do_cow_fault(): the copy is mapped; the page-cache page stays in the cache, unmapped.
    const c = mapCopy(state, withAnonVma(v), index, 'for the private copy of a file page');
    return E.isLeft(c) ? c : E.right({ state: c.right[0], events: [] });
  }
  const f = state.frames[pfn]!;
  return E.right({ state: withPte(setFrame(state, { ...f, mapcount: f.mapcount + 1, refcount: f.refcount + 1 }), v, index, pfn, false), events: [] });
};

/** filemap_fault(): the page-cache page at `index`, read in if absent; past i_size, SIGBUS. */
const filemapFault = (s: State, inodeId: number, index: number, vma: Vma): E.Either<string, [State, Pfn]> => {
  const inode = s.inodes[inodeId]!;
  if (index >= inode.npages) return E.left(`SIGBUS: page ${vma.start + index} of vma ${vma.id} is past the end of inode ${inodeId} (${inode.npages} pages)`);
  const pfn = inode.cache[index] ?? null;
  if (pfn !== null) return E.right([s, pfn]);
  const got = allocRamPage(s, { kind: 'file', inode: inodeId, index });
  if (got === null) return E.left('-ENOMEM: no free RAM page for the page cache');
  const [s1, page] = got;
  return E.right([{ ...s1, inodes: replaceAt(s1.inodes, inodeId, { ...inode, cache: replaceAt(inode.cache, index, page) }) }, page]);
};

/** Fault one page of a shared file VMA mapped from offset 0; a write runs ->page_mkwrite; past the end of the file, SIGBUS. */
const faultFile = (s: State, vma: Vma, inodeId: number, index: number, write: boolean): E.Either<string, Changed> => {
  if (!vma.shared) return faultPrivateFile(s, vma, inodeId, index, write);
  // A shared mapping maps only page-cache pages: never a swap entry.
  const pte = present(vma.ptes[index]);
  if (pte !== null) {
    if (pte.writable || !write) return E.right({ state: s, events: [] });
    const f = s.frames[pte.pfn]!;
    // ->page_mkwrite: the filesystem attaches buffers / reserves blocks and the page is dirtied.
    const s1 = setFrame(s, { ...f, fsPrivate: true, dirty: true, deviceWroteSinceDirtied: false });
    return E.right({ state: withPte(s1, vma, index, pte.pfn, true), events: [{ kind: 'page-dirtied', pfn: pte.pfn }] });
  }
  const cached = filemapFault(s, inodeId, index, vma);
  if (E.isLeft(cached)) return cached;
  const [state, pfn] = cached.right;
  const f = state.frames[pfn]!;
  const mapped = { ...f, mapcount: f.mapcount + 1, refcount: f.refcount + 1 };
  const dirtied = write ? { ...mapped, fsPrivate: true, dirty: true, deviceWroteSinceDirtied: false } : mapped;
  return E.right({
    state: withPte(setFrame(state, dirtied), vma, index, pfn, write),
    events: write ? [{ kind: 'page-dirtied', pfn }] : [],
  });
};

/** handle_mm_fault() for page `index` of `vma`. Left carries the errno-style reason. */
export const faultIn = (s: State, vma: Vma, index: number, write: boolean): E.Either<string, Changed> => {
  const entry = vma.ptes[index] ?? null;
  const pte = present(entry);
  const cached = entry === null && vma.backing.kind === 'file' ? (s.inodes[vma.backing.inode]?.cache[index] ?? null) : null;
  // do_swap_page() locks the swap cache's page (folio_lock_or_retry).
  const swapped = isSwapPte(entry) ? s.swap[entry.swap]!.cache : null;
  const page = pte?.pfn ?? cached ?? swapped;
  // A present PTE that already allows the access is no fault: nothing sleeps. Nor does the COW
  // of a page-cache page a private mapping maps read-only: wp_page_copy copies without its lock.
  const faults = pte === null || (write && !pte.writable);
  const cowOfCache = pte !== null && !vma.shared && vma.backing.kind === 'file' && s.frames[pte.pfn]?.mapping.kind === 'file';
  const locked = page === null || !faults || cowOfCache ? null : pageLocked(s, page);
  if (locked !== null) return E.left(`waits: ${locked}`);
  switch (vma.backing.kind) {
    case 'anon':
      return faultAnon(s, vma, index, write);
    case 'file':
      return faultFile(s, vma, vma.backing.inode, index, write);
    case 'bar':
    case 'p2pmem':
      return present(vma.ptes[index]) === null
        ? E.left(`SIGBUS: vma ${vma.id} maps device memory whose PTEs were zapped`)
        : E.right({ state: s, events: [] });
  }
};
