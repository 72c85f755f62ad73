/**
 * The driver side of a GUP-based I/O (O_DIRECT, RDMA reg_mr, VFIO):
 * take the user pages, build an SGL, map it for the device; at completion
 * unmap, dirty what the device wrote, release the pages.
 *
 * `legacy`: get_user_pages + set_page_dirty_lock + put_page.
 * `pin`:    pin_user_pages + unpin_user_pages_dirty_lock.
 */
import type { Op } from '../op.ts';
import type { DmaMapping, State } from '../state.ts';
import { type Build, type Plan, type StepTemplate, bools } from './design.ts';
import { mappingsWhere, vmasWith } from './queries.ts';

export const IMPORTER = 1;

export const startIo = (flavour: 'legacy' | 'pin'): StepTemplate => ({
  name: flavour === 'legacy' ? 'start_io(get_user_pages)' : 'start_io(pin_user_pages)',
  role: 'driver',
  weight: 2,
  options: (s) => {
    if (s.pageArrays.size >= s.bounds.ios) return [];
    return vmasWith(s, ['anon', 'file']).flatMap((v) =>
      bools.flatMap((write) =>
        // Stryker disable next-line BooleanLiteral: the legacy flavour's get_user_pages takes no longterm flag
        (flavour === 'legacy' ? [false] : bools).map((longterm): Plan => {
          const gupOp: Op =
            flavour === 'legacy'
              ? { kind: 'get_user_pages', mm: v.mm, start: v.start, npages: v.npages, write }
              : { kind: 'pin_user_pages', mm: v.mm, start: v.start, npages: v.npages, write, longterm, p2pdma: false };
          return [
            () => gupOp,
            (_s, made) => ({ kind: 'sg_alloc_table_from_pages', pages: made[0]! }),
            (_s, made) => ({ kind: 'dma_map_sg', dev: IMPORTER, sgl: made[1]!, dir: write ? 'from-device' : 'to-device' }),
          ];
        }),
      ),
    );
  },
});

/** dma_unmap_sg with the device, count and direction the map call was given: the correct unmap. */
export const unmapSgAsMapped = (m: DmaMapping): Op => ({ kind: 'dma_unmap_sg', mapping: m.id, dev: m.device, nents: m.nents, dir: m.dir });

/** Every I/O in flight: a live dma_map_sg mapping of a GUP-built table. */
export const ios = (s: State) =>
  mappingsWhere(s, (x) => x.api === 'dma_map_sg' && x.origin.kind === 'sgl' && s.sgls.get(x.origin.sgl)?.pages != null).flatMap((m) => {
    // Stryker disable next-line ArrayDeclaration: a redundant guard: the filter above kept sgl origins only (it narrows the type)
    if (m.origin.kind !== 'sgl') return [];
    const sgl = s.sgls.get(m.origin.sgl)!;
    const pages = s.pageArrays.get(sgl.pages!);
    return pages === undefined ? [] : [{ mapping: m, sgl: sgl.id, pages }];
  });

export const completeIo = (flavour: 'legacy' | 'pin'): StepTemplate => ({
  name: flavour === 'legacy' ? 'complete_io(set_page_dirty_lock, put_page)' : 'complete_io(unpin_user_pages_dirty_lock)',
  role: 'driver',
  weight: 2,
  options: (s) =>
    ios(s).map((io): Plan => {
      const release: ReadonlyArray<Op> =
        flavour === 'legacy'
          ? [...(io.pages.write ? [{ kind: 'set_page_dirty_lock', pages: io.pages.id } as const] : []), { kind: 'put_page', pages: io.pages.id }]
          : [{ kind: 'unpin_user_pages_dirty_lock', pages: io.pages.id, make_dirty: io.pages.write }];
      const ops: ReadonlyArray<Op> = [unmapSgAsMapped(io.mapping), ...release, { kind: 'sg_free_table', sgl: io.sgl }];
      return ops.map((op): Build => () => op);
    }),
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
