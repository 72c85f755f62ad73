/**
 * mmu notifier invalidations as a protocol of steps (mm/mmu_notifier.c).
 *
 * A kernel path that changes PTEs calls `invalidateThen`: when no interval
 * notifier overlaps its ranges it does its work at once, as the kernel does
 * when the interval tree is empty there. Otherwise it starts an
 * invalidation (`mmu_notifier_invalidate_range_start`): the mm's
 * `invalidate_seq` goes odd and the kernel calls the `invalidate` op of
 * each overlapping notifier in turn. Each call is a driver thread running
 * the owner driver's recipe, step by step, interleaved with everything
 * else. When the last callback has returned, `mmu_notifier_invalidate_range_end`
 * runs the rest of the path (its `Continuation`) and the seq goes even.
 *
 * The kernel here never decides what an importer does: it only calls the
 * callback the notifier's owner registered and waits for it to return.
 */
import { drop, put } from '../collections.ts';
import type { Event } from '../event.ts';
import type { Changed } from '../page.ts';
import { freshId } from '../page.ts';
import { forkHolds } from './fork-window.ts';
import type { Continuation, Invalidation, InvalidationId, MmId, Notifier, NotifyEvent, NotifyRange, State } from '../state.ts';

export const overlaps = (a0: number, a1: number, b0: number, b1: number): boolean => a0 < b1 && b0 < a1;

export const notifierHits = (n: Notifier, r: NotifyRange): boolean => n.mm === r.mm && overlaps(n.start, n.end, r.start, r.end);

/** The notifiers whose interval overlaps any of `ranges`, in insertion (id) order. */
const subscribers = (s: State, ranges: ReadonlyArray<NotifyRange>): ReadonlyArray<Notifier> =>
  // Stryker disable next-line ArithmeticOperator: s.notifiers only gets fresh, increasing ids (put keeps an updated key in place, drop keeps the order), so the values are already in id order and the sort changes nothing
  [...s.notifiers.values()].filter((n) => ranges.some((r) => notifierHits(n, r))).sort((a, b) => a.id - b.id);

/** Is an invalidation of `mm` in progress (`invalidate_seq` odd)? */
export const invalidating = (s: State, mm: MmId): boolean => (s.mms.get(mm)?.invalidateSeq ?? 0) % 2 === 1;

/**
 * Does a path hold `mmap_write_lock(mm)` across steps: one sitting in an
 * invalidation, or a fork between its check and its write-protect (which
 * also keeps its child from running)? Then mmap_lock takers wait.
 */
export const mmapWriteLocked = (s: State, mm: MmId): boolean => [...s.invalidations.values()].some((i) => i.mmapLocked === mm) || forkHolds(s, mm) !== null;

/** Why `mmap_write_lock(mm)` would sleep now (a writer in an invalidation, or readers holding it), or null when it is free. */
export const mmapWriteBusy = (s: State, mm: MmId): string | null => {
  const fork = forkHolds(s, mm);
  if (fork !== null) return fork;
  if (mmapWriteLocked(s, mm)) return `mmap_write_lock of mm ${mm} is held`;
  // madvise(MADV_DONTNEED) holds mmap_read_lock across its notifiers.
  const dontneed = [...s.invalidations.values()].find((i) => i.then.kind === 'madvise_dontneed' && i.then.mm === mm);
  if (dontneed !== undefined) return `mmap_read_lock of mm ${mm} is held by madvise(MADV_DONTNEED) (invalidation ${dontneed.id})`;
  // So does a write fault across its COW break's notifiers (wp_page_copy): handle_mm_fault runs under it.
  const fault = [...s.invalidations.values()].find((i) => i.then.kind === 'wp_page_copy' && i.then.mm === mm);
  if (fault !== undefined) return `mmap_read_lock of mm ${mm} is held by a write fault's COW break (invalidation ${fault.id})`;
  const readers = s.mms.get(mm)?.mmapReaders ?? 0;
  return readers > 0 ? `mmap_read_lock of mm ${mm} is held by ${readers} driver thread${readers === 1 ? '' : 's'}` : null;
};

/** The part of the invalidation's ranges that a notifier covers, as one range (the hull). */
export const rangeFor = (inv: Invalidation, n: Notifier): NotifyRange => {
  const hits = inv.ranges.filter((r) => notifierHits(n, r));
  const start = Math.max(n.start, Math.min(...hits.map((r) => r.start)));
  const end = Math.min(n.end, Math.max(...hits.map((r) => r.end)));
  return { mm: n.mm, start, end };
};

const setSeq = (s: State, mm: MmId, seq: number): State => ({ ...s, mms: put(s.mms, mm, { ...s.mms.get(mm)!, invalidateSeq: seq }) });

/**
 * mn_itree_invalidate, one callback at a time: start the next queued
 * notifier's `invalidate` as a driver thread, or leave the invalidation
 * with nothing running (ready for invalidate_range_end).
 */
export const callNext = (s: State, id: InvalidationId): Changed => {
  let state = s;
  let inv = s.invalidations.get(id)!;
  const events: Event[] = [];
  for (;;) {
    const [n, ...rest] = inv.queue;
    if (n === undefined) return { state: { ...state, invalidations: put(state.invalidations, id, { ...inv, queue: [], running: null }) }, events };
    inv = { ...inv, queue: rest };
    const sub = state.notifiers.get(n);
    const recipe = sub === undefined ? undefined : state.devices[sub.owner]?.driver?.invalidate;
    if (sub === undefined || recipe === undefined) continue; // no driver code modelled: its callback does nothing
    const [s1, tid] = freshId(state);
    state = {
      ...s1,
      threads: put(s1.threads, tid, {
        id: tid,
        device: sub.owner,
        recipe,
        pc: 0,
        notifier: n,
        inv: id,
        curSeq: s1.mms.get(sub.mm)!.invalidateSeq,
        // mn_itree_invalidate passes the whole range; the callback clamps it to its interval.
        range: rangeFor(inv, sub),
        event: inv.event,
        vma: null,
        seq: null,
        mapping: null,
        entries: null,
        retry: null,
        write: false,
        pfns: null,
        stale: null,
      }),
      invalidations: put(s1.invalidations, id, { ...inv, running: tid }),
    };
    events.push({ kind: 'callback-invoked', inv: id, notifier: n, thread: tid });
    return { state, events };
  }
};

/**
 * mmu_notifier_invalidate_range_start over `ranges`, then `rest` at
 * invalidate_range_end. With no overlapping notifier, `rest` runs now.
 */
export const invalidateThen = (
  s: State,
  ranges: ReadonlyArray<NotifyRange>,
  event: NotifyEvent,
  mmapLocked: MmId | null,
  then: Continuation,
  rest: (s: State) => Changed,
): Changed => {
  const subs = subscribers(s, ranges);
  if (subs.length === 0) return rest(s);
  let state = s;
  for (const mm of new Set(subs.map((n) => n.mm))) {
    const seq = state.mms.get(mm)!.invalidateSeq;
    if (seq % 2 === 0) state = setSeq(state, mm, seq + 1);
  }
  const [s1, id] = freshId(state);
  const inv: Invalidation = { id, event, ranges, mmapLocked, queue: subs.map((n) => n.id), running: null, then };
  const started = callNext({ ...s1, invalidations: put(s1.invalidations, id, inv) }, id);
  return { state: started.state, events: [{ kind: 'invalidate-range-start', inv: id, event }, ...started.events] };
};

/** mn_itree_inv_end: forget the invalidation; the last one of an mm makes its seq even and wakes read_begin. */
export const endInvalidation = (s: State, id: InvalidationId): State => {
  const inv = s.invalidations.get(id)!;
  let state: State = { ...s, invalidations: drop(s.invalidations, id) };
  for (const mm of new Set(inv.ranges.map((r) => r.mm))) {
    const still = [...state.invalidations.values()].some((i) => i.ranges.some((r) => r.mm === mm));
    const m = state.mms.get(mm);
    if (!still && m !== undefined && m.invalidateSeq % 2 === 1) state = setSeq(state, mm, m.invalidateSeq + 1);
  }
  return state;
};
