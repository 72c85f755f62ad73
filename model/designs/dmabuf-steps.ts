/**
 * The steps of the dma-buf designs: VFIO (device 0) exports its BAR as a
 * dma-buf, an importer (device 1) attaches and maps it through its driver
 * code (threads), uses it and lets it go; VFIO revokes it (a reset, a
 * hot-unplug: its revoke path, a thread too) and the device may then go
 * away.
 */
import type { StepTemplate } from './design.ts';
import { single } from './design.ts';
import { deviceAccessAny } from './environment.ts';
import { IMPORTER } from './gup-io.ts';
import { driverThreadRunsOn, driverThreads, newestThreadRunsOn, ownThreads } from './importer-steps.ts';
import { driverView } from '../recipe.ts';
import type { State } from '../state.ts';
import { ownerGone } from '../ops/iova.ts';

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

/**
 * The driver runs its map path for an attachment it has no path running
 * for: a memory registration once (an RDMA importer has no table of it
 * yet), or a GPU submission whenever its device has fewer than two jobs in
 * flight (a bound of the world, as the other templates' bounds are, not
 * something the driver decides).
 */
const mapAttachment = (gpu: boolean): StepTemplate =>
  single('driver_map_attachment', 'driver', 2, (s) => {
    // A bound of the world: once a failed map leaked an IOVA range (vfio-dmabuf-phys), the
    // registration is not tried again; each retry would leak one more range, the same bug, without end.
    if ([...s.iovas.values()].some((v) => v.allocated && ownerGone(s, v))) return [];
    const d = driverView(s, IMPORTER);
    const jobs = [...s.jobs.values()].filter((j) => j.device === IMPORTER).length;
    return ownAttachments(s)
      .filter((a) => !ownThreads(s).some((t) => t.attachment === a.id) && (gpu ? jobs < 2 : !d.sgts.some((r) => r.attachment === a.id)))
      .map((a) => ({ kind: 'driver_map_attachment', dev: IMPORTER, attachment: a.id }));
  });

/**
 * The driver lets a table go, under the reservation lock: an RDMA driver
 * deregisters its memory region (zap the NIC's translation, then
 * ib_umem_dmabuf_release unmaps, and unpins a pinned one), a GPU driver
 * unmaps (its jobs in flight run on to their fences).
 */
const release = (gpu: boolean): StepTemplate => ({
  name: gpu ? 'release(unmap_attachment, drop)' : 'release(zap mr, unmap_attachment, drop)',
  role: 'driver',
  weight: 1,
  options: (s) =>
    driverView(s, IMPORTER)
      .sgts.filter((r) => !ownThreads(s).some((t) => t.mapping === r.mapping))
      .map((r) => {
        const dmabuf = r.dmabuf;
        return [
          () => ({ kind: 'dma_resv_lock', dmabuf, dev: IMPORTER }),
          ...(gpu ? [] : [() => ({ kind: 'mlx5r_umr_update_mr_pas' as const, dev: IMPORTER, mapping: r.mapping, zap: true })]),
          () => ({ kind: 'dma_buf_unmap_attachment', attachment: r.attachment, mapping: r.mapping }),
          () => ({ kind: 'driver_drop_sgt', dev: IMPORTER, mapping: r.mapping }),
          // ib_umem_dmabuf_release: a pinned region gives its pin back.
          ...(r.pinned ? [() => ({ kind: 'dma_buf_unpin' as const, attachment: r.attachment })] : []),
          () => ({ kind: 'dma_resv_unlock', dmabuf, dev: IMPORTER }),
        ];
      }),
});

/** A job finishes: its fence signals. */
const jobDone: StepTemplate = single('dma_fence_signal', 'environment', 2, (s) =>
  [...s.jobs.values()].filter((j) => j.fenced).map((j) => ({ kind: 'dma_fence_signal', job: j.id })),
);

/** VFIO starts a revoke of a dma-buf it exported (a reset, a hot-unplug): its revoke path runs as a thread (model/designs/importers/dmabuf-exporter.ts). */
const revoke: StepTemplate = single('driver_revoke', 'environment', 2, (s) =>
  [...s.dmaBufs.values()]
    .filter((b) => b.exporter === EXPORTER && !b.revoked && ![...s.threads.values()].some((t) => t.device === EXPORTER))
    .map((b) => ({ kind: 'driver_revoke', dev: EXPORTER, dmabuf: b.id })),
);

/** Hot-unplug of the exporting device: VFIO's remove revokes every dma-buf first, so the removal comes after. */
const removal: StepTemplate = single('pci_stop_and_remove_bus_device', 'environment', 1, (s) =>
  s.bars[BAR]!.alive && !s.bars[BAR]!.removing && [...s.dmaBufs.values()].every((b) => b.revoked) && ![...s.threads.values()].some((t) => t.device === EXPORTER)
    ? [{ kind: 'pci_stop_and_remove_bus_device', dev: EXPORTER }]
    : [],
);

/** The importer's steps: `gpu`, a GPU driver submitting fenced jobs; else an RDMA driver registering a memory region. */
export const dmabufImporter = (gpu: boolean): ReadonlyArray<StepTemplate> => [exportBuf, attach, mapAttachment(gpu), release(gpu), driverThreads, driverThreadRunsOn, newestThreadRunsOn];
/** VFIO's revoke (its driver code, the world's `revoke` recipe), the hot-unplug after it, the device's accesses and its jobs' ends. */
export const dmabufEnvironment: ReadonlyArray<StepTemplate> = [revoke, removal, jobDone, deviceAccessAny(true), deviceAccessAny(false)];
