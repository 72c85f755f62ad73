/**
 * The invalidate callback's return to mn_itree_invalidate: which running
 * callback it ends, and which map paths of the notifier it leaves holding
 * addresses that may be stale (the ghost the notifier-protocol invariant reads).
 */
import { describe, expect, it } from 'vitest';
import * as E from 'fp-ts/lib/Either.js';
import { peekThread } from '../../model/driver-thread.ts';
import { kernelStep } from '../../model/kernel-step.ts';
import type { Op } from '../../model/op.ts';
import type { State } from '../../model/state.ts';
import { accept, callbackThread, designWorld, lastId, run, runThread, munmapVma } from './helpers.ts';

const EXPORTER = 0;
const DRIVER = 1;
const barOp: Op = { kind: 'mmap', mm: 0, npages: 1, backing: { kind: 'bar', bar: 0 } };
const insert = (owner: number): Op => ({ kind: 'mmu_interval_notifier_insert', mm: 0, start: 0, npages: 1, owner });

/** Start the importer's map path (driver_map_range) on `notifier` and let it make `calls` calls. */
const mapPath = (s: State, notifier: number, calls: number): { state: State; tid: number } => {
  let { state } = run(s, { kind: 'driver_map_range', dev: DRIVER, notifier });
  const tid = lastId(state.threads);
  for (let i = 0; i < calls; i++) {
    const op = peekThread(state, tid);
    if (op === null) return expect.fail(`map path ${tid} has no next call`);
    state = accept(state, op).state;
  }
  return { state, tid };
};

describe('invalidate_callback_return', () => {
  it('mmu_interval_set_seq marks overtaken exactly the read sections of its notifier begun before it, with or without addresses; read_begin starts a clean one', () => {
    const { state: s0 } = run(designWorld('vma-p2p-map-notifier-record-unlocked'), barOp);
    const vma = lastId(s0.vmas);
    const { state: s1 } = run(s0, insert(DRIVER), insert(DRIVER));
    const second = lastId(s1.notifiers);
    const first = second - 1;
    // up to p2p_map, its record and mmap_read_unlock: addresses taken
    const mapped = mapPath(s1, first, 7);
    // mmget_not_zero and mmu_interval_read_begin only: a read section begun, no addresses yet
    const begun = mapPath(mapped.state, first, 2);
    // mmget_not_zero only: no read section yet (the ghost is null)
    const notYet = mapPath(begun.state, first, 1);
    // the other notifier's map path holds addresses too
    const other = mapPath(notYet.state, second, 7);
    const s2 = other.state;
    expect(s2.threads.get(mapped.tid)).toMatchObject({ notifier: first, inv: null, stale: false });
    expect(s2.threads.get(begun.tid)).toMatchObject({ notifier: first, inv: null, entries: null, stale: false });
    expect(s2.threads.get(notYet.tid)).toMatchObject({ notifier: first, stale: null });

    const { state: s3, events } = run(s2, munmapVma(s2, vma));
    const cb = callbackThread(events);
    expect(s3.threads.get(cb)).toMatchObject({ notifier: first, stale: null });
    const { state: s4 } = runThread(s3, cb, 2);
    expect(s4.threads.get(mapped.tid)?.stale).toBe(true);
    expect(s4.threads.get(begun.tid)?.stale).toBe(true);
    expect(s4.threads.get(notYet.tid)?.stale).toBeNull();
    expect(s4.threads.get(other.tid)?.stale).toBe(false);
    // The driver does not see the mark; a new read_begin (after the invalidation) starts clean again.
    expect(s4.threads.get(mapped.tid)?.entries).toEqual(s2.threads.get(mapped.tid)?.entries);
  });

  // step() lets only a callback thread return (op.by); kernelStep is the kernel side the thread's call reaches.
  const kernelReturn = (s: State, notifier: number, by?: number): string => {
    const r = kernelStep(s, { kind: 'invalidate_callback_return', notifier, ret: true, ...(by === undefined ? {} : { by }) });
    if (E.isRight(r)) return expect.fail('the return was accepted');
    expect(r.left.op).toBe('invalidate_callback_return');
    return r.left.reason;
  };

  it('with an invalidation in flight that runs no callback (the owner has no driver code), a callback return finds no frame: ill-formed', () => {
    const { state: s0 } = run(designWorld('vma-p2p-map-notifier-record-unlocked'), barOp);
    const vma = lastId(s0.vmas);
    const { state: s1 } = run(s0, insert(EXPORTER));
    const notifier = lastId(s1.notifiers);
    const { state } = run(s1, munmapVma(s1, vma));
    expect([...state.invalidations.values()].map((i) => i.running)).toEqual([null]);
    expect(kernelReturn(state, notifier)).toBe(`ill-formed: no invalidate callback of notifier ${notifier} is running`);
  });

  it('a callback return names the running callback: another notifier, or another thread of it, finds no frame', () => {
    const { state: s0 } = run(designWorld('vma-p2p-map-notifier-record-unlocked'), barOp);
    const vma = lastId(s0.vmas);
    const { state: s1 } = run(s0, insert(DRIVER), insert(DRIVER));
    const second = lastId(s1.notifiers);
    const { state, events } = run(s1, munmapVma(s1, vma));
    const cb = callbackThread(events);
    expect(state.threads.get(cb)?.notifier).toBe(second - 1);
    expect(kernelReturn(state, second)).toBe(`ill-formed: no invalidate callback of notifier ${second} is running`);
    expect(kernelReturn(state, second, cb)).toBe(`ill-formed: no invalidate callback of notifier ${second} is running`);
    expect(kernelReturn(state, second - 1, cb + 100)).toBe(`ill-formed: no invalidate callback of notifier ${second - 1} is running`);
    // without `by` the running callback of the notifier is the one that returns
    const r = kernelStep(state, { kind: 'invalidate_callback_return', notifier: second - 1, ret: false });
    if (E.isLeft(r)) return expect.fail(r.left.reason);
    expect(r.right.events[0]).toMatchObject({ kind: 'callback-returned', notifier: second - 1, device: DRIVER, ret: false });
    expect(r.right.state.threads.has(cb)).toBe(false);
  });
});
