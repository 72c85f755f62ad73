import * as O from 'fp-ts/lib/Option.js';
import type { Op, OpKind } from '../../model/op.ts';
import type { Step } from '../../model/result.ts';
import type { DmaDirection, DmaMapping, MappingApi, State } from '../../model/state.ts';
import type { Invariant } from '../invariant.ts';

type Judge<K extends OpKind> = (before: State, op: Extract<Op, { kind: K }>, step: Step) => O.Option<string>;
type Judges = { readonly [K in OpKind]?: Judge<K> };

const PAGE_SIZE = 4096;

const dirName = (d: DmaDirection): string => ({ 'to-device': 'DMA_TO_DEVICE', 'from-device': 'DMA_FROM_DEVICE', bidirectional: 'DMA_BIDIRECTIONAL' })[d];

/** dma-debug's type2name for the DMA layer's own mappings; the other APIs by name. */
const mapType = (api: MappingApi): string =>
  ({ dma_map_sg: 'scatter-gather', dma_map_page: 'single', dma_map_single: 'single', pci_p2pdma_map_sg: 'pci_p2pdma_map_sg', p2p_map: 'p2p_map', sgl_dma_map_user: 'sgl_dma_map_user', dma_buf_map_attachment: 'dma_buf_map_attachment' })[api];

/** Mappings that enter dma-debug's hash (debug_dma_map_sg / debug_dma_map_page). */
const tracked = (m: DmaMapping): boolean => m.api === 'dma_map_sg' || m.api === 'dma_map_page' || m.api === 'dma_map_single';

const where = (m: DmaMapping): string =>
  `[device address=0x${(m.entries[0]!.dma * PAGE_SIZE).toString(16).padStart(16, '0')}] [size=${m.entries.length * PAGE_SIZE} bytes]`;

const notAllocated = (verb: 'free' | 'sync', mapping: number, dev: number, m: DmaMapping | undefined): string =>
  `DMA-API: device ${dev}: device driver tries to ${verb} DMA memory it has not allocated [mapping ${mapping}]` +
  (m === undefined ? ' (unmapped already, or never mapped)' : m.device !== dev ? ` (mapping ${mapping} belongs to device ${m.device})` : ` (made by ${m.api}, which dma-debug does not track)`);

/** check_unmap() in kernel/dma/debug.c, in its order; `unmappedAs` is the unmap call's type. */
const checkUnmap = (before: State, mapping: number, dev: number, dir: DmaDirection, nents: number | null, unmappedAs: string, p2p: boolean): O.Option<string> => {
  const m = before.mappings.get(mapping);
  if (m === undefined || m.device !== dev || (!p2p && !tracked(m) && m.api !== 'pci_p2pdma_map_sg')) return O.some(notAllocated('free', mapping, dev, m));
  const mapped = mapType(m.api);
  if (mapped !== unmappedAs)
    return O.some(`DMA-API: device ${dev}: device driver frees DMA memory with wrong function ${where(m)} [mapped as ${mapped}] [unmapped as ${unmappedAs}]`);
  if (nents !== null && nents !== m.nents)
    return O.some(`DMA-API: device ${dev}: device driver frees DMA sg list with different entry count [map count=${m.nents}] [unmap count=${nents}]`);
  if (dir !== m.dir)
    return O.some(`DMA-API: device ${dev}: device driver frees DMA memory with different direction ${where(m)} [mapped with ${dirName(m.dir)}] [unmapped with ${dirName(dir)}]`);
  if ((m.api === 'dma_map_page' || m.api === 'dma_map_single') && !m.errorChecked)
    return O.some(`DMA-API: device ${dev}: device driver failed to check map error ${where(m)} [mapped as ${mapped}]`);
  return O.none;
};

/** check_sync() in kernel/dma/debug.c. */
const checkSync = (before: State, toCpu: boolean, o: { mapping: number; dev: number; nents: number; dir: DmaDirection }): O.Option<string> => {
  const m = before.mappings.get(o.mapping);
  if (m === undefined || m.device !== o.dev || !tracked(m)) return O.some(notAllocated('sync', o.mapping, o.dev, m));
  if (m.dir === 'bidirectional') return O.none;
  const pair = `${where(m)} [mapped with ${dirName(m.dir)}] [synced with ${dirName(o.dir)}]`;
  if (o.dir !== m.dir) return O.some(`DMA-API: device ${o.dev}: device driver syncs DMA memory with different direction ${pair}`);
  // Stryker disable next-line ConditionalExpression,MethodExpression,StringLiteral: unreachable: line 50 already returned unless o.dir === m.dir, and m.dir is not bidirectional (line 48), so m.dir !== 'from-device' && o.dir !== 'to-device' cannot both hold
  if (toCpu && m.dir !== 'from-device' && o.dir !== 'to-device') return O.some(`DMA-API: device ${o.dev}: device driver syncs device read-only DMA memory for cpu ${pair}`);
  // Stryker disable next-line ConditionalExpression,BooleanLiteral,MethodExpression,StringLiteral: unreachable: line 50 already returned unless o.dir === m.dir, and m.dir is not bidirectional (line 48), so m.dir !== 'to-device' && o.dir !== 'from-device' cannot both hold
  if (!toCpu && m.dir !== 'to-device' && o.dir !== 'from-device') return O.some(`DMA-API: device ${o.dev}: device driver syncs device write-only DMA memory to device ${pair}`);
  if (o.nents !== m.nents) return O.some(`DMA-API: device ${o.dev}: device driver syncs DMA sg list with different entry count [map count=${m.nents}] [sync count=${o.nents}]`);
  return O.none;
};

/**
 * A device using an address of a streaming mapping its driver has already
 * unmapped: the driver tore down before it quiesced the device. After
 * dma_unmap_sg the buffer is the CPU's again (dma-api-howto.rst); with a
 * direct mapping the device reaches whatever the page is by then, behind an
 * IOMMU the access faults. dma-debug never sees device accesses.
 */
const afterUnmap = (before: State, mapping: number, write: boolean): O.Option<string> => {
  if (before.mappings.has(mapping)) return O.none;
  const r = [...before.deviceRanges.values()].find((x) => x.mapping === mapping && x.streaming);
  if (r === undefined) return O.none;
  const iommu = before.devices[r.device]?.iommuMergesSg === true;
  return O.some(
    `device ${r.device} ${write ? 'wrote' : 'read'} through a DMA address of mapping ${mapping} after its driver called dma_unmap_sg: the driver unmapped before it quiesced the device (${iommu ? 'behind an IOMMU the access faults' : 'with a direct mapping the access reaches whatever the page is by then'}; no dma-debug check sees this)`,
  );
};

const judges: Judges = {
  dma_unmap_sg: (before, o) => checkUnmap(before, o.mapping, o.dev, o.dir, o.nents, 'scatter-gather', false),
  dma_unmap_page: (before, o) => checkUnmap(before, o.mapping, o.dev, o.dir, null, 'single', false),
  dma_unmap_single: (before, o) => checkUnmap(before, o.mapping, o.dev, o.dir, null, 'single', false),
  pci_p2pdma_unmap_sg: (before, o) => checkUnmap(before, o.mapping, o.dev, o.dir, o.nents, 'pci_p2pdma_map_sg', true),
  // Stryker disable next-line BooleanLiteral: toCpu only selects between lines 51 and 52, both unreachable (see there)
  dma_sync_sg_for_cpu: (before, o) => checkSync(before, true, o),
  // Stryker disable next-line BooleanLiteral: toCpu only selects between lines 51 and 52, both unreachable (see there)
  dma_sync_sg_for_device: (before, o) => checkSync(before, false, o),
  device_release_driver: (before, o) => {
    if (before.devices[o.dev]?.bound !== true) return O.none;
    const live = [...before.mappings.values()].filter((m) => m.device === o.dev);
    if (live.length === 0) return O.none;
    const m = live[0]!;
    return O.some(
      `DMA-API: device ${o.dev}: device driver has pending DMA allocations while released from device [count=${live.length}] One of leaked entries details: ${where(m)} [mapped with ${dirName(m.dir)}] [mapped as ${mapType(m.api)}]`,
    );
  },
  // A device writing a buffer its driver mapped DMA_TO_DEVICE (the driver told it to): nothing in
  // the kernel sees it, dma-debug included. With swiotlb the write lands in the bounce buffer and is
  // never copied back; behind an IOMMU the mapping is read-only and the write faults; with a direct
  // mapping it lands, and a later sync for the CPU may not cover it (Documentation/core-api/dma-api-howto.rst).
  device_read: (before, o) => afterUnmap(before, o.mapping, false),
  device_write: (before, o) => {
    const stale = afterUnmap(before, o.mapping, true);
    if (O.isSome(stale)) return stale;
    const m = before.mappings.get(o.mapping);
    if (m === undefined || m.dir !== 'to-device' || m.api === 'p2p_map') return O.none;
    return O.some(`device ${m.device} wrote through mapping ${o.mapping}, which its driver mapped DMA_TO_DEVICE (${m.api}): the device may only read it; with swiotlb the write never reaches the page, behind an IOMMU it faults (no dma-debug check sees this)`);
  },
  sg_free_table: (before, o) => {
    // Stryker disable next-line ConditionalExpression: a page or vma-op origin has no sgl field, and undefined never equals the sgl id
    const m = [...before.mappings.values()].find((x) => x.origin.kind === 'sgl' && x.origin.sgl === o.sgl);
    return m === undefined ? O.none : O.some(`sg_free_table: sgl ${o.sgl} is freed while mapping ${m.id} (${m.api} for device ${m.device}) is live: its unmap will read freed memory`);
  },
};

const judgeOf = <K extends OpKind>(op: Extract<Op, { kind: K }>): Judge<K> | undefined => judges[op.kind as K] as Judge<K> | undefined;

/**
 * dma-api-hygiene: a driver uses the streaming DMA API the way
 * CONFIG_DMA_API_DEBUG (kernel/dma/debug.c) checks it, and the messages
 * start as dma-debug's do. The classes:
 *   - unmap of memory not mapped, by another device, or twice
 *     ("tries to free DMA memory it has not allocated");
 *   - unmap that does not match the map: function ("wrong function",
 *     extended here to dma_map_sg vs pci_p2pdma_map_sg), sg entry count
 *     (the count passed to dma_map_sg, not the smaller one it returned
 *     when an IOMMU merged entries), direction;
 *   - a dma_map_page/_single address unmapped without dma_mapping_error()
 *     ("failed to check map error", reported at unmap as dma-debug does);
 *   - sync of memory not mapped, in a direction the mapping does not
 *     allow, or with another entry count (check_sync);
 *   - mappings still live when the driver unbinds
 *     (dma_debug_device_change, "pending DMA allocations");
 *   - and two classes dma-debug cannot see: sg_free_table of a table
 *     that is still mapped (its later unmap reads freed memory), and a
 *     device write through a DMA_TO_DEVICE mapping (a device the driver
 *     programmed to write a buffer it mapped for the device to read),
 *     and a device still using the addresses of a table its driver has
 *     unmapped (dma_unmap_sg before the device was quiesced).
 * Sizes are always whole pages in the model, so "different size" cannot
 * arise. These calls are `void` in the kernel: the model accepts them and
 * this invariant judges the call against the state it was made in.
 *
 * @see kernel/dma/debug.c: check_unmap(), check_sync(), dma_debug_device_change()
 * @see Documentation/core-api/dma-api.rst (unmap with the nents passed to
 *   dma_map_sg; check dma_mapping_error)
 */
export const dmaApiHygiene: Invariant = {
  id: 'dma-api-hygiene',
  rule: 'Unmaps and syncs match a live mapping of the same device, function, entry count and direction; map errors are checked; nothing is left mapped at unbind.',
  source: 'kernel/dma/debug.c (CONFIG_DMA_API_DEBUG); Documentation/core-api/dma-api.rst',
  check: (before, op, step) => {
    const judge = judgeOf(op);
    return judge === undefined ? O.none : judge(before, op, step);
  },
  // A device read is judged only where it can break the rule: through a streaming range (programmed from dma_map_sg).
  exercised: (before, op) =>
    op.kind === 'device_read' ? [...before.deviceRanges.values()].some((r) => r.streaming && r.mapping === op.mapping) : judgeOf(op) !== undefined,
};
