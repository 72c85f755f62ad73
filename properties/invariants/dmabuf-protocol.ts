import * as O from 'fp-ts/lib/Option.js';
import type { Op } from '../../model/op.ts';
import type { AttachmentId, State } from '../../model/state.ts';
import type { Invariant } from '../invariant.ts';

/** The calls dma-buf makes under `dma_resv_assert_held(attach->dmabuf->resv)`, with the attachment each names. */
const underResv = (op: Op): AttachmentId | null =>
  op.kind === 'dma_buf_map_attachment' || op.kind === 'dma_buf_unmap_attachment' || op.kind === 'dma_buf_pin' || op.kind === 'dma_buf_unpin' ? op.attachment : null;

/** The exporter ends a revoke: it drops the reservation lock of a dma-buf it revoked. */
const endsRevoke = (before: State, op: Op): boolean => {
  if (op.kind !== 'dma_resv_unlock') return false;
  const b = before.dmaBufs.get(op.dmabuf);
  return b !== undefined && b.revoked && op.dev === b.exporter;
};

/**
 * Who holds the reservation lock for a call: the caller's driver, or (for
 * a call made inside a move_notify callback) the exporter that called it,
 * in whose context the callback runs.
 */
const holdsResv = (before: State, op: Op, caller: number, dmabuf: number): boolean => {
  const b = before.dmaBufs.get(dmabuf);
  if (b === undefined || b.resv === null) return false;
  const t = op.by === undefined ? undefined : before.threads.get(op.by);
  return b.resv === caller || (t?.moveNotify === true && t.dmabuf === dmabuf && b.resv === b.exporter);
};

/**
 * dmabuf-protocol: the dma-buf locking and move_notify rules.
 *
 * 1. An importer maps, unmaps and pins an attachment only with the
 *    dma-buf's reservation lock held (dma_buf_map_attachment,
 *    dma_buf_unmap_attachment and dma_buf_pin call
 *    dma_resv_assert_held(); the doc: "Importer is responsible for holding
 *    dmabuf's reservation lock"); a move_notify callback runs with the
 *    exporter holding it.
 * 2. The exporter calls dma_buf_move_notify with the lock held (the doc of
 *    move_notify: "called with the lock of the reservation object
 *    associated with the dma_buf held").
 * 3. The exporter finishes a revoke (drops the lock after move_notify)
 *    only once every fence of the dma-buf signalled: move_notify "just
 *    triggers asynchronous invalidation" (König, 2026), and an importer
 *    "should set fences for any access that they can't disable
 *    immediately" (the doc of dma_buf.resv); importers publish fences
 *    under the lock (dma_resv_add_fence asserts it).
 * 4. After an attachment's move_notify returned, the importer's device
 *    uses no table of it made before, except through fenced work (which
 *    the exporter waits for): "the importer must ... invalidate" and
 *    re-map (the doc of move_notify: "mappings ... may be invalidated", the
 *    importer re-maps before the next access), and work it cannot fence
 *    must be stopped before move_notify returns. An RDMA region still
 *    programmed then (a zap that did nothing, a pinned importer that only
 *    warns) reaches memory the exporter may move or give back.
 * 5. move_notify never reaches an attachment its importer pinned: a pinned
 *    importer cannot give the memory back (ib_umem_dmabuf's move_notify for
 *    pinned memory only warns "Invalidate callback should not be called
 *    when memory is pinned"); dma_buf_move_notify calls it all the same
 *    ("dma-buf has quietly allowed calling move_notify on pinned
 *    dma-bufs", Romanovsky, 2026), so a revoke of a pinned attachment is
 *    reported here as such.
 *
 * @see include/linux/dma-buf.h (struct dma_buf_attach_ops, move_notify)
 * @see drivers/dma-buf/dma-buf.c (dma_buf_map_attachment, dma_buf_pin, dma_buf_move_notify)
 * @see drivers/infiniband/core/umem_dmabuf.c (ib_umem_dmabuf_unsupported_move_notify)
 */
export const dmabufProtocol: Invariant = {
  id: 'dmabuf-protocol',
  rule: "An importer maps, unmaps, pins and publishes fences only under the dma-buf's reservation lock, the exporter calls move_notify holding it and ends a revoke only once every fence signalled, no unfenced work uses a table after its move_notify returned, and move_notify never reaches a pinned attachment.",
  source: 'include/linux/dma-buf.h (dma_buf_attach_ops.move_notify); drivers/dma-buf/dma-buf.c',
  check: (before, op, step) => {
    const attachment = underResv(op);
    if (attachment !== null) {
      const a = before.attachments.get(attachment);
      if (a !== undefined && !holdsResv(before, op, a.importer, a.dmabuf))
        return O.some(`${op.kind} of attachment ${attachment} by device ${a.importer}'s driver without the reservation lock of dma-buf ${a.dmabuf}: dma_resv_assert_held() fails (the importer is responsible for holding it)`);
    }
    if (op.kind === 'dma_resv_add_fence' && !holdsResv(before, op, op.dev, op.dmabuf))
      return O.some(`dma_resv_add_fence on dma-buf ${op.dmabuf} by device ${op.dev}'s driver without its reservation lock: dma_resv_assert_held() fails`);
    if (op.kind === 'dma_resv_unlock' && endsRevoke(before, op)) {
      const pending = [...before.jobs.values()].filter((j) => j.fenced && j.dmabuf === op.dmabuf);
      if (pending.length > 0)
        return O.some(`the exporter ends its revoke of dma-buf ${op.dmabuf} with the fence of job ${pending.map((j) => j.id).join(', ')} of device ${pending[0]!.device} unsignalled: the job still reaches the memory (dma_resv_wait_timeout was not called)`);
    }
    for (const e of step.events) {
      if (e.kind !== 'device-access' || e.mapping === null) continue;
      const j = [...before.jobs.values()].find((x) => x.mapping === e.mapping && x.device === e.device);
      if (j !== undefined && j.invalidated === true && !j.fenced)
        return O.some(
          `device ${e.device} ${e.write ? 'wrote' : 'read'} through memory region ${j.id} (table ${j.mapping} of attachment ${j.attachment}) after attachment ${j.attachment}'s move_notify returned: unfenced work must be stopped before move_notify returns, and a table from before it must be mapped again before use`,
        );
    }
    if (op.kind === 'dma_buf_move_notify') {
      const b = before.dmaBufs.get(op.dmabuf);
      if (b !== undefined && b.resv !== b.exporter) return O.some(`dma_buf_move_notify of dma-buf ${op.dmabuf} without its reservation lock held by the exporter`);
      for (const e of step.events) {
        if (e.kind !== 'move-notify-called') continue;
        const a = before.attachments.get(e.attachment);
        if (a !== undefined && a.pins > 0)
          return O.some(`dma_buf_move_notify called the move_notify of attachment ${a.id}, which device ${a.importer}'s driver pinned with dma_buf_pin: a pinned importer cannot give the memory back, and its device keeps the addresses`);
      }
    }
    return O.none;
  },
  exercised: (before, op, step) =>
    underResv(op) !== null ||
    op.kind === 'dma_buf_move_notify' ||
    op.kind === 'dma_resv_add_fence' ||
    endsRevoke(before, op) ||
    (before.jobs.size > 0 && step.events.some((e) => e.kind === 'device-access' && [...before.jobs.values()].some((j) => j.mapping === e.mapping && j.invalidated === true))),
};
