/**
 * A second release: a driver that gives back, through the page pointers it
 * kept, pins it already released with unpin_user_pages. The kernel's
 * counts are arithmetic (gup_put_folio() subtracts GUP_PIN_COUNTING_BIAS
 * from whatever the page is now), so the model lets them fall below their
 * holders and follows what comes of it: a page that never frees, a page
 * freed under another I/O's pin while that device writes it, and the
 * release of that other I/O landing on a free frame. The model's own
 * counts stay checkable throughout (properties/well-formed.ts).
 */
import * as E from 'fp-ts/lib/Either.js';
import * as O from 'fp-ts/lib/Option.js';
import { describe, expect, it } from 'vitest';
import { putUnheld } from '../../model/page.ts';
import type { Op } from '../../model/op.ts';
import type { State } from '../../model/state.ts';
import { causesOf } from '../../properties/counterexample/causes.ts';
import { loadCounterexample } from '../../properties/counterexample/load.ts';
import { gupRelease } from '../../properties/invariants/gup-release.ts';
import { noDmaAfterFree } from '../../properties/invariants/no-dma-after-free.ts';
import { wellFormed } from '../../properties/well-formed.ts';
import { IMPORTER, accept, frame, lastId, mmapAnon, pin, pteAt, rejectedWith, run, world } from './helpers.ts';

/** Run `op`, check the model's counts after it, and say what gup-release and no-dma-after-free judge of it. */
const judged = (s: State, op: Op) => {
  const st = accept(s, op);
  expect(wellFormed(st.state), `${op.kind} left the model ill-formed`).toBeNull();
  return { ...st, release: O.toNullable(gupRelease.check(s, op, st)), freed: O.toNullable(noDmaAfterFree.check(s, op, st)) };
};

/** An I/O on page 0 of mm 0: pin it, put it in a table, map the table for the importer to write. Returns the state and the ids. */
const startIo = (s: State): { state: State; pages: number; sgl: number; mapping: number } => {
  const pinned = run(s, pin(0, 1, true)).state;
  const pages = lastId(pinned.pageArrays);
  const tabled = run(pinned, { kind: 'sg_alloc_table_from_pages', pages }).state;
  const sgl = lastId(tabled.sgls);
  const mapped = run(tabled, { kind: 'dma_map_sg', dev: IMPORTER, sgl, dir: 'from-device' }).state;
  return { state: mapped, pages, sgl, mapping: lastId(mapped.mappings) };
};

const completeIo = (s: State, io: { pages: number; sgl: number; mapping: number }): State =>
  run(s, { kind: 'dma_unmap_sg', mapping: io.mapping, dev: IMPORTER, nents: 1, dir: 'from-device' }, { kind: 'unpin_user_pages', pages: io.pages }, { kind: 'sg_free_table', sgl: io.sgl }).state;

describe('unpin_user_page of a page its caller already gave back', () => {
  it('with no other pin on the page: the pin count goes below zero, gup-release says so, and the page never frees', () => {
    const io = startIo(run(world(), mmapAnon(1)).state);
    const done = completeIo(io.state, io);
    expect(frame(done, 0)).toMatchObject({ refcount: 1, pincount: 0, mapcount: 1 });
    const again = judged(done, { kind: 'unpin_user_page', page: 0 });
    expect(frame(again.state, 0)).toMatchObject({ free: false, refcount: 0, pincount: -1, unheldRefs: 1, unheldPins: 1 });
    expect(again.release).toContain('unpin_user_page gave back a pin on page 0 that its caller no longer held');
    expect(again.release).toContain('_refcount goes below zero and the page is never freed');
    // munmap drops the PTE's reference: a correct count would free the page here; this one leaks it.
    const unmapped = judged(again.state, { kind: 'munmap', mm: 0, start: 0, npages: 1 });
    expect(unmapped.events.map((e) => e.kind)).not.toContain('page-freed');
    expect(frame(unmapped.state, 0)).toMatchObject({ free: false, refcount: -1, pincount: -1, mapcount: 0 });
  });

  it("with another I/O's pin on the page: the page is freed under that pin, and the other device's write reaches freed memory", () => {
    const a = startIo(run(world(), mmapAnon(1)).state);
    const b = startIo(a.state);
    // The process unmaps its buffer: the two pins alone keep the page.
    const unmapped = run(b.state, { kind: 'munmap', mm: 0, start: 0, npages: 1 }).state;
    expect(frame(unmapped, 0)).toMatchObject({ free: false, refcount: 2, pincount: 2, mapcount: 0 });
    const again = judged(completeIo(unmapped, a), { kind: 'unpin_user_page', page: 0 });
    expect(again.events.map((e) => e.kind)).toEqual(['reference-dropped', 'page-freed']);
    expect(again.release).toBe(`unpin_user_page freed page 0 while pages ${b.pages} still hold a pin on it: a release took a count its caller no longer held, and that holder's device may still write the page`);
    // I/O b still holds its array and its mapping; its device writes through them.
    expect(again.state.pageArrays.has(b.pages)).toBe(true);
    const write = judged(again.state, { kind: 'device_write', mapping: b.mapping, index: 0 });
    expect(write.freed).toBe(`device ${IMPORTER} wrote pfn 0 through mapping ${b.mapping}, but that memory was freed`);
    // b's completion unpins a page that is free now: the free frame's count goes below zero, and gup-release names it.
    const bDone = judged(write.state, { kind: 'dma_unmap_sg', mapping: b.mapping, dev: IMPORTER, nents: 1, dir: 'from-device' });
    const bUnpin = judged(bDone.state, { kind: 'unpin_user_pages', pages: b.pages });
    expect(frame(bUnpin.state, 0)).toMatchObject({ free: true, refcount: -1, pincount: -1 });
    expect(bUnpin.release).toContain('unpin_user_pages gave back a pin on page 0 that its caller no longer held');
  });

  it("with another I/O's pin on a mapped page: that pin turns invisible, and fork shares the page it should have copied", () => {
    const a = startIo(run(world(), mmapAnon(1)).state);
    const b = startIo(a.state);
    const again = judged(completeIo(b.state, a), { kind: 'unpin_user_page', page: 0 });
    expect(frame(again.state, 0)).toMatchObject({ free: false, refcount: 1, pincount: 0, mapcount: 1 });
    expect(again.release).toContain("GUP_PIN_COUNTING_BIAS came off another holder's pin: folio_maybe_dma_pinned() turns false under it");
    // fork copies a page that may be DMA-pinned (page_needs_cow_for_dma); with the pin gone from the count it shares it copy-on-write.
    const forked = judged(again.state, { kind: 'fork', mm: 0 }).state;
    expect(pteAt(forked, 0, 0)).toEqual({ pfn: 0, writable: false });
    const withPin = judged(b.state, { kind: 'fork', mm: 0 }).state;
    expect(pteAt(withPin, 0, 0)).toEqual({ pfn: 0, writable: true });
  });

  it('the frame, freed at zero, is handed out again: the stale pointer of the other I/O then releases a pin of its new owner', () => {
    const a = startIo(run(world(), mmapAnon(1)).state);
    const b = startIo(a.state);
    const unmapped = run(b.state, { kind: 'munmap', mm: 0, start: 0, npages: 1 }).state;
    const freed = run(completeIo(unmapped, a), { kind: 'unpin_user_page', page: 0 }).state;
    const reused = judged(freed, mmapAnon(1)).state;
    const faulted = judged(reused, { kind: 'write_fault', mm: 0, addr: 0 }).state;
    expect(frame(faulted, 0)).toMatchObject({ free: false, refcount: 1, pincount: 0, unheldRefs: 0, unheldPins: 0 });
    // b's pointer is stale: its array holds no reference on the new page, and its release takes one from it.
    const bUnpin = judged(faulted, { kind: 'unpin_user_pages', pages: b.pages });
    expect(frame(bUnpin.state, 0)).toMatchObject({ free: false, refcount: 0, pincount: -1 });
    expect(bUnpin.release).toContain('that its caller no longer held');
  });

  it('a free frame whose count a stale release changed is never handed out again (the allocator\'s page checks find it bad)', () => {
    const a = startIo(run(world(), mmapAnon(1)).state);
    const b = startIo(a.state);
    const unmapped = run(b.state, { kind: 'munmap', mm: 0, start: 0, npages: 1 }).state;
    const freed = run(completeIo(unmapped, a), { kind: 'unpin_user_page', page: 0 }).state;
    const bUnpin = run(freed, { kind: 'dma_unmap_sg', mapping: b.mapping, dev: IMPORTER, nents: 1, dir: 'from-device' }, { kind: 'unpin_user_pages', pages: b.pages }).state;
    expect(frame(bUnpin, 0)).toMatchObject({ free: true, refcount: -1, unheldRefs: 1 });
    const reused = run(bUnpin, mmapAnon(1), { kind: 'write_fault', mm: 0, addr: 0 }).state;
    expect(frame(reused, 0).free).toBe(true);
    expect(pteAt(reused, 0, 0)!.pfn).not.toBe(0);
    expect(wellFormed(reused)).toBeNull();
  });

  it('GUP refuses a page whose count a second release drove to zero or below: try_grab_folio warns and fails with -ENOMEM', () => {
    const io = startIo(run(world(), mmapAnon(1)).state);
    const again = run(completeIo(io.state, io), { kind: 'unpin_user_page', page: 0 }).state;
    expect(frame(again, 0)).toMatchObject({ refcount: 0, pincount: -1, mapcount: 1 });
    expect(rejectedWith(again, pin(0, 1, true))).toBe('-ENOMEM: try_grab_folio: page 0 has a _refcount of -1023 (WARN_ON_ONCE)');
    expect(rejectedWith(again, { kind: 'pin_user_pages_fast', mm: 0, start: 0, npages: 1, write: true, longterm: false, p2pdma: false })).toBe(
      '-ENOMEM: try_grab_folio: page 0 has a _refcount of -1023 (WARN_ON_ONCE)',
    );
  });

  it('reclaim frees a page whose count no longer shows the pin another I/O holds: its pointer goes stale, and gup-release names the free', () => {
    const a = startIo(run(world(), mmapAnon(1)).state);
    const b = startIo(a.state);
    const again = run(completeIo(b.state, a), { kind: 'unpin_user_page', page: 0 }).state;
    expect(frame(again, 0)).toMatchObject({ refcount: 1, pincount: 0, mapcount: 1 });
    const reclaimed = judged(again, { kind: 'reclaim', page: 0 });
    expect(frame(reclaimed.state, 0).free).toBe(true);
    expect(reclaimed.state.pageArrays.get(b.pages)!.gens).toEqual([-1]);
    expect(reclaimed.release).toContain(`freed page 0 while pages ${b.pages} still hold a pin on it`);
  });

  it('the shared zero page since 6.5: unpin_user_page ignores it, as it took no pin', () => {
    const s = run(world(), mmapAnon(1), pin(0, 1, false, { longterm: false })).state;
    const zero = s.frames.findIndex((f) => f.mapping.kind === 'zero');
    expect(s.pageArrays.get(lastId(s.pageArrays))!.pfns).toEqual([zero]);
    const again = judged(s, { kind: 'unpin_user_page', page: zero });
    expect(again.state).toBe(s);
    expect(again.events).toEqual([]);
  });
});

describe('the saved trace of a second release that frees a page under another I/O', () => {
  it('replays to the device write into freed memory, and names the second release among its causes', () => {
    const c = loadCounterexample('counterexamples/dma-api-misuse/no-dma-after-free-882448cf65.json');
    if (E.isLeft(c)) return expect.fail(c.left.message);
    const ops = c.right.ops;
    expect(ops[10]).toEqual({ kind: 'unpin_user_page', page: 0 });
    const causes = causesOf(c.right.design, ops, 'no-dma-after-free', ops.length);
    expect(causes).toContainEqual({ step: 11, why: 'a release gives back a reference on pfn 0 that its caller no longer held: the count falls below its holders' });
    expect(causes.map((x) => x.step)).toEqual([7, 11, 12]);
  });
});

describe('the count reaching zero while the page is still mapped', () => {
  it('is Bad page state: free_pages_prepare() leaks the page instead of freeing it', () => {
    const s = run(world(), mmapAnon(1), { kind: 'write_fault', mm: 0, addr: 0 }).state;
    expect(frame(s, 0)).toMatchObject({ refcount: 1, mapcount: 1 });
    const r = putUnheld(s, 0, false);
    expect(r.events).toEqual([{ kind: 'bad-page-state', pfn: 0 }]);
    expect(frame(r.state, 0)).toMatchObject({ free: false, refcount: 0, mapcount: 1, unheldRefs: 1 });
    expect(wellFormed(r.state)).toBeNull();
  });
});
