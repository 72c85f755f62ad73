/**
 * mmu interval notifiers (mm/mmu_notifier.c, include/linux/mmu_notifier.h,
 * Documentation/mm/hmm.rst): insert and remove, the sequence count a
 * driver reads with mmu_interval_read_begin and checks with
 * mmu_interval_read_retry under its own lock, mmu_interval_set_seq from
 * the callback, and the callback's return to the kernel.
 */
import { drop, put } from '../collections.ts';
import type { Event } from '../event.ts';
import { freshId } from '../page.ts';
import { done, illFormed, reject, waits, type Outcome } from '../result.ts';
import type { DeviceId, MmId, NotifierId, State, ThreadId } from '../state.ts';
import { callNext, invalidating, rangeFor } from './invalidate.ts';

/**
 * mmu_interval_notifier_insert(): subscribe `owner` to [start, start+npages)
 * of `mm`. During an invalidation of the mm the new notifier is deferred:
 * it gets no callback for it, and its seq is the current (odd) one, so
 * mmu_interval_read_begin waits for the invalidation to end.
 * __mmu_interval_notifier_insert refuses a length of 0 (-EOVERFLOW), then
 * an mm with no users left (WARN_ON, -EINVAL).
 */
export const mmuIntervalNotifierInsert = (s: State, mm: MmId, start: number, npages: number, owner: DeviceId): Outcome => {
  const op = 'mmu_interval_notifier_insert';
  const m = s.mms.get(mm);
  if (m === undefined) return illFormed(op, `no mm ${mm}`);
  if (s.devices[owner] === undefined) return illFormed(op, `no device ${owner}`);
  if (npages < 1) return reject(op, `-EOVERFLOW: __mmu_interval_notifier_insert: length 0`);
  if (!m.alive) return reject(op, `-EINVAL: __mmu_interval_notifier_insert: mm ${mm} has exited (mm_users is 0)`);
  const seq = invalidating(s, mm) ? m.invalidateSeq : m.invalidateSeq - 1;
  const [s1, id] = freshId(s);
  return done({ ...s1, notifiers: put(s1.notifiers, id, { id, mm, start, end: start + npages, owner, seq }) });
};

/**
 * mmu_interval_notifier_remove(): waits while an invalidation of the mm is
 * in progress (it returns only when no callback can still run), then
 * unsubscribes.
 */
export const mmuIntervalNotifierRemove = (s: State, notifier: NotifierId): Outcome => {
  const op = 'mmu_interval_notifier_remove';
  const n = s.notifiers.get(notifier);
  if (n === undefined) return illFormed(op, `notifier ${notifier} is not registered`);
  if (invalidating(s, n.mm)) return waits(op, `an invalidation of mm ${n.mm} is in progress`);
  return done({ ...s, notifiers: drop(s.notifiers, notifier) });
};

/** mmu_interval_read_begin(): the notifier's seq; sleeps while this notifier was invalidated by a running invalidation. */
export const mmuIntervalReadBegin = (s: State, notifier: NotifierId): Outcome => {
  const op = 'mmu_interval_read_begin';
  const n = s.notifiers.get(notifier);
  if (n === undefined) return illFormed(op, `notifier ${notifier} is not registered`);
  if (n.seq === s.mms.get(n.mm)!.invalidateSeq) return waits(op, `notifier ${notifier} is being invalidated (seq ${n.seq})`);
  return done(s, [{ kind: 'read-begin', notifier, seq: n.seq }]);
};

/**
 * mmu_interval_read_retry(): true when an invalidation set a new seq since
 * `seq` was read. Only meaningful under the lock the callback holds around
 * mmu_interval_set_seq; the model does not check the caller holds it.
 */
export const mmuIntervalReadRetry = (s: State, notifier: NotifierId, seq: number): Outcome => {
  const n = s.notifiers.get(notifier);
  if (n === undefined) return illFormed('mmu_interval_read_retry', `notifier ${notifier} is not registered`);
  return done(s, [{ kind: 'read-retry', notifier, seq, retry: n.seq !== seq }]);
};

/** mmu_interval_set_seq(): called by the invalidate callback with the cur_seq the kernel passed it. */
export const mmuIntervalSetSeq = (s: State, notifier: NotifierId, seq: number): Outcome => {
  const n = s.notifiers.get(notifier);
  if (n === undefined) return illFormed('mmu_interval_set_seq', `notifier ${notifier} is not registered`);
  return done({ ...s, notifiers: put(s.notifiers, notifier, { ...n, seq }) });
};

/**
 * The driver's `invalidate` op returns `ret` to mn_itree_invalidate, which
 * calls the next notifier's callback. Ghost bookkeeping for the invariants:
 * map paths of this notifier that already hold addresses may now hold
 * stale ones (the driver cannot see this; only read_retry tells it).
 */
export const invalidateCallbackReturn = (s: State, notifier: NotifierId, ret: boolean, by?: ThreadId): Outcome => {
  const op = 'invalidate_callback_return';
  // The callback returns to the invalidation that called it: with two invalidations of one
  // notifier in flight (munmap and the exporter's unmap_mapping_range), `by` tells them apart.
  const inv = [...s.invalidations.values()].find((i) => {
    const t = i.running === null ? undefined : s.threads.get(i.running);
    return t?.notifier === notifier && (by === undefined || t.id === by);
  });
  if (inv === undefined) return illFormed(op, `no invalidate callback of notifier ${notifier} is running`);
  const t = s.threads.get(inv.running!)!;
  const n = s.notifiers.get(notifier)!;
  const r = rangeFor(inv, n);
  let threads = drop(s.threads, t.id);
  for (const m of threads.values())
    if (
      m.notifier === notifier &&
      m.entries !== null &&
      !m.stale &&
      // Stryker disable next-line ConditionalExpression: only a map path (inv === null) ever holds entries; callback threads start and stay with entries null
      m.inv === null
    )
      threads = put(threads, m.id, { ...m, stale: true });
  const next = callNext({ ...s, threads }, inv.id);
  const events: Event[] = [
    { kind: 'callback-returned', inv: inv.id, notifier, device: t.device, mm: r.mm, start: r.start, end: r.end, ret },
    ...next.events,
  ];
  return done(next.state, events);
};
