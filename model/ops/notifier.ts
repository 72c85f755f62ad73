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
 * of `mm`. While an invalidation of any range of the mm is in progress
 * (`active_invalidate_ranges`), the new notifier gets no callback for it
 * and its seq is the current one, made odd if no notifier overlapped the
 * range, so mmu_interval_read_begin waits for the invalidations to end
 * (__mmu_interval_notifier_insert).
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
  // active_invalidate_ranges: an invalidation of the mm is in progress even where no notifier
  // overlapped it when it started. The new notifier then takes the (now) odd seq, so
  // mmu_interval_read_begin waits until every one of them has ended.
  const active = [...s.invalidations.values()].some((i) => i.ranges.some((r) => r.mm === mm));
  const odd = m.invalidateSeq % 2 === 1 ? m.invalidateSeq : m.invalidateSeq + 1;
  const seq = active ? odd : m.invalidateSeq - 1;
  const [s1, id] = freshId(active ? { ...s, mms: put(s.mms, mm, { ...m, invalidateSeq: odd }) } : s);
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

/**
 * mmu_interval_read_begin(): the notifier's seq; sleeps while this
 * notifier was invalidated by a running invalidation. Ghost: the calling
 * thread starts a read section that no invalidation has overtaken yet.
 */
export const mmuIntervalReadBegin = (s: State, notifier: NotifierId, by?: ThreadId): Outcome => {
  const op = 'mmu_interval_read_begin';
  const n = s.notifiers.get(notifier);
  if (n === undefined) return illFormed(op, `notifier ${notifier} is not registered`);
  if (n.seq === s.mms.get(n.mm)!.invalidateSeq) return waits(op, `notifier ${notifier} is being invalidated (seq ${n.seq})`);
  const t = by === undefined ? undefined : s.threads.get(by);
  const state = t === undefined ? s : { ...s, threads: put(s.threads, t.id, { ...t, stale: false }) };
  return done(state, [{ kind: 'read-begin', notifier, seq: n.seq }]);
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

/**
 * mmu_interval_set_seq(): called by the invalidate callback with the
 * cur_seq the kernel passed it. Ghost: every read section of this notifier
 * begun before it is overtaken (mmu_interval_read_retry would say so).
 */
export const mmuIntervalSetSeq = (s: State, notifier: NotifierId, seq: number): Outcome => {
  const n = s.notifiers.get(notifier);
  if (n === undefined) return illFormed('mmu_interval_set_seq', `notifier ${notifier} is not registered`);
  let threads = s.threads;
  for (const t of s.threads.values()) if (t.notifier === notifier && t.stale === false) threads = put(threads, t.id, { ...t, stale: true });
  return done({ ...s, notifiers: put(s.notifiers, notifier, { ...n, seq }), threads });
};

/**
 * The driver's `invalidate` op returns `ret` to mn_itree_invalidate, which
 * calls the next notifier's callback.
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
  const next = callNext({ ...s, threads: drop(s.threads, t.id) }, inv.id);
  const events: Event[] = [
    { kind: 'callback-returned', inv: inv.id, notifier, device: t.device, mm: r.mm, start: r.start, end: r.end, ret },
    ...next.events,
  ];
  return done(next.state, events);
};
