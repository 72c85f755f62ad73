/** Read-only views of the state that step templates pick from. */
import { present } from '../page.ts';
import type { DmaMapping, Frame, Mm, Sgl, State, Vma, VmaBacking } from '../state.ts';

export const liveMms = (s: State): ReadonlyArray<Mm> => [...s.mms.values()].filter((m) => m.alive);

export const vmasWith = (s: State, kinds: ReadonlyArray<VmaBacking['kind']>): ReadonlyArray<Vma> =>
  [...s.vmas.values()].filter((v) => kinds.includes(v.backing.kind));

/** RAM pages on an LRU list. */
export const lruPages = (s: State): ReadonlyArray<Frame> =>
  s.frames.filter((f) => f.bar === null && !f.free && (f.mapping.kind === 'anon' || f.mapping.kind === 'file'));

export const mappingsWhere = (s: State, p: (m: DmaMapping) => boolean): ReadonlyArray<DmaMapping> => [...s.mappings.values()].filter(p);

export const sglsWhere = (s: State, p: (t: Sgl) => boolean): ReadonlyArray<Sgl> => [...s.sgls.values()].filter(p);

/** Virtual pages whose next CPU store would fault (absent or write-protected PTE) in RAM VMAs. */
export const faultablePages = (s: State): ReadonlyArray<{ readonly mm: number; readonly addr: number }> =>
  vmasWith(s, ['anon', 'file']).flatMap((v) =>
    v.ptes.flatMap((p, i) => (present(p)?.writable !== true ? [{ mm: v.mm, addr: v.start + i }] : [])),
  );

/** Is `t` referenced by a live mapping? */
export const isMapped = (s: State, t: Sgl): boolean =>
  [...s.mappings.values()].some((m) => m.origin.kind === 'sgl' && m.origin.sgl === t.id);
