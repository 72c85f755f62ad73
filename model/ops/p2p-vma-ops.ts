/**
 * The VMA ops of Glisse's RFC (Jan 2019, patch 3/5): an exporter's VMA
 * hands an importer DMA addresses of its BAR window with p2p_map() and
 * takes them back with p2p_unmap(). Nothing here ties the mapping to the
 * VMA's lifetime: only an mmu notifier held by the importer does. Both ops
 * return a long, a negative errno on failure; the RFC names none, so the
 * model uses the ones the kernel uses for the same refusal elsewhere.
 */
import { drop, put } from '../collections.ts';
import { busAddress, p2pReachable } from '../dma-address.ts';
import { freshId } from '../page.ts';
import { done, illFormed, reject, waits, type Outcome } from '../result.ts';
import { mmapWriteLocked } from './invalidate.ts';
import type { DeviceId, DmaDirection, DmaMapping, MappingApi, MappingId, State, Vma, VmaId } from '../state.ts';

/**
 * The exporter side of p2p_map: the bus addresses of `vma`'s BAR window,
 * for `dev`; a string is the rejection reason. Calling the op of a VMA
 * that has none, or for a device that does not exist, is ill-formed; an
 * unreachable importer is -EREMOTEIO, as for P2PDMA pages in
 * dma_map_sgtable.
 */
export const exporterMap = (s: State, vma: Vma, dev: DeviceId, dir: DmaDirection, api: MappingApi): { state: State; mapping: MappingId } | string => {
  if (vma.backing.kind !== 'bar') return `ill-formed: vma ${vma.id} has no p2p_map vm_op (not an exporter's BAR mapping)`;
  const bar = s.bars[vma.backing.bar]!;
  if (s.devices[dev] === undefined) return `ill-formed: no device ${dev}`;
  if (!bar.alive || bar.removing) return `-ENODEV: the provider of BAR ${bar.id} was removed`;
  if (!p2pReachable(s, bar.device, dev)) return `-EREMOTEIO: device ${dev} cannot reach provider ${bar.device} peer-to-peer`;
  // Stryker disable next-line MethodExpression,ArrowFunction,StringLiteral: a BAR VMA's PTEs are zapped only by the provider's removal, which marked the BAR removing first (-ENODEV above); a BAR VMA cannot grow or move
  if (vma.ptes.some((p) => p === null)) return `-EFAULT: vma ${vma.id}'s BAR window was zapped`;
  const entries = vma.backing.window.map((pfn) => {
    const f = s.frames[pfn]!;
    return { dma: busAddress(s, f), pfn, gen: f.gen, reaches: pfn };
  });
  const [s1, id] = freshId(s);
  const m: DmaMapping = {
    id,
    device: dev,
    dir,
    api,
    origin: { kind: 'vma-op', vma: vma.id, mm: vma.mm, start: vma.start, npages: vma.npages },
    entries,
    nents: entries.length,
    mapped: entries.length,
    errorChecked: false,
  };
  return { state: { ...s1, mappings: put(s1.mappings, id, m) }, mapping: id };
};

/** p2p_map(): the importer found the VMA with find_vma(); a VMA that is gone is find_vma's failure, -EFAULT; a write to a VMA without VM_WRITE is -EPERM. */
export const p2pMap = (s: State, vma: VmaId, dev: DeviceId, write: boolean): Outcome => {
  const v = s.vmas.get(vma);
  if (v === undefined) return reject('p2p_map', `-EFAULT: vma ${vma} is not mapped`);
  // The importer looks the VMA up under mmap_read_lock: it waits for munmap or exit holding mmap_write_lock.
  if (mmapWriteLocked(s, v.mm)) return waits('p2p_map', `mmap_write_lock of mm ${v.mm} is held`);
  // A writable mapping of a VMA without VM_WRITE (after mprotect(PROT_READ)) is refused as
  // hmm_range_fault refuses a write fault there (mm/hmm.c, hmm_vma_fault: -EPERM).
  if (write && !v.writable) return reject('p2p_map', `-EPERM: vma ${vma} has no VM_WRITE (mprotect), and the importer asked for a writable mapping`);
  // The RFC's p2p_map takes a write flag: a writable mapping is bidirectional.
  const r = exporterMap(s, v, dev, write ? 'bidirectional' : 'to-device', 'p2p_map');
  if (typeof r === 'string') return reject('p2p_map', r);
  // Stryker disable next-line OptionalChaining: exporterMap has just put the mapping it returns
  return done(r.state, [{ kind: 'p2p-mapped', mapping: r.mapping, entries: r.state.mappings.get(r.mapping)?.entries ?? [] }]);
};

/**
 * p2p_unmap(vma, importer, ...): needs the VMA the mapping was made from.
 * A second unmap, another API's mapping, or a VMA already freed (the
 * caller would pass a dangling pointer) are ill-formed.
 */
export const p2pUnmap = (s: State, mapping: MappingId): Outcome => {
  const op = 'p2p_unmap';
  const m = s.mappings.get(mapping);
  if (m === undefined) return illFormed(op, `mapping ${mapping} is not live (already torn down)`);
  if (
    m.api !== 'p2p_map' ||
    // Stryker disable next-line ConditionalExpression: exporterMap, the only maker of p2p_map mappings, gives them a vma-op origin
    m.origin.kind !== 'vma-op'
  )
    return illFormed(op, `mapping ${mapping} was made by ${m.api}, not p2p_map`);
  if (!s.vmas.has(m.origin.vma)) return illFormed(op, `vma ${m.origin.vma} is not mapped: it was destroyed before p2p_unmap`);
  return done({ ...s, mappings: drop(s.mappings, mapping) }, [{ kind: 'mapping-torn-down', mapping }]);
};
