/**
 * wellFormed (the model's TypeOK) on states corrupted one field at a time:
 * each bug a model op could introduce is named with its exact message.
 */
import { present } from '../../model/page.ts';
import { describe, expect, it } from 'vitest';
import { replaceAt } from '../../model/collections.ts';
import type { Frame, State } from '../../model/state.ts';
import { wellFormed } from '../../properties/well-formed.ts';
import { mmapAnon, mmapFile, run, world } from '../model/helpers.ts';

/** A file page faulted in at page 0 (page cache index 0 of inode 0) and an anon page written at page 1. */
const { state: s } = run(world(), mmapFile(1), mmapAnon(1), { kind: 'write_fault', mm: 0, addr: 0 }, { kind: 'write_fault', mm: 0, addr: 1 });
const filePfn = s.inodes[0]!.cache[0]!;
const anonPfn = present(s.vmas.get(2)!.ptes[0])!.pfn;
const withFrame = (pfn: number, change: Partial<Frame>): State => ({ ...s, frames: replaceAt(s.frames, pfn, { ...s.frames[pfn]!, ...change }) });
const withCache0 = (pfn: number | null): State => ({ ...s, inodes: replaceAt(s.inodes, 0, { ...s.inodes[0]!, cache: replaceAt(s.inodes[0]!.cache, 0, pfn) }) });
const freePfn = s.frames.find((f) => f.free)!.pfn;
const zero = s.frames.find((f) => !f.free && f.mapping.kind === 'zero');

describe('wellFormed names the corruption', () => {
  it('the state built by mmap and write faults is well formed', () => {
    expect(s.frames[filePfn]!.mapping).toEqual({ kind: 'file', inode: 0, index: 0 });
    expect(s.frames[anonPfn]!.mapping.kind).toBe('anon');
    expect(wellFormed(s)).toBeNull();
  });

  it('swap: a slot whose count is not the swap entries naming it, an entry naming a free slot, a swap cache page that is not anonymous, and the swap cache reference', () => {
    const swapped = run(s, { kind: 'get_user_pages', mm: 0, start: 1, npages: 1, write: true }, { kind: 'reclaim', page: anonPfn }).state;
    expect(wellFormed(swapped)).toBeNull();
    expect(swapped.swap[0]).toEqual({ count: 1, cache: anonPfn });
    expect(wellFormed({ ...swapped, swap: replaceAt(swapped.swap, 0, { count: 2, cache: anonPfn }) })).toBe('swap slot 0 counts 2 entries but 1 swap PTE(s) name it');
    expect(wellFormed({ ...swapped, swap: replaceAt(swapped.swap, 0, null) })).toBe('vma 2 has a swap entry for slot 0, which is not allocated');
    expect(wellFormed({ ...swapped, swap: replaceAt(swapped.swap, 0, { count: 1, cache: filePfn }) })).toBe(`swap slot 0's swap cache names pfn ${filePfn}, which is not an anonymous page of its own`);
    expect(wellFormed({ ...swapped, swap: replaceAt(swapped.swap, 0, { count: 1, cache: null }) })).toBe(`page ${anonPfn} has refcount 2 but 1 holder(s)`);
  });

  it('a VMA of an mm that never existed', () => {
    expect(wellFormed({ ...s, vmas: new Map([...s.vmas].map(([id, v]) => [id, { ...v, mm: 7 }])) })).toBe('vma 1 belongs to mm 7, whose address space is gone');
  });

  it('a page cache slot pointing at no frame, a free frame, an anon page, or the file page of another inode or index', () => {
    const msg = (pfn: number) => `page cache of inode 0 index 0 points at pfn ${pfn}, which is not that file page`;
    expect(wellFormed(withCache0(999))).toBe(msg(999));
    expect(wellFormed(withCache0(freePfn))).toBe(msg(freePfn));
    expect(wellFormed(withCache0(anonPfn))).toBe(msg(anonPfn));
    expect(wellFormed(withFrame(filePfn, { mapping: { kind: 'file', inode: 1, index: 0 } }))).toBe(msg(filePfn));
    expect(wellFormed(withFrame(filePfn, { free: true, refcount: 0, mapcount: 0 }))).toBe(msg(filePfn));
    expect(wellFormed(withFrame(filePfn, { mapping: { kind: 'file', inode: 0, index: 1 } }))).toBe(msg(filePfn));
  });

  it('counts given back unheld that do not match the frame: more pins than references, a negative amount, or not what its counts say', () => {
    expect(wellFormed(withFrame(anonPfn, { unheldPins: 1 }))).toBe(`frame ${anonPfn} counts 0 unheld reference(s) and 1 unheld pin(s)`);
    expect(wellFormed(withFrame(anonPfn, { unheldRefs: -1, unheldPins: -1 }))).toBe(`frame ${anonPfn} counts -1 unheld reference(s) and -1 unheld pin(s)`);
    expect(wellFormed(withFrame(anonPfn, { unheldRefs: 1, unheldPins: 1 }))).toBe(`page ${anonPfn} has pincount 0 but 0 pin(s) are held and 1 given back unheld`);
    expect(wellFormed(withFrame(anonPfn, { unheldRefs: 1 }))).toBe(`page ${anonPfn} has refcount 1 but 1 holder(s) and 1 reference(s) given back unheld`);
    expect(wellFormed(withFrame(freePfn, { refcount: -2, unheldRefs: 1 }))).toBe(`free frame ${freePfn} has refcount -2, pincount 0, mapcount 0 with 1 reference(s) and 0 pin(s) given back unheld`);
    // Given back unheld, the counts of a page or free frame are below its holders by exactly those amounts.
    expect(wellFormed(withFrame(anonPfn, { refcount: 0, unheldRefs: 1 }))).toBeNull();
    expect(wellFormed(withFrame(freePfn, { refcount: -1, pincount: -1, unheldRefs: 1, unheldPins: 1 }))).toBeNull();
  });

  it('a GUP array holding a page of an allocation that is gone, unless a release that held nothing freed it under the array', () => {
    const pinned = run(s, { kind: 'pin_user_pages', mm: 0, start: 1, npages: 1, write: true, longterm: false, p2pdma: false }).state;
    const [id, a] = [...pinned.pageArrays][0]!;
    const gens = (g: number): State => ({ ...pinned, pageArrays: new Map([[id, { ...a, gens: [g] }]]) });
    expect(wellFormed(pinned)).toBeNull();
    expect(wellFormed(gens(7))).toBe(`pages ${id} hold pfn ${anonPfn} of allocation 7, but the frame is at allocation ${a.gens[0]}`);
    // A stale pointer (FREED_UNDER) holds nothing: the page's counts then have one holder too many.
    expect(wellFormed(gens(-1))).toBe(`page ${anonPfn} has pincount 1 but 0 pin(s) are held`);
  });

  it('a free frame still counting a pin or a mapping', () => {
    expect(wellFormed(withFrame(freePfn, { refcount: 1 }))).toBe(`free frame ${freePfn} has refcount 1, pincount 0, mapcount 0`);
    expect(wellFormed(withFrame(freePfn, { pincount: 1 }))).toBe(`free frame ${freePfn} has refcount 0, pincount 1, mapcount 0`);
    expect(wellFormed(withFrame(freePfn, { mapcount: 1 }))).toBe(`free frame ${freePfn} has refcount 0, pincount 0, mapcount 1`);
  });
});

describe('wellFormed and the shared zero page', () => {
  it('the world has a zero page with one reference and no map or pin count', () => {
    expect(zero).toMatchObject({ refcount: 1, pincount: 0, mapcount: 0 });
  });

  it('a zero page with a mapcount, a pincount, or an extra reference', () => {
    const z = zero!.pfn;
    expect(wellFormed(withFrame(z, { mapcount: 1 }))).toBe('the zero page has refcount 1, pincount 0, mapcount 1; expected 1, 0, 0');
    expect(wellFormed(withFrame(z, { pincount: 1 }))).toBe('the zero page has refcount 1, pincount 1, mapcount 0; expected 1, 0, 0');
    expect(wellFormed(withFrame(z, { refcount: 2 }))).toBe('the zero page has refcount 2, pincount 0, mapcount 0; expected 1, 0, 0');
  });
});

describe('wellFormed and lost pins (put_page of FOLL_PIN pages)', () => {
  const pinned = run(world(), mmapAnon(1), { kind: 'write_fault', mm: 0, addr: 0 }, { kind: 'pin_user_pages', mm: 0, start: 0, npages: 1, write: true, longterm: false, p2pdma: false });
  const pages = [...pinned.state.pageArrays.keys()][0]!;
  const lost = run(pinned.state, { kind: 'put_page', pages }).state;
  const pfn = present(lost.vmas.get(1)!.ptes[0])!.pfn;
  const change = (c: Partial<Frame>): State => ({ ...lost, frames: replaceAt(lost.frames, pfn, { ...lost.frames[pfn]!, ...c }) });

  it('a lost pin stays counted in pincount and refcount, held by nobody: well formed', () => {
    expect(lost.frames[pfn]).toMatchObject({ pincount: 1, refcount: 2, lostPins: 1 });
    expect(wellFormed(lost)).toBeNull();
  });

  it('a lost pin that is not in pincount or refcount, and a free frame that keeps one', () => {
    expect(wellFormed(change({ pincount: 0 }))).toBe(`page ${pfn} has pincount 0 but 0 pin(s) are held and 1 lost`);
    expect(wellFormed(change({ refcount: 1 }))).toBe(`page ${pfn} has refcount 1 but 2 holder(s)`);
    const free = lost.frames.find((f) => f.free)!.pfn;
    expect(wellFormed({ ...lost, frames: replaceAt(lost.frames, free, { ...lost.frames[free]!, lostPins: 1 }) })).toBe(`free frame ${free} keeps 1 lost pin(s)`);
  });
});
