/**
 * The GUP family: get_user_pages (FOLL_GET), pin_user_pages (FOLL_PIN) and
 * the calls that release and dirty what they returned
 * (Documentation/core-api/pin_user_pages.rst).
 */
import * as E from 'fp-ts/lib/Either.js';
import { drop, put } from '../collections.ts';
import type { Event } from '../event.ts';
import { replaceAt } from '../collections.ts';
import { type Changed, FREED_UNDER, findVma, freshId, isZeroPage, kernelRefcount, present, putPage, putUnheld, setFrame, setVma } from '../page.ts';
import { done, illFormed, reject, waits, type Outcome } from '../result.ts';
import { forkHolds, notYetRunning } from './fork-window.ts';
import type { MmId, PageArray, PagesId, Pfn, State, Vma, VmaId } from '../state.ts';
import { faultIn } from './fault.ts';

export interface GupFlags {
  readonly write: boolean;
  readonly longterm: boolean;
  readonly p2pdma: boolean;
}

/** __get_user_pages(): check the VMA, fault every page in, take a reference or a pin on each. */
export const gup = (
  s: State,
  kind: 'get' | 'pin',
  mm: MmId,
  start: number,
  npages: number,
  flags: GupFlags,
): E.Either<string, { state: State; pages: PagesId; events: ReadonlyArray<Event> }> => {
  if (s.mms.get(mm)?.alive !== true) return E.left(`-EFAULT: mm ${mm} has exited (it has no VMAs)`);
  // mmap_read_lock(): a fork in its steps holds mmap_write_lock (or has not started the child yet).
  const fork = forkHolds(s, mm);
  if (fork !== null) return E.left(`waits: ${fork}`);
  if (!Number.isInteger(npages) || npages < 1) return E.left(`returns 0: npages ${npages} asks for nothing`);
  if (
    flags.p2pdma &&
    flags.longterm &&
    // Stryker disable next-line ConditionalExpression: get_user_pages passes neither FOLL_PCI_P2PDMA nor FOLL_LONGTERM (getUserPages is the only caller with kind 'get')
    kind === 'pin'
  )
    return E.left('-EINVAL: FOLL_PCI_P2PDMA cannot be combined with FOLL_LONGTERM');
  /** check_vma_flags() and the VMA lookup for one page: the error GUP returns there, or null. */
  const refused = (v: Vma | undefined, addr: number): string | null => {
    if (v === undefined) return `-EFAULT: no vma of mm ${mm} covers page ${addr}`;
    if (v.backing.kind === 'bar') return `-EFAULT: vma ${v.id} is VM_IO|VM_PFNMAP (no struct page)`;
    if (flags.write && !v.writable) return `-EFAULT: FOLL_WRITE on vma ${v.id}, which has no VM_WRITE`;
    if (
      v.backing.kind === 'p2pmem' &&
      s.era.p2pGupGate &&
      (!flags.p2pdma ||
        // Stryker disable next-line ConditionalExpression,StringLiteral: get_user_pages passes neither FOLL_PCI_P2PDMA nor FOLL_LONGTERM (getUserPages is the only caller with kind 'get'), so !flags.p2pdma already refuses it
        kind === 'get')
    )
      return `-EREMOTEIO: vma ${v.id} holds PCI P2PDMA pages and FOLL_PCI_P2PDMA was not passed`;
    if (
      flags.longterm &&
      flags.write &&
      v.backing.kind === 'file' &&
      // vma_needs_dirty_tracking(): only a shared mapping writes the file; a private one COWs to anon memory.
      v.shared &&
      s.era.longtermFileGate &&
      // Stryker disable next-line ConditionalExpression: get_user_pages passes neither FOLL_PCI_P2PDMA nor FOLL_LONGTERM (getUserPages is the only caller with kind 'get')
      kind === 'pin'
    )
      return `-EFAULT: FOLL_LONGTERM|FOLL_WRITE on vma ${v.id}, a file mapping that needs dirty tracking`;
    return null;
  };
  let state = s;
  const pfns: Pfn[] = [];
  const vmas: VmaId[] = [];
  const cow: boolean[] = [];
  const gens: number[] = [];
  const events: Event[] = [];
  // __get_user_pages walks page by page and VMA by VMA; at the first page it cannot take it
  // returns the count taken so far (`i ? i : ret`), or the error when that is none.
  for (let i = 0; i < npages; i++) {
    const addr = start + i;
    const v = findVma(state, mm, addr);
    const no = refused(v, addr);
    if (no !== null) {
      if (i === 0) return E.left(no);
      break;
    }
    const index = addr - v!.start;
    const r = faultForGup(state, v!, index, kind, flags);
    // handle_mm_fault's VM_FAULT_SIGBUS becomes -EFAULT for GUP; -ENOMEM stays.
    if (E.isLeft(r)) {
      // A fault that sleeps (a locked page) sleeps inside GUP too: the call is not done yet.
      if (i === 0 || r.left.startsWith('waits: ')) return E.left(r.left.startsWith('SIGBUS: ') ? `-EFAULT: ${r.left.slice('SIGBUS: '.length)}` : r.left);
      break;
    }
    events.push(...r.right.events);
    const pfn = present(r.right.state.vmas.get(v!.id)!.ptes[index])!.pfn;
    const f = r.right.state.frames[pfn]!;
    // try_grab_folio(): WARN_ON_ONCE(folio_ref_count(folio) <= 0) and -ENOMEM, a count a release that held nothing
    // drove to zero or below (the page was found present: no fault changed anything for it).
    if (!isZeroPage(f) && kernelRefcount(f) <= 0) {
      if (i === 0) return E.left(`-ENOMEM: try_grab_folio: page ${pfn} has a _refcount of ${kernelRefcount(f)} (WARN_ON_ONCE)`);
      break;
    }
    // try_grab_page(): since 6.5 a FOLL_PIN of the zero page takes nothing.
    state = kind === 'pin' && isZeroPage(f) && s.era.pinSkipsZeroPage
      ? r.right.state
      : setFrame(r.right.state, { ...f, refcount: f.refcount + 1, pincount: f.pincount + (kind === 'pin' ? 1 : 0) });
    pfns.push(pfn);
    gens.push(f.gen);
    vmas.push(v!.id);
    cow.push(!v!.shared);
  }
  if (kind === 'pin') state = { ...state, mms: put(state.mms, mm, { ...state.mms.get(mm)!, hasPinned: true }) };
  const [s1, id] = freshId(state);
  const arr: PageArray = { id, kind, mm, vma: vmas[0]!, vmas, cow, start, pfns, gens, write: flags.write, longterm: flags.longterm };
  return E.right({ state: { ...s1, pageArrays: put(s1.pageArrays, id, arr) }, pages: id, events });
};

/**
 * faultin_page() and follow_page_pte() for one page: the fault GUP takes
 * before it grabs the page. A write faults for write. A read faults for
 * read (the zero page where nothing is mapped yet, the page-cache page in
 * a MAP_PRIVATE file mapping); then a read-only FOLL_PIN unshares where
 * gup_must_unshare() says so: an anon page that may be shared (5.19,
 * FAULT_FLAG_UNSHARE), or, under FOLL_LONGTERM, a page that is not
 * anonymous in a COW mapping: the zero page or a private mapping's
 * page-cache page (6.2). R/O short-term pins of those are not unshared:
 * they "do not have the semantics to observe successive changes through
 * the process page tables" (mm/internal.h).
 */
const faultForGup = (s: State, v: Vma, index: number, kind: 'get' | 'pin', flags: GupFlags): E.Either<string, Changed> => {
  const cow = v.backing.kind === 'anon' || (v.backing.kind === 'file' && !v.shared);
  // 5.8's should_force_cow_break(): is_cow_mapping() and FOLL_GET|FOLL_PIN fault for write (a writable private mapping here).
  if (s.era.gupBreaksCow && cow && v.writable) return faultIn(s, v, index, true);
  if (flags.write || !cow) return faultIn(s, v, index, flags.write);
  const r = faultIn(s, v, index, false);
  if (E.isLeft(r)) return r;
  const vma = r.right.state.vmas.get(v.id)!;
  const pte = present(vma.ptes[index])!;
  const page = r.right.state.frames[pte.pfn]!;
  const notAnon = page.mapping.kind !== 'anon';
  const unshare = kind === 'pin' && !pte.writable && (notAnon ? flags.longterm && s.era.longtermUnsharesCow : s.era.pinUnsharesReadOnly);
  if (!unshare) return r;
  // FAULT_FLAG_UNSHARE: a write fault that maps the exclusive page without write permission;
  // the process's next store takes a write fault, which reuses the exclusive page.
  const u = faultIn(r.right.state, vma, index, true);
  if (E.isLeft(u)) return u;
  const ro = readOnly(u.right, v.id, index);
  // Stryker disable next-line ArrayDeclaration: anonymous faults report no events (a COW copy leaves the old page referenced by its other user, so nothing is freed)
  return E.right({ state: ro.state, events: [...r.right.events, ...ro.events] });
};

const readOnly = (c: Changed, vma: number, index: number): Changed => {
  const v = c.state.vmas.get(vma)!;
  const pte = present(v.ptes[index])!;
  return { state: setVma(c.state, { ...v, ptes: replaceAt(v.ptes, index, { ...pte, writable: false }) }), events: c.events };
};

export const getUserPages = (s: State, mm: MmId, start: number, npages: number, write: boolean): Outcome => {
  const r = gup(s, 'get', mm, start, npages, { write, longterm: false, p2pdma: false });
  return E.isLeft(r) ? reject('get_user_pages', r.left) : done(r.right.state, r.right.events);
};

export const pinUserPages = (s: State, mm: MmId, start: number, npages: number, flags: GupFlags): Outcome => {
  const r = gup(s, 'pin', mm, start, npages, flags);
  return E.isLeft(r) ? reject('pin_user_pages', r.left) : done(r.right.state, r.right.events);
};

/**
 * pin_user_pages_fast(): the lockless walk of the process's page tables
 * (gup_fast: no mmap lock, no page-table lock), then, for what it could
 * not take, the slow path (__gup_longterm_unlocked: mmap_read_lock and
 * the faults of pin_user_pages). The walk takes a page only where its PTE
 * is present, maps an ordinary RAM page (not the zero page's special PTE,
 * not a BAR, not a P2PDMA page) and allows the access without a fault or
 * an unshare; the model takes all pages that way or none (the kernel pins
 * a prefix and hands the rest to the slow path: the same pins).
 *
 * From 5.11 (57efa1fe5957) a FOLL_PIN walk reads `mm->write_protect_seq`
 * first and goes to the slow path while it is odd: while a fork is
 * between its check of the pages and its write-protect of the PTEs, so
 * the pin waits for fork's mmap_write_lock. Before, the walk pinned a
 * page fork had just found unpinned and was about to share
 * copy-on-write.
 */
export const pinUserPagesFast = (s: State, mm: MmId, start: number, npages: number, flags: GupFlags): Outcome => {
  const op = 'pin_user_pages_fast';
  if (s.mms.get(mm)?.alive !== true) return reject(op, `-EFAULT: mm ${mm} has exited (it has no VMAs)`);
  // GUP-fast walks current->mm: a fork's child makes no call before fork has returned.
  const child = notYetRunning(s, mm);
  if (child !== null) return waits(op, child);
  const fork = forkHolds(s, mm);
  const seqOdd = s.mms.get(mm)?.forkWrprotect !== undefined;
  const fast = !(seqOdd && s.era.gupFastChecksWriteProtectSeq) && Number.isInteger(npages) && npages >= 1 && !(flags.p2pdma && flags.longterm) ? fastWalk(s, mm, start, npages, flags) : null;
  if (fast === null) {
    // The slow path: mmap_read_lock first (held by a fork in its steps: it waits), then pin_user_pages.
    if (fork !== null) return waits(op, fork);
    const r = gup(s, 'pin', mm, start, npages, flags);
    if (E.isLeft(r)) return reject(op, r.left);
    const taken = r.right.state.pageArrays.get(r.right.pages)!;
    return done({ ...r.right.state, pageArrays: put(r.right.state.pageArrays, taken.id, { ...taken, fast: true }) }, r.right.events);
  }
  let state = s;
  for (const pfn of fast.pfns) {
    const f = state.frames[pfn]!;
    state = setFrame(state, { ...f, refcount: f.refcount + 1, pincount: f.pincount + 1 });
  }
  state = { ...state, mms: put(state.mms, mm, { ...state.mms.get(mm)!, hasPinned: true }) };
  const [s1, id] = freshId(state);
  const arr: PageArray = { id, kind: 'pin', mm, vma: fast.vmas[0]!, vmas: fast.vmas, cow: fast.vmas.map((v) => !s.vmas.get(v)!.shared), start, pfns: fast.pfns, gens: fast.pfns.map((pfn) => s.frames[pfn]!.gen), write: flags.write, longterm: flags.longterm, fast: true };
  return done({ ...s1, pageArrays: put(s1.pageArrays, id, arr) });
};

/**
 * gup_fast's walk of `npages` from `start` (gup_pte_range): the pages it
 * can pin without a lock, or null where it must leave one to the slow
 * path. FOLL_LONGTERM takes the walk too (the kernel leaves only pages it
 * must migrate first, CMA and ZONE_MOVABLE, not modelled, to the slow
 * path), except where the slow path would refuse or unshare: a writable
 * pin of a shared file page from 6.5 (folio_fast_pin_allowed), a read-only
 * one of a page that is not anonymous in a COW mapping from 6.2.
 */
const fastWalk = (s: State, mm: MmId, start: number, npages: number, flags: GupFlags): { readonly pfns: ReadonlyArray<Pfn>; readonly vmas: ReadonlyArray<VmaId> } | null => {
  const pfns: Pfn[] = [];
  const vmas: VmaId[] = [];
  for (let i = 0; i < npages; i++) {
    const v = findVma(s, mm, start + i);
    // A swap entry is not present: the slow path faults it in.
    const pte = present(v?.ptes[start + i - v.start]);
    if (v === undefined || pte === null || (flags.write && !pte.writable)) return null;
    const f = s.frames[pte.pfn]!;
    // A count at or below zero (a release that held nothing): the slow path's try_grab_folio refuses it.
    if (!f.structPage || f.bar !== null || isZeroPage(f) || kernelRefcount(f) <= 0) return null;
    // gup_must_unshare(): a read-only pin of an anon page that may be shared needs the slow path's unshare fault.
    if (!flags.write && !pte.writable && f.mapping.kind === 'anon' && s.era.pinUnsharesReadOnly) return null;
    if (flags.longterm && flags.write && f.mapping.kind === 'file' && v.shared && s.era.longtermFileGate) return null;
    if (flags.longterm && !flags.write && !pte.writable && f.mapping.kind !== 'anon' && !v.shared && s.era.longtermUnsharesCow) return null;
    pfns.push(pte.pfn);
    vmas.push(v.id);
  }
  return { pfns, vmas };
};

/** set_page_dirty() on one page: only a clean page changes (and produces an event). */
export const dirtyPage = (s: State, pfn: Pfn): { state: State; events: Event[] } => {
  const f = s.frames[pfn]!;
  if (f.dirty) return { state: setFrame(s, { ...f, deviceWroteSinceDirtied: false }), events: [] };
  return { state: setFrame(s, { ...f, dirty: true, deviceWroteSinceDirtied: false }), events: [{ kind: 'page-dirtied', pfn }] };
};

/** The DMA-only table that keeps `pages` privately, if any: nobody else has that array. */
const privateOwner = (s: State, pages: PagesId): number | undefined => [...s.sgls.values()].find((t) => t.dmaOnly && t.pages === pages)?.id;

const held = (s: State, op: string, pages: PagesId, kind: 'get' | 'pin'): PageArray | string => {
  const a = s.pageArrays.get(pages);
  if (a === undefined) return `ill-formed: pages ${pages} are not held (they were given back; a second release passes the page pointers: unpin_user_page)`;
  const owner = privateOwner(s, pages);
  if (owner !== undefined) return `ill-formed: pages ${pages} belong to DMA-only table ${owner}; the caller has no pointer to them`;
  if (a.pipe === true) return `ill-formed: pages ${pages} are a pipe's buffers (vmsplice); only a read of the pipe gives them back`;
  // put_page() of FOLL_PIN pages is accepted (release() below): it is plain refcount arithmetic.
  if (a.kind !== kind && !(a.kind === 'pin' && kind === 'get')) return `ill-formed: pages ${pages} came from get_user_pages (FOLL_GET); ${op} would unbalance the pin count (not modelled)`;
  return a;
};

/**
 * Drop the reference (or pin) on every page of `a`, then forget the array.
 * `byPut`: the caller used put_page(), whatever the array holds. On a
 * FOLL_PIN array that is a driver's misuse the kernel cannot refuse:
 * put_page() takes one reference off an order-0 page whose pin added
 * GUP_PIN_COUNTING_BIAS, so the pin stays (a lost pin, `Frame.lostPins`)
 * and NR_FOLL_PIN_RELEASED never catches up with NR_FOLL_PIN_ACQUIRED.
 */
const release = (s: State, a: PageArray, dirty: boolean, byPut = false): Outcome => {
  let state = s;
  const events: Event[] = [];
  const pin = a.kind === 'pin' && !byPut;
  for (const [i, pfn] of a.pfns.entries()) {
    // As the state has it now: an earlier entry's release may have freed this page (the same page twice in one array).
    if (stale(state.pageArrays.get(a.id) ?? a, i)) {
      // Freed under this array by a release that held nothing: the call still drops a count, on whatever the frame is now.
      // (unpin_user_pages_dirty_lock would also dirty that page; the model leaves a freed or reused frame's dirty bit alone.)
      events.push({ kind: 'reference-dropped', pfn, pages: a.id, pin, write: a.write, undirtiedDeviceData: false });
      const u = putUnheld(state, pfn, pin);
      state = u.state;
      events.push(...u.events);
      continue;
    }
    if (dirty) {
      const d = dirtyPage(state, pfn);
      state = d.state;
      events.push(...d.events);
    }
    const f = state.frames[pfn]!;
    events.push({
      kind: 'reference-dropped',
      pfn,
      pages: a.id,
      pin,
      write: a.write,
      undirtiedDeviceData: f.deviceWroteSinceDirtied,
    });
    // unpin_user_page() ignores the zero page since 6.5, which pinned nothing. put_page() does
    // not, but the shared zero page is never freed and its count is not modelled past its holders.
    if (a.kind === 'pin' && isZeroPage(f) && state.era.pinSkipsZeroPage) continue;
    if (a.kind === 'pin' && byPut) {
      state = setFrame(state, { ...f, lostPins: f.lostPins + 1 });
      events.push({ kind: 'pin-lost', pfn, pages: a.id });
      continue;
    }
    if (a.kind === 'pin') state = setFrame(state, { ...f, pincount: f.pincount - 1 });
    const p = putPage(state, pfn);
    state = p.state;
    events.push(...p.events);
  }
  return done({ ...state, pageArrays: drop(state.pageArrays, a.id) }, events);
};

/** Page `i` of `a` was freed under it (and maybe handed out again): the array's pointer is stale. */
export const stale = (a: PageArray, i: number): boolean => a.gens[i] === FREED_UNDER;

/**
 * The pins the arrays of `s` hold on `pfn` (a stale pointer holds none),
 * the count `Frame.pincount` has for them, with lost pins, when nothing
 * was given back twice. Since 6.5 a pin of the zero page holds nothing.
 */
export const pinsHeld = (s: State, pfn: Pfn): number => {
  if (isZeroPage(s.frames[pfn]!) && s.era.pinSkipsZeroPage) return 0;
  let n = 0;
  for (const a of s.pageArrays.values()) if (a.kind === 'pin') for (const [i, p] of a.pfns.entries()) if (p === pfn && !stale(a, i)) n++;
  return n;
};

/**
 * unpin_user_page(): a driver gives back one pin through a bare page
 * pointer, one it keeps outside the arrays the model tracks: its second
 * release of pages it had already given back with unpin_user_pages (two
 * completion paths that both release). The kernel takes any pointer
 * (void): gup_put_folio() subtracts GUP_PIN_COUNTING_BIAS from whatever
 * the page is now (`putUnheld`), except the shared zero page since 6.5.
 */
export const unpinUserPage = (s: State, pfn: Pfn): Outcome => {
  const f = s.frames[pfn];
  if (f === undefined || !f.structPage) return illFormed('unpin_user_page', `pfn ${pfn} has no struct page`);
  if (isZeroPage(f) && s.era.pinSkipsZeroPage) return done(s, []);
  const u = putUnheld(s, pfn, true);
  return done(u.state, [{ kind: 'reference-dropped', pfn, pages: null, pin: true, write: false, undirtiedDeviceData: false }, ...u.events]);
};

/** put_page() on every page of a get_user_pages array. */
export const putPages = (s: State, pages: PagesId): Outcome => {
  const a = held(
    s,
    // Stryker disable next-line StringLiteral: held() names the op only for a FOLL_PIN call on FOLL_GET pages; put_page is refused earlier with its own text
    'put_page',
    pages,
    'get',
  );
  return typeof a === 'string' ? reject('put_page', a) : release(s, a, false, true);
};

export const unpinUserPages = (s: State, pages: PagesId): Outcome => {
  const a = held(s, 'unpin_user_pages', pages, 'pin');
  return typeof a === 'string' ? reject('unpin_user_pages', a) : release(s, a, false);
};

/** unpin_user_pages_dirty_lock(): dirty each page that is not dirty yet (page lock held), then unpin. */
export const unpinUserPagesDirtyLock = (s: State, pages: PagesId, makeDirty: boolean): Outcome => {
  const a = held(s, 'unpin_user_pages_dirty_lock', pages, 'pin');
  return typeof a === 'string' ? reject('unpin_user_pages_dirty_lock', a) : release(s, a, makeDirty);
};

/** The DMA-only layer's own release of the pins it keeps privately. */
export const releasePrivatePins = (s: State, pages: PagesId, makeDirty: boolean): Outcome => {
  const a = s.pageArrays.get(pages);
  // Stryker disable next-line StringLiteral: the only caller, sgl_dma_unmap, has checked the table's pages are held
  return a === undefined ? illFormed('sgl_dma_unmap', `pages ${pages} are not held`) : release(s, a, makeDirty);
};

/** set_page_dirty_lock() on every page of an array the caller still holds. */
export const setPageDirtyLock = (s: State, pages: PagesId): Outcome => {
  const a = s.pageArrays.get(pages);
  if (a === undefined) return illFormed('set_page_dirty_lock', `pages ${pages} are not held (the reference was already dropped)`);
  const owner = privateOwner(s, pages);
  if (owner !== undefined) return illFormed('set_page_dirty_lock', `pages ${pages} belong to DMA-only table ${owner}; the caller has no pointer to them`);
  if (a.pipe === true) return illFormed('set_page_dirty_lock', `pages ${pages} are a pipe's buffers (vmsplice); the caller has no pointer to them`);
  let state = s;
  const events: Event[] = [];
  for (const pfn of a.pfns) {
    const d = dirtyPage(state, pfn);
    state = d.state;
    events.push(...d.events);
  }
  return done(state, events);
};

/**
 * vmsplice(fd, iov, ..., 0) of user memory into a pipe: vmsplice_to_pipe()
 * takes the pages with iov_iter_get_pages2(), a get_user_pages_fast()
 * without FOLL_WRITE (FOLL_GET references, the pipe's buffers point at the
 * process's own pages, no copy). What the pipe's reader later gets is what
 * those pages hold then. Refused as get_user_pages refuses (-EFAULT for an
 * address no VMA covers).
 */
export const vmsplice = (s: State, mm: MmId, start: number, npages: number): Outcome => {
  const r = gup(s, 'get', mm, start, npages, { write: false, longterm: false, p2pdma: false });
  if (E.isLeft(r)) return reject('vmsplice', r.left);
  const a = r.right.state.pageArrays.get(r.right.pages)!;
  return done({ ...r.right.state, pageArrays: put(r.right.state.pageArrays, a.id, { ...a, pipe: true }) }, r.right.events);
};

/**
 * A read of the pipe: copy_page_to_iter() copies each buffer's page to the
 * reader with the CPU, then the buffer's release (anon_pipe_buf_release,
 * put_page) drops its reference.
 */
export const pipeRead = (s: State, pages: PagesId): Outcome => {
  const a = s.pageArrays.get(pages);
  if (a === undefined || a.pipe !== true) return illFormed('pipe_read', `pages ${pages} are no pipe's buffers`);
  const copies: Event[] = a.pfns.map((pfn) => ({ kind: 'cpu-access', pfn, via: 'pipe_read', io: s.frames[pfn]!.bar !== null }));
  const r = release(s, a, false);
  return E.isLeft(r) ? r : done(r.right.state, [...copies, ...r.right.events]);
};
