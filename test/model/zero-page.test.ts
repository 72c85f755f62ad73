/**
 * The shared zero page: what a read fault on never-written private anon
 * memory maps (do_anonymous_page), how GUP takes it (follow_page_pte,
 * gup_must_unshare, try_grab_page), and what the process's first store
 * does to it (wp_page_copy). pfn 12 in the default world: after RAM 0..7
 * and the BARs 8..11.
 */
import * as E from 'fp-ts/lib/Either.js';
import { describe, expect, it } from 'vitest';
import { step } from '../../model/step.ts';
import type { State } from '../../model/state.ts';
import { wellFormed } from '../../properties/well-formed.ts';
import { eraWith, frame, gup, lastId, mmapAnon, newId, pin, pteAt, rejectedWith, run, world, writeFault } from './helpers.ts';

const ZERO = 12;

/** Frames handed out by the allocator (the zero page never is). */
const allocated = (s: State): number[] => s.frames.filter((f) => !f.free && f.mapping.kind !== 'zero').map((f) => f.pfn);

const expectWellFormed = (s: State): void => expect(wellFormed(s)).toBeNull();

describe('the zero page in the world', () => {
  it('is one frame after RAM and the BARs, never free, with one reference and no mapping', () => {
    const s = world();
    expect(s.frames).toHaveLength(13);
    expect(frame(s, ZERO)).toMatchObject({ bar: null, structPage: true, free: false, refcount: 1, pincount: 0, mapcount: 0, mapping: { kind: 'zero' } });
    expectWellFormed(s);
  });
});

describe('faults', () => {
  it('a load from never-written anon memory maps the zero page read-only and allocates nothing (do_anonymous_page)', () => {
    const { state, events } = run(world(), mmapAnon(1), { kind: 'load', mm: 0, addr: 0 });
    expect(pteAt(state, 0, 0)).toEqual({ pfn: ZERO, writable: false });
    expect(allocated(state)).toEqual([]);
    expect(frame(state, ZERO)).toMatchObject({ refcount: 1, mapcount: 0 });
    expect(events).toEqual([{ kind: 'cpu-access', pfn: ZERO, via: 'load', io: false }]);
    expectWellFormed(state);
  });

  it('the first store replaces it with a fresh writable page, and the zero page loses nothing (wp_page_copy)', () => {
    const { state: s1 } = run(world(), mmapAnon(1), { kind: 'load', mm: 0, addr: 0 });
    const { state } = run(s1, { kind: 'store', mm: 0, addr: 0 });
    expect(pteAt(state, 0, 0)).toEqual({ pfn: 0, writable: true });
    expect(frame(state, 0)).toMatchObject({ mapcount: 1, refcount: 1, mapping: { kind: 'anon' } });
    expect(frame(state, ZERO)).toMatchObject({ refcount: 1, mapcount: 0, free: false });
    expectWellFormed(state);
  });

  it('fork copies the special PTE as it is: no reference, no early copy, both processes read zeroes', () => {
    const { state: s1 } = run(world(), mmapAnon(1), { kind: 'load', mm: 0, addr: 0 });
    const { state } = run(s1, { kind: 'fork', mm: 0 });
    const child = lastId(state.mms);
    expect(pteAt(state, child, 0)).toEqual({ pfn: ZERO, writable: false });
    expect(pteAt(state, 0, 0)).toEqual({ pfn: ZERO, writable: false });
    expect(frame(state, ZERO)).toMatchObject({ refcount: 1, mapcount: 0 });
    expectWellFormed(state);
  });

  it('munmap zaps the special PTE and frees nothing', () => {
    const { state: s1 } = run(world(), mmapAnon(1), { kind: 'load', mm: 0, addr: 0 });
    const { state, events } = run(s1, { kind: 'munmap', mm: 0, start: 0, npages: 1 });
    expect(events.some((e) => e.kind === 'page-freed')).toBe(false);
    expect(frame(state, ZERO)).toMatchObject({ refcount: 1, free: false });
    expectWellFormed(state);
  });

  it('reclaim and migration cannot take it: it is on no LRU list', () => {
    const { state } = run(world(), mmapAnon(1), { kind: 'load', mm: 0, addr: 0 });
    expect(rejectedWith(state, { kind: 'reclaim', page: ZERO })).toContain('zero page');
    expect(rejectedWith(state, { kind: 'migrate_page', page: ZERO })).toContain('zero page');
  });
});

describe('get_user_pages (FOLL_GET)', () => {
  it('a read-only get of never-written memory returns the zero page with a reference; put_page drops it and frees nothing', () => {
    const { state: s1 } = run(world(), mmapAnon(1));
    const { state: s2 } = run(s1, gup(0, 1, false));
    const id = newId(s1.pageArrays, s2.pageArrays);
    expect(s2.pageArrays.get(id)!.pfns).toEqual([ZERO]);
    expect(frame(s2, ZERO)).toMatchObject({ refcount: 2, pincount: 0, mapcount: 0 });
    expectWellFormed(s2);
    const { state, events } = run(s2, { kind: 'put_page', pages: id });
    expect(frame(state, ZERO)).toMatchObject({ refcount: 1, free: false });
    expect(events.some((e) => e.kind === 'page-freed')).toBe(false);
    expectWellFormed(state);
  });

  it('FOLL_WRITE on a zero-page PTE faults a private copy first, as a store would', () => {
    const { state: s1 } = run(world(), mmapAnon(1), { kind: 'load', mm: 0, addr: 0 });
    const { state } = run(s1, gup(0, 1, true));
    const id = newId(s1.pageArrays, state.pageArrays);
    expect(state.pageArrays.get(id)!.pfns).toEqual([0]);
    expect(pteAt(state, 0, 0)).toEqual({ pfn: 0, writable: true });
    expect(frame(state, ZERO).refcount).toBe(1);
  });
});

describe('pin_user_pages (FOLL_PIN), read-only', () => {
  it('short-term: pins the zero page as it is (gup_must_unshare: not anon, not FOLL_LONGTERM), and since 6.5 takes no pin on it', () => {
    const { state: s1 } = run(world(), mmapAnon(1));
    const { state: s2 } = run(s1, pin(0, 1, false));
    const id = newId(s1.pageArrays, s2.pageArrays);
    expect(s2.pageArrays.get(id)!.pfns).toEqual([ZERO]);
    expect(frame(s2, ZERO)).toMatchObject({ refcount: 1, pincount: 0 });
    expectWellFormed(s2);
    // The process's first store moves it off the pinned page.
    const { state: s3 } = run(s2, { kind: 'store', mm: 0, addr: 0 });
    expect(pteAt(s3, 0, 0)!.pfn).not.toBe(ZERO);
    // unpin_user_page ignores the zero page.
    const { state } = run(s3, { kind: 'unpin_user_pages', pages: id });
    expect(frame(state, ZERO)).toMatchObject({ refcount: 1, pincount: 0, free: false });
    expectWellFormed(state);
  });

  it('before 6.5 the zero page is pinned like any page, and unpinned again', () => {
    const era = eraWith({ pinSkipsZeroPage: false });
    const { state: s1 } = run(world(era), mmapAnon(1));
    const { state: s2 } = run(s1, pin(0, 1, false));
    expect(frame(s2, ZERO)).toMatchObject({ refcount: 2, pincount: 1 });
    expectWellFormed(s2);
    const { state } = run(s2, { kind: 'unpin_user_pages', pages: newId(s1.pageArrays, s2.pageArrays) });
    expect(frame(state, ZERO)).toMatchObject({ refcount: 1, pincount: 0 });
    expectWellFormed(state);
  });

  it('long-term, since 6.2: unshares first; the pinner gets an exclusive anon page mapped read-only, which the next store reuses', () => {
    const { state: s1 } = run(world(), mmapAnon(1));
    const { state: s2 } = run(s1, pin(0, 1, false, { longterm: true }));
    const id = newId(s1.pageArrays, s2.pageArrays);
    expect(s2.pageArrays.get(id)!.pfns).toEqual([0]);
    expect(pteAt(s2, 0, 0)).toEqual({ pfn: 0, writable: false });
    expect(frame(s2, 0)).toMatchObject({ pincount: 1, mapcount: 1, mapping: { kind: 'anon' } });
    expect(frame(s2, ZERO).refcount).toBe(1);
    expectWellFormed(s2);
    const { state } = run(s2, { kind: 'store', mm: 0, addr: 0 });
    expect(pteAt(state, 0, 0)).toEqual({ pfn: 0, writable: true });
  });

  it('long-term, before 6.2: pins the zero page, and the first store moves the process to a copy the pin does not see', () => {
    const era = eraWith({ longtermUnsharesCow: false, pinSkipsZeroPage: false });
    const { state: s1 } = run(world(era), mmapAnon(1));
    const { state: s2 } = run(s1, pin(0, 1, false, { longterm: true }));
    expect(s2.pageArrays.get(newId(s1.pageArrays, s2.pageArrays))!.pfns).toEqual([ZERO]);
    expect(frame(s2, ZERO)).toMatchObject({ pincount: 1 });
    const { state } = run(s2, writeFault(0));
    expect(pteAt(state, 0, 0)).toEqual({ pfn: 0, writable: true });
    expectWellFormed(state);
  });

  it('a read-only pin of a page the process already wrote is not the zero page, whatever the era', () => {
    const { state: s1 } = run(world(eraWith({ longtermUnsharesCow: false })), mmapAnon(1), writeFault(0));
    const r = step(s1, pin(0, 1, false, { longterm: true }));
    expect(E.isRight(r) && r.right.state.pageArrays.get(lastId(r.right.state.pageArrays))!.pfns).toEqual([0]);
  });
});
