/**
 * clear_refs soft-dirty (model/ops/clear-refs.ts): every present writable
 * PTE is write-protected, and from 5.11 (9348b73c2e1b) a pinned page of a
 * COW mapping is left alone.
 */
import { describe, expect, it } from 'vitest';
import type { Op } from '../../model/op.ts';
import { era59 } from '../../model/world.ts';
import { gup, lastId, mmapAnon, mmapBar, mmapFile, pin, pteAt, rejectedWith, run, world, writeFault } from './helpers.ts';

const clearRefs: Op = { kind: 'clear_refs', mm: 0 };
const store = (addr: number): Op => ({ kind: 'store', mm: 0, addr });

describe('clear_refs (CLEAR_REFS_SOFT_DIRTY)', () => {
  it('write-protects every present writable PTE, anonymous and shared file alike, and leaves a swap entry as it is', () => {
    const { state: s1 } = run(world(), mmapAnon(2), writeFault(0), writeFault(1), mmapFile(1), writeFault(2), { kind: 'reclaim', page: 1 });
    const { state } = run(s1, clearRefs);
    expect(pteAt(state, 0, 0)).toEqual({ pfn: 0, writable: false });
    expect(pteAt(state, 0, 2)?.writable).toBe(false);
    expect(state.vmas.get(1)!.ptes[1]).toEqual(s1.vmas.get(1)!.ptes[1]);
  });

  it('leaves a VM_PFNMAP VMA (an exporter BAR window) alone: clear_refs_test_walk skips it', () => {
    const { state: s1 } = run(world(), mmapBar(1));
    const before = pteAt(s1, 0, 0);
    expect(before?.writable).toBe(true);
    expect(pteAt(run(s1, clearRefs).state, 0, 0)).toEqual(before);
  });

  it('5.10 walks under mmap_read_lock: a driver holding mmap_read_lock does not hold it off; from 5.11 it takes mmap_write_lock', () => {
    // A synthetic reader: mmap_read_lock holders are driver threads, which come with notifiers, where clear_refs is ill-formed.
    const reader = (s: ReturnType<typeof world>) => ({ ...s, mms: new Map([...s.mms].map(([id, m]) => [id, id === 0 ? { ...m, mmapReaders: 1 } : m])) });
    expect(run(reader(run(world(era59), mmapAnon(1), writeFault(0)).state), clearRefs).state.vmas.get(1)!.ptes[0]).toEqual({ pfn: 0, writable: false });
    expect(rejectedWith(reader(run(world(), mmapAnon(1), writeFault(0)).state), clearRefs)).toMatch(/^waits: /);
  });

  it('the next store faults and reuses an unreferenced page: soft-dirty tracking costs a fault, not a copy', () => {
    const { state } = run(world(era59), mmapAnon(1), writeFault(0), clearRefs, store(0));
    expect(pteAt(state, 0, 0)).toEqual({ pfn: 0, writable: true });
  });

  it('5.10: a pinned page is write-protected too, and the next store copies it away from the pin', () => {
    const { state } = run(world(era59), mmapAnon(1), pin(0, 1, true, { longterm: true }), clearRefs, store(0));
    expect(pteAt(state, 0, 0)?.pfn).not.toBe(0);
    expect(state.pageArrays.get(lastId(state.pageArrays))!.pfns).toEqual([0]);
  });

  it('5.11 (pte_is_pinned): a pinned page of a COW mapping keeps its writable PTE', () => {
    const { state } = run(world(), mmapAnon(1), pin(0, 1, true, { longterm: true }), clearRefs);
    expect(pteAt(state, 0, 0)).toEqual({ pfn: 0, writable: true });
  });

  it('5.11 skips only pinned pages: a page behind a plain get_user_pages reference is write-protected', () => {
    const { state } = run(world(), mmapAnon(2), pin(0, 1, true), gup(1, 1, true), clearRefs);
    expect(pteAt(state, 0, 0)?.writable).toBe(true);
    expect(pteAt(state, 0, 1)?.writable).toBe(false);
  });
});
