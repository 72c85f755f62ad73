/**
 * An importer's map path as Documentation/mm/hmm.rst writes it, with the
 * RFC's p2p_map in place of hmm_range_fault:
 *
 *   again: seq = mmu_interval_read_begin(sub);
 *          mmap_read_lock(mm); vma = find_vma(mm, start); p2p_map(vma, ...); mmap_read_unlock(mm);
 *          take_lock(driver->update);
 *          if (mmu_interval_read_retry(sub, seq)) { release_lock(); p2p_unmap(); goto again; }
 *          program the device; release_lock(driver->update);
 *
 * `checkRetry: false` is the same driver without the retry check, a
 * common driver bug.
 */
import { findVma } from '../../page.ts';
import { at, call, end, goto, type Recipe } from '../../recipe.ts';
import type { DriverThread, State } from '../../state.ts';

const BEGIN = 0;
const MAP = 1;
const LOCK = 2;
const RETRY = 3;
const PROGRAM = 4;
const UNLOCK_AGAIN = 6;
const UNDO = 7;
const FAIL = 8;

const notifierOf = (s: State, t: DriverThread) => s.notifiers.get(t.notifier);

export const mapPath = (checkRetry: boolean): Recipe => ({
  name: checkRetry ? 'hmm-map' : 'hmm-map-noretry',
  summary: checkRetry
    ? 'read_begin, p2p_map under mmap_read_lock (refused for a VMA that reaches past the notifier range: p2p_map takes no range), take the driver lock, read_retry (on retry: unlock, p2p_unmap, start again), program the device, unlock.'
    : 'read_begin, p2p_map (refused for a VMA that reaches past the notifier range), take the driver lock, program the device, unlock: no read_retry check.',
  listing: [
    'seq = mmu_interval_read_begin(sub)',
    'vma = find_vma(mm, start); if the vma reaches past the notifier range, fail; p2p_map(vma, dev, write)',
    'mutex_lock(&driver->update)',
    ...(checkRetry ? ['if (mmu_interval_read_retry(sub, seq)) { mutex_unlock; p2p_unmap; goto again }'] : []),
    'program the device page table',
    'mutex_unlock(&driver->update)',
  ],
  actions: [
    // BEGIN
    (_s, t) =>
      call({ kind: 'mmu_interval_read_begin', notifier: t.notifier }, (th, st) => {
        // mmu_interval_read_begin's only event is its read-begin.
        const e = st.events.find((x) => x.kind === 'read-begin');
        // Stryker disable next-line OptionalChaining: e is always the read-begin event
        return { ...th, pc: MAP, seq: e?.kind === 'read-begin' ? e.seq : null, mapping: null, entries: null, retry: null, stale: false };
      }),
    // MAP
    (s, t) => {
      const n = notifierOf(s, t);
      const v = n === undefined ? undefined : findVma(s, n.mm, n.start);
      // p2p_map maps the whole VMA: the driver maps only a VMA that lies inside its notifier's
      // range, or pages outside the range would be unmapped without its callback hearing of it.
      if (
        v === undefined ||
        v.backing.kind !== 'bar' ||
        n === undefined ||
        v.start < n.start ||
        v.start + v.npages > n.end
      )
        return goto(FAIL);
      return call(
        { kind: 'p2p_map', vma: v.id, dev: t.device, write: true },
        // Stryker disable next-line OptionalChaining: p2p_map succeeded, so the mapping it created (id before.nextId) exists
        (th, st, before) => ({ ...th, pc: LOCK, mapping: before.nextId, entries: st.state.mappings.get(before.nextId)?.entries ?? null, stale: false }),
        at(FAIL),
      );
    },
    // LOCK
    (_s, t) => call({ kind: 'driver_lock', dev: t.device }, at(checkRetry ? RETRY : PROGRAM)),
    // RETRY
    (_s, t) =>
      call({ kind: 'mmu_interval_read_retry', notifier: t.notifier, seq: t.seq ?? 0 }, (th, st) => {
        // mmu_interval_read_retry's only event is its read-retry.
        const e = st.events.find((x) => x.kind === 'read-retry');
        // Stryker disable next-line OptionalChaining: e is always the read-retry event
        const retry = e?.kind === 'read-retry' && e.retry;
        return { ...th, retry, pc: retry ? UNLOCK_AGAIN : PROGRAM };
      }),
    // PROGRAM
    (_s, t) => call({ kind: 'device_program', dev: t.device, mapping: t.mapping ?? 0 }),
    // UNLOCK: done, the thread ends
    (_s, t) => call({ kind: 'driver_unlock', dev: t.device }, end),
    // UNLOCK_AGAIN
    (_s, t) => call({ kind: 'driver_unlock', dev: t.device }, at(UNDO)),
    // UNDO: give back what p2p_map gave, then start again
    (s, t) => {
      const m = t.mapping === null ? undefined : s.mappings.get(t.mapping);
      if (m === undefined || m.origin.kind !== 'vma-op' || !s.vmas.has(m.origin.vma)) return goto(BEGIN);
      return call({ kind: 'p2p_unmap', mapping: m.id }, at(BEGIN), at(BEGIN));
    },
    // FAIL: the VMA is gone or the exporter refused
    (_s, t) => call({ kind: 'driver_return', dev: t.device, err: '-EFAULT' }, end),
  ],
});
