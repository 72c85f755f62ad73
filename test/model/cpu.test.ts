import { describe, expect, it } from 'vitest';
import { namesAnError } from '../../model/result.ts';
import { eraWith, frame, lastId, mmapAnon, mmapFile, mmapP2pmem, oldEra, pin, pteAt, rejectedWith, run, world, writeFault } from './helpers.ts';

describe('store and load (model/ops/cpu.ts)', () => {
  it('a store to a present writable PTE is a plain store: no fault, no new page', () => {
    const { state: s1 } = run(world(), mmapAnon(1), writeFault(0));
    const { state, events } = run(s1, { kind: 'store', mm: 0, addr: 0 });
    expect(state.frames.filter((f) => !f.free && f.mapping.kind !== 'zero')).toHaveLength(1);
    expect(events).toEqual([{ kind: 'cpu-access', pfn: 0, via: 'store', io: false }]);
  });
  it('a store to an absent PTE faults the page in; a store to a write-protected file page runs ->page_mkwrite', () => {
    const { state: s1, events } = run(world(), mmapFile(1), { kind: 'load', mm: 0, addr: 0 });
    expect(pteAt(s1, 0, 0)).toEqual({ pfn: 0, writable: false });
    expect(events).toEqual([{ kind: 'cpu-access', pfn: 0, via: 'load', io: false }]);
    const { state } = run(s1, { kind: 'store', mm: 0, addr: 0 });
    expect(pteAt(state, 0, 0)?.writable).toBe(true);
    expect(frame(state, 0)).toMatchObject({ dirty: true, fsPrivate: true });
  });
  it('a store through a user mapping of P2PDMA memory is a device-memory access, not a fault', () => {
    const { events } = run(world(), mmapP2pmem(1), { kind: 'store', mm: 0, addr: 0 });
    expect(events).toEqual([{ kind: 'cpu-access', pfn: 8, via: 'store', io: true }]);
  });
  it('an access outside every VMA is SIGSEGV', () => {
    expect(rejectedWith(world(), { kind: 'store', mm: 0, addr: 3 })).toMatch(/^SIGSEGV: /);
  });
});

describe('FAULT_FLAG_UNSHARE (5.19)', () => {
  it('a read-only pin of a page fork left shared gets an exclusive copy mapped read-only; the next store reuses it', () => {
    const { state: s1 } = run(world(), mmapAnon(1), writeFault(0), { kind: 'fork', mm: 0 });
    expect(pteAt(s1, 0, 0)).toEqual({ pfn: 0, writable: false });
    const { state: s2 } = run(s1, pin(0, 1, false));
    const copy = pteAt(s2, 0, 0)!;
    expect(copy.pfn).not.toBe(0);
    expect(copy.writable).toBe(false);
    const { state } = run(s2, { kind: 'store', mm: 0, addr: 0 });
    expect(pteAt(state, 0, 0)).toEqual({ pfn: copy.pfn, writable: true });
    expect(state.pageArrays.get(lastId(state.pageArrays))?.pfns).toEqual([copy.pfn]);
  });
  it('without the unshare era, the read-only pin keeps the shared page', () => {
    const { state: s1 } = run(world(eraWith({ pinUnsharesReadOnly: false })), mmapAnon(1), writeFault(0), { kind: 'fork', mm: 0 }, pin(0, 1, false));
    expect(pteAt(s1, 0, 0)).toEqual({ pfn: 0, writable: false });
    void oldEra;
  });
});

describe('the rejection rule (docs/model.md)', () => {
  it('every rejection reason starts with an error return or "ill-formed"', () => {
    for (const r of ['-EFAULT: x', 'returns 0: x', 'returns NULL: x', 'DMA_MAPPING_ERROR: x', 'SIGSEGV: x', 'ill-formed: x']) expect(namesAnError(r)).toBe(true);
    expect(namesAnError('mapping 3 is not live')).toBe(false);
  });
});
