/**
 * The two-step IOVA DMA API (drivers/iommu/dma-iommu.c, 6.17;
 * Documentation/core-api/dma-api.rst, "Part Ie"): a caller allocates one
 * IOVA range for a whole request (dma_iova_try_alloc), links its pages
 * into it one by one (dma_iova_link), makes the new translations visible
 * to the device (dma_iova_sync), and at the end unlinks and frees the
 * range (dma_iova_unlink, dma_iova_free, or both at once:
 * dma_iova_destroy). The free only gives the IOVA space back: "all
 * dma_iova_link() calls need to be undone first", and nothing checks it.
 *
 * The device reaches the range through what its driver wrote into its
 * command (`device_program_iova`), and the IOMMU translates each page: a
 * page with no translation, or with one no sync has made visible, faults.
 */
import * as E from 'fp-ts/lib/Either.js';
import { drop, put } from '../collections.ts';
import type { Event } from '../event.ts';
import { freshId, setFrame } from '../page.ts';
import { done, illFormed, reject, type Outcome } from '../result.ts';
import type { DeviceId, DmaDirection, DmaIova, DriverThread, IommuCall, IovaId, IovaLink, MappedEntry, PagesId, State } from '../state.ts';

type IovaOp = 'dma_iova_link' | 'dma_iova_sync' | 'dma_iova_unlink' | 'dma_iova_destroy' | 'dma_iova_free' | 'device_program_iova';

/** The IOVA state `iova` of `dev`, still allocated; a string says why a C caller could not pass it. */
const allocated = (s: State, op: IovaOp, dev: DeviceId, iova: IovaId): DmaIova | Outcome => {
  const v = s.iovas.get(iova);
  if (v === undefined || v.device !== dev) return illFormed(op, `device ${dev} has no IOVA state ${iova}`);
  if (!v.allocated) return illFormed(op, `IOVA state ${iova} was freed (its dma_iova_state is gone with its range)`);
  return v;
};

const isIova = (x: DmaIova | Outcome): x is DmaIova => 'links' in x;

const fails = (s: State, dev: DeviceId, call: IommuCall): boolean => s.devices[dev]?.iommuFaults.includes(call) === true;

/** Is the only record of the range's dma_iova_state gone: its request ended, or its table was freed (or never made)? */
export const ownerGone = (s: State, v: DmaIova): boolean =>
  v.owner.kind === 'request' ? !s.pageArrays.has(v.owner.pages) : v.owner.mapping === null || !s.mappings.has(v.owner.mapping);

/** The owner, as a message names it. */
export const ownerName = (v: DmaIova): string =>
  v.owner.kind === 'request' ? `the request of page array ${v.owner.pages}` : v.owner.mapping === null ? 'the table dma_buf_phys_vec_to_sgt was building' : `table ${v.owner.mapping}`;

/** The translations still linked in a range. */
export const linkedPages = (v: DmaIova): number => v.links.filter((l) => l !== null).length;

/**
 * dma_iova_try_alloc(dev, state, phys, size): an IOVA range as long as
 * the request built from page array `pages`. It returns false (and sets
 * nothing up) when the device is not behind dma-iommu (use_dma_iommu):
 * the caller then maps page by page.
 */
export const dmaIovaTryAlloc = (s: State, dev: DeviceId, pages: PagesId): Outcome => {
  const op = 'dma_iova_try_alloc';
  const d = s.devices[dev];
  if (d === undefined) return illFormed(op, `no device ${dev}`);
  const a = s.pageArrays.get(pages);
  if (a === undefined) return illFormed(op, `page array ${pages} is not held: no request is built from it`);
  if (!d.iommuMergesSg) return reject(op, `returns false: device ${dev} is not behind dma-iommu (use_dma_iommu() is false)`);
  const [s1, id] = freshId(s);
  const v: DmaIova = { id, device: dev, owner: { kind: 'request', pages }, links: a.pfns.map(() => null), allocated: true, handed: null };
  return done({ ...s1, iovas: put(s1.iovas, id, v) }, [{ kind: 'iova-allocated', device: dev, iova: id }]);
};

/**
 * dma_iova_link(dev, state, page_to_phys(pages[index]), offset, PAGE_SIZE,
 * dir, 0): translate page `offset` of the range to the page. A failing
 * iommu_map_nosync unrolls what it mapped and returns the error, so the
 * call changes nothing then; a page already linked is refused by the
 * IOMMU's page table (-EEXIST).
 */
export const dmaIovaLink = (s: State, dev: DeviceId, iova: IovaId, offset: number, pages: PagesId, index: number, dir: DmaDirection): Outcome => {
  const op = 'dma_iova_link';
  const v = allocated(s, op, dev, iova);
  if (!isIova(v)) return v;
  const a = s.pageArrays.get(pages);
  const pfn = a?.pfns[index];
  if (pfn === undefined) return illFormed(op, `page array ${pages} has no page ${index}`);
  if (offset >= v.links.length) return illFormed(op, `offset ${offset} is outside IOVA ${iova} (${v.links.length} pages)`);
  if (v.links[offset] !== null) return reject(op, `-EEXIST: page ${offset} of IOVA ${iova} is already linked (the IOMMU page table refuses to map over it)`);
  if (fails(s, dev, 'iommu_map')) return reject(op, `-ENOMEM: iommu_map_nosync could not allocate a page table for page ${offset} of IOVA ${iova} (fault injection); it unrolled what it had mapped`);
  const link: IovaLink = { pfn, gen: s.frames[pfn]!.gen, reaches: pfn, dir, synced: false };
  const links = v.links.map((l, i) => (i === offset ? link : l));
  return done({ ...s, iovas: put(s.iovas, iova, { ...v, links }) }, [{ kind: 'iova-linked', iova, offset, pfn }]);
};

/** dma_iova_sync(dev, state, offset, size): iommu_sync_map makes the linked pages of the span visible to the device. */
export const dmaIovaSync = (s: State, dev: DeviceId, iova: IovaId, offset: number, npages: number): Outcome => {
  const op = 'dma_iova_sync';
  const v = allocated(s, op, dev, iova);
  if (!isIova(v)) return v;
  if (offset + npages > v.links.length) return illFormed(op, `pages ${offset}..${offset + npages - 1} are outside IOVA ${iova} (${v.links.length} pages)`);
  if (fails(s, dev, 'iommu_sync_map')) return reject(op, `-ENOMEM: the IOMMU driver's iotlb_sync_map failed for IOVA ${iova} (fault injection)`);
  const links = v.links.map((l, i) => (l !== null && i >= offset && i < offset + npages ? { ...l, synced: true } : l));
  return done({ ...s, iovas: put(s.iovas, iova, { ...v, links }) }, [{ kind: 'iova-synced', iova, offset, npages }]);
};

/**
 * __iommu_dma_iova_unlink: iommu_unmap_fast of `npages` pages from
 * `offset`, which stops at the first page with no translation (so it
 * unmaps fewer than asked when the span is not all linked, and
 * WARN_ON(unmapped != size) fires), then the IOTLB sync.
 */
const unlink = (v: DmaIova, offset: number, npages: number): { readonly v: DmaIova; readonly event: Event } => {
  let unmapped = 0;
  while (unmapped < npages && v.links[offset + unmapped] !== null && v.links[offset + unmapped] !== undefined) unmapped++;
  const links = v.links.map((l, i) => (i >= offset && i < offset + unmapped ? null : l));
  return { v: { ...v, links }, event: { kind: 'iova-unlinked', iova: v.id, offset, requested: npages, unmapped } };
};

/** iommu_dma_free_iova: the range goes back; translations still linked stay in the IOMMU (kept here, the state freed). */
const free = (s: State, v: DmaIova): Outcome => {
  const linked = linkedPages(v);
  const iovas = linked === 0 ? drop(s.iovas, v.id) : put(s.iovas, v.id, { ...v, allocated: false, handed: null });
  return done({ ...s, iovas }, [{ kind: 'iova-freed', iova: v.id, linked }]);
};

export const dmaIovaUnlink = (s: State, dev: DeviceId, iova: IovaId, offset: number, npages: number): Outcome => {
  const op = 'dma_iova_unlink';
  const v = allocated(s, op, dev, iova);
  if (!isIova(v)) return v;
  if (offset + npages > v.links.length) return illFormed(op, `pages ${offset}..${offset + npages - 1} are outside IOVA ${iova} (${v.links.length} pages)`);
  const u = unlink(v, offset, npages);
  return done({ ...s, iovas: put(s.iovas, iova, u.v) }, [u.event]);
};

/**
 * dma_iova_destroy(dev, state, mapped_len, dir, attrs): unlink the first
 * `mapped` pages and free the range ("the range of IOVA from dma_addr to
 * mapped_len must all be linked, and be the only linked IOVA in state");
 * with mapped 0, only the free.
 */
export const dmaIovaDestroy = (s: State, dev: DeviceId, iova: IovaId, mapped: number): Outcome => {
  const op = 'dma_iova_destroy';
  const v = allocated(s, op, dev, iova);
  if (!isIova(v)) return v;
  if (mapped > v.links.length) return illFormed(op, `mapped_len of ${mapped} pages is longer than IOVA ${iova} (${v.links.length} pages)`);
  if (mapped === 0) return free(s, v);
  const u = unlink(v, 0, mapped);
  const out = free(s, u.v);
  return E.isRight(out) ? done(out.right.state, [u.event, ...out.right.events]) : out;
};

/** dma_iova_free(dev, state): give the range back, whatever is still linked. */
export const dmaIovaFree = (s: State, dev: DeviceId, iova: IovaId): Outcome => {
  const v = allocated(s, 'dma_iova_free', dev, iova);
  return isIova(v) ? free(s, v) : v;
};

/** The driver writes [iova, iova + npages) into the device's command: the device reaches those pages of the range. */
export const deviceProgramIova = (s: State, dev: DeviceId, iova: IovaId, npages: number, dir: DmaDirection): Outcome => {
  const op = 'device_program_iova';
  const v = allocated(s, op, dev, iova);
  if (!isIova(v)) return v;
  if (npages === 0 || npages > v.links.length) return illFormed(op, `${npages} pages do not fit IOVA ${iova} (${v.links.length} pages)`);
  return done({ ...s, iovas: put(s.iovas, iova, { ...v, handed: { npages, dir } }) }, [{ kind: 'iova-programmed', device: dev, iova, npages }]);
};

/** Fault injection: from now on `call` of the device's IOMMU domain fails with -ENOMEM. */
export const iommuFaultInject = (s: State, dev: DeviceId, call: IommuCall): Outcome => {
  const op = 'iommu_fault_inject';
  const d = s.devices[dev];
  if (d === undefined) return illFormed(op, `no device ${dev}`);
  if (d.iommuFaults.includes(call)) return illFormed(op, `${call} of device ${dev} already fails`);
  const devices = s.devices.map((x) => (x.id === dev ? { ...x, iommuFaults: [...x.iommuFaults, call] } : x));
  return done({ ...s, devices }, [{ kind: 'fault-injected', device: dev, call }]);
};

/**
 * The device reads or writes page `index` of an IOVA range its driver
 * handed it: through the IOMMU's translation when one is linked and
 * synced, else an IOMMU fault that touches no memory. null: `iova` names
 * no handed range (the caller tries the other kinds of DMA address).
 */
export const iovaAccess = (s: State, iova: number, index: number, write: boolean): Outcome | null => {
  const v = s.iovas.get(iova);
  if (v === undefined || v.handed === null) return null;
  const op = write ? 'device_write' : 'device_read';
  if (index >= v.handed.npages) return illFormed(op, `page ${index} is outside the ${v.handed.npages} page(s) of IOVA ${iova} device ${v.device} was given`);
  if (write ? v.handed.dir === 'to-device' : v.handed.dir === 'from-device') return illFormed(op, `device ${v.device}'s command for IOVA ${iova} is ${v.handed.dir}`);
  const l = translate(s, v.device, iova, index, write);
  if ('kind' in l) return done(s, [l]);
  const f = s.frames[l.reaches]!;
  const state = write && f.structPage && !f.free && !f.dirty ? setFrame(s, { ...f, deviceWroteSinceDirtied: true }) : s;
  return done(state, [{ kind: 'device-access', device: v.device, mapping: iova, pfn: l.pfn, gen: l.gen, reached: l.reaches, write }]);
};

/**
 * A block driver's queue_rq maps the request built from page array
 * `pages` (nvme_map_data): the driver's map path (`DriverSpec.mapRequest`)
 * runs as a thread, handed the request (its pages, how many, and whether
 * the device writes them: a read from disk pins with FOLL_WRITE).
 */
export const nvmeQueueRq = (s: State, dev: DeviceId, pages: PagesId): Outcome => {
  const op = 'nvme_queue_rq';
  const recipe = s.devices[dev]?.driver?.mapRequest;
  if (recipe === undefined) return illFormed(op, `device ${dev} has no request map path`);
  const a = s.pageArrays.get(pages);
  if (a === undefined) return illFormed(op, `page array ${pages} is not held: no request is built from it`);
  const [s1, id] = freshId(s);
  const t: DriverThread = { id, device: dev, recipe, pc: 0, notifier: null, inv: null, curSeq: 0, range: null, event: null, vma: null, seq: null, mapping: null, entries: null, retry: null, write: a.write, pfns: null, stale: null, request: { pages, npages: a.pfns.length } };
  return done({ ...s1, threads: put(s1.threads, id, t) }, [{ kind: 'thread-started', thread: id, recipe }]);
};

/**
 * What the IOMMU does with a device's use of page `offset` of IOVA range
 * `id`: the translation it can see (linked and synced), or the fault it
 * takes (no translation, or one no sync has made visible).
 */
const translate = (s: State, device: DeviceId, id: IovaId, offset: number, write: boolean): IovaLink | Extract<Event, { kind: 'iova-fault' }> => {
  const l = s.iovas.get(id)?.links[offset] ?? null;
  return l !== null && l.synced ? l : { kind: 'iova-fault', device, iova: id, offset, linked: l !== null, write };
};

/**
 * An access through a table entry: where its address is a page of an IOVA
 * range, the IOMMU fault it takes or the frame the translation reaches
 * now (whatever was linked there last); otherwise the frame it was mapped
 * to reach.
 */
export const throughEntry = (s: State, device: DeviceId, e: MappedEntry, write: boolean): Event | { readonly reached: number | null } => {
  if (e.iova === undefined) return { reached: e.reaches };
  const l = translate(s, device, e.iova.id, e.iova.offset, write);
  return 'kind' in l ? l : { reached: l.reaches };
};
