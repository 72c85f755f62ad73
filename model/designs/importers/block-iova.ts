/**
 * A block request's map path with the two-step IOVA API, as nvme-pci runs
 * it (nvme_map_data -> blk_rq_dma_map_iter_start -> blk_rq_dma_map_iova,
 * block/blk-mq-dma.c, 6.17): allocate one IOVA range for the request, link
 * its pages one by one, sync, and hand the device iter->addr and iter->len;
 * on an error the request fails and its pages go back (bio_release_pages).
 * The thread sees the request the kernel handed it (its pages, how many,
 * its direction) and what its own calls returned, never the kernel's tables.
 *
 * Two versions: before 81e7223b1a2d "block: fix partial IOVA mapping
 * cleanup in blk_rq_dma_map_iova" (Chaitanya Kulkarni; the bug came with
 * 858299dc6160, 6.17) a failing link broke out of the loop, the sync of
 * what was linked overwrote the error, and the function returned true with
 * iter->len the whole range; a failing sync returned false and left the
 * range allocated and linked. After it, both go to out_unlink:
 * dma_iova_destroy of what was linked.
 */
import { type Action, at, call, end, goto, type Recipe } from '../../recipe.ts';
import type { DmaDirection, DriverThread } from '../../state.ts';

const pages = (t: DriverThread): number => t.request?.pages ?? 0;
const npages = (t: DriverThread): number => t.request?.npages ?? 0;
const mapped = (t: DriverThread): number => t.mapped ?? 0;
const iova = (t: DriverThread): number => t.iova ?? 0;
/** A read from disk (the pages were pinned with FOLL_WRITE) is the device writing memory. */
const dir = (t: DriverThread): DmaDirection => (t.write ? 'from-device' : 'to-device');

/** dma_iova_try_alloc(dma_dev, state, phys, rq->__data_len); false goes on at `failAt` (the page-wise path is not modelled: the request fails). */
const tryAlloc =
  (failAt: number): Action =>
  (_d, t) =>
    call(
      { kind: 'dma_iova_try_alloc', dev: t.device, pages: pages(t) },
      (th, returned) => {
        const e = returned.find((x) => x.kind === 'iova-allocated');
        return { ...th, pc: th.pc + 1, iova: e?.kind === 'iova-allocated' ? e.iova : 0, mapped: 0 };
      },
      at(failAt),
    );

/** The loop: dma_iova_link(dma_dev, state, vec->paddr, mapped, vec->len, dir, attrs) of each page in turn; an error goes on at `onError`. */
const linkLoop =
  (onError: number): Action =>
  (_d, t) =>
    mapped(t) >= npages(t)
      ? goto(t.pc + 1)
      : call(
          { kind: 'dma_iova_link', dev: t.device, iova: iova(t), offset: mapped(t), pages: pages(t), index: mapped(t), dir: dir(t) },
          (th) => ({ ...th, mapped: mapped(th) + 1 }),
          at(onError),
        );

/** error = dma_iova_sync(dma_dev, state, 0, mapped): an error goes on at `onError`. */
const sync =
  (onError: number): Action =>
  (_d, t) =>
    call({ kind: 'dma_iova_sync', dev: t.device, iova: iova(t), offset: 0, npages: mapped(t) }, undefined, at(onError));

/** return true: nvme writes iter->addr and iter->len (dma_iova_size(state): the whole range) into the command. */
const handToDevice: Action = (_d, t) => call({ kind: 'device_program_iova', dev: t.device, iova: iova(t), npages: npages(t), dir: dir(t) }, end);

/** return false: the request fails with iter->status, and its bio's pages go back. */
const failRequest: Action = (_d, t) => call({ kind: 'unpin_user_pages', pages: pages(t) }, end);

/** out_unlink: dma_iova_destroy(dma_dev, state, mapped, dir, attrs). */
const destroyMapped: Action = (_d, t) => call({ kind: 'dma_iova_destroy', dev: t.device, iova: iova(t), mapped: mapped(t), dir: dir(t) });

export const blkRqDmaMapIova617: Recipe = {
  name: 'blk-rq-dma-map-iova-6.17',
  summary:
    "blk_rq_dma_map_iova before 81e7223b1a2d: allocate the request's IOVA range, link its pages until one fails (break), sync what was linked, and return true with iter->len the whole range; a failing sync returns false with the range still allocated and linked.",
  listing: [
    'if (!dma_iova_try_alloc(dma_dev, state, phys, rq->__data_len)) fail the request',
    'iter->addr = state->addr; iter->len = dma_iova_size(state)',
    'do { error = dma_iova_link(dma_dev, state, vec->paddr, mapped, vec->len, dir, attrs); if (error) break; mapped += vec->len; } while (next segment)',
    'error = dma_iova_sync(dma_dev, state, 0, mapped); if (error) { iter->status = errno_to_blk_status(error); return false; }',
    'return true: nvme programs the command from iter->addr, iter->len',
    'on false: the request fails; bio_release_pages()',
  ],
  actions: [tryAlloc(4), linkLoop(2), sync(4), handToDevice, failRequest],
};

export const blkRqDmaMapIova: Recipe = {
  name: 'blk-rq-dma-map-iova',
  summary:
    "blk_rq_dma_map_iova since 81e7223b1a2d: allocate the request's IOVA range, link its pages, sync them and return true with iter->len the whole range; a failing link or sync goes to out_unlink: dma_iova_destroy of what was linked, and the request fails.",
  listing: [
    'if (!dma_iova_try_alloc(dma_dev, state, phys, rq->__data_len)) fail the request',
    'iter->addr = state->addr; iter->len = dma_iova_size(state)',
    'do { error = dma_iova_link(dma_dev, state, vec->paddr, mapped, vec->len, dir, attrs); if (error) goto out_unlink; mapped += vec->len; } while (next segment)',
    'error = dma_iova_sync(dma_dev, state, 0, mapped); if (error) goto out_unlink',
    'return true: nvme programs the command from iter->addr, iter->len',
    'out_unlink: dma_iova_destroy(dma_dev, state, mapped, dir, attrs); iter->status = errno_to_blk_status(error); return false',
    'on false: the request fails; bio_release_pages()',
  ],
  actions: [tryAlloc(5), linkLoop(4), sync(4), handToDevice, destroyMapped, failRequest],
};
