/**
 * Environment events a design must survive: what processes, the memory
 * manager, devices and generic kernel code do regardless of the driver.
 */
import type { Op } from '../op.ts';
import type { DmaDirection, State, Vma, VmaBacking } from '../state.ts';
import { type StepTemplate, single } from './design.ts';
import { faultablePages, liveMms, lruPages, mappingsWhere, sglsWhere } from './queries.ts';

/** mmap of one page (`file-private`: MAP_PRIVATE of the file); an exporter's BAR window (`bar`) of one or two pages, or of the sizes given. */
/** mmap of one backing: BARs in windows of `sizes` pages, everything else one page unless `sizes` says otherwise. */
export const mmapOf = (backing: 'anon' | 'file' | 'file-private' | 'bar' | 'p2pmem', bar = 0, sizes?: ReadonlyArray<number>): StepTemplate => ({
  ...single(`mmap_${backing}`, 'environment', 1, (s) => {
    if (s.vmas.size >= s.bounds.vmas) return [];
    const b = backing === 'anon' ? { kind: 'anon' as const } : backing === 'file' || backing === 'file-private' ? { kind: backing, inode: 0 } : { kind: backing, bar };
    const npagesOf = sizes ?? (backing === 'bar' ? [1, 2] : [1]);
    return liveMms(s).flatMap((mm) => npagesOf.map((npages): Op => ({ kind: 'mmap', mm: mm.id, npages, backing: b })));
  }),
  // The process making its buffers: a swarm run always has it, or nothing happens at all.
  swarm: false,
});

const byAddress = (s: State): ReadonlyArray<Vma> => [...s.vmas.values()].sort((a, b) => a.mm - b.mm || a.start - b.start);

/** munmap of a whole VMA, of one page of a larger VMA (a split), or of two adjacent VMAs at once. */
export const munmapAny: StepTemplate = single('munmap', 'environment', 1, (s) =>
  byAddress(s).flatMap((v, i, all): Op[] => {
    const next = all[i + 1];
    return [
      { kind: 'munmap', mm: v.mm, start: v.start, npages: v.npages },
      ...(v.npages > 1 ? Array.from({ length: v.npages }, (_, j): Op => ({ kind: 'munmap', mm: v.mm, start: v.start + j, npages: 1 })) : []),
      ...(next !== undefined && next.mm === v.mm && next.start === v.start + v.npages
        ? [{ kind: 'munmap' as const, mm: v.mm, start: v.start, npages: v.npages + next.npages }]
        : []),
    ];
  }),
);

/** mprotect of a whole VMA or one page of it, read-only or writable again. */
export const mprotectAny = (kinds: ReadonlyArray<VmaBacking['kind']>): StepTemplate =>
  single('mprotect', 'environment', 1, (s) =>
    byAddress(s)
      .filter((v) => kinds.includes(v.backing.kind))
      .flatMap((v) => [{ start: v.start, npages: v.npages }, ...(v.npages > 1 ? [{ start: v.start, npages: 1 }] : [])].map((r) => ({ ...r, v })))
      .flatMap(({ v, start, npages }): Op[] => [false, true].map((write): Op => ({ kind: 'mprotect', mm: v.mm, start, npages, write }))),
  );

/** madvise(MADV_DONTNEED) of a whole VMA or one page of it: the process discards what it holds there. */
export const madviseDontneedAny = (kinds: ReadonlyArray<VmaBacking['kind']>): StepTemplate =>
  single('madvise_dontneed', 'environment', 1, (s) =>
    byAddress(s)
      .filter((v) => kinds.includes(v.backing.kind) && v.ptes.some((p) => p !== null))
      .flatMap((v) => [{ start: v.start, npages: v.npages }, ...(v.npages > 1 ? Array.from({ length: v.npages }, (_, j) => ({ start: v.start + j, npages: 1 })) : [])].map((r): Op => ({ kind: 'madvise', mm: v.mm, start: r.start, npages: r.npages, advice: 'dontneed' }))),
  );

/** mremap: shrink a multi-page VMA to its first page, or grow a VMA by a page (in place, or moved when MREMAP_MAYMOVE). */
export const mremapAny = (kinds: ReadonlyArray<VmaBacking['kind']>): StepTemplate =>
  single('mremap', 'environment', 1, (s) =>
    byAddress(s)
      .filter((v) => kinds.includes(v.backing.kind))
      .flatMap((v): Op[] => [
        ...(v.npages > 1 ? [{ kind: 'mremap' as const, mm: v.mm, start: v.start, npages: v.npages, new_npages: 1, may_move: false }] : []),
        ...(v.backing.kind === 'bar' ? [] : [{ kind: 'mremap' as const, mm: v.mm, start: v.start, npages: v.npages, new_npages: v.npages + 1, may_move: true }]),
      ]),
  );

export const exitAny: StepTemplate = single('exit_mmap', 'environment', 1, (s) => liveMms(s).map((mm) => ({ kind: 'exit_mmap', mm: mm.id })));

export const forkOf = (): StepTemplate =>
  single('fork', 'environment', 1, (s) => (s.mms.size >= s.bounds.mms ? [] : liveMms(s).map((mm) => ({ kind: 'fork', mm: mm.id }))));

/** A process stores to a page of one of its anonymous VMAs (a write fault first where the PTE does not allow it). */
export const storeAny: StepTemplate = single('store', 'environment', 2, (s) =>
  byAddress(s)
    .filter((v) => v.backing.kind === 'anon' && v.writable && s.mms.get(v.mm)?.alive === true)
    .flatMap((v) => Array.from({ length: v.npages }, (_, j): Op => ({ kind: 'store', mm: v.mm, addr: v.start + j }))),
);

/** Soft-dirty tracking of a live process (CRIU's pre-dump): echo 4 > /proc/PID/clear_refs. */
export const clearRefsAny: StepTemplate = single('clear_refs', 'environment', 1, (s) =>
  // Not under an interval notifier: the op does not model its MMU_NOTIFY_SOFT_DIRTY invalidation (ill-formed there).
  liveMms(s).filter((mm) => ![...s.notifiers.values()].some((n) => n.mm === mm.id)).map((mm): Op => ({ kind: 'clear_refs', mm: mm.id })),
);

/** A process loads from a page of one of its anonymous VMAs (a read fault first where nothing present is mapped: the zero page, or swap-in). */
export const loadAny: StepTemplate = single('load', 'environment', 1, (s) =>
  byAddress(s)
    .filter((v) => v.backing.kind === 'anon' && s.mms.get(v.mm)?.alive === true)
    .flatMap((v) => Array.from({ length: v.npages }, (_, j): Op => ({ kind: 'load', mm: v.mm, addr: v.start + j }))),
);

export const writeFaultAny: StepTemplate = single('write_fault', 'environment', 1, (s) =>
  faultablePages(s).map((p) => ({ kind: 'write_fault', mm: p.mm, addr: p.addr })),
);

export const reclaimAny: StepTemplate = single('reclaim', 'environment', 1, (s) => lruPages(s).map((f) => ({ kind: 'reclaim', page: f.pfn })));

export const migrateAny: StepTemplate = single('migrate_page', 'environment', 1, (s) => lruPages(s).map((f) => ({ kind: 'migrate_page', page: f.pfn })));

export const writebackAny: StepTemplate = single('writeback', 'environment', 1, (s) =>
  lruPages(s)
    .filter((x) => x.dirty && x.mapping.kind === 'file')
    .map((f) => ({ kind: 'writeback', page: f.pfn })),
);

/** The provider goes away: the removal starts, and (P2PDMA pages) completes once memunmap_pages() stops waiting. */
export const removeProvider = (dev: number): StepTemplate =>
  single('pci_stop_and_remove_bus_device', 'environment', 1, (s) => [
    ...(s.bars.some((b) => b.device === dev && b.alive && !b.removing) ? [{ kind: 'pci_stop_and_remove_bus_device' as const, dev }] : []),
    ...(s.bars.some((b) => b.device === dev && b.alive && b.removing && b.structPages) ? [{ kind: 'memunmap_pages' as const, dev }] : []),
  ]);

const can = (write: boolean) => (dir: DmaDirection): boolean => (write ? dir !== 'to-device' : dir !== 'from-device');

/**
 * The device uses an address it was given: any entry of any live mapping
 * it may access that way, any range its driver programmed into it
 * (p2p_map addresses reach the device only that way), and any dma-buf
 * table some work of it uses.
 */
export const deviceAccessAny = (write: boolean): StepTemplate =>
  single(write ? 'device_write' : 'device_read', 'environment', 2, (s) => [
    ...mappingsWhere(s, (x) => x.api !== 'p2p_map' && x.api !== 'dma_buf_map_attachment' && can(write)(x.dir)).flatMap((m) =>
      m.entries.map((_, index): Op => ({ kind: write ? 'device_write' : 'device_read', mapping: m.id, index })),
    ),
    // dma-buf tables reach the device through the work that uses them (a region, a fenced job).
    ...[...s.jobs.values()].flatMap((j) => j.entries.map((_, index): Op => ({ kind: write ? 'device_write' : 'device_read', mapping: j.mapping, index }))),
    ...[...s.deviceRanges.values()]
      .filter((r) => can(write)(r.dir))
      .flatMap((r) => (r.mapping === null ? [] : r.entries.map((_, index): Op => ({ kind: write ? 'device_write' : 'device_read', mapping: r.mapping!, index })))),
    // An IOVA range reaches the device through the command its driver wrote (iter->addr, iter->len).
    ...[...s.iovas.values()].flatMap((v) =>
      v.handed === null || !can(write)(v.handed.dir) ? [] : Array.from({ length: v.handed.npages }, (_, index): Op => ({ kind: write ? 'device_write' : 'device_read', mapping: v.id, index })),
    ),
  ]);

/** A mirroring device uses a virtual page its page table maps (a GPU kernel touching shared virtual memory). */
export const deviceSvmAccessAny: StepTemplate = {
  ...single('device_svm_access', 'environment', 3, (s) =>
    [...s.deviceRanges.values()]
      .filter((r) => r.mapping === null)
      .sort((a, b) => a.device - b.device || a.mm - b.mm || a.start - b.start)
      .flatMap((r): Op[] => [false, ...(r.dir === 'to-device' ? [] : [true])].map((write): Op => ({ kind: 'device_svm_access', dev: r.device, mm: r.mm, addr: r.start, write }))),
  ),
  // Every violation of a mirror ends in the device's access: a swarm run without it cannot show one.
  swarm: false,
};

/**
 * Generic kernel code that walks an SGL with the CPU: the block layer's
 * bounce and integrity code, software RDMA, crypto. It takes whatever
 * table it is handed.
 */
export const sglConsumer: StepTemplate = single('sgl_consumer', 'environment', 1, (s) =>
  sglsWhere(s, (x) => x.entries.every((e) => e.page !== null) || x.dmaOnly).flatMap((t): Op[] => [
    { kind: 'sg_copy_to_buffer', sgl: t.id },
    ...t.entries.flatMap((_, index): Op[] => [
      { kind: 'sg_virt', sgl: t.id, index },
      { kind: 'kmap_local_page', sgl: t.id, index },
    ]),
  ]),
);

/** What ordinary user memory goes through: processes, faults, reclaim, migration, writeback, the device, generic SGL code. */
export const userMemoryEnvironment = (): ReadonlyArray<StepTemplate> => [
  mmapOf('anon'),
  mmapOf('file'),
  mmapOf('file-private'),
  munmapAny,
  exitAny,
  forkOf(),
  writeFaultAny,
  reclaimAny,
  migrateAny,
  writebackAny,
  deviceAccessAny(true),
  deviceAccessAny(false),
  sglConsumer,
];
