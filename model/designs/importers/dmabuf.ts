/**
 * Importers of a dma-buf, as drivers write them: the path that maps an
 * attachment for the device (a memory registration: ib_umem_dmabuf_get,
 * ib_umem_dmabuf_get_pinned in drivers/infiniband/core/umem_dmabuf.c) and
 * the `move_notify` the exporter calls holding the reservation lock. A
 * thread sees its attachment and dma-buf (what it attached, what
 * move_notify(attach) is handed) and the tables its driver kept; never the
 * kernel's tables.
 */
import { type Action, call, end, goto, type Recipe } from '../../recipe.ts';
import type { DriverThread } from '../../state.ts';

const dmabuf = (t: DriverThread): number => t.dmabuf ?? 0;
const attachment = (t: DriverThread): number => t.attachment ?? 0;

const lock: Action = (_d, t) => call({ kind: 'dma_resv_lock', dmabuf: dmabuf(t), dev: t.device });
const unlock: Action = (_d, t) => call({ kind: 'dma_resv_unlock', dmabuf: dmabuf(t), dev: t.device });
/** dma_buf_map_attachment; the table's mapping comes back in the call's event. On an error, on to `failAt`. */
const map =
  (failAt: number): Action =>
  (_d, t) =>
    call(
      { kind: 'dma_buf_map_attachment', attachment: attachment(t), dir: 'bidirectional' },
      (th, returned) => {
        const e = returned.find((x) => x.kind === 'dmabuf-mapped');
        return { ...th, pc: th.pc + 1, mapping: e?.kind === 'dmabuf-mapped' ? e.mapping : null };
      },
      (th) => ({ ...th, pc: failAt }),
    );
const keep: Action = (_d, t) => call({ kind: 'driver_keep_sgt', dev: t.device, attachment: attachment(t), mapping: t.mapping ?? 0 });
/** The RDMA driver programs its NIC's translation of the memory region from the table (mlx5r_umr_update_mr_pas). */
const programMr: Action = (_d, t) => call({ kind: 'mlx5r_umr_update_mr_pas', dev: t.device, mapping: t.mapping ?? 0, zap: false });
const returnOk: Action = (_d, t) => call({ kind: 'driver_return', dev: t.device, err: '0' }, end);
const returnErr: Action = (_d, t) => call({ kind: 'driver_return', dev: t.device, err: '-ENODEV' }, end);

/** ib_umem_dmabuf_get + map: under the reservation lock, map the attachment and keep the table. */
export const dmabufMapLocked: Recipe = {
  name: 'dmabuf-map',
  summary: "Take the reservation lock, dma_buf_map_attachment, keep the table (umem_dmabuf->sgt), program the NIC's translation of the memory region from it, unlock, return; a refused map unlocks and returns its error.",
  listing: ['dma_resv_lock(dmabuf->resv)', 'sgt = dma_buf_map_attachment(attach, DMA_BIDIRECTIONAL)', 'umem_dmabuf->sgt = sgt', 'mlx5r_umr_update_mr_pas(mr, 0): the NIC reaches the table', 'dma_resv_unlock(dmabuf->resv)', 'return 0', 'on error: dma_resv_unlock(dmabuf->resv)', '  return the error'],
  actions: [lock, map(6), keep, programMr, unlock, returnOk, unlock, returnErr],
};

/**
 * The same without the reservation lock (what dma_buf_map_attachment_unlocked
 * is for, but the table kept after the lock's end): the exporter's
 * move_notify can run between the map and the keep.
 */
export const dmabufMapUnlocked: Recipe = {
  name: 'dmabuf-map-unlocked',
  summary: 'dma_buf_map_attachment without the reservation lock, then keep the table, program the memory region and return: nothing orders the keep before a move_notify.',
  listing: ['sgt = dma_buf_map_attachment(attach, DMA_BIDIRECTIONAL) (no dma_resv_lock)', 'umem_dmabuf->sgt = sgt', 'mlx5r_umr_update_mr_pas(mr, 0)', 'return 0', 'on error: return the error'],
  actions: [map(4), keep, programMr, returnOk, returnErr],
};

/** ib_umem_dmabuf_get_pinned: lock, dma_buf_pin, map, keep, program, unlock; a refused map unpins (its err_unpin label). */
export const dmabufMapPinned: Recipe = {
  name: 'dmabuf-map-pinned',
  summary: 'Take the reservation lock, dma_buf_pin, dma_buf_map_attachment, keep the table, program the memory region, unlock, return (ib_umem_dmabuf_get_pinned): the memory is expected to stay put.',
  listing: ['dma_resv_lock(dmabuf->resv)', 'dma_buf_pin(attach)', 'sgt = dma_buf_map_attachment(attach, DMA_BIDIRECTIONAL)', 'umem_dmabuf->sgt = sgt', 'mlx5r_umr_update_mr_pas(mr, 0)', 'dma_resv_unlock(dmabuf->resv)', 'return 0', 'on a map error: dma_buf_unpin(attach)', 'on a map or pin error: dma_resv_unlock(dmabuf->resv)', '  return the error'],
  actions: [
    lock,
    (_d, t) => call({ kind: 'dma_buf_pin', attachment: attachment(t) }, (th) => ({ ...th, pc: th.pc + 1, pinned: true }), (th) => ({ ...th, pc: 8 })),
    map(7),
    keep,
    programMr,
    unlock,
    returnOk,
    (_d, t) => call({ kind: 'dma_buf_unpin', attachment: attachment(t) }),
    unlock,
    returnErr,
  ],
};

/**
 * mlx5_ib_dmabuf_invalidate_cb: with the exporter holding the reservation
 * lock, if the driver keeps a table of this attachment, zap the device's
 * translation and unmap it (ib_umem_dmabuf_unmap_pages), then return.
 */
export const moveNotifyUnmap: Recipe = {
  name: 'dmabuf-unmap-on-move',
  summary: "If the driver keeps a table of the attachment: zap the NIC's translation of the memory region, dma_buf_unmap_attachment and drop it; return.",
  listing: ['if (!umem_dmabuf->sgt) return', 'mlx5r_umr_update_mr_pas(mr, MLX5_IB_UPD_XLT_ZAP)', 'dma_buf_unmap_attachment(attach, sgt)', 'umem_dmabuf->sgt = NULL', 'return'],
  actions: [
    (d, t) => {
      const r = d.sgts.find((x) => x.attachment === t.attachment);
      return r === undefined ? goto(3) : call({ kind: 'mlx5r_umr_update_mr_pas', dev: t.device, mapping: r.mapping, zap: true }, (th) => ({ ...th, pc: 1, mapping: r.mapping }));
    },
    (_d, t) => call({ kind: 'dma_buf_unmap_attachment', attachment: attachment(t), mapping: t.mapping ?? 0 }),
    (_d, t) => call({ kind: 'driver_drop_sgt', dev: t.device, mapping: t.mapping ?? 0 }),
    (_d, t) => call({ kind: 'move_notify_return', attachment: attachment(t) }, end),
  ],
};

/** ib_umem_dmabuf_unsupported_move_notify: a pinned importer only warns ("Invalidate callback should not be called when memory is pinned"). */
export const moveNotifyWarn: Recipe = {
  name: 'dmabuf-warn-pinned',
  summary: 'Warn that memory is pinned and return: the device keeps its addresses.',
  listing: ['ibdev_warn_ratelimited("Invalidate callback should not be called when memory is pinned")', 'return'],
  actions: [(_d, t) => call({ kind: 'move_notify_return', attachment: attachment(t) }, end)],
};

/**
 * A GPU driver's command submission on an imported dma-buf (the shape of
 * amdgpu's: validate the buffer, then submit): under the reservation lock,
 * map the attachment unless it keeps a table of it, publish the job's
 * fence and submit. The job runs until its fence signals.
 */
export const dmabufSubmitFenced: Recipe = {
  name: 'dmabuf-submit-fenced',
  summary: 'Take the reservation lock; use the table the driver keeps, or dma_buf_map_attachment and keep it; submit a job on it and publish its fence (dma_resv_add_fence); unlock; return. A refused map unlocks and returns its error.',
  listing: ['dma_resv_lock(dmabuf->resv)', 'sgt = the kept table, or dma_buf_map_attachment(attach, DMA_BIDIRECTIONAL)', '  keep sgt', 'submit the job; dma_resv_add_fence(dmabuf->resv, job fence)', 'dma_resv_unlock(dmabuf->resv)', 'return 0', 'on error: dma_resv_unlock(dmabuf->resv)', '  return the error'],
  actions: [
    lock,
    (d, t) => {
      const r = d.sgts.find((x) => x.attachment === t.attachment);
      return r === undefined ? map(6)(d, t) : call({ kind: 'dma_resv_add_fence', dmabuf: dmabuf(t), dev: t.device, mapping: r.mapping }, (th) => ({ ...th, pc: 4, mapping: r.mapping }));
    },
    keep,
    (_d, t) => call({ kind: 'dma_resv_add_fence', dmabuf: dmabuf(t), dev: t.device, mapping: t.mapping ?? 0 }),
    unlock,
    returnOk,
    unlock,
    returnErr,
  ],
};

/**
 * A GPU driver's move_notify (the shape of amdgpu_dma_buf_move_notify):
 * it cannot stop a job in flight, so it unmaps and forgets the table and
 * returns; the jobs keep running until their fences signal, which the
 * exporter must wait for.
 */
export const moveNotifyInvalidate: Recipe = {
  name: 'dmabuf-invalidate-on-move',
  summary: 'If the driver keeps a table of the attachment: dma_buf_unmap_attachment and forget it (the next submission maps again); return without waiting: jobs in flight run on until their fences signal.',
  listing: ['if no table is kept: return', 'dma_buf_unmap_attachment(attach, sgt)', 'forget sgt', 'return (jobs in flight keep running: their fences are in dmabuf->resv)'],
  actions: [
    (d, t) => {
      const r = d.sgts.find((x) => x.attachment === t.attachment);
      return r === undefined ? goto(2) : call({ kind: 'dma_buf_unmap_attachment', attachment: attachment(t), mapping: r.mapping }, (th) => ({ ...th, pc: 1, mapping: r.mapping }));
    },
    (_d, t) => call({ kind: 'driver_drop_sgt', dev: t.device, mapping: t.mapping ?? 0 }),
    (_d, t) => call({ kind: 'move_notify_return', attachment: attachment(t) }, end),
  ],
};
