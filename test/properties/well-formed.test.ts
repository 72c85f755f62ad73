import { describe, expect, it } from 'vitest';
import { replaceAt } from '../../model/collections.ts';
import { designById } from '../../model/designs/index.ts';
import type { Op } from '../../model/op.ts';
import type { Frame, State } from '../../model/state.ts';
import { replay } from '../../properties/replay.ts';
import { wellFormed } from '../../properties/well-formed.ts';

const afterOps = (ops: ReadonlyArray<Op>) => {
  const r = replay(designById('gup-set-page-dirty')!, ops, []);
  if (r.kind !== 'holds') throw new Error(`trace did not replay: ${r.kind}`);
  return r.state;
};

describe('the model is well formed', () => {
  const s = afterOps([
    { kind: 'mmap', mm: 0, npages: 1, backing: { kind: 'file', inode: 0 } },
    { kind: 'get_user_pages', mm: 0, start: 0, npages: 1, write: true },
    { kind: 'fork', mm: 0 },
  ]);
  it('accepts a state reached by the operations', () => {
    expect(wellFormed(s)).toBeNull();
  });
  it('catches a reference count that no holder accounts for', () => {
    const f = s.frames[0]!;
    expect(wellFormed({ ...s, frames: replaceAt(s.frames, 0, { ...f, refcount: f.refcount + 1 }) })).toContain('holder(s)');
  });
  it('catches a mapcount that the PTEs do not match', () => {
    const f = s.frames[0]!;
    expect(wellFormed({ ...s, frames: replaceAt(s.frames, 0, { ...f, mapcount: 0 }) })).toContain('PTE(s) map it');
  });
  it('catches a free frame that is still referenced', () => {
    const f = s.frames[0]!;
    expect(wellFormed({ ...s, frames: replaceAt(s.frames, 0, { ...f, free: true }) })).toMatch(/free frame 0|free page 0|points at pfn 0/);
  });
  it('catches overlapping VMAs', () => {
    const v = s.vmas.get(1)!;
    expect(wellFormed({ ...s, vmas: new Map([...s.vmas, [99, { ...v, id: 99 }]]) })).toContain('overlap');
  });
});

describe('each model bug is named exactly', () => {
  const s = afterOps([
    { kind: 'mmap', mm: 0, npages: 1, backing: { kind: 'file', inode: 0 } },
    { kind: 'get_user_pages', mm: 0, start: 0, npages: 1, write: true },
    { kind: 'fork', mm: 0 },
  ]);
  const frame = (pfn: number, f: (x: Frame) => Frame): State => ({ ...s, frames: replaceAt(s.frames, pfn, f(s.frames[pfn]!)) });

  it('a VMA of an mm whose address space is gone, a VMA whose PTEs do not match its size, overlapping VMAs; adjacent ones are fine', () => {
    expect(wellFormed({ ...s, mms: new Map([...s.mms].map(([id, m]) => [id, id === 0 ? { ...m, alive: false, users: 0 } : m])) })).toBe('vma 1 belongs to mm 0, whose address space is gone');
    // An exited task whose mm a driver still holds (mm_users 1): the VMAs stay.
    expect(wellFormed({ ...s, mms: new Map([...s.mms].map(([id, m]) => [id, id === 0 ? { ...m, alive: false } : m])) })).toBeNull();
    expect(wellFormed({ ...s, mms: new Map([...s.mms].map(([id, m]) => [id, id === 0 ? { ...m, users: 0 } : m])) })).toBe('mm 0 runs with mm_users 0');
    expect(wellFormed({ ...s, mms: new Map([...s.mms].map(([id, m]) => [id, id === 0 ? { ...m, mmapReaders: 1 } : m])) })).toBe('mm 0 has 1 mmap_read_lock holders and 0 driver threads');
    const v = s.vmas.get(1)!;
    expect(wellFormed({ ...s, vmas: new Map([...s.vmas, [1, { ...v, npages: 2 }]]) })).toBe('vma 1 has 1 PTEs for 2 pages');
    expect(wellFormed({ ...s, vmas: new Map([...s.vmas, [99, { ...v, id: 99, ptes: [null] }]]) })).toBe('vmas 1 and 99 overlap');
    expect(wellFormed({ ...s, vmas: new Map([...s.vmas, [99, { ...v, id: 99, start: v.start + 1, ptes: [null] }]]) })).toBeNull();
    expect(wellFormed({ ...s, vmas: new Map([...s.vmas, [99, { ...v, id: 99, start: v.start - 1, ptes: [null] }]]) })).toBeNull();
  });

  it('a page cache entry that is not that file page', () => {
    const ino = s.inodes[0]!;
    expect(wellFormed({ ...s, inodes: replaceAt(s.inodes, 0, { ...ino, cache: replaceAt(ino.cache, 0, 5) }) })).toBe(
      'page cache of inode 0 index 0 points at pfn 5, which is not that file page',
    );
  });

  it('free frames that are still counted, mapped or held (the file page taken out of the page cache first)', () => {
    const ino = s.inodes[0]!;
    const uncached: State = { ...s, inodes: replaceAt(s.inodes, 0, { ...ino, cache: ino.cache.map(() => null) }) };
    const freed = (st: State, f: (x: Frame) => Frame): State => ({ ...st, frames: replaceAt(st.frames, 0, f({ ...st.frames[0]!, free: true })) });
    expect(wellFormed(freed(uncached, (f) => f))).toBe('free frame 0 has refcount 4, pincount 0, mapcount 2');
    expect(wellFormed(freed(uncached, (f) => ({ ...f, refcount: 0, mapcount: 0 })))).toBe('free page 0 is still mapped by 2 PTE(s)');
    expect(wellFormed(freed(uncached, (f) => ({ ...f, pincount: 1, refcount: 0, mapcount: 0 })))).toBe('free frame 0 has refcount 0, pincount 1, mapcount 0');
    const unmapped: State = { ...uncached, vmas: new Map([...s.vmas].map(([id, v]) => [id, { ...v, ptes: v.ptes.map(() => null) }])) };
    expect(wellFormed(freed(unmapped, (f) => ({ ...f, refcount: 0, mapcount: 0 })))).toBe(
      'free page 0 is still held by a GUP array',
    );
  });

  it('counts that disagree with their holders, and an allocated page nobody holds', () => {
    expect(wellFormed(frame(0, (f) => ({ ...f, mapcount: 1 })))).toBe('page 0 has mapcount 1 but 2 PTE(s) map it');
    expect(wellFormed(frame(0, (f) => ({ ...f, pincount: 1 })))).toBe('page 0 has pincount 1 but 0 pin(s) are held');
    expect(wellFormed(frame(0, (f) => ({ ...f, refcount: 3 })))).toBe('page 0 has refcount 3 but 4 holder(s)');
    const spare = s.frames.findIndex((f) => f.free && f.structPage);
    expect(wellFormed(frame(spare, (f) => ({ ...f, free: false })))).toBe(`page ${spare} is allocated with refcount 0`);
  });
});
