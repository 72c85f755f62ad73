/** The streaming DMA API over scatterlists, and the device that uses the addresses. */
import { drop, put } from '../collections.ts';
import { directAddress } from '../dma-address.ts';
import { freshId, setFrame } from '../page.ts';
import { done, reject, type Outcome } from '../result.ts';
import { deviceRangeAccess } from './importer.ts';
import type { DeviceId, DmaDirection, DmaMapping, Frame, MappedEntry, MappingId, SglId, State } from '../state.ts';

/**
 * What every scatterlist map call shares: the device and table checks, one
 * DMA address per page entry (`address` says what this API does with a
 * page, or why it refuses it), and the new mapping.
 */
export const mapTable = (
  s: State,
  op: 'dma_map_sg' | 'pci_p2pdma_map_sg',
  dev: DeviceId,
  sgl: SglId,
  dir: DmaDirection,
  address: (f: Frame, i: number) => number | string,
): Outcome => {
  if (s.devices[dev] === undefined) return reject(op, `no device ${dev}`);
  const t = s.sgls.get(sgl);
  if (t === undefined) return reject(op, `sgl ${sgl} is not allocated`);
  if (t.dmaOnly) return reject(op, `sgl ${sgl} is a DMA-only table and is already mapped`);
  const entries: MappedEntry[] = [];
  for (const [i, e] of t.entries.entries()) {
    if (e.page === null) return reject(op, `entry ${i} of sgl ${sgl} has no page set`);
    const f = s.frames[e.page]!;
    const dma = address(f, i);
    if (typeof dma === 'string') return reject(op, dma);
    entries.push({ dma, pfn: f.pfn, gen: f.gen });
  }
  const [s1, id] = freshId(s);
  const m: DmaMapping = { id, device: dev, dir, api: op, origin: { kind: 'sgl', sgl }, entries };
  return done({ ...s1, mappings: put(s1.mappings, id, m) });
};

/** dma_map_sg(): map every page entry for `dev` (dma-direct; no DMA_F_PCI_P2PDMA_SUPPORTED in this era). */
export const dmaMapSg = (s: State, dev: DeviceId, sgl: SglId, dir: DmaDirection): Outcome =>
  mapTable(s, 'dma_map_sg', dev, sgl, dir, (f, i) => {
    if (f.free) return `entry ${i} of sgl ${sgl} points at free page ${f.pfn}`;
    if (f.bar !== null) return `entry ${i} is PCI P2PDMA page ${f.pfn}; this dma_map_ops lacks DMA_F_PCI_P2PDMA_SUPPORTED (use pci_p2pdma_map_sg)`;
    return directAddress(f);
  });

const liveMapping = (s: State, mapping: MappingId, api: DmaMapping['api']): DmaMapping | string => {
  const m = s.mappings.get(mapping);
  if (m === undefined) return `mapping ${mapping} is not live`;
  if (m.api !== api) return `mapping ${mapping} was made by ${m.api}, not ${api}`;
  return m;
};

/** Tear a mapping down: the device must no longer use its addresses. */
export const unmap = (s: State, op: string, mapping: MappingId, api: DmaMapping['api']): Outcome => {
  const m = liveMapping(s, mapping, api);
  if (typeof m === 'string') return reject(op, m);
  return done({ ...s, mappings: drop(s.mappings, mapping) }, [{ kind: 'mapping-torn-down', mapping }]);
};

export const dmaUnmapSg = (s: State, mapping: MappingId): Outcome => unmap(s, 'dma_unmap_sg', mapping, 'dma_map_sg');

/** dma_sync_sg_for_cpu/_for_device: cache maintenance inside a live mapping (no swiotlb in the model). */
export const dmaSyncSg = (s: State, op: 'dma_sync_sg_for_cpu' | 'dma_sync_sg_for_device', mapping: MappingId): Outcome => {
  const m = liveMapping(s, mapping, 'dma_map_sg');
  return typeof m === 'string' ? reject(op, m) : done(s);
};

/**
 * The device reads or writes entry `index` of a live mapping. The access
 * lands on whatever frame now sits at that address; a write leaves data
 * the kernel does not know about until someone dirties the page.
 */
export const deviceAccess = (s: State, mapping: MappingId, index: number, write: boolean): Outcome => {
  const op = write ? 'device_write' : 'device_read';
  const programmed = deviceRangeAccess(s, mapping, index, write);
  if (programmed !== null) return programmed;
  const m = s.mappings.get(mapping);
  if (m?.api === 'p2p_map') return reject(op, `device ${m.device} was never programmed with mapping ${mapping}'s addresses`);
  if (m === undefined) return reject(op, `mapping ${mapping} is not live`);
  if (write && m.dir === 'to-device') return reject(op, `mapping ${mapping} is DMA_TO_DEVICE; the device may not write it`);
  if (!write && m.dir === 'from-device') return reject(op, `mapping ${mapping} is DMA_FROM_DEVICE; the device may not read it`);
  const e = m.entries[index];
  if (e === undefined) return reject(op, `index ${index} is outside mapping ${mapping} (${m.entries.length} entries)`);
  const f = s.frames[e.pfn]!;
  const state = write && f.structPage && !f.free ? setFrame(s, { ...f, deviceWroteSinceDirtied: true }) : s;
  return done(state, [{ kind: 'device-access', device: m.device, mapping, pfn: e.pfn, gen: e.gen, write }]);
};

