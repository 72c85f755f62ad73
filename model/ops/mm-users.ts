/**
 * What a driver calls to reach a process's address space from its own
 * thread (kernel/fork.c, mm/mmap.c, include/linux/mmap_lock.h): an
 * `mm_users` reference (mmget_not_zero / mmput), `mmap_read_lock` around
 * the walk, and find_vma. Documentation/mm/hmm.rst's map path takes them
 * in this order: mmget_not_zero, mmap_read_lock, find the VMA and map,
 * mmap_read_unlock, ..., mmput.
 */
import { put } from '../collections.ts';
import { findVma } from '../page.ts';
import { done, illFormed, reject, waits, type Outcome } from '../result.ts';
import type { Changed } from '../page.ts';
import type { MmId, State } from '../state.ts';
import { invalidateThen, mmapWriteLocked } from './invalidate.ts';
import { exitRest } from './mm.ts';

const withMm = (s: State, mm: MmId, f: (m: NonNullable<ReturnType<State['mms']['get']>>) => Partial<NonNullable<ReturnType<State['mms']['get']>>>): State => {
  const m = s.mms.get(mm)!;
  return { ...s, mms: put(s.mms, mm, { ...m, ...f(m) }) };
};

/**
 * Drop one `mm_users` reference (mmput). The last one runs exit_mmap:
 * every notifier of the mm is invalidated (MMU_NOTIFY_RELEASE over the
 * whole address space) and, once the callbacks returned, every VMA is torn
 * down. Otherwise the address space stays as it is.
 */
export const dropMmUser = (s: State, mm: MmId): Changed => {
  const m = s.mms.get(mm)!;
  const state = withMm(s, mm, () => ({ users: m.users - 1 }));
  if (m.users > 1) return { state, events: [{ kind: 'mm-users', mm, users: m.users - 1 }] };
  return invalidateThen(state, [{ mm, start: 0, end: Number.MAX_SAFE_INTEGER }], 'MMU_NOTIFY_RELEASE', mm, { kind: 'exit_mmap', mm }, (st) => exitRest(st, mm));
};

/** mmget_not_zero(): a reference that keeps the address space; false once the last user has gone (exit_mmap ran or runs). */
export const mmgetNotZero = (s: State, mm: MmId): Outcome => {
  const op = 'mmget_not_zero';
  const m = s.mms.get(mm);
  if (m === undefined) return illFormed(op, `no mm ${mm}`);
  if (m.users === 0) return reject(op, `returns false: mm_users of mm ${mm} is 0 (the process exited)`);
  return done(withMm(s, mm, () => ({ users: m.users + 1 })), [{ kind: 'mm-users', mm, users: m.users + 1 }]);
};

/** mmput(): drop a reference mmget_not_zero took; the last one runs exit_mmap. Dropping one nobody holds is ill-formed. */
export const mmput = (s: State, mm: MmId): Outcome => {
  const m = s.mms.get(mm);
  if (m === undefined) return illFormed('mmput', `no mm ${mm}`);
  if (m.users === 0) return illFormed('mmput', `mm_users of mm ${mm} is 0: no reference to drop`);
  const r = dropMmUser(s, mm);
  return done(r.state, r.events);
};

/**
 * mmap_read_lock(): sleeps while a path holds mmap_write_lock (munmap,
 * mremap, mprotect, fork and exit sit in their invalidation holding it).
 * The model's drivers take it only under an mm_users reference, as
 * hmm.rst's does; without one (users 0) it is ill-formed.
 */
export const mmapReadLock = (s: State, mm: MmId): Outcome => {
  const op = 'mmap_read_lock';
  const m = s.mms.get(mm);
  if (m === undefined) return illFormed(op, `no mm ${mm}`);
  if (m.users === 0) return illFormed(op, `mm ${mm} has no users: the model takes mmap_read_lock only under mmget_not_zero`);
  if (mmapWriteLocked(s, mm)) return waits(op, `mmap_write_lock of mm ${mm} is held`);
  return done(withMm(s, mm, () => ({ mmapReaders: m.mmapReaders + 1 })));
};

/** mmap_read_unlock(); unlocking a lock nobody holds is ill-formed. */
export const mmapReadUnlock = (s: State, mm: MmId): Outcome => {
  const m = s.mms.get(mm);
  if (m === undefined) return illFormed('mmap_read_unlock', `no mm ${mm}`);
  if (m.mmapReaders === 0) return illFormed('mmap_read_unlock', `nobody holds mmap_read_lock of mm ${mm}`);
  return done(withMm(s, mm, () => ({ mmapReaders: m.mmapReaders - 1 })));
};

/**
 * find_vma(mm, addr) as a driver uses it (vma_lookup: the VMA covering
 * `addr`, or NULL). What the driver gets is the VMA and the fields it reads
 * of it. The caller must hold mmap_read_lock; the model does not check it.
 */
export const findVmaOp = (s: State, mm: MmId, addr: number): Outcome => {
  if (!s.mms.has(mm)) return illFormed('find_vma', `no mm ${mm}`);
  const v = findVma(s, mm, addr);
  if (v === undefined) return reject('find_vma', `returns NULL: no vma of mm ${mm} covers page ${addr}`);
  return done(s, [{ kind: 'vma-found', mm, addr, vma: { vma: v.id, start: v.start, end: v.start + v.npages, p2pMap: v.backing.kind === 'bar', writable: v.writable } }]);
};
