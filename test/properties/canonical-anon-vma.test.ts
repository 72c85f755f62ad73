/**
 * The explorer's state key keeps which VMAs share an anon_vma: a later
 * mprotect or mremap may merge VMAs only when they do.
 */
import { describe, expect, it } from 'vitest';
import type { State } from '../../model/state.ts';
import { canonicalKey } from '../../properties/canonical.ts';
import { mmapAnon, run, world } from '../model/helpers.ts';

describe('canonicalKey and anon_vma sharing', () => {
  it('mprotect splitting a written anon VMA: the two halves share one anon_vma, unlike two VMAs with their own', () => {
    const { state: split } = run(world(), mmapAnon(2), { kind: 'write_fault', mm: 0, addr: 0 }, { kind: 'mprotect', mm: 0, start: 1, npages: 1, write: false });
    const halves = [...split.vmas.values()];
    expect(halves.map((v) => [v.start, v.npages])).toEqual([[0, 1], [1, 1]]);
    expect(halves[0]!.anonVma).not.toBeNull();
    expect(halves[1]!.anonVma).toBe(halves[0]!.anonVma);
    const own: State = { ...split, vmas: new Map([...split.vmas].map(([id, v]) => [id, v.start === 1 ? { ...v, anonVma: 99 } : v])) };
    expect(canonicalKey(own)).not.toBe(canonicalKey(split));
  });
});
