/**
 * The explorer's answers for vma-p2p-map (mmap the BAR, p2p_map it,
 * device_program, munmap: the VMA dies under the mapping), with their
 * known state counts: confirmShortest's three verdicts and notes, and
 * findWitness reached or not within a bound.
 */
import { describe, expect, it } from 'vitest';
import { designById } from '../../model/designs/index.ts';
import { confirmShortest, shortestNote } from '../../properties/shortest.ts';
import { situationById } from '../../properties/situations.ts';
import { findWitness } from '../../properties/witness.ts';

const design = designById('vma-p2p-map')!;

describe('confirmShortest on vma-p2p-map, map-within-vma-lifetime', () => {
  it('a one-step trace (or none) is shortest without exploring', () => {
    expect(confirmShortest(design, 'map-within-vma-lifetime', 1, 10)).toEqual({ kind: 'confirmed', states: 0 });
    expect(confirmShortest(design, 'map-within-vma-lifetime', 0, 10)).toEqual({ kind: 'confirmed', states: 0 });
  });

  it('a six-step trace: mmap, p2p_map, device_program, munmap is shorter, found after 28 states (31 before process symmetry)', () => {
    const s = confirmShortest(design, 'map-within-vma-lifetime', 6, 10000);
    expect({ ...s, trace: undefined }).toEqual({
      kind: 'shorter',
      states: 28,
      depth: 3,
      trace: undefined,
      message: 'vma 1 was destroyed while mapping 2 (p2p_map for device 1) still holds DMA addresses of its BAR window',
    });
    expect(shortestNote(s, 6)).toBe("a shortest trace, 3 design step(s), replacing the search's longer one (28 states)");
  });

  it('a budget of 8 states completes depth 1 only: not confirmed', () => {
    const s = confirmShortest(design, 'map-within-vma-lifetime', 6, 8);
    expect(s).toEqual({ kind: 'unconfirmed', states: 8, depth: 1 });
    expect(shortestNote(s, 6)).toBe('shortest: not confirmed (explorer completed depth 1 of 5, 8 states)');
  });
});

describe('findWitness of vma-destroyed-under-mapping in vma-p2p-map', () => {
  const x = situationById('vma-destroyed-under-mapping')!;
  it('reached at depth 3 by mmap, p2p_map, device_program, munmap', () => {
    const w = findWitness(design, x, { maxStates: 10000 });
    expect(w.kind).toBe('reached');
    if (w.kind !== 'reached') return;
    expect([w.depth, w.states]).toEqual([3, 28]);
    expect(w.trace.map((t) => t.op.kind)).toEqual(['mmap', 'p2p_map', 'device_program', 'munmap']);
  });
  it('not reached within depth 2 (every level to 2 explored, so it says depth 2), nor within 3 states (depth 0 complete)', () => {
    expect(findWitness(design, x, { maxStates: 10000, maxDepth: 2 })).toEqual({ kind: 'not-reached', complete: false, depth: 2, states: 25 });
    expect(findWitness(design, x, { maxStates: 3 })).toEqual({ kind: 'not-reached', complete: false, depth: 0, states: 3 });
  });
});
