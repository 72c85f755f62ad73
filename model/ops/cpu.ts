/**
 * A process's CPU store or load at one virtual page. A present PTE that
 * allows the access makes it a plain memory access; otherwise the CPU
 * faults first (handle_mm_fault: first touch, COW break or unshare reuse,
 * ->page_mkwrite), exactly when the kernel would. A COW break under an
 * interval notifier is write_fault's invalidation: the store itself is
 * the CPU's next try, once the fault is done. A trace can say "the
 * process writes" without knowing whether that faults in this era.
 */
import * as E from 'fp-ts/lib/Either.js';
import type { Event } from '../event.ts';
import { findVma, isSwapPte, present, setFrame } from '../page.ts';
import { done, illFormed, reject, waits, type Outcome } from '../result.ts';
import { forkHolds, notYetRunning } from './fork-window.ts';
import type { MmId, State } from '../state.ts';
import { faultIn } from './fault.ts';
import { writeFault } from './mm.ts';

export const cpuAccess = (s: State, mm: MmId, addr: number, write: boolean): Outcome => {
  const op = write ? 'store' : 'load';
  if (s.mms.get(mm)?.alive !== true) return illFormed(op, `mm ${mm} has exited: it runs no code`);
  // fork's child does not run before fork returns.
  const child = notYetRunning(s, mm);
  if (child !== null) return waits(op, child);
  const v = findVma(s, mm, addr);
  if (v === undefined) return reject(op, `SIGSEGV: no vma of mm ${mm} covers page ${addr}`);
  const index = addr - v.start;
  // Stryker disable next-line LogicalOperator: faulting a page whose PTE already allows the access (a spurious fault) changes nothing in faultIn
  const entry = v.ptes[index] ?? null;
  const pte = present(entry);
  let state = s;
  const events: Event[] = [];
  if (pte === null || (write && !pte.writable)) {
    // The fault takes mmap_read_lock (a fork in its steps holds mmap_write_lock).
    const fork = forkHolds(s, mm);
    if (fork !== null) return waits(op, fork);
    // A store to a swapped-out page whose swap-in must copy: the copy is write_fault's, under its notifiers.
    if (write && isSwapPte(entry)) {
      const w = writeFault(s, mm, addr);
      if (E.isRight(w) && w.right.events.some((e) => e.kind === 'invalidate-range-start')) return w;
    }
    const r = faultIn(s, v, index, write);
    if (E.isLeft(r)) return reject(op, r.left);
    // A COW break replaces the PTE: wp_page_copy runs the notifiers of the page (MMU_NOTIFY_CLEAR)
    // first. Where some notifier covers it, the fault is write_fault's, and the CPU runs the store
    // again once the fault has returned (a step of its own).
    const after = present(r.right.state.vmas.get(v.id)?.ptes[index]);
    if (pte !== null && after !== null && after.pfn !== pte.pfn) {
      const w = writeFault(s, mm, addr);
      if (E.isRight(w) && w.right.events.some((e) => e.kind === 'invalidate-range-start')) return w;
    }
    state = r.right.state;
    events.push(...r.right.events);
  }
  const pfn = present(state.vmas.get(v.id)!.ptes[index])!.pfn;
  const f = state.frames[pfn]!;
  // The PTE's dirty bit: a store makes a RAM page dirty (and what a device wrote into it goes with it).
  if (write && f.bar === null && !f.dirty) {
    state = setFrame(state, { ...f, dirty: true, deviceWroteSinceDirtied: false });
    events.push({ kind: 'page-dirtied', pfn });
  }
  // A user mapping of a BAR is made with device memory attributes by the driver's mmap: that is the legal CPU path.
  events.push({ kind: 'cpu-access', pfn, via: op, io: f.bar !== null });
  return done(state, events);
};
