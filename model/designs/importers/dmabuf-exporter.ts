/**
 * An exporter's revoke of a dma-buf, as VFIO writes it
 * (vfio_pci_dma_buf_move(vdev, true) in drivers/vfio/pci/vfio_pci_dmabuf.c,
 * run before a reset or a hot-unplug): under the reservation lock, set
 * revoked and call dma_buf_move_notify. As first merged it then unlocks;
 * the proposed fix ("vfio: Wait for dma-buf invalidation to complete")
 * first waits for every fence of the buffer (dma_resv_wait_timeout,
 * DMA_RESV_USAGE_BOOKKEEP). The thread sees the dma-buf it revokes.
 */
import { type Action, call, end, type Recipe } from '../../recipe.ts';
import type { DriverThread } from '../../state.ts';

const dmabuf = (t: DriverThread): number => t.dmabuf ?? 0;

const steps = (wait: boolean): ReadonlyArray<Action> => [
  (_d, t) => call({ kind: 'dma_resv_lock', dmabuf: dmabuf(t), dev: t.device }),
  (_d, t) => call({ kind: 'vfio_pci_dma_buf_revoke', dmabuf: dmabuf(t) }),
  (_d, t) => call({ kind: 'dma_buf_move_notify', dmabuf: dmabuf(t) }),
  ...(wait ? [(_d: unknown, t: DriverThread) => call({ kind: 'dma_resv_wait_timeout', dmabuf: dmabuf(t) })] : []),
  (_d, t) => call({ kind: 'dma_resv_unlock', dmabuf: dmabuf(t), dev: t.device }),
  (_d, t) => call({ kind: 'driver_return', dev: t.device, err: '0' }, end),
];

/** VFIO's revoke as first merged (5d74781ebc86): no wait for the importers. */
export const vfioRevoke: Recipe = {
  name: 'vfio-revoke',
  summary: 'Take the reservation lock, set revoked, dma_buf_move_notify, unlock, return: nothing waits for the work the importers could not stop at once.',
  listing: ['dma_resv_lock(dmabuf->resv)', 'priv->revoked = true', 'dma_buf_move_notify(dmabuf)', 'dma_resv_unlock(dmabuf->resv)', 'return'],
  actions: steps(false),
};

/** VFIO's revoke with the proposed wait for fences. */
export const vfioRevokeWait: Recipe = {
  name: 'vfio-revoke-wait',
  summary: 'Take the reservation lock, set revoked, dma_buf_move_notify, wait for every fence of the buffer (dma_resv_wait_timeout, DMA_RESV_USAGE_BOOKKEEP), unlock, return.',
  listing: ['dma_resv_lock(dmabuf->resv)', 'priv->revoked = true', 'dma_buf_move_notify(dmabuf)', 'dma_resv_wait_timeout(dmabuf->resv, DMA_RESV_USAGE_BOOKKEEP, false, MAX_SCHEDULE_TIMEOUT)', 'dma_resv_unlock(dmabuf->resv)', 'return'],
  actions: steps(true),
};
