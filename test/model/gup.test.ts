import * as E from 'fp-ts/lib/Either.js';
import { step } from '../../model/step.ts';
import { describe, expect, it } from 'vitest';
import type { Op } from '../../model/op.ts';
import type { State } from '../../model/state.ts';
import {
  IMPORTER,
  P2PDMA_BASE,
  P2PDMA_PROVIDER,
  eraWith,
  frame,
  gup,
  lastId,
  mmapAnon,
  mmapBar,
  mmapFile,
  mmapP2pmem,
  newId,
  pin,
  pteAt,
  rejectedWith,
  run,
  world,
  writeFault, munmapVma } from './helpers.ts';

const putPage = (pages: number): Op => ({ kind: 'put_page', pages });
const unpin = (pages: number): Op => ({ kind: 'unpin_user_pages', pages });
const unpinDirty = (pages: number, make_dirty: boolean): Op => ({ kind: 'unpin_user_pages_dirty_lock', pages, make_dirty });

/** Run and return the new state plus the id of the page array created last. */
const withPages = (s: State, ...ops: Op[]): { state: State; pages: number } => {
  const { state } = run(s, ...ops);
  return { state, pages: lastId(state.pageArrays) };
};

/** A clean file page (pfn 0) pinned read-only by mm 0. */
const pinnedCleanFilePage = () => withPages(world(), mmapFile(1), pin(0, 1, false));

describe('get_user_pages', () => {
  it('get_user_pages faults anonymous pages in and takes one reference on each', () => {
    const { state: s1 } = run(world(), mmapAnon(2));
    const vma = lastId(s1.vmas);
    const { state, events } = run(s1, gup(0, 2, true));
    const id = newId(s1.pageArrays, state.pageArrays);
    expect(state.pageArrays.get(id)).toEqual({ id, kind: 'get', mm: 0, vma, vmas: [vma, vma], cow: [true, true], start: 0, pfns: [0, 1], gens: [1, 1], write: true, longterm: false });
    for (const pfn of [0, 1]) expect(frame(state, pfn)).toMatchObject({ refcount: 2, mapcount: 1, pincount: 0 });
    expect(state.mms.get(0)?.hasPinned).toBe(false);
    expect(events).toEqual([]);
  });

  it('get_user_pages for write on a file VMA dirties each page through page_mkwrite', () => {
    const { state, events } = run(world(), mmapFile(2), gup(0, 2, true));
    expect(events).toEqual([
      { kind: 'page-dirtied', pfn: 0 },
      { kind: 'page-dirtied', pfn: 1 },
    ]);
    expect(frame(state, 0)).toMatchObject({ dirty: true, fsPrivate: true, refcount: 3, mapcount: 1 });
  });

  it('get_user_pages for read on a file VMA maps a clean page read-only', () => {
    const { state, events } = run(world(), mmapFile(1), gup(0, 1, false));
    expect(pteAt(state, 0, 0)).toEqual({ pfn: 0, writable: false });
    expect(frame(state, 0)).toMatchObject({ dirty: false, fsPrivate: false, refcount: 3, mapcount: 1 });
    expect(events).toEqual([]);
  });

  it('get_user_pages for write on a page shared copy-on-write breaks COW first', () => {
    const { state } = withPages(world(), mmapAnon(1), writeFault(0), { kind: 'fork', mm: 0 }, gup(0, 1, true));
    const a = state.pageArrays.get(lastId(state.pageArrays))!;
    expect(a.pfns).toEqual([1]);
    expect(pteAt(state, 0, 0)).toEqual({ pfn: 1, writable: true });
    expect(frame(state, 1)).toMatchObject({ refcount: 2, mapcount: 1 });
    expect(frame(state, 0)).toMatchObject({ refcount: 1, mapcount: 1 });
  });

  it('get_user_pages on a BAR VMA (VM_IO|VM_PFNMAP) is rejected with -EFAULT', () => {
    const { state } = run(world(), mmapBar(1));
    expect(rejectedWith(state, gup(0, 1, false))).toContain('-EFAULT: vma 1 is VM_IO|VM_PFNMAP');
  });

  it('get_user_pages of a range that runs past the VMA into nothing returns the pages before the hole (a short count, as __get_user_pages does)', () => {
    const { state: s1 } = run(world(), mmapAnon(2));
    const { state } = run(s1, gup(1, 2, true));
    const id = newId(s1.pageArrays, state.pageArrays);
    expect(state.pageArrays.get(id)).toMatchObject({ start: 1, pfns: [0], vmas: [lastId(s1.vmas)] });
  });

  it('get_user_pages with FOLL_WRITE on a VMA mprotect made read-only is rejected with -EFAULT (check_vma_flags, no FOLL_FORCE)', () => {
    const { state } = run(world(), mmapAnon(1), { kind: 'mprotect', mm: 0, start: 0, npages: 1, write: false });
    expect(rejectedWith(state, gup(0, 1, true))).toContain('-EFAULT: FOLL_WRITE on vma');
    expect(E.isRight(step(state, gup(0, 1, false)))).toBe(true);
  });

  it('get_user_pages that starts in a hole is rejected with -EFAULT (no page taken, so the error is returned)', () => {
    const { state } = run(world(), mmapAnon(2));
    expect(rejectedWith(state, gup(2, 1, false))).toBe('-EFAULT: no vma of mm 0 covers page 2');
  });

  it('get_user_pages across two VMAs takes the pages of both, each with the VMA it came from', () => {
    const { state: s1 } = run(world(), mmapAnon(1), mmapFile(1));
    const [anonVma, fileVma] = [...s1.vmas.keys()];
    const { state } = run(s1, gup(0, 2, true));
    const id = newId(s1.pageArrays, state.pageArrays);
    expect(state.pageArrays.get(id)).toMatchObject({ vma: anonVma, vmas: [anonVma, fileVma], pfns: [0, 1] });
  });

  it('get_user_pages that reaches a VM_PFNMAP VMA after an ordinary one stops there: the short count covers the ordinary pages only', () => {
    const { state: s1 } = run(world(), mmapAnon(1), mmapBar(1));
    const { state } = run(s1, gup(0, 2, false));
    const id = newId(s1.pageArrays, state.pageArrays);
    expect(state.pageArrays.get(id)!.pfns).toHaveLength(1);
    expect(rejectedWith(s1, gup(1, 1, false))).toContain('VM_IO|VM_PFNMAP');
  });

  it('get_user_pages of zero pages is rejected', () => {
    const { state } = run(world(), mmapAnon(1));
    expect(rejectedWith(state, gup(0, 0, false))).toContain('returns 0: npages 0 asks for nothing');
  });

  it('get_user_pages in an mm that is not alive is rejected', () => {
    expect(rejectedWith(world(), gup(0, 1, false, 4))).toContain('-EFAULT: mm 4 has exited');
  });

  it('get_user_pages on P2PDMA pages is rejected with -EREMOTEIO when the era gates them', () => {
    const { state } = run(world(eraWith({ p2pGupGate: true })), mmapP2pmem(1));
    expect(rejectedWith(state, gup(0, 1, false))).toContain('-EREMOTEIO');
  });

  it('get_user_pages on P2PDMA pages is accepted when the era does not gate them', () => {
    const { state } = run(world(eraWith({ p2pGupGate: false })), mmapP2pmem(1), gup(0, 1, true));
    expect(state.pageArrays.get(lastId(state.pageArrays))?.pfns).toEqual([P2PDMA_BASE]);
    expect(frame(state, P2PDMA_BASE)).toMatchObject({ refcount: 2, pincount: 0 });
  });

  it('get_user_pages when no RAM is left to fault in is rejected with -ENOMEM', () => {
    const { state } = run(world(), mmapAnon(8), writeFault(0), writeFault(1), writeFault(2), writeFault(3), writeFault(4), writeFault(5), writeFault(6), writeFault(7), mmapAnon(1));
    expect(rejectedWith(state, gup(8, 1, true))).toContain('-ENOMEM');
    // A read needs no RAM: it maps the shared zero page.
    expect(E.isRight(step(state, gup(8, 1, false)))).toBe(true);
  });
});

describe('pin_user_pages', () => {
  it('pin_user_pages takes a pin and a reference on each page and marks the mm has_pinned', () => {
    const { state: s1 } = run(world(), mmapAnon(1));
    const { state } = run(s1, pin(0, 1, true, { longterm: true }));
    const id = newId(s1.pageArrays, state.pageArrays);
    expect(state.pageArrays.get(id)).toMatchObject({ kind: 'pin', mm: 0, pfns: [0], write: true, longterm: true });
    expect(frame(state, 0)).toMatchObject({ refcount: 2, pincount: 1, mapcount: 1 });
    expect(state.mms.get(0)?.hasPinned).toBe(true);
  });

  it('pin_user_pages with longterm and write on a file VMA is rejected under the current era', () => {
    const { state } = run(world(), mmapFile(1));
    expect(rejectedWith(state, pin(0, 1, true, { longterm: true }))).toContain('FOLL_LONGTERM|FOLL_WRITE');
  });

  it('pin_user_pages with longterm and write on a file VMA is accepted when the era has no longtermFileGate', () => {
    const { state, events } = run(world(eraWith({ longtermFileGate: false })), mmapFile(1), pin(0, 1, true, { longterm: true }));
    expect(state.pageArrays.get(lastId(state.pageArrays))).toMatchObject({ kind: 'pin', longterm: true, write: true, pfns: [0] });
    expect(frame(state, 0)).toMatchObject({ pincount: 1, refcount: 3, dirty: true });
    expect(events).toEqual([{ kind: 'page-dirtied', pfn: 0 }]);
  });

  it('pin_user_pages with longterm and write on anonymous memory is accepted under the current era', () => {
    const { state } = run(world(), mmapAnon(1), pin(0, 1, true, { longterm: true }));
    expect(frame(state, 0).pincount).toBe(1);
  });

  it('pin_user_pages with longterm but read-only on a file VMA is accepted under the current era', () => {
    const { state } = run(world(), mmapFile(1), pin(0, 1, false, { longterm: true }));
    expect(frame(state, 0)).toMatchObject({ pincount: 1, dirty: false });
  });

  it('pin_user_pages on P2PDMA pages with FOLL_PCI_P2PDMA pins the ZONE_DEVICE page', () => {
    const { state } = run(world(), mmapP2pmem(1), pin(0, 1, true, { p2pdma: true }));
    expect(state.pageArrays.get(lastId(state.pageArrays))?.pfns).toEqual([P2PDMA_BASE]);
    expect(frame(state, P2PDMA_BASE)).toMatchObject({ refcount: 2, pincount: 1, mapcount: 1 });
  });

  it('pin_user_pages on P2PDMA pages without FOLL_PCI_P2PDMA is rejected with -EREMOTEIO', () => {
    const { state } = run(world(), mmapP2pmem(1));
    expect(rejectedWith(state, pin(0, 1, true))).toContain('FOLL_PCI_P2PDMA was not passed');
  });

  it('pin_user_pages combining FOLL_PCI_P2PDMA with FOLL_LONGTERM is rejected with -EINVAL', () => {
    const { state } = run(world(), mmapP2pmem(1));
    expect(rejectedWith(state, pin(0, 1, true, { p2pdma: true, longterm: true }))).toContain('-EINVAL');
  });

  it('pin_user_pages on a BAR VMA is rejected with -EFAULT', () => {
    const { state } = run(world(), mmapBar(1));
    expect(rejectedWith(state, pin(0, 1, true))).toContain('VM_IO|VM_PFNMAP');
  });

  it('pin_user_pages on a p2pmem VMA whose provider was removed is rejected with -EFAULT (the fault\'s SIGBUS)', () => {
    const { state } = run(world(), mmapP2pmem(1), { kind: 'pci_stop_and_remove_bus_device', dev: P2PDMA_PROVIDER });
    expect(rejectedWith(state, pin(0, 1, true, { p2pdma: true }))).toContain('-EFAULT: vma');
  });
});

describe('put_page', () => {
  it('put_page on a get_user_pages array drops each reference and forgets the array', () => {
    const { state: s1, pages } = withPages(world(), mmapAnon(2), gup(0, 2, true));
    const { state, events } = run(s1, putPage(pages));
    expect(state.pageArrays.has(pages)).toBe(false);
    for (const pfn of [0, 1]) expect(frame(state, pfn)).toMatchObject({ free: false, refcount: 1, mapcount: 1 });
    expect(events).toEqual([
      { kind: 'reference-dropped', pfn: 0, pages, pin: false, write: true, undirtiedDeviceData: false },
      { kind: 'reference-dropped', pfn: 1, pages, pin: false, write: true, undirtiedDeviceData: false },
    ]);
  });

  it('put_page of the last reference after munmap frees the page', () => {
    const { state: s1, pages } = withPages(world(), mmapAnon(1), writeFault(0), gup(0, 1, false));
    const { state, events } = run(s1, munmapVma(s1, lastId(s1.vmas)), putPage(pages));
    expect(frame(state, 0).free).toBe(true);
    expect(events.slice(-2)).toEqual([
      { kind: 'reference-dropped', pfn: 0, pages, pin: false, write: false, undirtiedDeviceData: false },
      { kind: 'page-freed', pfn: 0 },
    ]);
  });

  it('put_page on a pinned array is accepted (refcount arithmetic): the pin stays counted, held by nobody', () => {
    const { state: s1, pages } = withPages(world(), mmapAnon(1), writeFault(0), pin(0, 1, true));
    expect(frame(s1, 0)).toMatchObject({ refcount: 2, pincount: 1, lostPins: 0 });
    const { state, events } = run(s1, putPage(pages));
    expect(state.pageArrays.has(pages)).toBe(false);
    // GUP_PIN_COUNTING_BIAS - 1 references stay in _refcount: one in the model, and the pin with them.
    expect(frame(state, 0)).toMatchObject({ free: false, refcount: 2, pincount: 1, lostPins: 1, mapcount: 1 });
    expect(events).toEqual([
      { kind: 'reference-dropped', pfn: 0, pages, pin: false, write: true, undirtiedDeviceData: false },
      { kind: 'pin-lost', pfn: 0, pages },
    ]);
  });

  it('a page whose pin was lost is never freed: munmap leaves it allocated with the lost pin its only reference', () => {
    const { state: s1, pages } = withPages(world(), mmapAnon(1), writeFault(0), pin(0, 1, true));
    const { state, events } = run(s1, putPage(pages), munmapVma(s1, lastId(s1.vmas)));
    expect(frame(state, 0)).toMatchObject({ free: false, refcount: 1, pincount: 1, lostPins: 1, mapcount: 0 });
    expect(events.some((e) => e.kind === 'page-freed')).toBe(false);
  });

  it('put_page on an array that was already released is rejected', () => {
    const { state: s1, pages } = withPages(world(), mmapAnon(1), gup(0, 1, true));
    const { state } = run(s1, putPage(pages));
    expect(rejectedWith(state, putPage(pages))).toContain(`pages ${pages} are not held`);
  });
});

describe('unpin_user_pages', () => {
  it('unpin_user_pages drops each pin and reference and forgets the array', () => {
    const { state: s1, pages } = withPages(world(), mmapAnon(1), pin(0, 1, true));
    const { state, events } = run(s1, unpin(pages));
    expect(state.pageArrays.has(pages)).toBe(false);
    expect(frame(state, 0)).toMatchObject({ free: false, refcount: 1, pincount: 0, mapcount: 1 });
    expect(events).toEqual([{ kind: 'reference-dropped', pfn: 0, pages, pin: true, write: true, undirtiedDeviceData: false }]);
  });

  it('unpin_user_pages on a get_user_pages array is rejected', () => {
    const { state, pages } = withPages(world(), mmapAnon(1), gup(0, 1, true));
    expect(rejectedWith(state, unpin(pages))).toContain('ill-formed: pages 2 came from get_user_pages');
  });

  it('unpin_user_pages on an array that was never returned is rejected', () => {
    expect(rejectedWith(world(), unpin(12))).toContain('pages 12 are not held');
  });

  it('a device write into a page that is already dirty leaves no undirtied data: writeback takes it (correct-dirtying rule 1)', () => {
    const { state: s1, pages } = withPages(world(), mmapAnon(1), pin(0, 1, true));
    expect(frame(s1, 0).dirty).toBe(true);
    const { state: s2 } = run(s1, { kind: 'sg_alloc_table_from_pages', pages });
    const { state: s3 } = run(s2, { kind: 'dma_map_sg', dev: IMPORTER, sgl: lastId(s2.sgls), dir: 'from-device' });
    const { state: s4 } = run(s3, { kind: 'device_write', mapping: lastId(s3.mappings), index: 0 });
    expect(frame(s4, 0).deviceWroteSinceDirtied).toBe(false);
    expect(run(s4, unpin(pages)).events).toEqual([{ kind: 'reference-dropped', pfn: 0, pages, pin: true, write: true, undirtiedDeviceData: false }]);
  });

  it('reference-dropped carries undirtiedDeviceData when a device wrote a clean page (after writeback) and nobody dirtied it', () => {
    const { state: s0, pages } = withPages(world(), mmapFile(1), pin(0, 1, true));
    const { state: s1 } = run(s0, { kind: 'writeback', page: 0 });
    const { state: s2 } = run(s1, { kind: 'sg_alloc_table_from_pages', pages });
    const { state: s3 } = run(s2, { kind: 'dma_map_sg', dev: IMPORTER, sgl: lastId(s2.sgls), dir: 'from-device' });
    const { state: s4 } = run(s3, { kind: 'device_write', mapping: lastId(s3.mappings), index: 0 });
    expect(frame(s4, 0).deviceWroteSinceDirtied).toBe(true);
    const { events } = run(s4, unpin(pages));
    expect(events).toEqual([{ kind: 'reference-dropped', pfn: 0, pages, pin: true, write: true, undirtiedDeviceData: true }]);
  });
});

describe('unpin_user_pages_dirty_lock', () => {
  it('unpin_user_pages_dirty_lock with make_dirty dirties a clean page and emits page-dirtied before dropping the pin', () => {
    const { state: s1, pages } = pinnedCleanFilePage();
    expect(frame(s1, 0).dirty).toBe(false);
    const { state, events } = run(s1, unpinDirty(pages, true));
    expect(frame(state, 0)).toMatchObject({ dirty: true, pincount: 0, refcount: 2 });
    expect(state.pageArrays.has(pages)).toBe(false);
    expect(events).toEqual([
      { kind: 'page-dirtied', pfn: 0 },
      { kind: 'reference-dropped', pfn: 0, pages, pin: true, write: false, undirtiedDeviceData: false },
    ]);
  });

  it('unpin_user_pages_dirty_lock with make_dirty emits no page-dirtied for a page that is already dirty', () => {
    const { state: s1, pages } = withPages(world(), mmapAnon(1), pin(0, 1, true));
    const { events } = run(s1, unpinDirty(pages, true));
    expect(events.map((e) => e.kind)).toEqual(['reference-dropped']);
  });

  it('unpin_user_pages_dirty_lock with make_dirty clears the undirtied device data before the drop is recorded', () => {
    const { state: s1, pages } = pinnedCleanFilePage();
    const { state: s2 } = run(s1, { kind: 'sg_alloc_table_from_pages', pages });
    const { state: s3 } = run(s2, { kind: 'dma_map_sg', dev: IMPORTER, sgl: lastId(s2.sgls), dir: 'bidirectional' });
    const { state: s4 } = run(s3, { kind: 'device_write', mapping: lastId(s3.mappings), index: 0 });
    const { state, events } = run(s4, unpinDirty(pages, true));
    expect(frame(state, 0).deviceWroteSinceDirtied).toBe(false);
    expect(events).toContainEqual({ kind: 'reference-dropped', pfn: 0, pages, pin: true, write: false, undirtiedDeviceData: false });
  });

  it('unpin_user_pages_dirty_lock without make_dirty leaves a clean page clean', () => {
    const { state: s1, pages } = pinnedCleanFilePage();
    const { state, events } = run(s1, unpinDirty(pages, false));
    expect(frame(state, 0)).toMatchObject({ dirty: false, pincount: 0 });
    expect(events.map((e) => e.kind)).toEqual(['reference-dropped']);
  });

  it('unpin_user_pages_dirty_lock on a get_user_pages array is rejected', () => {
    const { state, pages } = withPages(world(), mmapAnon(1), gup(0, 1, true));
    expect(rejectedWith(state, unpinDirty(pages, true))).toContain('ill-formed: pages 2 came from get_user_pages');
  });
});

describe('set_page_dirty_lock', () => {
  it('set_page_dirty_lock dirties every clean page of a held array and keeps the array', () => {
    const { state: s1, pages } = withPages(world(), mmapFile(2), gup(0, 2, false));
    const { state, events } = run(s1, { kind: 'set_page_dirty_lock', pages });
    expect(frame(state, 0).dirty).toBe(true);
    expect(frame(state, 1).dirty).toBe(true);
    expect(frame(state, 0).refcount).toBe(frame(s1, 0).refcount);
    expect(state.pageArrays.get(pages)).toBe(s1.pageArrays.get(pages));
    expect(events).toEqual([
      { kind: 'page-dirtied', pfn: 0 },
      { kind: 'page-dirtied', pfn: 1 },
    ]);
  });

  it('set_page_dirty_lock on a dirty page emits nothing but clears the undirtied device data', () => {
    const { state: s1, pages } = withPages(world(), mmapAnon(1), gup(0, 1, true));
    const { state: s2 } = run(s1, { kind: 'sg_alloc_table_from_pages', pages });
    const { state: s3 } = run(s2, { kind: 'dma_map_sg', dev: IMPORTER, sgl: lastId(s2.sgls), dir: 'from-device' });
    const { state: s4 } = run(s3, { kind: 'device_write', mapping: lastId(s3.mappings), index: 0 });
    const { state, events } = run(s4, { kind: 'set_page_dirty_lock', pages });
    expect(frame(state, 0)).toMatchObject({ dirty: true, deviceWroteSinceDirtied: false });
    expect(events).toEqual([]);
  });

  it('set_page_dirty_lock after the reference was dropped is rejected', () => {
    const { state: s1, pages } = withPages(world(), mmapAnon(1), gup(0, 1, true));
    const { state } = run(s1, putPage(pages));
    expect(rejectedWith(state, { kind: 'set_page_dirty_lock', pages })).toContain('the reference was already dropped');
  });
});

describe('vmsplice and pipe_read', () => {
  const splice = (start: number, npages: number): Op => ({ kind: 'vmsplice', mm: 0, start, npages });
  it('vmsplice takes a FOLL_GET reference without FOLL_WRITE on each page, held by the pipe', () => {
    const { state: s1 } = run(world(), mmapAnon(2), { kind: 'store', mm: 0, addr: 0 }, { kind: 'store', mm: 0, addr: 1 });
    const vma = lastId(s1.vmas);
    const { state, events } = run(s1, splice(0, 2));
    const id = newId(s1.pageArrays, state.pageArrays);
    expect(state.pageArrays.get(id)).toEqual({ id, kind: 'get', mm: 0, vma, vmas: [vma, vma], cow: [true, true], pipe: true, start: 0, pfns: [0, 1], gens: [1, 1], write: false, longterm: false });
    for (const pfn of [0, 1]) expect(frame(state, pfn)).toMatchObject({ refcount: 2, mapcount: 1, pincount: 0 });
    expect(events).toEqual([]);
    // The PTEs stay writable: a read-only GUP breaks no sharing and write-protects nothing.
    expect(pteAt(state, 0, 0)).toMatchObject({ pfn: 0, writable: true });
  });

  it('vmsplice of memory never written splices the shared zero page (a read fault)', () => {
    const { state } = run(world(), mmapAnon(1), splice(0, 1));
    const a = state.pageArrays.get(lastId(state.pageArrays))!;
    expect(state.frames[a.pfns[0]!]!.mapping.kind).toBe('zero');
  });

  it('pipe_read copies each page with the CPU, then drops the pipe\'s references', () => {
    const { state: s1 } = withPages(world(), mmapAnon(1), { kind: 'store', mm: 0, addr: 0 }, splice(0, 1));
    const pages = lastId(s1.pageArrays);
    const { state, events } = run(s1, { kind: 'pipe_read', pages });
    expect(events.slice(0, 1)).toEqual([{ kind: 'cpu-access', pfn: 0, via: 'pipe_read', io: false }]);
    expect(events[1]).toMatchObject({ kind: 'reference-dropped', pfn: 0, pages, pin: false, write: false });
    expect(state.pageArrays.has(pages)).toBe(false);
    expect(frame(state, 0)).toMatchObject({ refcount: 1, mapcount: 1 });
  });

  it('the pipe keeps the page after the process exits, and its read frees it', () => {
    const { state: s1 } = withPages(world(), mmapAnon(1), { kind: 'store', mm: 0, addr: 0 }, splice(0, 1), { kind: 'exit_mmap', mm: 0 });
    expect(frame(s1, 0)).toMatchObject({ free: false, refcount: 1, mapcount: 0 });
    const { state, events } = run(s1, { kind: 'pipe_read', pages: lastId(s1.pageArrays) });
    expect(events).toContainEqual({ kind: 'page-freed', pfn: 0 });
    expect(frame(state, 0).free).toBe(true);
  });

  it("a pipe's buffers are not a driver's pages: put_page, unpin and set_page_dirty_lock of them are ill-formed", () => {
    const { state, pages } = withPages(world(), mmapAnon(1), splice(0, 1));
    for (const op of [putPage(pages), unpin(pages), { kind: 'set_page_dirty_lock', pages } as Op]) expect(rejectedWith(state, op)).toContain("a pipe's buffers");
  });
});

describe('should_force_cow_break (5.8: gupBreaksCow)', () => {
  it('a read-only get_user_pages of a page fork shares breaks COW first: the caller gets its own copy, the other process keeps the page', () => {
    const era = eraWith({ gupBreaksCow: true, forkEarlyCow: false, cowReuseOnlyUnreferenced: false });
    const { state: s1 } = run(world(era), mmapAnon(1), { kind: 'store', mm: 0, addr: 0 }, { kind: 'fork', mm: 0 });
    const child = [...s1.mms.keys()].find((m) => m !== 0)!;
    const { state } = run(s1, { kind: 'get_user_pages', mm: child, start: 0, npages: 1, write: false });
    const a = state.pageArrays.get(lastId(state.pageArrays))!;
    expect(a.pfns).not.toEqual([0]);
    expect(pteAt(state, child, 0)).toMatchObject({ pfn: a.pfns[0], writable: true });
    expect(pteAt(state, 0, 0)!.pfn).toBe(0);
    // Without it (before 5.8, and again from 5.9) the read takes the shared page.
    const { state: plain } = run(run(world(), mmapAnon(1), { kind: 'store', mm: 0, addr: 0 }, { kind: 'fork', mm: 0 }).state, { kind: 'get_user_pages', mm: child, start: 0, npages: 1, write: false });
    expect(plain.pageArrays.get(lastId(plain.pageArrays))!.pfns).toEqual([0]);
  });
});
