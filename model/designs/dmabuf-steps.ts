/**
 * The steps of the dma-buf designs: VFIO (device 0) exports its BAR as a
 * dma-buf, an importer (device 1) attaches and maps it through its driver
 * code (threads), uses it and lets it go; VFIO revokes it (a reset, a
 * hot-unplug: vfio_pci_dma_buf_move(vdev, true) under the reservation
 * lock, then move_notify) and the device may then go away.
 */
import type { StepTemplate } from './design.ts';
import { single } from './design.ts';
import { deviceAccessAny } from './environment.ts';
import { IMPORTER } from './gup-io.ts';
import { driverThreadRunsOn, driverThreads, newestThreadRunsOn, ownThreads } from './importer-steps.ts';
import { driverView } from '../recipe.ts';
import type { State } from '../state.ts';

/** The exporting device (VFIO) and its BAR. */
export const EXPORTER = 0;
const BAR = 0;

const exportBuf: StepTemplate = single('dma_buf_export', 'driver', 1, (s) =>
  s.dmaBufs.size === 0 && s.bars[BAR]!.alive && !s.bars[BAR]!.removing ? [{ kind: 'dma_buf_export', dev: EXPORTER, bar: BAR }] : [],
);

/** The importer's attachments (what dma_buf_dynamic_attach gave its driver). */
const ownAttachments = (s: State) => [...s.attachments.values()].filter((a) => a.importer === IMPORTER);

const attach: StepTemplate = single('dma_buf_dynamic_attach', 'driver', 1, (s) =>
  [...s.dmaBufs.values()]
    .filter((b) => !ownAttachments(s).some((a) => a.dmabuf === b.id))
    .map((b) => ({ kind: 'dma_buf_dynamic_attach', dev: IMPORTER, dmabuf: b.id, peer2peer: true })),
);

/** The driver maps an attachment it has no table of and no map path running for (a memory registration). */
const mapAttachment: StepTemplate = single('driver_map_attachment', 'driver', 2, (s) => {
  const d = driverView(s, IMPORTER);
  return ownAttachments(s)
    .filter((a) => !d.sgts.some((r) => r.attachment === a.id) && !ownThreads(s).some((t) => t.attachment === a.id))
    .map((a) => ({ kind: 'driver_map_attachment', dev: IMPORTER, attachment: a.id }));
});

/** The driver lets a table go (ib_umem_dmabuf_release): under the reservation lock, unmap it and drop it. */
const release: StepTemplate = {
  name: 'release(unmap_attachment, drop)',
  role: 'driver',
  weight: 1,
  options: (s) =>
    driverView(s, IMPORTER)
      .sgts.filter((r) => !ownThreads(s).some((t) => t.mapping === r.mapping))
      .map((r) => {
        const dmabuf = s.attachments.get(r.attachment)!.dmabuf;
        return [
          () => ({ kind: 'dma_resv_lock', dmabuf, dev: IMPORTER }),
          () => ({ kind: 'dma_buf_unmap_attachment', attachment: r.attachment, mapping: r.mapping }),
          () => ({ kind: 'driver_drop_sgt', dev: IMPORTER, mapping: r.mapping }),
          () => ({ kind: 'dma_resv_unlock', dmabuf, dev: IMPORTER }),
        ];
      }),
};

/** VFIO revokes a dma-buf (vfio_pci_dma_buf_move(vdev, true)): take the reservation lock, set revoked, call move_notify. */
const revoke: StepTemplate = {
  name: 'vfio revoke(lock, revoked, move_notify)',
  role: 'environment',
  weight: 2,
  options: (s) =>
    [...s.dmaBufs.values()]
      .filter((b) => b.exporter === EXPORTER && !b.revoked)
      .map((b) => [
        () => ({ kind: 'dma_resv_lock', dmabuf: b.id, dev: EXPORTER }),
        () => ({ kind: 'vfio_pci_dma_buf_revoke', dmabuf: b.id }),
        () => ({ kind: 'dma_buf_move_notify', dmabuf: b.id }),
      ]),
};

/** ... and once dma_buf_move_notify returned, VFIO drops the reservation lock. */
const revokeEnd: StepTemplate = single('dma_resv_unlock', 'environment', 3, (s) =>
  [...s.dmaBufs.values()].filter((b) => b.resv === EXPORTER).map((b) => ({ kind: 'dma_resv_unlock', dmabuf: b.id, dev: EXPORTER })),
);

/** Hot-unplug of the exporting device: VFIO's remove revokes every dma-buf first, so the removal comes after. */
const removal: StepTemplate = single('pci_stop_and_remove_bus_device', 'environment', 1, (s) =>
  s.bars[BAR]!.alive && !s.bars[BAR]!.removing && [...s.dmaBufs.values()].every((b) => b.revoked && b.resv === null)
    ? [{ kind: 'pci_stop_and_remove_bus_device', dev: EXPORTER }]
    : [],
);

export const dmabufImporter: ReadonlyArray<StepTemplate> = [exportBuf, attach, mapAttachment, release, driverThreads, driverThreadRunsOn, newestThreadRunsOn];
export const dmabufEnvironment: ReadonlyArray<StepTemplate> = [revoke, revokeEnd, removal, deviceAccessAny(true), deviceAccessAny(false)];
