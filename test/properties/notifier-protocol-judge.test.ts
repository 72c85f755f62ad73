/**
 * notifier-protocol judged on single steps of the stop-unmap design: which
 * map-path thread a device_program belongs to, and which returned
 * invalidate callbacks leave the device able to reach the range.
 */
import * as O from 'fp-ts/lib/Option.js';
import { describe, expect, it } from 'vitest';
import type { Event } from '../../model/event.ts';
import type { Op } from '../../model/op.ts';
import type { DriverThread, State } from '../../model/state.ts';
import { notifierProtocol as inv } from '../../properties/invariants/notifier-protocol.ts';
import { designWorld, lastId, run, runThread } from '../model/helpers.ts';

const DRIVER = 1;
/** mm 0 maps BAR 0 at page 0, the importer's driver subscribes a notifier to it and runs its map path to the end. */
const { state: s1 } = run(designWorld('vma-p2p-map-notifier'), { kind: 'mmap', mm: 0, npages: 1, backing: { kind: 'bar', bar: 0 } }, { kind: 'mmu_interval_notifier_insert', mm: 0, start: 0, npages: 1, owner: DRIVER });
const notifier = lastId(s1.notifiers);
const { state: s2 } = run(s1, { kind: 'driver_map_range', dev: DRIVER, notifier });
const mapPath: DriverThread = s2.threads.get(lastId(s2.threads))!;
const programmed = runThread(s2, mapPath.id).state;
const mapping = lastId(programmed.mappings);

/** `programmed` with one map-path thread made up from the real one. */
const withThread = (t: Partial<DriverThread>): State => ({ ...programmed, threads: new Map([[mapPath.id, { ...mapPath, mapping, seq: 3, ...t }]]) });
const program: Op = { kind: 'device_program', dev: DRIVER, mapping };
const verdict = (before: State, op: Op, events: ReadonlyArray<Event> = [], after: State = programmed): string | null => O.toNullable(inv.check(before, op, { state: after, events }));

describe('notifier-protocol: device_program after an invalidation overtook the map path', () => {
  it('the world: the map path ran to the end and the device reaches page 0 through the mapping', () => {
    expect(mapPath).toMatchObject({ device: DRIVER, notifier, inv: null });
    expect([...programmed.deviceRanges.values()].map((r) => [r.device, r.mm, r.start, r.end, r.mapping])).toEqual([[DRIVER, 0, 0, 1, mapping]]);
  });

  it('a stale map path that never called mmu_interval_read_retry', () => {
    expect(verdict(withThread({ stale: true, retry: null }), program)).toBe(
      `device 1 was programmed with mapping ${mapping}'s addresses after an invalidation of notifier ${notifier} set a new seq since the map path's mmu_interval_read_begin; the map path never called mmu_interval_read_retry (seq 3 from mmu_interval_read_begin)`,
    );
  });

  it('a stale map path whose mmu_interval_read_retry did not see it, and one with no seq', () => {
    expect(verdict(withThread({ stale: true, retry: false }), program)).toBe(
      `device 1 was programmed with mapping ${mapping}'s addresses after an invalidation of notifier ${notifier} set a new seq since the map path's mmu_interval_read_begin; mmu_interval_read_retry did not see it (seq 3 from mmu_interval_read_begin)`,
    );
    expect(verdict(withThread({ stale: true, retry: false, seq: null }), program)).toMatch(/\(seq \? from mmu_interval_read_begin\)$/);
  });

  it('not when the stale thread is of another device, another mapping, or a callback thread under an invalidation', () => {
    expect(verdict(withThread({ stale: true, device: 0 }), program)).toBeNull();
    expect(verdict(withThread({ stale: true, mapping: mapping + 1 }), program)).toBeNull();
    expect(verdict(withThread({ stale: true, inv: 7 }), program)).toBeNull();
    expect(verdict(withThread({ stale: false }), program)).toBeNull();
  });

  it('dma_unmap_sg naming the same device and mapping is not a device_program', () => {
    expect(verdict(withThread({ stale: true }), { kind: 'dma_unmap_sg', dev: DRIVER, mapping, nents: 1, dir: 'bidirectional' })).toBeNull();
  });
});

describe('notifier-protocol: an invalidate callback returning while the device can still reach the range', () => {
  const returned = (ret: boolean, mm = 0): Event => ({ kind: 'callback-returned', inv: 9, notifier, device: DRIVER, mm, start: 0, end: 1, ret });
  const end: Op = { kind: 'invalidate_callback_return', notifier, ret: true, by: 99 };
  /** The state after the return: invalidation 9 of [0, 1) of `mm`, with `queue` still to call. */
  const invalidating = (mm = 0, queue: ReadonlyArray<number> = []): State => ({
    ...programmed,
    invalidations: new Map([[9, { id: 9, event: 'MMU_NOTIFY_UNMAP', ranges: [{ mm, start: 0, end: 1 }], mmapLocked: mm, queue, running: null, then: { kind: 'munmap', vmas: [] } }]]),
  });

  it('the last callback returns true with the device range live: invalidate_range_start returns as if it could not', () => {
    expect(verdict(programmed, end, [returned(true)], invalidating())).toBe(
      `every invalidate callback of invalidation 9 has returned (the last: notifier ${notifier}'s, true) while device 1 can still reach pages 0-0 of mm 0 through mapping ${mapping}: invalidate_range_start returns as if it could not`,
    );
  });

  it('returning false (the kernel retries), for another mm, or with another callback still to run is fine', () => {
    expect(verdict(programmed, end, [returned(false)], invalidating())).toBeNull();
    expect(verdict(programmed, end, [returned(true, 1)], invalidating(1))).toBeNull();
    expect(verdict(programmed, end, [returned(true)], invalidating(0, [notifier]))).toBeNull();
    expect(verdict(programmed, end, [returned(true)], programmed)).toBeNull();
  });

  it('after a protection event a read-only device range may stay (mmu_notifier_range_update_to_read_only), a writable one not; after UNMAP neither', () => {
    const withEvent = (event: 'MMU_NOTIFY_PROTECTION_VMA' | 'MMU_NOTIFY_PROTECTION_PAGE' | 'MMU_NOTIFY_UNMAP', dir: 'to-device' | 'bidirectional'): State => {
      const s = invalidating();
      return {
        ...s,
        invalidations: new Map([...s.invalidations].map(([k, i]) => [k, { ...i, event }])),
        deviceRanges: new Map([...s.deviceRanges].map(([k, r]) => [k, { ...r, dir }])),
      };
    };
    expect(verdict(programmed, end, [returned(true)], withEvent('MMU_NOTIFY_PROTECTION_VMA', 'to-device'))).toBeNull();
    expect(verdict(programmed, end, [returned(true)], withEvent('MMU_NOTIFY_PROTECTION_PAGE', 'to-device'))).toBeNull();
    expect(verdict(programmed, end, [returned(true)], withEvent('MMU_NOTIFY_PROTECTION_VMA', 'bidirectional'))).toMatch(/^every invalidate callback of invalidation 9 has returned/);
    expect(verdict(programmed, end, [returned(true)], withEvent('MMU_NOTIFY_UNMAP', 'to-device'))).toMatch(/^every invalidate callback of invalidation 9 has returned/);
  });

  it('exercised only when an invalidation of that notifier sets a new seq while one of its map paths holds p2p_map addresses from a read not yet overtaken', () => {
    const setSeq: Op = { kind: 'mmu_interval_set_seq', notifier, seq: 5, by: 99 };
    const held = programmed.mappings.get(mapping)?.entries ?? [];
    expect(held.length).toBe(1);
    const exercised = (t: Partial<DriverThread>, op: Op = setSeq): boolean => inv.exercised(withThread({ stale: false, entries: held, ...t }), op, { state: programmed, events: [] });
    expect(exercised({})).toBe(true);
    expect(exercised({ entries: null })).toBe(false);
    expect(exercised({ stale: true })).toBe(false);
    expect(exercised({ stale: null })).toBe(false);
    expect(exercised({ inv: 7 })).toBe(false);
    expect(exercised({ notifier: notifier + 1 })).toBe(false);
    expect(exercised({}, end)).toBe(false);
  });
});
