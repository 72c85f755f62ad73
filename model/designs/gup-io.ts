/**
 * The driver side of a GUP-based I/O (O_DIRECT, RDMA reg_mr, VFIO):
 * take the user pages, build an SGL, map it for the device; at completion
 * unmap, dirty what the device wrote, release the pages.
 *
 * `legacy`: get_user_pages + set_page_dirty_lock + put_page.
 * `pin`:    pin_user_pages + unpin_user_pages_dirty_lock.
 */
import type { Op } from '../op.ts';
import type { State } from '../state.ts';
import { type Build, type StepTemplate, nth } from './design.ts';
import { mappingsWhere, vmasWith } from './queries.ts';

export const IMPORTER = 1;
const MAX_IOS = 2;

export const startIo = (flavour: 'legacy' | 'pin'): StepTemplate => ({
  name: flavour === 'legacy' ? 'start_io(get_user_pages)' : 'start_io(pin_user_pages)',
  role: 'driver',
  weight: 2,
  plan: (s, c) => {
    if (s.pageArrays.size >= MAX_IOS) return null;
    const v = nth(vmasWith(s, ['anon', 'file']), c[0]);
    if (v === null) return null;
    const write = c[1] % 2 === 0;
    const gupOp: Op =
      flavour === 'legacy'
        ? { kind: 'get_user_pages', mm: v.mm, start: v.start, npages: v.npages, write }
        : { kind: 'pin_user_pages', mm: v.mm, start: v.start, npages: v.npages, write, longterm: c[2] % 2 === 0, p2pdma: false };
    return [
      () => gupOp,
      (_s, made) => ({ kind: 'sg_alloc_table_from_pages', pages: made[0]! }),
      (_s, made) => ({ kind: 'dma_map_sg', dev: IMPORTER, sgl: made[1]!, dir: write ? 'from-device' : 'to-device' }),
    ];
  },
});

/** The I/O whose mapping is the k-th live dma_map_sg mapping of a GUP-built table. */
const ioOf = (s: State, k: number) => {
  const m = nth(
    mappingsWhere(s, (x) => x.api === 'dma_map_sg' && x.origin.kind === 'sgl' && s.sgls.get(x.origin.sgl)?.pages != null),
    k,
  );
  if (m === null || m.origin.kind !== 'sgl') return null;
  const sgl = s.sgls.get(m.origin.sgl)!;
  const pages = s.pageArrays.get(sgl.pages!);
  return pages === undefined ? null : { mapping: m.id, sgl: sgl.id, pages };
};

export const completeIo = (flavour: 'legacy' | 'pin'): StepTemplate => ({
  name: flavour === 'legacy' ? 'complete_io(set_page_dirty_lock, put_page)' : 'complete_io(unpin_user_pages_dirty_lock)',
  role: 'driver',
  weight: 2,
  plan: (s, c) => {
    const io = ioOf(s, c[0]);
    if (io === null) return null;
    const release: ReadonlyArray<Op> =
      flavour === 'legacy'
        ? [...(io.pages.write ? [{ kind: 'set_page_dirty_lock', pages: io.pages.id } as const] : []), { kind: 'put_page', pages: io.pages.id }]
        : [{ kind: 'unpin_user_pages_dirty_lock', pages: io.pages.id, make_dirty: io.pages.write }];
    const ops: ReadonlyArray<Op> = [{ kind: 'dma_unmap_sg', mapping: io.mapping }, ...release, { kind: 'sg_free_table', sgl: io.sgl }];
    return ops.map((op): Build => () => op);
  },
});

/** A GUP call recorded from another design, made with legacy FOLL_GET references. */
export const asLegacyCall = (op: Op): ReadonlyArray<Op> => {
  switch (op.kind) {
    case 'pin_user_pages':
      return [{ kind: 'get_user_pages', mm: op.mm, start: op.start, npages: op.npages, write: op.write }];
    case 'unpin_user_pages':
      return [{ kind: 'put_page', pages: op.pages }];
    case 'unpin_user_pages_dirty_lock':
      return [...(op.make_dirty ? [{ kind: 'set_page_dirty_lock', pages: op.pages } as const] : []), { kind: 'put_page', pages: op.pages }];
    default:
      return [op];
  }
};

/** A GUP call recorded from another design, made with FOLL_PIN pins. */
export const asPinCall = (op: Op): ReadonlyArray<Op> => {
  switch (op.kind) {
    case 'get_user_pages':
      return [{ kind: 'pin_user_pages', mm: op.mm, start: op.start, npages: op.npages, write: op.write, longterm: false, p2pdma: false }];
    case 'put_page':
      return [{ kind: 'unpin_user_pages', pages: op.pages }];
    default:
      return [op];
  }
};
