/**
 * struct page bookkeeping shared by the operations: allocation, references,
 * freeing and the reverse map. These helpers are total: callers check the
 * preconditions and turn failures into rejections.
 */
import { put, replaceAt } from './collections.ts';
import type { Event } from './event.ts';
import type { BarId, Frame, PageMapping, Pfn, State, Vma, VmaId } from './state.ts';

export const setFrame = (s: State, f: Frame): State => ({ ...s, frames: replaceAt(s.frames, f.pfn, f) });

export const isRamPage = (f: Frame): boolean => f.bar === null;

export const isP2pdmaPage = (f: Frame): boolean => f.bar !== null && f.structPage;

/** is_zero_page(): the shared zero page, mapped by special PTEs that hold no reference. */
export const isZeroPage = (f: Frame): boolean => f.mapping.kind === 'zero';

/** The pfn of the shared zero page (makeWorld puts it after RAM and the BARs). */
export const zeroPfn = (s: State): Pfn => s.frames.findIndex(isZeroPage);

const allocated = (f: Frame, mapping: PageMapping): Frame => ({
  ...f,
  free: false,
  gen: f.gen + 1,
  refcount: f.structPage ? 1 : 0,
  pincount: 0,
  lostPins: 0,
  mapcount: 0,
  dirty: false,
  fsPrivate: false,
  mapping,
  deviceWroteSinceDirtied: false,
});

/** The lowest free frame in `pool`, allocated with one reference. */
const allocFrom = (s: State, pool: (f: Frame) => boolean, mapping: PageMapping): [State, Pfn] | null => {
  const f = s.frames.find((x) => x.free && pool(x));
  return f === undefined ? null : [setFrame(s, allocated(f, mapping)), f.pfn];
};

/** alloc_page(): the lowest free RAM frame (the zero page is never free). */
export const allocRamPage = (s: State, mapping: PageMapping): [State, Pfn] | null => allocFrom(s, isRamPage, mapping);

/** A free frame of `bar` (gen_pool for P2PDMA pages, the exporter's allocator for raw BARs). */
export const allocBarFrame = (s: State, bar: BarId): [State, Pfn] | null => allocFrom(s, (f) => f.bar === bar, { kind: 'none' });

export const freeFrameCount = (s: State, pool: (f: Frame) => boolean): number => s.frames.filter((f) => f.free && pool(f)).length;

/** Give a frame back to its allocator. */
export const releaseFrame = (f: Frame): Frame => ({
  ...f,
  free: true,
  refcount: 0,
  pincount: 0,
  lostPins: 0,
  mapcount: 0,
  dirty: false,
  fsPrivate: false,
  mapping: { kind: 'none' },
  deviceWroteSinceDirtied: false,
});

export interface Changed {
  readonly state: State;
  readonly events: ReadonlyArray<Event>;
}

/** put_page(): one reference less; the page is freed when none is left. */
export const putPage = (s: State, pfn: Pfn): Changed => {
  const f = s.frames[pfn]!;
  const refcount = f.refcount - 1;
  if (refcount > 0) return { state: setFrame(s, { ...f, refcount }), events: [] };
  return { state: setFrame(s, releaseFrame(f)), events: [{ kind: 'page-freed', pfn }] };
};

/** Thread `f` over items, collecting events. */
export const fold = <A>(s: State, items: ReadonlyArray<A>, f: (s: State, a: A) => Changed): Changed =>
  items.reduce<Changed>(
    (acc, a) => {
      const r = f(acc.state, a);
      return { state: r.state, events: [...acc.events, ...r.events] };
    },
    { state: s, events: [] },
  );

export const setVma = (s: State, v: Vma): State => ({ ...s, vmas: put(s.vmas, v.id, v) });

/** Every present PTE that maps `pfn` (the reverse map). */
export const rmap = (s: State, pfn: Pfn): ReadonlyArray<{ readonly vma: VmaId; readonly index: number }> =>
  [...s.vmas.values()].flatMap((v) =>
    v.ptes.flatMap((p, index) => (p !== null && p.pfn === pfn ? [{ vma: v.id, index }] : [])),
  );

/** The VMA of `mm` covering virtual page `addr`. */
export const findVma = (s: State, mm: number, addr: number): Vma | undefined => {
  for (const v of s.vmas.values()) if (v.mm === mm && addr >= v.start && addr < v.start + v.npages) return v;
  return undefined;
};

export const freshId = (s: State): [State, number] => [{ ...s, nextId: s.nextId + 1 }, s.nextId];
