import * as E from 'fp-ts/lib/Either.js';
import { describe, expect, it } from 'vitest';
import { designById } from '../../model/designs/index.ts';
import type { Op } from '../../model/op.ts';
import type { State } from '../../model/state.ts';
import { step } from '../../model/step.ts';
import { makeWorld } from '../../model/world.ts';
import { canonicalKey } from '../../properties/canonical.ts';

const after = (ops: ReadonlyArray<Op>): State =>
  ops.reduce((s, op) => {
    const r = step(s, op);
    if (E.isLeft(r)) throw new Error(`${r.left.op}: ${r.left.reason}`);
    return r.right.state;
  }, makeWorld(designById('dma-only-sgl')!.world));

const anon: Op = { kind: 'mmap', mm: 0, npages: 1, backing: { kind: 'anon' } };
const file: Op = { kind: 'mmap', mm: 0, npages: 1, backing: { kind: 'file', inode: 0 } };

describe('the canonical key (symmetry reduction)', () => {
  it('ignores ids used up on the way and generations of freed frames', () => {
    const direct = after([anon]);
    const detour = after([{ kind: 'mmap', mm: 0, npages: 1, backing: { kind: 'bar', bar: 0 } }, { kind: 'munmap', mm: 0, start: 0, npages: 1 }, anon]);
    expect(detour.vmas.get(2)).toBeDefined();
    expect(direct.vmas.get(1)).toBeDefined();
    expect(canonicalKey(detour)).toBe(canonicalKey(direct));
  });
  it('names interchangeable objects by content, not by creation order', () => {
    const pinA: Op = { kind: 'pin_user_pages', mm: 0, start: 0, npages: 1, write: true, longterm: false, p2pdma: false };
    const pinB: Op = { kind: 'pin_user_pages', mm: 0, start: 1, npages: 1, write: false, longterm: false, p2pdma: false };
    const faulted: ReadonlyArray<Op> = [anon, file, { kind: 'write_fault', mm: 0, addr: 0 }, { kind: 'write_fault', mm: 0, addr: 1 }];
    const ab = after([...faulted, pinA, pinB]);
    const ba = after([...faulted, pinB, pinA]);
    expect(ab.pageArrays.get(3)!.start).toBe(0);
    expect(ba.pageArrays.get(3)!.start).toBe(1);
    expect(canonicalKey(ab)).toBe(canonicalKey(ba));
  });
  it('still tells apart states that differ in what an invariant can see', () => {
    const s = after([file, { kind: 'sgl_dma_map_user', dev: 1, mm: 0, start: 0, npages: 1, dir: 'from-device' }, { kind: 'writeback', page: 0 }]);
    const written = step(s, { kind: 'device_write', mapping: [...s.mappings.keys()][0]!, index: 0 });
    if (E.isLeft(written)) throw new Error(written.left.reason);
    expect(canonicalKey(written.right.state)).not.toBe(canonicalKey(s));
    expect(canonicalKey(after([anon]))).not.toBe(canonicalKey(after([file])));
  });
  it('tells apart VMAs that differ only in VM_WRITE or in which anon_vma they share: a store or a merge behaves differently', () => {
    const readOnly = after([anon, { kind: 'mprotect', mm: 0, start: 0, npages: 1, write: false }]);
    expect(canonicalKey(readOnly)).not.toBe(canonicalKey(after([anon])));
    const touched = after([anon, { kind: 'write_fault', mm: 0, addr: 0 }]);
    const reclaimed = step(touched, { kind: 'reclaim', page: 0 });
    if (E.isLeft(reclaimed)) throw new Error(reclaimed.left.reason);
    // Reclaim cleared the PTE, but the VMA keeps its anon_vma: not the state of a fresh mmap.
    expect(reclaimed.right.state.vmas.get(1)!.anonVma).not.toBeNull();
    expect(canonicalKey(reclaimed.right.state)).not.toBe(canonicalKey(after([anon])));
  });
});
