/**
 * Environment events a design must survive: what processes, the memory
 * manager, devices and generic kernel code do regardless of the driver.
 */
import type { DmaDirection } from '../state.ts';
import { type StepTemplate, nth, single } from './design.ts';
import { faultablePages, liveMms, lruPages, mappingsWhere, sglsWhere, vmasWith } from './queries.ts';

export interface Limits {
  readonly vmas: number;
  readonly mms: number;
}

export const mmapOf = (backing: 'anon' | 'file' | 'bar' | 'p2pmem', limits: Limits, bar = 0): StepTemplate =>
  single(`mmap_${backing}`, 'environment', 1, (s, c) => {
    if (s.vmas.size >= limits.vmas) return null;
    const mm = nth(liveMms(s), c[0]);
    if (mm === null) return null;
    const b = backing === 'anon' ? { kind: 'anon' as const } : backing === 'file' ? { kind: 'file' as const, inode: 0 } : { kind: backing, bar };
    return { kind: 'mmap', mm: mm.id, npages: 1, backing: b };
  });

export const munmapAny: StepTemplate = single('munmap', 'environment', 1, (s, c) => {
  const v = nth([...s.vmas.values()], c[0]);
  return v === null ? null : { kind: 'munmap', vma: v.id };
});

export const exitAny: StepTemplate = single('exit_mmap', 'environment', 1, (s, c) => {
  const mm = nth(liveMms(s), c[0]);
  return mm === null ? null : { kind: 'exit_mmap', mm: mm.id };
});

export const forkOf = (limits: Limits): StepTemplate =>
  single('fork', 'environment', 1, (s, c) => {
    if (s.mms.size >= limits.mms) return null;
    const mm = nth(liveMms(s), c[0]);
    return mm === null ? null : { kind: 'fork', mm: mm.id };
  });

export const writeFaultAny: StepTemplate = single('write_fault', 'environment', 1, (s, c) => {
  const p = nth(faultablePages(s), c[0]);
  return p === null ? null : { kind: 'write_fault', mm: p.mm, addr: p.addr };
});

export const reclaimAny: StepTemplate = single('reclaim', 'environment', 1, (s, c) => {
  const f = nth(lruPages(s), c[0]);
  return f === null ? null : { kind: 'reclaim', page: f.pfn };
});

export const migrateAny: StepTemplate = single('migrate_page', 'environment', 1, (s, c) => {
  const f = nth(lruPages(s), c[0]);
  return f === null ? null : { kind: 'migrate_page', page: f.pfn };
});

export const writebackAny: StepTemplate = single('writeback', 'environment', 1, (s, c) => {
  const f = nth(lruPages(s).filter((x) => x.dirty && x.mapping.kind === 'file'), c[0]);
  return f === null ? null : { kind: 'writeback', page: f.pfn };
});

export const removeProvider = (dev: number): StepTemplate =>
  single('pci_stop_and_remove_bus_device', 'environment', 1, (s) =>
    s.bars.some((b) => b.device === dev && b.alive) ? { kind: 'pci_stop_and_remove_bus_device', dev } : null,
  );

const can = (write: boolean) => (dir: DmaDirection): boolean => (write ? dir !== 'to-device' : dir !== 'from-device');

/** The device uses an address it was given: entry c[1] of the k-th live mapping it may access that way. */
export const deviceAccessAny = (write: boolean): StepTemplate =>
  single(write ? 'device_write' : 'device_read', 'environment', 2, (s, c) => {
    const m = nth(mappingsWhere(s, (x) => can(write)(x.dir)), c[0]);
    if (m === null) return null;
    return { kind: write ? 'device_write' : 'device_read', mapping: m.id, index: c[1] % m.entries.length };
  });

/**
 * Generic kernel code that walks an SGL with the CPU: the block layer's
 * bounce and integrity code, software RDMA, crypto. It takes whatever
 * table it is handed.
 */
export const sglConsumer: StepTemplate = single('sgl_consumer', 'environment', 1, (s, c) => {
  const t = nth(
    sglsWhere(s, (x) => x.entries.every((e) => e.page !== null) || x.dmaOnly),
    c[0],
  );
  if (t === null) return null;
  const which = c[1] % 3;
  if (which === 0) return { kind: 'sg_copy_to_buffer', sgl: t.id };
  const index = c[2] % t.entries.length;
  return which === 1 ? { kind: 'sg_virt', sgl: t.id, index } : { kind: 'kmap_local_page', sgl: t.id, index };
});
