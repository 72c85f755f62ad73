/**
 * Issue 17 reported that an equivalent model checked with SPIN found
 * vma-p2p-map-notifier violating notifier-protocol in 23 calls: two
 * notifiers of one importer over overlapping ranges, and a munmap whose
 * first callback tore down the other notifier's fresh mapping while that
 * notifier's read_retry still said no retry. The trace itself was not
 * kept. Its mechanism was the callback's scan of the kernel's mapping
 * table (every mapping in the range, whichever notifier it belonged to);
 * since the driver-records work a callback gives back only what its own
 * notifier recorded (model/designs/importers/invalidate.ts). This test
 * rebuilds the same situation (two overlapping notifiers, a map path of
 * each, a munmap over both) in the interleaving the report describes, the
 * second notifier's map path between its record and its retry check when
 * the first callback runs, and replays it with every invariant: it holds,
 * and the first callback leaves the other notifier's mapping alone.
 */
import { describe, expect, it } from 'vitest';
import { peekThread } from '../../model/driver-thread.ts';
import { designById } from '../../model/designs/index.ts';
import type { Op } from '../../model/op.ts';
import type { State } from '../../model/state.ts';
import { makeWorld } from '../../model/world.ts';
import { invariants } from '../../properties/registry.ts';
import { replay } from '../../properties/replay.ts';
import { accept, callbackThread, IMPORTER, lastId } from './helpers.ts';

const design = designById('vma-p2p-map-notifier')!;

/** Run `op` on the recorded schedule. */
const doOp = (log: Op[], s: State, op: Op): { state: State; events: ReturnType<typeof accept>['events'] } => {
  const r = accept(s, op);
  log.push(op);
  return r;
};

/** Thread `tid` takes steps until its next call is `until` (not made), or it ends. */
const stepUntil = (log: Op[], s: State, tid: number, until: Op['kind'] | null): State => {
  let st = s;
  for (let i = 0; i < 40; i++) {
    const op = peekThread(st, tid);
    if (op === null || op.kind === until) return st;
    st = doOp(log, st, op).state;
  }
  return expect.fail(`thread ${tid} did not reach ${until}`);
};

describe("issue 17's two-notifier munmap race, rebuilt in today's model", () => {
  it('a callback tears down only its own notifier\'s mapping: with both map paths and the munmap interleaved as reported, every invariant holds', () => {
    const log: Op[] = [];
    let s = makeWorld(design.world);
    // A two-page window, a notifier over it; its second page unmapped, a one-page window mapped there.
    s = doOp(log, s, { kind: 'mmap', mm: 0, npages: 2, backing: { kind: 'bar', bar: 0 } }).state;
    s = doOp(log, s, { kind: 'mmu_interval_notifier_insert', mm: 0, start: 0, npages: 2, owner: IMPORTER }).state;
    const a = lastId(s.notifiers);
    const shrink = doOp(log, s, { kind: 'munmap', mm: 0, start: 1, npages: 1 });
    s = stepUntil(log, shrink.state, callbackThread(shrink.events), null);
    s = doOp(log, s, { kind: 'mmu_notifier_invalidate_range_end', inv: lastId(shrink.state.invalidations) }).state;
    s = doOp(log, s, { kind: 'mmap', mm: 0, npages: 1, backing: { kind: 'bar', bar: 0 } }).state;
    s = doOp(log, s, { kind: 'mmu_interval_notifier_insert', mm: 0, start: 1, npages: 1, owner: IMPORTER }).state;
    const b = lastId(s.notifiers);
    expect([...s.notifiers.values()].map((n) => [n.start, n.end])).toEqual([[0, 2], [1, 2]]);
    // A's map path maps and programs the first window.
    s = doOp(log, s, { kind: 'driver_map_range', dev: IMPORTER, notifier: a }).state;
    s = stepUntil(log, s, lastId(s.threads), null);
    // B's map path: up to its retry check (it holds the driver lock from before p2p_map).
    s = doOp(log, s, { kind: 'driver_map_range', dev: IMPORTER, notifier: b }).state;
    const tb = lastId(s.threads);
    s = stepUntil(log, s, tb, 'mmu_interval_read_retry');
    expect(s.records.map((r) => r.notifier).sort()).toEqual([a, b]);
    // munmap of both pages: A's callback first.
    const un = doOp(log, s, { kind: 'munmap', mm: 0, start: 0, npages: 2 });
    s = un.state;
    const ta = callbackThread(un.events);
    expect(s.threads.get(ta)!.notifier).toBe(a);
    // A's callback waits for the driver lock B's map path holds; B retries (no), programs, unlocks, mmputs.
    s = stepUntil(log, s, tb, null);
    s = stepUntil(log, s, ta, null);
    // A's callback gave back A's mapping only; B's is still recorded and live until B's callback runs.
    expect(s.records.map((r) => r.notifier)).toEqual([b]);
    const tb2 = [...s.threads.values()].find((t) => t.inv !== null && t.notifier === b)!.id;
    s = stepUntil(log, s, tb2, null);
    s = doOp(log, s, { kind: 'mmu_notifier_invalidate_range_end', inv: lastId(un.state.invalidations) }).state;
    expect(s.records).toEqual([]);
    expect(s.vmas.size).toBe(0);
    const r = replay(design, log, invariants);
    expect(r.kind, r.kind === 'violates' ? r.violation.message : r.kind === 'rejected' ? r.reason : '').toBe('holds');
    expect(log.length).toBeGreaterThanOrEqual(23);
  });
});
