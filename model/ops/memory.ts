/** Memory management that races with drivers: reclaim, migration, writeback. */
import { replaceAt } from '../collections.ts';
import type { Event } from '../event.ts';
import { allocRamPage, freeFrame, freeFrameCount, isRamPage, present, rmap, setFrame, setVma, swapSlotOf } from '../page.ts';
import { done, illFormed, reject, waits, type Outcome } from '../result.ts';
import { pageLocked } from './fault.ts';
import { forkHoldsPage } from './fork-window.ts';
import type { Frame, NotifyRange, Pfn, State } from '../state.ts';
import type { Changed } from '../page.ts';
import { invalidateThen } from './invalidate.ts';
import { setSlot, swapOut, swapOutRefused } from './swap.ts';

type Lookup = { readonly frame: Frame } | { readonly reason: string };

/**
 * A RAM page on an LRU list (anon or page cache), as reclaim and migration
 * isolate it: a free page fails the reference they take first
 * (get_page_unless_zero), any other page off the LRU fails
 * isolate_lru_page (-EBUSY).
 */
const lruPage = (s: State, pfn: Pfn): Lookup => {
  const f = s.frames[pfn];
  if (f === undefined) return { reason: `ill-formed: no page ${pfn}` };
  if (f.bar !== null) return { reason: `-EBUSY: isolate_lru_page: page ${pfn} is device memory, never on an LRU list` };
  if (f.free) return { reason: `returns 0: get_page_unless_zero: page ${pfn} is free` };
  if (f.mapping.kind === 'none' || f.mapping.kind === 'kernel') return { reason: `-EBUSY: isolate_lru_page: page ${pfn} is a kernel allocation, not on an LRU list` };
  if (f.mapping.kind === 'zero') return { reason: `-EBUSY: isolate_lru_page: page ${pfn} is the shared zero page, on no LRU list` };
  return { frame: f };
};

/**
 * A page of a file's page cache, the only pages writeback reaches (it
 * looks them up by file and index): naming any other page is ill-formed.
 */
const pageCachePage = (s: State, pfn: Pfn): Lookup => {
  const f = s.frames[pfn];
  if (f === undefined) return { reason: `ill-formed: no page ${pfn}` };
  if (f.bar !== null) return { reason: `ill-formed: page ${pfn} is device memory, in no page cache` };
  if (f.free) return { reason: `ill-formed: page ${pfn} is free, in no page cache` };
  if (f.mapping.kind === 'anon') return { reason: `ill-formed: page ${pfn} is anonymous: it has no file to write back to (swap-out is not modelled)` };
  if (f.mapping.kind === 'zero') return { reason: `ill-formed: page ${pfn} is the shared zero page, in no page cache` };
  if (f.mapping.kind !== 'file') return { reason: `ill-formed: page ${pfn} is a kernel allocation, in no page cache` };
  return { frame: f };
};

/** Replace every PTE mapping `pfn` by `to` (null: unmap); the caller ran the notifiers. */
const retarget = (s: State, pfn: Pfn, to: Pfn | null): { state: State; events: Event[] } => {
  let state = s;
  for (const { vma, index } of rmap(s, pfn)) {
    const v = state.vmas.get(vma)!;
    const old = present(v.ptes[index])!;
    state = setVma(state, { ...v, ptes: replaceAt(v.ptes, index, to === null ? null : { ...old, pfn: to }) });
  }
  // Stryker disable next-line ArrayDeclaration: both callers (reclaimRest, migrateRest) use only the state of retarget's result, never its events
  return { state, events: [] };
};

/** Every virtual page that maps `pfn` (only MAP_SHARED ones with `sharedOnly`): what try_to_unmap / try_to_migrate invalidate (MMU_NOTIFY_CLEAR). */
const rmapRanges = (s: State, pfn: Pfn, sharedOnly = false): ReadonlyArray<NotifyRange> =>
  rmap(s, pfn).flatMap(({ vma, index }) => {
    const v = s.vmas.get(vma)!;
    return sharedOnly && !v.shared ? [] : [{ mm: v.mm, start: v.start + index, end: v.start + index + 1 }];
  });

const unchanged = (s: State): Changed => ({ state: s, events: [] });

/**
 * Reclaim and migration take a page off its LRU list first
 * (isolate_lru_page): while another of them, or writeback, is working on
 * it, it is off the list or locked, and the second attempt fails (-EBUSY)
 * without changing anything.
 */
const isolated = (s: State, pfn: Pfn): string | null => {
  const locked = pageLocked(s, pfn);
  if (locked === null) return null;
  return `-EBUSY: isolate_lru_page: ${locked}`;
};

/**
 * Reclaim one page (shrink_folio_list): an anonymous page goes to swap
 * (add_to_swap, try_to_unmap into swap entries, pageout: ./swap.ts); a
 * file page is unmapped, its filesystem's private state dropped
 * (try_to_release_page), and __remove_mapping frees it only if nothing
 * else holds a reference; otherwise it stays, unmapped. One path the
 * kernel takes is not modelled and is ill-formed here: a dirty file page
 * (the kernel unmaps it, then keeps it for writeback or pageout()).
 */
export const reclaim = (s: State, pfn: Pfn): Outcome => {
  const op = 'reclaim';
  const l = lruPage(s, pfn);
  if (!('frame' in l)) return reject(op, l.reason);
  // The rmap walk takes the page-table lock a fork in its steps holds.
  const forking = forkHoldsPage(s, pfn);
  if (forking !== null) return waits(op, forking);
  const busy = isolated(s, pfn);
  if (busy !== null) return reject(op, busy);
  const f = l.frame;
  const noSwap = f.mapping.kind === 'anon' ? swapOutRefused(s, pfn) : null;
  if (noSwap !== null) return reject(op, `returns 0: ${noSwap}`);
  if (f.mapping.kind !== 'anon' && f.dirty) return illFormed(op, `page ${pfn} is dirty: reclaim of a dirty page (unmapped, then kept for pageout()) is not modelled; write it back first`);
  const r = invalidateThen(s, rmapRanges(s, pfn), 'MMU_NOTIFY_CLEAR', null, { kind: 'reclaim', pfn, gen: f.gen }, (st) => reclaimRest(st, pfn));
  return done(r.state, r.events);
};

/** What reclaim does once the notifiers returned; it looks again, as the kernel does under the page lock. */
export const reclaimRest = (s: State, pfn: Pfn): Changed => {
  const l = lruPage(s, pfn);
  if (!('frame' in l)) return unchanged(s);
  const f = l.frame;
  if (f.mapping.kind === 'anon') return swapOut(s, pfn);
  if (f.dirty) return unchanged(s);
  const un = retarget(s, pfn, null);
  const events: Event[] = [];
  const unmapped = { ...f, mapcount: 0, refcount: f.refcount - f.mapcount };
  if (s.era.reclaimKeepsPinnedPrivate && f.pincount > 0) return { state: setFrame(un.state, unmapped), events };
  if (f.fsPrivate) events.push({ kind: 'buffers-released', pfn });
  const released = { ...unmapped, fsPrivate: false };
  if (released.refcount !== 1 || f.mapping.kind !== 'file') return { state: setFrame(un.state, released), events };
  const { inode, index } = f.mapping;
  const ino = un.state.inodes[inode]!;
  const state = { ...freeFrame(un.state, released), inodes: replaceAt(un.state.inodes, inode, { ...ino, cache: replaceAt(ino.cache, index, null) }) };
  return { state, events: [...events, { kind: 'page-freed', pfn }] };
};

/** folio_expected_refs(): one a PTE, and the page cache's or the swap cache's. */
const expectedRefs = (s: State, f: Frame): number => f.mapcount + (f.mapping.kind === 'file' || swapSlotOf(s, f.pfn) !== null ? 1 : 0);

/**
 * migrate_pages() of one page: the new page is allocated first (-ENOMEM),
 * then only a page with no extra references can move (folio_migrate_mapping:
 * -EAGAIN otherwise, and the page stays where it was).
 */
export const migratePage = (s: State, pfn: Pfn): Outcome => {
  const op = 'migrate_page';
  const l = lruPage(s, pfn);
  if (!('frame' in l)) return reject(op, l.reason);
  // The rmap walk takes the page-table lock a fork in its steps holds.
  const forking = forkHoldsPage(s, pfn);
  if (forking !== null) return waits(op, forking);
  const busy = isolated(s, pfn);
  if (busy !== null) return reject(op, busy);
  const f = l.frame;
  // The same frames alloc_page() would hand out: one a release that held nothing left counted is not one.
  if (freeFrameCount(s, isRamPage) === 0) return reject(op, '-ENOMEM: migrate_pages: no free RAM page to migrate to');
  const expected = expectedRefs(s, f);
  if (f.refcount !== expected)
    return reject(op, `-EAGAIN: folio_migrate_mapping: page ${pfn} has ${f.refcount} references, migration expects ${expected} (GUP reference or pin held)`);
  const r = invalidateThen(s, rmapRanges(s, pfn), 'MMU_NOTIFY_CLEAR', null, { kind: 'migrate_page', pfn, gen: f.gen }, (st) => migrateRest(st, pfn));
  return done(r.state, r.events);
};

/** What migration does once the notifiers returned: it checks the references again (folio_migrate_mapping). */
export const migrateRest = (s: State, pfn: Pfn): Changed => {
  const l = lruPage(s, pfn);
  if (!('frame' in l)) return unchanged(s);
  const f = l.frame;
  if (f.refcount !== expectedRefs(s, f)) return unchanged(s);
  const got = allocRamPage(s, f.mapping);
  if (got === null) return unchanged(s);
  const [s1, to] = got;
  const target = s1.frames[to]!;
  // The copy takes the data, and with it (ghost) what a device wrote that nobody has dirtied yet.
  let state = setFrame(s1, { ...target, refcount: f.refcount, mapcount: f.mapcount, dirty: f.dirty, fsPrivate: f.fsPrivate, deviceWroteSinceDirtied: f.deviceWroteSinceDirtied });
  const moved = retarget(state, pfn, to);
  state = freeFrame(moved.state, moved.state.frames[pfn]!);
  if (f.mapping.kind === 'file') {
    const { inode, index } = f.mapping;
    const ino = state.inodes[inode]!;
    state = { ...state, inodes: replaceAt(state.inodes, inode, { ...ino, cache: replaceAt(ino.cache, index, to) }) };
  }
  // The swap cache entry moves to the new page with the data (folio_migrate_mapping).
  const slot = swapSlotOf(s, pfn);
  if (slot !== null) state = setSlot(state, slot, { ...state.swap[slot]!, cache: to });
  return { state, events: [{ kind: 'page-freed', pfn }] };
};

/**
 * Writeback of one dirty page-cache page: clear_page_dirty_for_io, write it
 * to storage, page_mkclean() write-protects every PTE so the next store
 * faults into ->page_mkwrite. The filesystem keeps its private state;
 * reclaim is what drops it.
 */
export const writeback = (s: State, pfn: Pfn): Outcome => {
  const op = 'writeback';
  const l = pageCachePage(s, pfn);
  if (!('frame' in l)) return reject(op, l.reason);
  // The rmap walk takes the page-table lock a fork in its steps holds.
  const forking = forkHoldsPage(s, pfn);
  if (forking !== null) return waits(op, forking);
  // folio_lock: reclaim, migration or another writeback holds the page.
  const locked = pageLocked(s, pfn);
  if (locked !== null) return waits(op, locked);
  // write_cache_pages() skips a page that is not dirty: folio_clear_dirty_for_io() returns false.
  if (!l.frame.dirty) return reject(op, `returns false: folio_clear_dirty_for_io: page ${pfn} is clean`);
  // folio_mkclean() runs the notifiers of every shared mapping of the page (MMU_NOTIFY_PROTECTION_PAGE);
  // invalid_mkclean_vma() skips private ones, whose PTEs of a page-cache page are read-only anyway.
  const r = invalidateThen(s, rmapRanges(s, pfn, true), 'MMU_NOTIFY_PROTECTION_PAGE', null, { kind: 'page_mkclean', pfn, gen: l.frame.gen }, (st) => pageMkcleanRest(st, pfn));
  return done(r.state, r.events);
};

/** page_mkclean's write-protect and the dirty bit cleared, once the notifiers returned. */
export const pageMkcleanRest = (s: State, pfn: Pfn): Changed => {
  const f = s.frames[pfn]!;
  if (f.free || !f.dirty) return unchanged(s);
  let state = setFrame(s, { ...f, dirty: false });
  for (const { vma, index } of rmap(s, pfn)) {
    const v = state.vmas.get(vma)!;
    if (!v.shared) continue;
    state = setVma(state, { ...v, ptes: replaceAt(v.ptes, index, { pfn, writable: false }) });
  }
  return { state, events: [] };
};
