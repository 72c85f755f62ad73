/**
 * handle_mm_fault corners: do_wp_page's reuse-or-copy decision in each
 * era, the anon_vma a VMA keeps across a split and merge, the page cache
 * a second mapping finds, and VM_FAULT_OOM where a fault needs a new page.
 */
import { describe, expect, it } from 'vitest';
import type { Op } from '../../model/op.ts';
import { currentEra, makeWorld } from '../../model/world.ts';
import { eraWith, frame, lastId, mmapAnon, mmapFile, mmapP2pmem, oldEra, P2PDMA_BASE, pfnAt, pin, pteAt, rejectedWith, run, world, worldSpec, writeFault } from './helpers.ts';

const load = (addr: number, mm = 0): Op => ({ kind: 'load', mm, addr });
const mprotect = (start: number, npages: number, write: boolean): Op => ({ kind: 'mprotect', mm: 0, start, npages, write });

describe('do_wp_page: reuse or copy', () => {
  it('before 5.8 (mapcount rule) a write fault on a page fork left mapped twice copies it', () => {
    const { state: s1 } = run(world(oldEra), mmapAnon(1), writeFault(0), { kind: 'fork', mm: 0 });
    expect(frame(s1, 0)).toMatchObject({ mapcount: 2, refcount: 2 });
    const { state } = run(s1, writeFault(0));
    expect(pteAt(state, 0, 0)).toEqual({ pfn: 1, writable: true });
    expect(frame(state, 0)).toMatchObject({ mapcount: 1, refcount: 1 });
    expect(frame(state, 1)).toMatchObject({ mapcount: 1, refcount: 1, dirty: true });
  });

  it('since 5.19 a pinned page that fork (without early COW) left mapped twice is not exclusive: the write fault copies it', () => {
    const era = eraWith({ forkEarlyCow: false });
    const { state: s1 } = run(world(era), mmapAnon(1), writeFault(0), pin(0, 1, true), { kind: 'fork', mm: 0 });
    expect(frame(s1, 0)).toMatchObject({ mapcount: 2, pincount: 1 });
    const { state } = run(s1, writeFault(0));
    expect(pteAt(state, 0, 0)).toEqual({ pfn: 1, writable: true });
    expect(pteAt(state, lastId(state.mms), 0)).toEqual({ pfn: 0, writable: false });
    expect(frame(state, 0)).toMatchObject({ mapcount: 1, pincount: 1 });
  });
});

describe('anon_vma_prepare', () => {
  it('a VMA merged back after mprotect keeps the anon_vma of its first page for a page faulted later', () => {
    const { state: s1 } = run(world(), mmapAnon(3), writeFault(0));
    const first = lastId(s1.vmas);
    const { state: s2 } = run(s1, mprotect(0, 1, false), mprotect(0, 1, true));
    const merged = lastId(s2.vmas);
    expect(s2.vmas.size).toBe(1);
    expect(merged).not.toBe(first);
    expect(s2.vmas.get(merged)?.anonVma).toBe(first);
    const { state } = run(s2, writeFault(2));
    expect(state.vmas.get(merged)).toMatchObject({ anonVma: first, start: 0, npages: 3 });
    expect(pfnAt(state, 0, 2)).toBe(1);
  });
});

describe('filemap_fault', () => {
  it('a second mapping of the same file offset finds the page already in the page cache', () => {
    // an anonymous page takes pfn 0 first, so the page-cache page is pfn 1
    const { state: s1 } = run(world(), mmapAnon(1), writeFault(0));
    const { state, events } = run(s1, mmapFile(1), mmapFile(1), load(1), load(2));
    expect(pteAt(state, 0, 1)).toEqual({ pfn: 1, writable: false });
    expect(pteAt(state, 0, 2)).toEqual({ pfn: 1, writable: false });
    expect(state.inodes[0]?.cache[0]).toBe(1);
    expect(frame(state, 1)).toMatchObject({ mapcount: 2, refcount: 3 });
    expect(frame(state, 2).free).toBe(true);
    expect(events).toEqual([
      { kind: 'cpu-access', pfn: 1, via: 'load', io: false },
      { kind: 'cpu-access', pfn: 1, via: 'load', io: false },
    ]);
  });
});

describe('VM_FAULT_OOM', () => {
  const oneRamPage = () => makeWorld({ ...worldSpec(currentEra), ramPages: 1 });

  it('a store to the zero page with no free RAM page is -ENOMEM', () => {
    const { state } = run(oneRamPage(), mmapAnon(2), writeFault(0), load(1));
    expect(rejectedWith(state, writeFault(1))).toBe('-ENOMEM: no free RAM page to replace the zero page (VM_FAULT_OOM)');
  });

  it('a file fault with no free RAM page for the page cache is -ENOMEM', () => {
    const { state } = run(oneRamPage(), mmapAnon(1), writeFault(0), mmapFile(1));
    expect(rejectedWith(state, load(1))).toBe('-ENOMEM: no free RAM page for the page cache');
  });
});

describe('device memory', () => {
  it('pin_user_pages(FOLL_PCI_P2PDMA) of a present P2PDMA PTE takes no fault and reports no event', () => {
    const { state, events } = run(world(), mmapP2pmem(1), pin(0, 1, true, { p2pdma: true }));
    expect(events).toEqual([]);
    expect(frame(state, P2PDMA_BASE)).toMatchObject({ pincount: 1, refcount: 2 });
  });
});
