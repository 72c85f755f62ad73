import { describe, expect, it } from 'vitest';
import { replaceAt } from '../../model/collections.ts';
import { designById } from '../../model/designs/index.ts';
import type { Op } from '../../model/op.ts';
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
