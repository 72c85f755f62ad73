/**
 * dma-buf (drivers/dma-buf/dma-buf.c, include/linux/dma-buf.h): an
 * exporter shares memory as a dma-buf; an importer attaches its device
 * and maps the attachment, getting a table of DMA addresses. A dynamic
 * importer gives `importer_ops` with a `move_notify` callback: the
 * exporter calls `dma_buf_move_notify` holding the dma-buf's reservation
 * lock when the memory moves or goes away, and the importer tears its
 * mappings down. The callback is the importer's driver code, run as a
 * thread (its recipe names it, `DriverSpec.moveNotify`); the exporter's
 * own code is design data too. These ops are the dma-buf core and the
 * exporter callbacks it makes (VFIO's, vfio_pci_dmabuf.c).
 *
 * What the core checks with lockdep only (dma_resv_assert_held in map,
 * unmap, pin and move_notify) is not refused: such a call is a step, and
 * the dmabuf-protocol invariant judges it.
 */
import * as E from 'fp-ts/lib/Either.js';
import { drop, put } from '../collections.ts';
import { busAddress, directAddress, mapType } from '../dma-address.ts';
import { freeSgtIova, physVecToSgt } from './dmabuf-phys.ts';
import { throughEntry } from './iova.ts';
import { allocBarFrame, freshId } from '../page.ts';
import { done, illFormed, reject, waits, type Outcome } from '../result.ts';
import type { AttachmentId, DeviceId, DeviceJob, DmaBuf, DmaBufAttachment, DmaBufId, DmaDirection, DmaMapping, DriverThread, MappingId, State, ThreadId } from '../state.ts';

/**
 * dma_buf_export of all of a raw BAR's memory (VFIO exports BAR ranges
 * with VFIO_DEVICE_FEATURE_DMA_BUF). The model's exporter exports memory
 * nobody else holds; a BAR being removed is -ENODEV.
 */
export const dmaBufExport = (s: State, dev: DeviceId, barId: number, pages?: ReadonlyArray<number>): Outcome => {
  const op = 'dma_buf_export';
  const bar = s.bars[barId];
  if (bar === undefined || bar.device !== dev) return illFormed(op, `device ${dev} has no BAR ${barId}`);
  if (pages !== undefined && (pages.length !== bar.npages || new Set(pages).size !== pages.length || pages.some((i) => i >= bar.npages)))
    return illFormed(op, `pages ${pages.join(',')} do not name every page of BAR ${barId} once (the model exports a whole BAR)`);
  if (bar.structPages) return illFormed(op, `BAR ${barId} holds P2PDMA pages; the model's dma-buf exporter exports raw MMIO (VFIO)`);
  if (!bar.alive || bar.removing) return reject(op, `-ENODEV: the provider of BAR ${barId} is being removed`);
  let state = s;
  const pfns: number[] = [];
  for (let i = 0; i < bar.npages; i++) {
    const got = allocBarFrame(state, barId);
    if (got === null) return illFormed(op, `BAR ${barId} has memory in use elsewhere; the model exports a whole free BAR`);
    [state, pfns[i]] = [got[0], got[1]];
  }
  const [s1, id] = freshId(state);
  const b: DmaBuf = { id, exporter: dev, bar: barId, pfns: pages === undefined ? pfns : pages.map((i) => pfns[i]!), resv: null, revoked: false };
  return done({ ...s1, dmaBufs: put(s1.dmaBufs, id, b) }, [{ kind: 'dmabuf-exported', dmabuf: id }]);
};

/**
 * dma_buf_dynamic_attach(dmabuf, dev, importer_ops): the importer's driver
 * must have a move_notify (a dynamic importer without one is not
 * modelled). VFIO's attach refuses an importer that cannot take memory
 * without struct pages (vfio_pci_dma_buf_attach: !attachment->peer2peer,
 * -EOPNOTSUPP) and a buffer it revoked (-ENODEV).
 */
export const dmaBufDynamicAttach = (s: State, dmabuf: DmaBufId, dev: DeviceId, peer2peer: boolean): Outcome => {
  const op = 'dma_buf_dynamic_attach';
  const b = s.dmaBufs.get(dmabuf);
  if (b === undefined) return illFormed(op, `no dma-buf ${dmabuf}`);
  if (s.devices[dev]?.driver?.moveNotify === undefined) return illFormed(op, `device ${dev}'s driver has no move_notify in the model`);
  if (!peer2peer) return reject(op, `-EOPNOTSUPP: the exporter's memory has no struct pages and the importer did not set allow_peer2peer`);
  if (b.revoked) return reject(op, `-ENODEV: dma-buf ${dmabuf} was revoked by its exporter`);
  const [s1, id] = freshId(s);
  const a: DmaBufAttachment = { id, dmabuf, importer: dev, peer2peer, pins: 0 };
  return done({ ...s1, attachments: put(s1.attachments, id, a) }, [{ kind: 'dmabuf-attached', attachment: id }]);
};

/**
 * dma_buf_pin(attach): the importer asks the exporter to keep the memory
 * where it is. VFIO's memory never moves: before 6.19 it had no pin op and
 * the pin only counts; since 61ceaf236115 its pin op refuses (-EOPNOTSUPP),
 * because a revoke must be able to take the memory back.
 */
export const dmaBufPin = (s: State, attachment: AttachmentId): Outcome => {
  const a = s.attachments.get(attachment);
  if (a === undefined) return illFormed('dma_buf_pin', `no attachment ${attachment}`);
  if (s.era.vfioDmabufRefusesPin) return reject('dma_buf_pin', `-EOPNOTSUPP: VFIO's dma-buf cannot be pinned (vfio_pci_dma_buf_pin): its revoke must be able to take the memory back`);
  return done({ ...s, attachments: put(s.attachments, a.id, { ...a, pins: a.pins + 1 }) });
};

/**
 * dma_buf_unpin(attach): gives back a pin. The core keeps no count: it
 * calls the exporter's unpin, which VFIO does not have, so an unpin with no
 * pin changes nothing.
 */
export const dmaBufUnpin = (s: State, attachment: AttachmentId): Outcome => {
  const a = s.attachments.get(attachment);
  if (a === undefined) return illFormed('dma_buf_unpin', `no attachment ${attachment}`);
  return done({ ...s, attachments: put(s.attachments, a.id, { ...a, pins: Math.max(0, a.pins - 1) }) });
};

/** dma_resv_lock(dmabuf->resv): sleeps while another driver holds it. `dev` names the driver taking it. */
export const dmaResvLock = (s: State, dmabuf: DmaBufId, dev: DeviceId): Outcome => {
  const op = 'dma_resv_lock';
  const b = s.dmaBufs.get(dmabuf);
  if (b === undefined || s.devices[dev] === undefined) return illFormed(op, `no dma-buf ${dmabuf} or device ${dev}`);
  if (b.resv !== null) return waits(op, `the reservation lock of dma-buf ${dmabuf} is held by device ${b.resv}'s driver`);
  return done({ ...s, dmaBufs: put(s.dmaBufs, dmabuf, { ...b, resv: dev }) });
};

/** A move_notify callback of `dmabuf` still running: dma_buf_move_notify has not returned to its caller. */
const notifying = (s: State, dmabuf: DmaBufId): DriverThread | undefined =>
  [...s.threads.values()].find((t) => t.moveNotify === true && t.dmabuf === dmabuf);

/**
 * The move_notify callback that keeps thread `t` inside its call of
 * dma_buf_move_notify, if any: the exporter's thread that called it makes
 * no other call until every callback returned (the call is synchronous;
 * the model runs the callbacks as threads of their importers so that the
 * search interleaves them with everything else).
 */
export const insideMoveNotify = (s: State, t: DriverThread): DriverThread | undefined => {
  if (t.moveNotify === true || t.attachment !== undefined || t.dmabuf === undefined) return undefined;
  return s.dmaBufs.get(t.dmabuf)?.exporter === t.device ? notifying(s, t.dmabuf) : undefined;
};

/** dma_resv_unlock. Unlocking a lock this driver does not hold is ill-formed. */
export const dmaResvUnlock = (s: State, dmabuf: DmaBufId, dev: DeviceId): Outcome => {
  const op = 'dma_resv_unlock';
  const b = s.dmaBufs.get(dmabuf);
  if (b === undefined || b.resv !== dev) return illFormed(op, `device ${dev}'s driver does not hold the reservation lock of dma-buf ${dmabuf}`);
  return done({ ...s, dmaBufs: put(s.dmaBufs, dmabuf, { ...b, resv: null }) });
};

/**
 * dma_buf_map_attachment(attach, dir): the exporter's map_dma_buf (VFIO's,
 * through dma_buf_phys_vec_to_sgt since 6.19) builds a table of its
 * memory's addresses for the importer's device, by the route
 * pci_p2pdma_map_type() gives: bus addresses below a common switch, CPU
 * physical addresses (or an IOVA range, model/ops/dmabuf-phys.ts) through
 * the host bridge, and -EINVAL when the importer cannot reach the BAR
 * (the helper's default case). VFIO refuses once revoked (-ENODEV).
 */
export const dmaBufMapAttachment = (s: State, attachment: AttachmentId, dir: DmaDirection): Outcome => {
  const op = 'dma_buf_map_attachment';
  const a = s.attachments.get(attachment);
  if (a === undefined) return illFormed(op, `no attachment ${attachment}`);
  const b = s.dmaBufs.get(a.dmabuf)!;
  const bar = s.bars[b.bar]!;
  if (b.revoked || !bar.alive) return reject(op, `-ENODEV: dma-buf ${b.id} was revoked by its exporter`);
  const how = mapType(s, b.exporter, a.importer);
  if (how === 'not-supported') return reject(op, `-EINVAL: dma_buf_phys_vec_to_sgt: pci_p2pdma_map_type says device ${a.importer} cannot reach provider ${b.exporter} peer-to-peer`);
  // Through the host bridge: dma_buf_phys_vec_to_sgt maps by CPU physical address, through an IOVA range behind dma-iommu.
  if (how === 'thru-host-bridge' && s.devices[a.importer]!.iommuMergesSg) return physVecToSgt(s, a, b, dir);
  // dma_direct_map_phys refuses DMA_ATTR_MMIO on a device that must bounce (DMA_MAPPING_ERROR; dma_mapping_error() says -ENOMEM).
  if (how === 'thru-host-bridge' && s.devices[a.importer]!.swiotlbForce)
    return reject(op, `-ENOMEM: dma_buf_phys_vec_to_sgt: dma_map_phys(DMA_ATTR_MMIO) of dma-buf ${b.id} returns DMA_MAPPING_ERROR: device ${a.importer} must bounce through swiotlb, and MMIO cannot`);
  const entries = b.pfns.map((pfn) => {
    const f = s.frames[pfn]!;
    return { dma: how === 'bus-addr' ? busAddress(s, f) : directAddress(f), pfn, gen: f.gen, reaches: pfn };
  });
  const [s1, id] = freshId(s);
  const m: DmaMapping = { id, device: a.importer, dir, api: 'dma_buf_map_attachment', origin: { kind: 'dmabuf', attachment, dmabuf: b.id }, entries, nents: entries.length, mapped: entries.length, errorChecked: false };
  return done({ ...s1, mappings: put(s1.mappings, id, m) }, [{ kind: 'dmabuf-mapped', attachment, mapping: id }]);
};

/** dma_buf_unmap_attachment(attach, sgt, dir): the table goes back to the exporter; the device has no address from it any more. */
export const dmaBufUnmapAttachment = (s: State, attachment: AttachmentId, mapping: MappingId): Outcome => {
  const op = 'dma_buf_unmap_attachment';
  const m = s.mappings.get(mapping);
  if (m === undefined || m.origin.kind !== 'dmabuf' || m.origin.attachment !== attachment)
    return illFormed(op, `mapping ${mapping} is not a live table of attachment ${attachment}`);
  const torn: State = { ...s, mappings: drop(s.mappings, mapping) };
  // The exporter's unmap_dma_buf frees the table with dma_buf_free_sgt: an IOVA range is destroyed with it.
  const freed = freeSgtIova(torn, m);
  return E.isLeft(freed) ? freed : done(freed.right.state, [{ kind: 'mapping-torn-down', mapping }, ...freed.right.events]);
};

/**
 * dma_buf_move_notify(dmabuf): every attachment with importer_ops gets its
 * move_notify called (dma-buf.c: list_for_each_entry over the attachments,
 * pinned ones included), one after the other. Each runs as a thread of
 * its importer's driver, started here together: they are different
 * importers' code and share no lock but the one the caller holds. The
 * call returns once they all did: the calling thread makes no other call
 * until then (insideMoveNotify).
 */
export const dmaBufMoveNotify = (s: State, dmabuf: DmaBufId): Outcome => {
  const op = 'dma_buf_move_notify';
  if (!s.dmaBufs.has(dmabuf)) return illFormed(op, `no dma-buf ${dmabuf}`);
  if (notifying(s, dmabuf) !== undefined) return illFormed(op, `the exporter is already inside dma_buf_move_notify of dma-buf ${dmabuf}`);
  let state = s;
  const events: { kind: 'move-notify-called'; attachment: AttachmentId; thread: ThreadId }[] = [];
  for (const a of [...s.attachments.values()].filter((x) => x.dmabuf === dmabuf).sort((x, y) => x.id - y.id)) {
    const recipe = s.devices[a.importer]!.driver!.moveNotify!;
    const [s1, id] = freshId(state);
    const t: DriverThread = { id, device: a.importer, recipe, pc: 0, notifier: null, inv: null, curSeq: 0, range: null, event: null, vma: null, seq: null, mapping: null, entries: null, retry: null, write: false, pfns: null, stale: null, attachment: a.id, dmabuf, moveNotify: true };
    state = { ...s1, threads: put(s1.threads, id, t) };
    events.push({ kind: 'move-notify-called', attachment: a.id, thread: id });
  }
  return done(state, events);
};

/** The importer's move_notify returns (by its own thread); the thread ends. */
export const moveNotifyReturn = (s: State, attachment: AttachmentId, by: ThreadId | undefined): Outcome => {
  const op = 'move_notify_return';
  const t = by === undefined ? undefined : s.threads.get(by);
  if (t === undefined || t.moveNotify !== true || t.attachment !== attachment) return illFormed(op, `only attachment ${attachment}'s move_notify itself returns (a call with by=THREAD)`);
  // Ghost: every table of the attachment, and the work on it, was told its addresses may go.
  let { mappings, jobs } = s;
  for (const m of s.mappings.values()) if (m.origin.kind === 'dmabuf' && m.origin.attachment === attachment && m.invalidated !== true) mappings = put(mappings, m.id, { ...m, invalidated: true });
  for (const j of s.jobs.values()) if (j.attachment === attachment && j.invalidated !== true) jobs = put(jobs, j.id, { ...j, invalidated: true });
  return done({ ...s, threads: drop(s.threads, t.id), mappings, jobs }, [{ kind: 'move-notify-returned', attachment }]);
};


/** The live dma-buf table `mapping` of device `dev`, or why there is none. */
export const ownTable = (s: State, dev: DeviceId, mapping: MappingId): DmaMapping | string => {
  const m = s.mappings.get(mapping);
  return m === undefined || m.origin.kind !== 'dmabuf' || m.device !== dev ? `mapping ${mapping} is not a live dma-buf table of device ${dev}` : m;
};

export const startJob = (s: State, m: DmaMapping, fenced: boolean): Outcome => {
  if (m.origin.kind !== 'dmabuf') return illFormed('dma_resv_add_fence', `mapping ${m.id} is not a dma-buf table`);
  const [s1, id] = freshId(s);
  const job: DeviceJob = { id, device: m.device, dmabuf: m.origin.dmabuf, mapping: m.id, entries: m.entries, fenced, attachment: m.origin.attachment, ...(m.invalidated === true ? { invalidated: true as const } : {}) };
  return done({ ...s1, jobs: put(s1.jobs, id, job) }, [{ kind: 'job-started', job: id, device: m.device, mapping: m.id, fenced }]);
};

/**
 * dma_resv_add_fence(dmabuf->resv, fence, DMA_RESV_USAGE_...): the importer
 * submits device work that uses its table `mapping` and publishes the
 * work's fence. The device reaches the table's addresses until the fence
 * signals. Without the reservation lock the core only warns (lockdep).
 */
export const dmaResvAddFence = (s: State, dmabuf: DmaBufId, dev: DeviceId, mapping: MappingId): Outcome => {
  const m = ownTable(s, dev, mapping);
  if (typeof m === 'string') return illFormed('dma_resv_add_fence', m);
  if (m.origin.kind !== 'dmabuf' || m.origin.dmabuf !== dmabuf) return illFormed('dma_resv_add_fence', `mapping ${mapping} is not a table of dma-buf ${dmabuf}`);
  return startJob(s, m, true);
};

/** The device finished the work: its fence signals, and it no longer reaches the table's addresses. */
export const dmaFenceSignal = (s: State, job: number): Outcome => {
  const j = s.jobs.get(job);
  if (j === undefined || !j.fenced) return illFormed('dma_fence_signal', `no unsignalled fence of job ${job}`);
  return done({ ...s, jobs: drop(s.jobs, job) }, [{ kind: 'job-ended', job }]);
};

/** dma_resv_wait_timeout(dmabuf->resv, DMA_RESV_USAGE_BOOKKEEP, ..., MAX_SCHEDULE_TIMEOUT): sleeps until every fence of the dma-buf signalled. */
export const dmaResvWaitTimeout = (s: State, dmabuf: DmaBufId): Outcome => {
  const op = 'dma_resv_wait_timeout';
  if (!s.dmaBufs.has(dmabuf)) return illFormed(op, `no dma-buf ${dmabuf}`);
  const pending = [...s.jobs.values()].filter((j) => j.fenced && j.dmabuf === dmabuf);
  if (pending.length > 0) return waits(op, `the fence(s) of job ${pending.map((j) => j.id).join(', ')} have not signalled`);
  return done(s);
};


/**
 * The device reaches a dma-buf table's addresses through work that uses
 * it (a region, a job), whether or not the table is still mapped; null
 * when no work of the device uses `mapping`.
 */
export const jobAccess = (s: State, mapping: MappingId, index: number, write: boolean): Outcome | null => {
  const j = [...s.jobs.values()].find((x) => x.mapping === mapping);
  if (j === undefined) return null;
  const op = write ? 'device_write' : 'device_read';
  const e = j.entries[index];
  if (e === undefined) return illFormed(op, `index ${index} is outside mapping ${mapping} (${j.entries.length} entries)`);
  const via = throughEntry(s, j.device, e, write);
  if ('kind' in via) return done(s, [via]);
  return done(s, [{ kind: 'device-access', device: j.device, mapping, pfn: e.pfn, gen: e.gen, reached: via.reached, write }]);
};
