/**
 * The single-page streaming DMA API (dma_map_page, dma_map_single and
 * their unmaps), dma_mapping_error(), and device_release_driver(): the
 * calls CONFIG_DMA_API_DEBUG watches besides the scatterlist ones.
 */
import { put, replaceAt } from '../collections.ts';
import { directAddress } from '../dma-address.ts';
import { freshId } from '../page.ts';
import { done, illFormed, reject, type Outcome } from '../result.ts';
import type { DeviceId, DmaDirection, DmaMapping, MappingId, Pfn, State } from '../state.ts';
import { unmap } from './dma.ts';

/**
 * dma_map_page() / dma_map_single() of one page: RAM gets its physical
 * address, whether the page is still allocated or not (the call does not
 * look). A P2PDMA page has no single-page path: since 6.0 the call
 * refuses it (recalled, not verified here); before, dma-direct gave it
 * its CPU physical address, which reaches nothing on the bus. A
 * dma_virt_ops device gets the page's kernel virtual address whatever the
 * page (dma_virt_map_page: page_address() + offset, no check), so its
 * accesses reach it as CPU copies.
 */
const mapPage = (s: State, op: 'dma_map_page' | 'dma_map_single', dev: DeviceId, page: Pfn, dir: DmaDirection): Outcome => {
  if (s.devices[dev] === undefined) return illFormed(op, `no device ${dev}`);
  const f = s.frames[page];
  if (f === undefined || !f.structPage) return illFormed(op, `pfn ${page} has no struct page (and no kernel virtual address)`);
  const virt = s.devices[dev]!.virtDma === true;
  if (!virt && f.bar !== null && s.era.dmaMapSgP2pdma) return reject(op, `DMA_MAPPING_ERROR: page ${page} is a PCI P2PDMA page (map it with dma_map_sg)`);
  const a = { dma: directAddress(f), reaches: f.bar === null || virt ? f.pfn : null };
  const [s1, id] = freshId(s);
  const m: DmaMapping = {
    id,
    device: dev,
    dir,
    api: op,
    origin: { kind: 'page' },
    entries: [{ dma: a.dma, pfn: page, gen: f.gen, reaches: a.reaches }],
    nents: 1,
    mapped: 1,
    errorChecked: false,
  };
  return done({ ...s1, mappings: put(s1.mappings, id, m) });
};

export const dmaMapPage = (s: State, dev: DeviceId, page: Pfn, dir: DmaDirection): Outcome => mapPage(s, 'dma_map_page', dev, page, dir);

/** dma_map_single(dev, page_address(page), PAGE_SIZE, dir): the same mapping through the page's kernel virtual address. */
export const dmaMapSingle = (s: State, dev: DeviceId, page: Pfn, dir: DmaDirection): Outcome => mapPage(s, 'dma_map_single', dev, page, dir);

export const dmaUnmapPage = (s: State, mapping: MappingId, dev: DeviceId): Outcome => unmap(s, 'dma_unmap_page', mapping, dev);

export const dmaUnmapSingle = (s: State, mapping: MappingId, dev: DeviceId): Outcome => unmap(s, 'dma_unmap_single', mapping, dev);

/**
 * dma_mapping_error(): the driver checks the address a map call gave it.
 * A map that failed is a rejection in the model, so a live mapping
 * always checks out; dma-debug notes that it was checked.
 */
export const dmaMappingError = (s: State, dev: DeviceId, mapping: MappingId): Outcome => {
  if (s.devices[dev] === undefined) return illFormed('dma_mapping_error', `no device ${dev}`);
  const m = s.mappings.get(mapping);
  if (m === undefined || m.device !== dev || m.errorChecked) return done(s);
  return done({ ...s, mappings: put(s.mappings, mapping, { ...m, errorChecked: true }) });
};

/**
 * device_release_driver(): the driver's remove() runs and the device is
 * unbound. Nothing in the kernel unmaps what the driver left mapped: its
 * mappings stay (dma-debug reports them as pending).
 */
export const deviceReleaseDriver = (s: State, dev: DeviceId): Outcome => {
  const d = s.devices[dev];
  if (d === undefined) return illFormed('device_release_driver', `no device ${dev}`);
  if (!d.bound) return done(s);
  return done({ ...s, devices: replaceAt(s.devices, dev, { ...d, bound: false }) }, [{ kind: 'driver-unbound', device: dev }]);
};
