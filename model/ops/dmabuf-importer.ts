/**
 * What a driver does with a dma-buf besides the core's calls, as steps the
 * search can interleave: an importer starts its map path (a memory
 * registration: ib_umem_dmabuf_get), programs or zaps its device's
 * translation; an exporter starts its revoke and sets its revoked flag; an
 * importer keeps or drops the table it got
 * from dma_buf_map_attachment in its own records (umem_dmabuf->sgt). These
 * are driver actions, not kernel calls: none returns an error; what the
 * driver cannot do (an attachment it does not have, a table it never got)
 * is ill-formed.
 */
import { drop, put } from '../collections.ts';
import { freshId } from '../page.ts';
import { done, illFormed, type Outcome } from '../result.ts';
import { ownTable, startJob } from './dmabuf.ts';
import type { AttachmentId, DeviceId, DmaBufId, DriverThread, MappingId, State, ThreadId } from '../state.ts';

/** The driver of `dev` maps its attachment for its device: it starts its dma-buf map path as a thread. */
export const driverMapAttachment = (s: State, dev: DeviceId, attachment: AttachmentId): Outcome => {
  const op = 'driver_map_attachment';
  const recipe = s.devices[dev]?.driver?.mapAttachment;
  if (recipe === undefined) return illFormed(op, `device ${dev} has no dma-buf map path`);
  const a = s.attachments.get(attachment);
  if (a === undefined || a.importer !== dev) return illFormed(op, `attachment ${attachment} is not one of device ${dev}'s`);
  const [s1, id] = freshId(s);
  const t: DriverThread = { id, device: dev, recipe, pc: 0, notifier: null, inv: null, curSeq: 0, range: null, event: null, vma: null, seq: null, mapping: null, entries: null, retry: null, write: false, pfns: null, stale: null, attachment, dmabuf: a.dmabuf };
  return done({ ...s1, threads: put(s1.threads, id, t) }, [{ kind: 'thread-started', thread: id, recipe }]);
};

/** The exporting driver of `dev` starts its revoke of `dmabuf` (a reset, a hot-unplug) as a thread. */
export const driverRevoke = (s: State, dev: DeviceId, dmabuf: DmaBufId): Outcome => {
  const op = 'driver_revoke';
  const recipe = s.devices[dev]?.driver?.revoke;
  if (recipe === undefined) return illFormed(op, `device ${dev} has no dma-buf revoke path`);
  if (s.dmaBufs.get(dmabuf)?.exporter !== dev) return illFormed(op, `dma-buf ${dmabuf} is not one device ${dev} exported`);
  const [s1, id] = freshId(s);
  const t: DriverThread = { id, device: dev, recipe, pc: 0, notifier: null, inv: null, curSeq: 0, range: null, event: null, vma: null, seq: null, mapping: null, entries: null, retry: null, write: false, pfns: null, stale: null, dmabuf };
  return done({ ...s1, threads: put(s1.threads, id, t) }, [{ kind: 'thread-started', thread: id, recipe }]);
};

/** The driver keeps the table its thread `by` got from dma_buf_map_attachment: from now on its move_notify finds it. */
export const driverKeepSgt = (s: State, dev: DeviceId, attachment: AttachmentId, mapping: MappingId, by: ThreadId | undefined): Outcome => {
  const op = 'driver_keep_sgt';
  const t = by === undefined ? undefined : s.threads.get(by);
  if (t === undefined || t.device !== dev || t.attachment !== attachment || t.mapping !== mapping || t.dmabuf === undefined)
    return illFormed(op, `only the thread of device ${dev} that mapped attachment ${attachment} to mapping ${mapping} keeps it`);
  if (s.sgtRecords.some((r) => r.device === dev && r.mapping === mapping)) return illFormed(op, `device ${dev}'s driver already keeps mapping ${mapping}`);
  return done({ ...s, sgtRecords: [...s.sgtRecords, { device: dev, attachment, dmabuf: t.dmabuf, mapping, pinned: t.pinned === true }] }, [{ kind: 'sgt-kept', device: dev, mapping }]);
};

/** The driver forgets a table it kept (after unmapping it, or to leak it). */
export const driverDropSgt = (s: State, dev: DeviceId, mapping: MappingId): Outcome => {
  const op = 'driver_drop_sgt';
  if (!s.sgtRecords.some((r) => r.device === dev && r.mapping === mapping)) return illFormed(op, `device ${dev}'s driver keeps no mapping ${mapping}`);
  return done({ ...s, sgtRecords: s.sgtRecords.filter((r) => !(r.device === dev && r.mapping === mapping)) }, [{ kind: 'sgt-dropped', device: dev, mapping }]);
};

/**
 * mlx5r_umr_update_mr_pas(mr, flags): the RDMA driver writes the table's
 * addresses into its NIC's translation of the memory region, or with
 * MLX5_IB_UPD_XLT_ZAP clears it (the NIC no longer reaches them). No
 * fence: the region lasts until zapped.
 */
export const mlx5rUmrUpdateMrPas = (s: State, dev: DeviceId, mapping: MappingId, zap: boolean): Outcome => {
  const op = 'mlx5r_umr_update_mr_pas';
  if (zap) {
    const mine = [...s.jobs.values()].filter((j) => j.device === dev && j.mapping === mapping && !j.fenced);
    if (s.devices[dev] === undefined) return illFormed(op, `no device ${dev}`);
    let jobs = s.jobs;
    for (const j of mine) jobs = drop(jobs, j.id);
    return done({ ...s, jobs }, mine.map((j) => ({ kind: 'job-ended' as const, job: j.id })));
  }
  const m = ownTable(s, dev, mapping);
  if (typeof m === 'string') return illFormed(op, m);
  return startJob(s, m, false);
};

/** VFIO's vfio_pci_dma_buf_move(vdev, true), under the reservation lock: priv->revoked = true, so map_dma_buf refuses from now on. */
export const vfioPciDmaBufRevoke = (s: State, dmabuf: DmaBufId): Outcome => {
  const b = s.dmaBufs.get(dmabuf);
  if (b === undefined) return illFormed('vfio_pci_dma_buf_revoke', `no dma-buf ${dmabuf}`);
  return done({ ...s, dmaBufs: put(s.dmaBufs, dmabuf, { ...b, revoked: true }) });
};
