/** mm and VMA lifecycle: mmap, munmap, exit_mmap, fork, write_fault. */
import * as E from 'fp-ts/lib/Either.js';
import { put, replaceAt } from '../collections.ts';
import type { Event } from '../event.ts';
import type { MmapBacking } from '../op.ts';
import { allocBarFrame, allocRamPage, findVma, fold, freeFrameCount, freshId, isSwapPte, isZeroPage, present, setFrame, setVma } from '../page.ts';
import { swapDuplicate, swapIn } from './swap.ts';
import { isolate, vmasIn } from './vma-split.ts';
import { done, illFormed, reject, waits, type Outcome } from '../result.ts';
import type { Changed } from '../page.ts';
import { invalidateThen, mmapWriteBusy, mmapWriteLocked } from './invalidate.ts';
import type { Bar, MmId, Pfn, PteEntry, State, Vma, VmaBacking, VmaId } from '../state.ts';
import { faultIn, pageLocked, pageOfMmLocked } from './fault.ts';
import { destroyVma } from './vma-teardown.ts';
import { dropMmUser } from './mm-users.ts';
import { forkHolds } from './fork-window.ts';

/** The model's worlds are small: a VMA larger than this is not built (ill-formed: a world the model does not build). */
export const MAX_VMA_PAGES = 1024;

/** The lowest virtual page at which `npages` fit in `mm` (get_unmapped_area). */
export const unmappedArea = (s: State, mm: MmId, npages: number): number => {
  const vmas = [...s.vmas.values()].filter((v) => v.mm === mm).sort((a, b) => a.start - b.start);
  let addr = 0;
  for (const v of vmas) {
    if (addr + npages <= v.start) return addr;
    addr = Math.max(addr, v.start + v.npages);
  }
  return addr;
};

/**
 * p2pmem_alloc_mmap() when the vm_insert_page() of page `failsAt` fails
 * (-ENOMEM: fault injection, its page table could not be allocated). The
 * call has taken the whole length from the gen_pool and a pgmap reference
 * (percpu_ref_tryget_live_rcu()), and inserted the pages before `failsAt`.
 * Its error path gives the rest of the length back to the gen_pool, and
 * since a1f4dc72efc3 drops the pgmap reference; before, it returned
 * without (era `p2pmemMmapErrorPutsRef`). mmap_region() then unmaps the
 * new VMA: the pages inserted lose their last reference and are freed
 * (p2pdma_folio_free(), which drops their own pgmap references). mmap
 * returns the error; what the call changed on the way stays changed.
 */
const p2pmemInsertFails = (s: State, bar: Bar, npages: number, failsAt: number): Outcome => {
  const op = 'mmap';
  if (failsAt >= npages) return illFormed(op, `insert_fails_at ${failsAt}: p2pmem_alloc_mmap inserts only ${npages} page(s)`);
  const kept = s.era.p2pmemMmapErrorPutsRef ? bar.pgmapRefs : bar.pgmapRefs + 1;
  return done({ ...s, bars: replaceAt(s.bars, bar.id, { ...bar, pgmapRefs: kept }) }, [
    { kind: 'call-failed', op, reason: `-ENOMEM: ->mmap: vm_insert_page of page ${failsAt} of ${npages} failed; the pages inserted before it are unmapped and freed` },
  ]);
};

/**
 * mmap(): a new VMA. Device mappings (BAR, p2pmem) are populated at once;
 * RAM mappings fault lazily. len 0 is -EINVAL (do_mmap); the file, BAR and
 * p2pmem cases name the ->mmap that refuses.
 */
export const mmap = (s: State, mm: MmId, npages: number, backing: MmapBacking): Outcome => {
  const op = 'mmap';
  if (s.mms.get(mm)?.alive !== true) return illFormed(op, `mm ${mm} has exited: it runs no code`);
  const busy = mmapWriteBusy(s, mm);
  if (busy !== null) return waits(op, busy);
  if (!Number.isInteger(npages) || npages < 1) return reject(op, `-EINVAL: do_mmap: len is 0`);
  if (npages > MAX_VMA_PAGES) return illFormed(op, `npages ${npages} is over the model's limit of ${MAX_VMA_PAGES} pages per VMA`);
  let state = s;
  let vb: VmaBacking;
  let ptes: ReadonlyArray<PteEntry> = Array.from({ length: npages }, () => null);
  if (backing.kind === 'anon') vb = backing;
  else if (backing.kind === 'file' || backing.kind === 'file-private') {
    const inode = s.inodes[backing.inode];
    if (inode === undefined) return illFormed(op, `no inode ${backing.inode}`);
    // A mapping may reach past the end of the file: mmap does not look at i_size, a fault there is SIGBUS.
    vb = { kind: 'file', inode: backing.inode };
  } else {
    const bar = s.bars[backing.bar];
    if (bar === undefined) return illFormed(op, `no BAR ${backing.bar}`);
    // The world's exporters hand out raw BARs; a P2PDMA provider's BAR is mapped only through its p2pmem/allocate file.
    if (backing.kind === 'bar' && bar.structPages) return illFormed(op, `BAR ${bar.id} is a P2PDMA provider; the model maps it only through p2pmem`);
    if (backing.kind === 'p2pmem' && !bar.structPages) return illFormed(op, `BAR ${bar.id} has no ZONE_DEVICE pages, so no p2pmem/allocate file to mmap`);
    if (!bar.alive || bar.removing) return reject(op, `-ENODEV: ->mmap: the provider of BAR ${bar.id} was removed`);
    // p2pmem_alloc_mmap(): gen_pool_alloc_owner() of the whole length fails.
    if (freeFrameCount(s, (f) => f.bar === bar.id) < npages) return reject(op, `-ENOMEM: ->mmap: BAR ${bar.id} has fewer than ${npages} free pages`);
    if (backing.kind === 'p2pmem' && backing.insert_fails_at !== undefined) return p2pmemInsertFails(s, bar, npages, backing.insert_fails_at);
    const window: Pfn[] = [];
    for (let i = 0; i < npages; i++) {
      const [s1, pfn] = allocBarFrame(state, bar.id)!;
      state = s1;
      window.push(pfn);
      if (backing.kind === 'p2pmem') {
        // p2pmem_alloc_mmap(): vm_insert_page() takes a reference, the allocation's own is dropped.
        const f = state.frames[pfn]!;
        state = setFrame(state, { ...f, mapcount: 1, refcount: 1 });
      }
    }
    vb = backing.kind === 'bar' ? { kind: 'bar', bar: bar.id, window } : { kind: 'p2pmem', bar: bar.id };
    ptes = window.map((pfn) => ({ pfn, writable: true }));
  }
  const [s2, id] = freshId(state);
  const vma: Vma = {
    id,
    mm,
    start: unmappedArea(s, mm, npages),
    npages,
    backing: vb,
    // MAP_SHARED for files, except MAP_PRIVATE ones (is_cow_mapping: private and may be written).
    shared: backing.kind !== 'anon' && backing.kind !== 'file-private',
    dontcopy: false,
    writable: true,
    anonVma: null,
    ptes,
  };
  return done(setVma(s2, vma));
};

/**
 * munmap(mm, start, npages): split the VMAs at the range's ends
 * (vma-split.ts: the original VMA keeps the part outside), then run the
 * notifiers of the range that is mapped (MMU_NOTIFY_UNMAP, under
 * mmap_write_lock), then zap, ->close and free the pieces in the range. A
 * range with nothing mapped returns 0 and changes nothing; len 0 is -EINVAL.
 * The kernel does not merge VMAs after munmap.
 */
export const munmap = (s: State, mm: MmId, start: number, npages: number): Outcome => {
  const op = 'munmap';
  if (s.mms.get(mm)?.alive !== true) return illFormed(op, `mm ${mm} has exited: it runs no code`);
  if (npages < 1) return reject(op, '-EINVAL: do_munmap: len is 0');
  const busy = mmapWriteBusy(s, mm);
  if (busy !== null) return waits(op, busy);
  const r = unmapRange(s, mm, start, start + npages);
  return done(r.state, r.events);
};

/** do_vmi_munmap of [start, end) of `mm` (munmap, mremap shrink): split, notify the mapped part, then destroy. */
export const unmapRange = (s: State, mm: MmId, start: number, end: number): Changed => {
  if (vmasIn(s, mm, start, end).length === 0) return { state: s, events: [] };
  const [s1, ids] = isolate(s, mm, start, end);
  // unmap_region() notifies [start, end) as asked (unmap_vmas with the munmap arguments), holes included.
  return invalidateThen(s1, [{ mm, start, end }], 'MMU_NOTIFY_UNMAP', mm, { kind: 'munmap', vmas: ids }, (st) => munmapRest(st, ids));
};

/** What munmap does once every notifier returned: destroy the detached pieces. */
export const munmapRest = (s: State, vmas: ReadonlyArray<VmaId>): Changed =>
  fold(s, vmas, (st, id) => {
    const v = st.vmas.get(id);
    return v === undefined ? { state: st, events: [] } : destroyVma(st, v);
  });

/**
 * The process's last thread exits (do_exit -> exit_mm -> mmput): its task
 * runs no more code, and its mm_users reference goes. exit_mmap runs now
 * when that was the last one (MMU_NOTIFY_RELEASE over the whole address
 * space, then every VMA is torn down; pins held by drivers survive), else
 * at the mmput of the last driver holding a reference (mm-users.ts). The
 * op keeps the name `exit_mmap` that traces have always used.
 */
export const exitMmap = (s: State, mm: MmId): Outcome => {
  const m = s.mms.get(mm);
  if (m?.alive !== true) return illFormed('exit_mmap', `mm ${mm} has already exited (or never existed): exit_mmap runs once`);
  // The forking task is inside fork (and the child has not run): neither exits before fork returns.
  const fork = forkHolds(s, mm);
  if (fork !== null) return waits('exit_mmap', fork);
  if (mmapWriteLocked(s, mm)) return waits('exit_mmap', `mmap_write_lock of mm ${mm} is held`);
  const r = dropMmUser({ ...s, mms: put(s.mms, mm, { ...m, alive: false }) }, mm);
  return done(r.state, r.events);
};

/** What exit_mmap does once every notifier returned. */
export const exitRest = (s: State, mm: MmId): Changed => {
  let state = s;
  const events: Event[] = [];
  for (const v of s.vmas.values()) {
    if (v.mm !== mm) continue;
    const r = destroyVma(state, state.vmas.get(v.id)!);
    state = r.state;
    events.push(...r.events);
  }
  return { state: { ...state, mms: put(state.mms, mm, { ...state.mms.get(mm)!, alive: false }) }, events };
};

/**
 * fork(): the child inherits every VMA without VM_DONTCOPY. Private anon
 * pages are shared copy-on-write (both PTEs write-protected) unless the
 * era does early COW and the page may be DMA-pinned: then the child gets a
 * copy at once and the parent keeps its page writable (70e806e4e645).
 * Plain FOLL_GET references are invisible here.
 */
export const fork = (s: State, mm: MmId): Outcome => {
  const op = 'fork';
  if (s.mms.get(mm)?.alive !== true) return illFormed(op, `mm ${mm} has exited: it runs no code`);
  const busy = mmapWriteBusy(s, mm);
  if (busy !== null) return waits(op, busy);
  // A page reclaim, migration or writeback is working on: the kernel's fork copies the migration or
  // swap entry it has become, and the child waits for it like the parent. The model's continuation
  // names the page by pfn and would change the child's PTE without the child's notifiers, so fork
  // waits for the page instead (the same outcome: nobody reads the old frame through the child).
  const locked = pageOfMmLocked(s, mm);
  if (locked !== null) return waits(op, locked);
  const copied = forkCopy(s, mm);
  if (typeof copied === 'string') return reject(op, copied);
  // copy_page_range() of a COW mapping with an anon_vma runs the parent's notifiers over
  // the VMA (MMU_NOTIFY_PROTECTION_PAGE) around write-protecting its PTEs; dup_mmap holds
  // the parent's mmap_write_lock throughout.
  const ranges = [...s.vmas.values()]
    .filter((v) => v.mm === mm && !v.shared && !v.dontcopy && v.anonVma !== null)
    .map((v) => ({ mm, start: v.start, end: v.start + v.npages }));
  const r = invalidateThen(s, ranges, 'MMU_NOTIFY_PROTECTION_PAGE', mm, { kind: 'fork', mm }, (st) => forkRest(st, mm));
  const pending = r.state.mms.get(mm)?.forkWrprotect;
  const pfns = (p: NonNullable<typeof pending>) => p.ptes.map((x) => present(r.state.vmas.get(x.vma)!.ptes[x.index])!.pfn);
  return done(r.state, pending === undefined ? r.events : [...r.events, { kind: 'fork-copied', mm, child: pending.child, pfns: pfns(pending) }]);
};

/** What fork does once the parent's notifiers returned; a failure now leaves everything as it was. */
export const forkRest = (s: State, mm: MmId): Changed => {
  const r = forkCopy(s, mm);
  return { state: typeof r === 'string' ? s : r, events: [] };
};

/** dup_mmap(): the child and its copies of the parent's VMAs; a string says why it failed. */
const forkCopy = (s: State, mm: MmId): State | string => {
  const parent = s.mms.get(mm)!;
  const [s0, child] = freshId(s);
  let state: State = { ...s0, mms: put(s0.mms, child, { id: child, alive: true, hasPinned: false, invalidateSeq: 2, users: 1, mmapReaders: 0 }) };
  const wrprotect: { vma: VmaId; index: number }[] = [];
  for (const v of s.vmas.values()) {
    if (v.mm !== mm || v.dontcopy) continue;
    const childPtes: PteEntry[] = [];
    let parentPtes: ReadonlyArray<PteEntry> = v.ptes;
    for (const [i, pte] of v.ptes.entries()) {
      if (pte === null) {
        childPtes.push(null);
        continue;
      }
      if (isSwapPte(pte)) {
        // copy_nonpresent_pte(): swap_duplicate(), and the entry is no longer exclusive in either process.
        state = swapDuplicate(state, pte.swap);
        childPtes.push({ swap: pte.swap, exclusive: false });
        if (pte.exclusive) parentPtes = parentPtes.map((p, j) => (j === i ? { swap: pte.swap, exclusive: false } : p));
        continue;
      }
      const f = state.frames[pte.pfn]!;
      // copy_present_pte(): vm_normal_page() is NULL for PFNMAP and for the zero page's
      // special PTE; the child gets the same PTE, and nothing is referenced or copied early.
      if (!f.structPage || isZeroPage(f)) {
        childPtes.push(pte);
        continue;
      }
      if (v.shared) {
        state = setFrame(state, { ...f, mapcount: f.mapcount + 1, refcount: f.refcount + 1 });
        childPtes.push(pte);
      } else if (s.era.forkEarlyCow && parent.hasPinned && f.pincount > 0 && f.mapping.kind === 'anon') {
        // copy_present_pte(): only an anonymous page is copied early; a private mapping's
        // page-cache page is shared read-only as it was.
        const got = allocRamPage(state, { kind: 'anon' });
        if (got === null) return `-ENOMEM: copy_pte_range: no free RAM page to copy pinned page ${f.pfn} early`;
        const [s1, copy] = got;
        state = setFrame(s1, { ...s1.frames[copy]!, mapcount: 1, dirty: true });
        childPtes.push({ pfn: copy, writable: true });
      } else {
        state = setFrame(state, { ...f, mapcount: f.mapcount + 1, refcount: f.refcount + 1 });
        childPtes.push({ pfn: pte.pfn, writable: false });
        // In a world with fork's steps, the parent's PTE is write-protected by ptep_set_wrprotect, a step of its own.
        if (s.forkSteps && pte.writable) wrprotect.push({ vma: v.id, index: i });
        else parentPtes = parentPtes.map((p, j) => (j === i && p !== null ? { pfn: pte.pfn, writable: false } : p));
      }
    }
    state = setVma(state, { ...v, ptes: parentPtes });
    const [s3, cid] = freshId(state);
    state = setVma(s3, { ...v, id: cid, mm: child, ptes: childPtes, anonVma: v.anonVma === null ? null : cid });
  }
  // raw_write_seqcount_begin(&src_mm->write_protect_seq) is still open: fork holds the parent's
  // mmap_write_lock until ptep_set_wrprotect has write-protected these PTEs.
  if (wrprotect.length > 0) state = { ...state, mms: put(state.mms, mm, { ...state.mms.get(mm)!, forkWrprotect: { child, ptes: wrprotect } }) };
  return state;
};

/**
 * The rest of fork's copy_present_pte() in a world with fork's steps:
 * ptep_set_wrprotect() on every parent PTE fork shares with the child,
 * then raw_write_seqcount_end(&src_mm->write_protect_seq) and the end of
 * dup_mmap (mmap_write_unlock): the child can run. A pin taken in between
 * by pin_user_pages_fast (before 5.11) is on a page that is now
 * copy-on-write in both processes.
 */
export const ptepSetWrprotect = (s: State, mm: MmId): Outcome => {
  const op = 'ptep_set_wrprotect';
  const pending = s.mms.get(mm)?.forkWrprotect;
  if (pending === undefined) return illFormed(op, `no fork of mm ${mm} is between its check of the pages and its write-protect (only fork's own copy_present_pte calls it)`);
  let state: State = s;
  for (const { vma, index } of pending.ptes) {
    const v = state.vmas.get(vma)!;
    state = setVma(state, { ...v, ptes: v.ptes.map((p, j) => { const q = present(p); return j === index && q !== null ? { ...q, writable: false } : p; }) });
  }
  const { forkWrprotect: _, ...parent } = state.mms.get(mm)!;
  return done({ ...state, mms: put(state.mms, mm, parent) }, [{ kind: 'fork-wrprotected', mm, pfns: pending.ptes.map((p) => present(state.vmas.get(p.vma)!.ptes[p.index])!.pfn) }]);
};


/**
 * A CPU store by the process at virtual page `addr` that faults: first
 * touch, COW break or ->page_mkwrite (handle_mm_fault). A store the CPU
 * does not fault on (a present writable PTE, as a device mapping's is
 * until it is zapped) is no write fault: asking for one is ill-formed
 * (`store` takes whichever path the CPU takes). A device mapping whose
 * PTEs were zapped has no ->fault to refill them: SIGBUS.
 */
export const writeFault = (s: State, mm: MmId, addr: number, remote = false): Outcome => {
  const op = 'write_fault';
  // A remote fault (a driver's hmm_range_fault, holding mm_users) needs the address space, not the task.
  if (remote ? s.mms.get(mm) === undefined : s.mms.get(mm)?.alive !== true) return illFormed(op, `mm ${mm} has exited: it runs no code`);
  // The fault takes mmap_read_lock (a fork in its steps holds mmap_write_lock, or has not started the child).
  const fork = forkHolds(s, mm);
  if (fork !== null) return waits(op, fork);
  const v = findVma(s, mm, addr);
  if (v === undefined) return reject(op, `SIGSEGV: no vma of mm ${mm} covers page ${addr}`);
  if (!v.writable) return reject(op, `SIGSEGV: vma ${v.id} has no VM_WRITE (mprotect)`);
  const entry = v.ptes[addr - v.start] ?? null;
  if (present(entry)?.writable === true) return illFormed(op, `no fault: the PTE at page ${addr} is present and writable, so a store there does not fault`);
  // do_swap_page() first; a page it cannot reuse is mapped read-only, and do_wp_page() goes on from there.
  let base = s;
  const swapped: Event[] = [];
  if (isSwapPte(entry)) {
    // do_swap_page() locks the swap cache's page (folio_lock_or_retry): reclaim or migration holds it.
    const cache = s.swap[entry.swap]!.cache;
    const locked = cache === null ? null : pageLocked(s, cache);
    if (locked !== null) return waits(op, locked);
    const w = swapIn(s, v, addr - v.start, entry, true);
    if (E.isLeft(w)) return reject(op, w.left);
    if (!w.right.cow) return done(w.right.changed.state, w.right.changed.events);
    base = w.right.changed.state;
    swapped.push(...w.right.changed.events);
  }
  const bv = base.vmas.get(v.id)!;
  const pte = present(bv.ptes[addr - v.start]);
  const r = faultIn(base, bv, addr - v.start, true);
  if (E.isLeft(r)) return reject(op, r.left);
  // Stryker disable next-line OptionalChaining: faultIn only rewrites PTEs of v (setVma), it never removes the VMA, so get(v.id) is always defined here
  const after = present(r.right.state.vmas.get(v.id)?.ptes[addr - v.start]);
  if (pte === null || after === null || after.pfn === pte.pfn) return done(r.right.state, [...swapped, ...r.right.events]);
  // wp_page_copy(): the COW break replaces the PTE under MMU_NOTIFY_CLEAR of the page.
  const c = invalidateThen(base, [{ mm, start: addr, end: addr + 1 }], 'MMU_NOTIFY_CLEAR', null, { kind: 'wp_page_copy', mm, addr }, (st) => wpPageCopyRest(st, mm, addr));
  return done(c.state, [...swapped, ...c.events]);
};

/** The COW break once the notifiers returned: fault again (the PTE may have changed meanwhile); a failure changes nothing. */
export const wpPageCopyRest = (s: State, mm: MmId, addr: number): Changed => {
  const v = findVma(s, mm, addr);
  const pte = present(v?.ptes[addr - v.start]);
  if (v === undefined || pte === null || pte.writable) return { state: s, events: [] };
  const r = faultIn(s, v, addr - v.start, true);
  return E.isLeft(r) ? { state: s, events: [] } : r.right;
};
