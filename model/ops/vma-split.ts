/**
 * VMAs with extent: splitting a VMA at a page boundary (__split_vma) and
 * merging adjacent VMAs (vma_merge), as munmap, mprotect and mremap do.
 *
 * Which object survives follows the kernel: `split_vma(vma, addr,
 * new_below)` allocates a new VMA for the part below `addr` when
 * `new_below`, else for the part from `addr` on, and the original keeps
 * the rest. munmap splits the first VMA with new_below=0 and the last with
 * new_below=1, so the original VMA always keeps the part outside the
 * unmapped range (its lower part when the range is in its middle).
 */
import { drop } from '../collections.ts';
import { freshId, setVma } from '../page.ts';
import type { MmId, State, Vma, VmaBacking, VmaId } from '../state.ts';

const sliceBacking = (b: VmaBacking, from: number, to: number): VmaBacking =>
  b.kind === 'bar' ? { ...b, window: b.window.slice(from, to) } : b;

/** The part [from, to) (page offsets in `v`) of `v`, as a VMA with id `id`; a BAR window's pfns go with their pages. */
const part = (v: Vma, id: VmaId, from: number, to: number): Vma => ({
  ...v,
  id,
  start: v.start + from,
  npages: to - from,
  backing: sliceBacking(v.backing, from, to),
  ptes: v.ptes.slice(from, to),
});

/**
 * __split_vma(vma, at, new_below): returns the state and the new VMA's
 * id; `v` keeps its id for the other part. `at` must lie strictly inside.
 */
export const splitVma = (s: State, v: Vma, at: number, newBelow: boolean): [State, VmaId] => {
  const [s1, id] = freshId(s);
  const cut = at - v.start;
  const lower = part(v, newBelow ? id : v.id, 0, cut);
  const upper = part(v, newBelow ? v.id : id, cut, v.npages);
  return [setVma(setVma(s1, lower), upper), id];
};

/** The VMAs of `mm` that overlap [start, end), by address. */
export const vmasIn = (s: State, mm: MmId, start: number, end: number): ReadonlyArray<Vma> =>
  [...s.vmas.values()].filter((v) => v.mm === mm && v.start < end && start < v.start + v.npages).sort((a, b) => a.start - b.start);

/**
 * Split the VMAs of `mm` so that [start, end) is covered by whole VMAs
 * (what munmap and mprotect do first); returns their ids by address.
 */
export const isolate = (s: State, mm: MmId, start: number, end: number): [State, ReadonlyArray<VmaId>] => {
  let state = s;
  const first = vmasIn(state, mm, start, end)[0];
  if (first !== undefined && first.start < start) [state] = splitVma(state, first, start, false);
  const last = vmasIn(state, mm, start, end).at(-1);
  if (last !== undefined && end < last.start + last.npages) [state] = splitVma(state, last, end, true);
  return [state, vmasIn(state, mm, start, end).map((v) => v.id)];
};

/**
 * Can `a` and the VMA right after it, `b`, be one VMA (vma_merge)? Never
 * for VM_SPECIAL mappings (the exporter's VM_IO|VM_PFNMAP BAR window, the
 * p2pmem VM_MIXEDMAP-like insert): only anonymous VMAs of one mm with the
 * same flags and compatible anon_vmas merge here. File VMAs would also
 * need matching pgoff; the model's file VMAs all map from offset 0, so two
 * never line up.
 */
export const mergeable = (a: Vma, b: Vma): boolean =>
  a.mm === b.mm &&
  a.start + a.npages === b.start &&
  a.backing.kind === 'anon' &&
  b.backing.kind === 'anon' &&
  a.writable === b.writable &&
  a.dontcopy === b.dontcopy &&
  (a.anonVma === null || b.anonVma === null || a.anonVma === b.anonVma);

/** vma_merge around [start, end) of `mm`: each VMA there absorbs the mergeable one after it; the lower VMA survives. */
export const mergeAround = (s: State, mm: MmId, start: number, end: number): State => {
  let state = s;
  for (;;) {
    const vs = vmasIn(state, mm, start - 1, end + 1);
    const i = vs.findIndex((v, j) => vs[j + 1] !== undefined && mergeable(v, vs[j + 1]!));
    if (i < 0) return state;
    const a = vs[i]!;
    const b = vs[i + 1]!;
    const merged: Vma = { ...a, npages: a.npages + b.npages, ptes: [...a.ptes, ...b.ptes], anonVma: a.anonVma ?? b.anonVma };
    state = setVma({ ...state, vmas: drop(state.vmas, b.id) }, merged);
  }
};
