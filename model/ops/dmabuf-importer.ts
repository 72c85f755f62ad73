/**
 * What a driver does with a dma-buf besides the core's calls, as steps the
 * search can interleave: an importer starts its map path (a memory
 * registration: ib_umem_dmabuf_get), an exporter its revoke; an importer
 * keeps or drops the table it got
 * from dma_buf_map_attachment in its own records (umem_dmabuf->sgt). These
 * are driver actions, not kernel calls: none returns an error; what the
 * driver cannot do (an attachment it does not have, a table it never got)
 * is ill-formed.
 */
import { put } from '../collections.ts';
import { freshId } from '../page.ts';
import { done, illFormed, type Outcome } from '../result.ts';
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
  if (t === undefined || t.device !== dev || t.attachment !== attachment || t.mapping !== mapping)
    return illFormed(op, `only the thread of device ${dev} that mapped attachment ${attachment} to mapping ${mapping} keeps it`);
  if (s.sgtRecords.some((r) => r.device === dev && r.mapping === mapping)) return illFormed(op, `device ${dev}'s driver already keeps mapping ${mapping}`);
  return done({ ...s, sgtRecords: [...s.sgtRecords, { device: dev, attachment, mapping }] }, [{ kind: 'sgt-kept', device: dev, mapping }]);
};

/** The driver forgets a table it kept (after unmapping it, or to leak it). */
export const driverDropSgt = (s: State, dev: DeviceId, mapping: MappingId): Outcome => {
  const op = 'driver_drop_sgt';
  if (!s.sgtRecords.some((r) => r.device === dev && r.mapping === mapping)) return illFormed(op, `device ${dev}'s driver keeps no mapping ${mapping}`);
  return done({ ...s, sgtRecords: s.sgtRecords.filter((r) => !(r.device === dev && r.mapping === mapping)) }, [{ kind: 'sgt-dropped', device: dev, mapping }]);
};
