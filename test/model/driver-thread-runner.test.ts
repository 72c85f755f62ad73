/**
 * The driver-thread runner (model/driver-thread.ts): a call a thread makes
 * runs as its recipe's next step; an error the kernel returns sends the
 * driver down its error path; a wait or a call the code cannot make does not.
 */
import { describe, expect, it } from 'vitest';
import { peekThread } from '../../model/driver-thread.ts';
import type { Op } from '../../model/op.ts';
import type { State } from '../../model/state.ts';
import { callbackThread, designWorld, lastId, rejectedWith, run, runThread } from './helpers.ts';

const DRIVER = 1;
const barOp: Op = { kind: 'mmap', mm: 0, npages: 1, backing: { kind: 'bar', bar: 0 } };

/** A BAR VMA subscribed by the importer and its map path started and run `steps` calls (by default up to its p2p_map). */
const atMap = (steps = 4): { state: State; tid: number; notifier: number; vma: number } => {
  const { state: s1 } = run(designWorld('vma-p2p-map-notifier-record-unlocked'), barOp, { kind: 'mmu_interval_notifier_insert', mm: 0, start: 0, npages: 1, owner: DRIVER });
  const notifier = lastId(s1.notifiers);
  const { state: s2 } = run(s1, { kind: 'driver_map_range', dev: DRIVER, notifier });
  const tid = lastId(s2.threads);
  const { state } = runThread(s2, tid, steps);
  return { state, tid, notifier, vma: lastId(state.vmas) };
};

describe('a driver call the kernel refuses', () => {
  it('p2p_map -ENODEV after pci_stop_and_remove_bus_device: the map path takes its error path (call-failed) and returns -EFAULT', () => {
    const { state: s0, tid, vma } = atMap();
    const { state: s1, events } = run(s0, { kind: 'pci_stop_and_remove_bus_device', dev: 0 });
    const cb = runThread(s1, callbackThread(events));
    const { state: s2 } = run(cb.state, { kind: 'mmu_notifier_invalidate_range_end', inv: lastId(cb.state.invalidations) });
    expect(s2.vmas.has(vma)).toBe(true);
    const op: Op = { kind: 'p2p_map', vma, dev: DRIVER, write: true, by: tid };
    expect(peekThread(s2, tid)).toEqual(op);
    const r = run(s2, op);
    expect(r.events).toEqual([{ kind: 'call-failed', op: 'p2p_map', reason: '-ENODEV: the provider of BAR 0 was removed' }]);
    expect(r.state.threads.get(tid)?.pc).toBe(17);
    expect(r.state.mappings.size).toBe(0);
    expect(runThread(r.state, tid).ops).toEqual([
      { kind: 'mmap_read_unlock', mm: 0, by: tid },
      { kind: 'mmput', mm: 0, by: tid },
      { kind: 'driver_return', dev: DRIVER, err: '-EFAULT', by: tid },
    ]);
  });

  it('mmap_read_lock while munmap holds mmap_write_lock waits: the thread stays where it is, no error path', () => {
    const { state: s0, tid } = atMap(2);
    const { state: s1 } = run(s0, { kind: 'munmap', mm: 0, start: 0, npages: 1 });
    const reason = rejectedWith(s1, { kind: 'mmap_read_lock', mm: 0, by: tid });
    expect(reason).toBe('waits: mmap_write_lock of mm 0 is held');
    expect(s1.threads.get(tid)?.pc).toBe(2);
  });
});

describe('a thread whose code cannot go on', () => {
  it("a thread running code no recipe has: its call is ill-formed and it has no next call", () => {
    const { state: s0, tid, vma } = atMap();
    const s: State = { ...s0, threads: new Map([[tid, { ...s0.threads.get(tid)!, recipe: 'no-such-driver' }]]) };
    expect(peekThread(s, tid)).toBeNull();
    expect(rejectedWith(s, { kind: 'p2p_map', vma, dev: DRIVER, write: true, by: tid })).toBe(`ill-formed: driver thread ${tid} runs unknown code 'no-such-driver'`);
  });

  it('a thread past the last step of its recipe: its call is ill-formed and it has no next call', () => {
    const { state: s0, tid, vma } = atMap();
    const s: State = { ...s0, threads: new Map([[tid, { ...s0.threads.get(tid)!, pc: 42 }]]) };
    expect(peekThread(s, tid)).toBeNull();
    expect(rejectedWith(s, { kind: 'p2p_map', vma, dev: DRIVER, write: true, by: tid })).toBe('ill-formed: hmm-map has no step 42');
  });
});
