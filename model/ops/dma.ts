/**
 * The streaming DMA API over scatterlists, and the device that uses the
 * addresses. The unmap and sync calls are `void` in the kernel: whatever
 * a driver passes, they return, so every such call is a step here. What a
 * wrong one did (nothing, or a mapping left behind) is in the state and
 * the events; `dma-api-hygiene` reports it the way CONFIG_DMA_API_DEBUG
 * does.
 */
import { drop, put } from '../collections.ts';
import { busAddress, directAddress, mapType } from '../dma-address.ts';
import type { Event } from '../event.ts';
import { freshId, setFrame } from '../page.ts';
import { done, illFormed, reject, type Outcome } from '../result.ts';
import { deviceRangeAccess } from './importer.ts';
import { jobAccess } from './dmabuf.ts';
import { iovaAccess } from './iova.ts';
import type { DeviceId, DmaDirection, DmaMapping, Frame, MappedEntry, MappingApi, MappingId, SglId, State } from '../state.ts';

/**
 * The bus address a map call gives one page, and the frame it really
 * reaches (`bounced`: through a swiotlb slot the CPU copies to and from);
 * a string refuses the whole call.
 */
export type Address = { readonly dma: number; readonly reaches: number | null; readonly bounced?: boolean } | string;


/** A right address: it reaches the page it was made for. */
export const right = (dma: number, f: Frame): Address => ({ dma, reaches: f.pfn });

/**
 * What every scatterlist map call shares: the device and table checks, one
 * DMA address per page entry (`address` says what this API does with a
 * page), the count the call returns, and the new mapping.
 */
export const mapTable = (
  s: State,
  op: 'dma_map_sg' | 'pci_p2pdma_map_sg',
  dev: DeviceId,
  sgl: SglId,
  dir: DmaDirection,
  address: (f: Frame, i: number) => Address,
): Outcome => {
  const d = s.devices[dev];
  if (d === undefined) return illFormed(op, `no device ${dev}`);
  const t = s.sgls.get(sgl);
  if (t === undefined) return illFormed(op, `sgl ${sgl} is not allocated`);
  if (t.dmaOnly) return illFormed(op, `sgl ${sgl} is a DMA-only table, not a struct scatterlist`);
  const entries: MappedEntry[] = [];
  const events: Event[] = [];
  for (const [i, e] of t.entries.entries()) {
    if (e.page === null) return illFormed(op, `entry ${i} of sgl ${sgl} has no page set (sg_page() is NULL: the call would oops)`);
    const f = s.frames[e.page]!;
    const a = address(f, i);
    if (typeof a === 'string') return reject(op, a);
    entries.push({ dma: a.dma, pfn: f.pfn, gen: f.gen, reaches: a.reaches, ...(a.bounced === true ? { bounced: true as const } : {}) });
    // swiotlb_tbl_map_single copies the buffer into the bounce slot, whatever the direction (since 5.17, so
    // that a device writing less than the whole slot leaks nothing stale: "swiotlb: rework fix info leak").
    if (a.bounced === true) events.push({ kind: 'cpu-access', pfn: f.pfn, via: 'swiotlb_bounce', io: false });
  }
  const nents = entries.length;
  const mapped =
    op === 'dma_map_sg' &&
    d.iommuMergesSg &&
    // Stryker disable next-line ConditionalExpression: a table of one entry maps one entry whether it is merged or not
    nents > 1
      ? 1
      : nents;
  const [s1, id] = freshId(s);
  const m: DmaMapping = { id, device: dev, dir, api: op, origin: { kind: 'sgl', sgl }, entries, nents, mapped, errorChecked: false };
  return done({ ...s1, mappings: put(s1.mappings, id, m) }, events);
};

/**
 * dma_map_sg(): map every page entry for `dev`. RAM gets its physical
 * address (dma-direct), freed or not: the call does not look; a device
 * that must bounce (swiotlb force) gets a bounce slot instead, filled by
 * the CPU. Since 6.0 a P2PDMA page is mapped as pci_p2pdma_map_type()
 * says: its bus address below a common switch, its CPU physical address
 * through an allowed host bridge (dma_direct_map_page, which refuses to
 * bounce a P2PDMA page: DMA_MAPPING_ERROR), and it fails when the client
 * cannot reach the provider; a failure returns 0 (dma_map_sgtable says
 * -EIO or -EREMOTEIO). Before 6.0 dma-direct mapped it as
 * RAM: its CPU physical address, which only the host bridge routes to the
 * BAR, and a bounce (a CPU copy of __iomem) on a device that must bounce.
 */
export const dmaMapSg = (s: State, dev: DeviceId, sgl: SglId, dir: DmaDirection): Outcome => {
  const bounces = s.devices[dev]?.swiotlbForce === true;
  const virt = s.devices[dev]?.virtDma === true;
  return mapTable(s, 'dma_map_sg', dev, sgl, dir, (f, i) => {
    // dma_virt_map_sg(): sg_virt() of every entry, P2PDMA pages included (no check of any kind).
    if (virt) return { dma: directAddress(f), reaches: f.pfn };
    if (f.bar === null) return { dma: directAddress(f), reaches: f.pfn, bounced: bounces };
    const provider = s.bars[f.bar]!.device;
    const how = mapType(s, provider, dev);
    if (!s.era.dmaMapSgP2pdma) return { dma: directAddress(f), reaches: how === 'thru-host-bridge' || bounces ? f.pfn : null, bounced: bounces };
    if (how === 'not-supported') return `returns 0: entry ${i} is a P2PDMA page of device ${provider}, which device ${dev} cannot reach (pci_p2pdma_map_segment; dma_map_sgtable returns -EREMOTEIO)`;
    if (how === 'bus-addr') return right(busAddress(s, f), f);
    if (bounces) return `returns 0: entry ${i} is a P2PDMA page reached through the host bridge, and device ${dev} must bounce: dma_direct_map_page returns DMA_MAPPING_ERROR rather than bounce it (dma_map_sgtable returns -EIO)`;
    return right(directAddress(f), f);
  });
};

/**
 * The CPU copies between a bounced mapping's slots and its pages, for the
 * entries that bounced at map time: back to the pages (swiotlb_tbl_unmap_single,
 * sync for the CPU) when the call's direction says the device may have
 * written them, into the slots (sync for the device) when it may read them.
 */
const copies = (m: DmaMapping, dir: DmaDirection, toDevice: boolean): ReadonlyArray<Event> =>
  (toDevice ? dir !== 'from-device' : dir !== 'to-device')
    ? m.entries.filter((e) => e.bounced === true).map((e): Event => ({ kind: 'cpu-access', pfn: e.pfn, via: 'swiotlb_bounce', io: false }))
    : [];

export type UnmapCall = 'dma_unmap_sg' | 'pci_p2pdma_unmap_sg' | 'dma_unmap_page' | 'dma_unmap_single';

/** Does `call` undo a mapping `api` made? The dma_unmap_* calls undo the DMA layer's own; pci_p2pdma_unmap_sg only its own. */
export const undoes = (call: UnmapCall, api: MappingApi): boolean =>
  call === 'pci_p2pdma_unmap_sg' ? api === 'pci_p2pdma_map_sg' : api === 'dma_map_sg' || api === 'dma_map_page' || api === 'dma_map_single';

/**
 * An unmap call: the mapping goes away when the call undoes that kind of
 * mapping for that device, whatever direction or count the driver passed
 * (the DMA layer unmaps by address). Otherwise nothing changes: an
 * already unmapped handle, another device's, another API's.
 */
export const unmap = (s: State, op: UnmapCall, mapping: MappingId, dev: DeviceId, dir?: DmaDirection): Outcome => {
  if (s.devices[dev] === undefined) return illFormed(op, `no device ${dev}`);
  const m = s.mappings.get(mapping);
  if (m === undefined || m.device !== dev || !undoes(op, m.api)) return done(s);
  return done({ ...s, mappings: drop(s.mappings, mapping) }, [...copies(m, dir ?? m.dir, false), { kind: 'mapping-torn-down', mapping }]);
};

export const dmaUnmapSg = (s: State, mapping: MappingId, dev: DeviceId, dir?: DmaDirection): Outcome => unmap(s, 'dma_unmap_sg', mapping, dev, dir);

/**
 * dma_sync_sg_for_cpu/_for_device: cache maintenance (coherent caches in
 * the model: nothing changes), and for a device that bounces, the copy
 * of the slot back to the pages when syncing for the CPU.
 */
export const dmaSyncSg = (s: State, op: 'dma_sync_sg_for_cpu' | 'dma_sync_sg_for_device', dev: DeviceId, mapping?: MappingId, dir?: DmaDirection): Outcome => {
  if (s.devices[dev] === undefined) return illFormed(op, `no device ${dev}`);
  const m = mapping === undefined ? undefined : s.mappings.get(mapping);
  return done(s, m !== undefined && m.device === dev ? copies(m, dir ?? m.dir, op === 'dma_sync_sg_for_device') : []);
};

/**
 * The device reads or writes entry `index` of a live mapping. The access
 * lands on the frame the entry's address reaches. A write into a clean
 * page leaves data the kernel does not know about until someone dirties
 * the page; a page already dirty will be written back with it.
 *
 * The device is the model's environment and obeys its driver: it uses
 * only live mappings, in their direction. Other accesses are not steps.
 */
export const deviceAccess = (s: State, mapping: MappingId, index: number, write: boolean): Outcome => {
  const op = write ? 'device_write' : 'device_read';
  const programmed = deviceRangeAccess(s, mapping, index, write) ?? jobAccess(s, mapping, index, write) ?? iovaAccess(s, mapping, index, write);
  if (programmed !== null) return programmed;
  const m = s.mappings.get(mapping);
  if (m?.api === 'p2p_map') return illFormed(op, `device ${m.device} holds no programmed address of mapping ${mapping}`);
  // A dma-buf table reaches the device only through work its driver started with it (a region, a fenced job).
  if (m?.api === 'dma_buf_map_attachment') return illFormed(op, `no work of device ${m.device} uses dma-buf table ${mapping}`);
  if (m === undefined) return illFormed(op, `mapping ${mapping} is not live: the device has no address from it`);
  // A write through a DMA_TO_DEVICE mapping is the driver's misuse (it programmed the device so), not
  // something the kernel refuses: it lands (a direct mapping), and dma-api-hygiene judges it.
  if (!write && m.dir === 'from-device') return illFormed(op, `mapping ${mapping} is DMA_FROM_DEVICE; the device does not read it`);
  const e = m.entries[index];
  if (e === undefined) return illFormed(op, `index ${index} is outside mapping ${mapping} (${m.entries.length} entries)`);
  const f = e.reaches === null ? undefined : s.frames[e.reaches];
  const marks = write && f !== undefined && f.structPage && !f.free && !f.dirty;
  const state = marks ? setFrame(s, { ...f, deviceWroteSinceDirtied: true }) : s;
  const access: Event = { kind: 'device-access', device: m.device, mapping, pfn: e.pfn, gen: e.gen, reached: e.reaches, write };
  // A dma_virt_ops device's access is the CPU copying through the page's kernel virtual address.
  const virt = s.devices[m.device]?.virtDma === true && e.reaches !== null;
  return done(state, virt ? [access, { kind: 'cpu-access', pfn: e.reaches!, via: 'dma_virt_ops', io: false }] : [access]);
};
