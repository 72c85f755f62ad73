/**
 * mmu interval notifiers (Documentation/mm/hmm.rst).
 *
 * An importer registers a notifier over a range of an mm; munmap, exit,
 * reclaim, migration and a provider's unmap_mapping_range invalidate the
 * range first. The callback modelled here is the one the VMA-op RFC
 * requires of importers: take the driver lock, bump the sequence, stop the
 * device for the range and p2p_unmap every mapping the importer made from
 * it. An importer whose device cannot stop DMA (`canStopDma` false) can do
 * nothing but bump the sequence.
 */
import { drop, put } from '../collections.ts';
import type { Event } from '../event.ts';
import type { Changed } from '../page.ts';
import { freshId } from '../page.ts';
import { done, reject, type Outcome } from '../result.ts';
import type { DeviceId, MmId, NotifierId, State } from '../state.ts';

const overlaps = (a0: number, a1: number, b0: number, b1: number): boolean => a0 < b1 && b0 < a1;

/** mmu_notifier_invalidate_range_start() over [start, end) of `mm`. */
export const invalidateRange = (s: State, mm: MmId, start: number, end: number): Changed => {
  let state = s;
  const events: Event[] = [];
  for (const n of s.notifiers.values()) {
    if (n.mm !== mm || !overlaps(n.start, n.end, start, end)) continue;
    state = { ...state, notifiers: put(state.notifiers, n.id, { ...n, seq: n.seq + 1 }) };
    events.push({ kind: 'notifier-invalidated', notifier: n.id });
    if (s.devices[n.owner]?.canStopDma !== true) continue;
    const lo = Math.max(n.start, start);
    const hi = Math.min(n.end, end);
    for (const m of state.mappings.values()) {
      if (m.device !== n.owner || m.origin.kind !== 'vma-op' || m.origin.mm !== mm) continue;
      if (!overlaps(m.origin.start, m.origin.start + m.origin.npages, lo, hi)) continue;
      state = { ...state, mappings: drop(state.mappings, m.id) };
      events.push({ kind: 'mapping-torn-down', mapping: m.id });
    }
  }
  return { state, events };
};

/** mmu_interval_notifier_insert(): subscribe `owner` to [start, start+npages) of `mm`. */
export const mmuIntervalNotifierInsert = (s: State, mm: MmId, start: number, npages: number, owner: DeviceId): Outcome => {
  const op = 'mmu_interval_notifier_insert';
  if (s.mms.get(mm)?.alive !== true) return reject(op, `mm ${mm} is not alive`);
  if (npages < 1) return reject(op, `npages ${npages} must be at least 1`);
  if (s.devices[owner] === undefined) return reject(op, `no device ${owner}`);
  const [s1, id] = freshId(s);
  return done({ ...s1, notifiers: put(s1.notifiers, id, { id, mm, start, end: start + npages, owner, seq: 0 }) });
};

/** mmu_interval_notifier_remove(). */
export const mmuIntervalNotifierRemove = (s: State, notifier: NotifierId): Outcome => {
  if (!s.notifiers.has(notifier)) return reject('mmu_interval_notifier_remove', `notifier ${notifier} is not registered`);
  return done({ ...s, notifiers: drop(s.notifiers, notifier) });
};
