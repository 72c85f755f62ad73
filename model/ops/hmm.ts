/**
 * hmm_range_fault() (mm/hmm.c, Documentation/mm/hmm.rst): a mirroring
 * driver asks for the pfns the CPU page table maps over a range of its
 * notifier, faulting pages in where the CPU has none (or only read-only
 * ones, when it asked for write). It takes no reference on any page: only
 * the driver's interval notifier tells it when the answer goes stale.
 *
 *   do {
 *     if (mmu_interval_check_retry(range->notifier, range->notifier_seq))
 *       return -EBUSY;
 *     ret = walk_page_range(...);   // a fault in the walk returns -EBUSY
 *   } while (ret == -EBUSY);
 *
 * A fault that changes nothing the notifier covers (a first touch, a
 * ->page_mkwrite, a reused page) is followed by a second walk that finds
 * the page present. A fault that copies on write replaces a PTE under
 * MMU_NOTIFY_CLEAR of the caller's own notifier, so the seq moves and the
 * next turn of the loop returns -EBUSY to the driver.
 */
import * as E from 'fp-ts/lib/Either.js';
import type { Event } from '../event.ts';
import { findVma, present } from '../page.ts';
import { done, illFormed, reject, waits, type Outcome } from '../result.ts';
import type { HmmPfn, NotifierId, State } from '../state.ts';
import { faultIn, pageUnmapping } from './fault.ts';
import { mmapWriteLocked } from './invalidate.ts';
import { writeFault } from './mm.ts';

/**
 * A fault in the walk failed (VM_FAULT_ERROR: no memory): -EFAULT. Refused
 * as it is when nothing changed yet; pages an earlier fault of this call
 * brought in stay, and the driver gets -EFAULT.
 */
const failed = (s: State, state: State, events: ReadonlyArray<Event>, notifier: NotifierId, why: string): Outcome =>
  state === s ? reject('hmm_range_fault', `-EFAULT: ${why}`) : done(state, [...events, { kind: 'hmm-faulted', notifier, ret: '-EFAULT', pfns: [] }]);

/**
 * hmm_range_fault over [start, start+npages) of `notifier`'s mm, with
 * `seq` from mmu_interval_read_begin; `write` is HMM_PFN_REQ_WRITE. Refused
 * before anything changes: -EBUSY when an invalidation set a new seq since
 * `seq` (mmu_interval_check_retry), -EFAULT for a hole or a VM_IO|VM_PFNMAP
 * VMA (hmm_vma_walk_test, hmm_vma_walk_hole), -EPERM for a write to a VMA
 * without VM_WRITE (hmm_vma_fault).
 */
export const hmmRangeFault = (s: State, notifier: NotifierId, seq: number, start: number, npages: number, write: boolean): Outcome => {
  const op = 'hmm_range_fault';
  const n = s.notifiers.get(notifier);
  if (n === undefined) return illFormed(op, `notifier ${notifier} is not registered`);
  if (npages < 1 || start < n.start || start + npages > n.end)
    return illFormed(op, `pages ${start}-${start + npages - 1} are not inside notifier ${notifier}'s range ${n.start}-${n.end - 1}`);
  // The caller holds mmap_read_lock: a writer in an invalidation (munmap, exit) keeps it out.
  if (mmapWriteLocked(s, n.mm)) return waits(op, `mmap_write_lock of mm ${n.mm} is held`);
  // The COW break this call's own earlier fault started is still running its callbacks: in the kernel
  // handle_mm_fault returns only when it is done, so the walk cannot begin again before that.
  const cow = [...s.invalidations.values()].find((i) => i.then.kind === 'wp_page_copy' && i.then.mm === n.mm && i.then.addr >= start && i.then.addr < start + npages);
  if (cow !== undefined) return waits(op, `the COW break of page ${cow.then.kind === 'wp_page_copy' ? cow.then.addr : start} (invalidation ${cow.id}) is in progress`);
  if (n.seq !== seq) return reject(op, `-EBUSY: mmu_interval_check_retry: an invalidation of notifier ${notifier} set seq ${n.seq} since read_begin returned ${seq}`);
  for (let addr = start; addr < start + npages; addr++) {
    const v = findVma(s, n.mm, addr);
    if (v === undefined) return reject(op, `-EFAULT: no vma of mm ${n.mm} covers page ${addr} (hmm_vma_walk_hole)`);
    if (v.backing.kind === 'bar' || v.backing.kind === 'p2pmem')
      return reject(op, `-EFAULT: vma ${v.id} is VM_IO|VM_PFNMAP device memory, which hmm_range_fault cannot fault (hmm_vma_walk_test)`);
    // A swap entry is not present: the walk faults it in (hmm_vma_handle_pte -> hmm_vma_fault).
    const pte = present(v.ptes[addr - v.start]);
    // Reclaim or migration has this page locked and is unmapping it (a migration or swap entry
    // in the kernel's page table): the walk waits for it (migration_entry_wait) and goes again.
    // Only once the callbacks have all returned (range_start returned) is the PTE a migration or
    // swap entry; while they run the walk still reads the present PTE, as the kernel's does.
    const locked = pte === null ? null : pageUnmapping(s, pte.pfn);
    if (locked !== null) return waits(op, locked);
    if (write && !v.writable && (pte === null || !pte.writable))
      return reject(op, `-EPERM: a write fault on page ${addr}, but vma ${v.id} has no VM_WRITE (hmm_vma_fault)`);
  }
  // The walk: fault where needed; a fault that starts an invalidation ends this call with -EBUSY.
  let state = s;
  const events: Event[] = [];
  for (let addr = start; addr < start + npages; addr++) {
    const v = findVma(state, n.mm, addr)!;
    const pte = present(v.ptes[addr - v.start]);
    if (pte !== null && (pte.writable || !write)) continue;
    if (write) {
      // A remote fault: the driver holds mm_users, so the address space is there even after the task exited.
      const w = writeFault(state, n.mm, addr, true);
      if (E.isLeft(w) && w.left.reason.startsWith('ill-formed: ')) return illFormed(op, w.left.reason.slice('ill-formed: '.length));
      if (E.isLeft(w) && w.left.reason.startsWith('waits: ')) return state === s ? waits(op, w.left.reason.slice(7)) : done(state, [...events, { kind: 'hmm-faulted', notifier, ret: '-EBUSY', pfns: [] }]);
      if (E.isLeft(w)) return failed(s, state, events, notifier, `handle_mm_fault failed at page ${addr}: ${w.left.reason}`);
      state = w.right.state;
      events.push(...w.right.events);
      if (w.right.events.some((e) => e.kind === 'invalidate-range-start'))
        return done(state, [...events, { kind: 'hmm-faulted', notifier, ret: '-EBUSY', pfns: [] }]);
      continue;
    }
    const r = faultIn(state, v, addr - v.start, false);
    if (E.isLeft(r) && r.left.startsWith('waits: ')) return state === s ? waits(op, r.left.slice(7)) : done(state, [...events, { kind: 'hmm-faulted', notifier, ret: '-EBUSY', pfns: [] }]);
    if (E.isLeft(r)) return failed(s, state, events, notifier, `handle_mm_fault failed at page ${addr}: ${r.left}`);
    state = r.right.state;
    events.push(...r.right.events);
  }
  const pfns: HmmPfn[] = [];
  for (let addr = start; addr < start + npages; addr++) {
    const v = findVma(state, n.mm, addr)!;
    const pte = present(v.ptes[addr - v.start])!;
    pfns.push({ pfn: pte.pfn, gen: state.frames[pte.pfn]!.gen, write: pte.writable });
  }
  return done(state, [...events, { kind: 'hmm-faulted', notifier, ret: '0', pfns }]);
};
