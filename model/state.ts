/**
 * The immutable world that every kernel-like operation transforms.
 *
 * Everything is `readonly`: an operation returns a new `State` and never
 * touches its input. Objects are identified by small integers; one counter
 * (`nextId`) hands out the ids of everything created at run time, so an id
 * never names two objects in one trace.
 *
 * Physical memory is a fixed array of frames indexed by pfn: system RAM
 * first, then the BAR frames of every PCI provider. A frame carries the
 * `struct page` fields only where the kernel has a struct page (RAM and
 * ZONE_DEVICE P2PDMA pages); a BAR exposed through VM_IO|VM_PFNMAP has none.
 */

export type MmId = number;
export type VmaId = number;
export type Pfn = number;
export type BarId = number;
export type DeviceId = number;
export type InodeId = number;
export type PagesId = number;
export type SglId = number;
export type MappingId = number;
export type NotifierId = number;
export type InvalidationId = number;
export type ThreadId = number;
export type DeviceRangeId = number;
export type DmaBufId = number;
export type AttachmentId = number;
export type JobId = number;
export type IovaId = number;

/** What a page belongs to (`page->mapping`). */
export type PageMapping =
  | { readonly kind: 'none' }
  | { readonly kind: 'anon' }
  | { readonly kind: 'file'; readonly inode: InodeId; readonly index: number }
  /** A driver's kernel allocation (pci_alloc_p2pmem). */
  | { readonly kind: 'kernel' }
  /**
   * The shared zero page (ZERO_PAGE(0)): what a read fault on never-written
   * private anonymous memory maps, read-only, through a special PTE that
   * takes no reference and no mapcount (do_anonymous_page, vm_normal_page).
   * Never freed, on no LRU list.
   */
  | { readonly kind: 'zero' };

/**
 * One physical frame. For RAM and P2PDMA frames the fields mirror
 * `struct page`: `refcount` counts every reference (PTEs, page cache, GUP,
 * pins, allocator), `pincount` counts FOLL_PIN pins exactly (the kernel's
 * `page_maybe_dma_pinned()` without false positives).
 */
export interface Frame {
  readonly pfn: Pfn;
  /** null for system RAM, else the BAR this frame belongs to. */
  readonly bar: BarId | null;
  /** RAM and ZONE_DEVICE P2PDMA frames have a struct page; PFNMAP BAR frames do not. */
  readonly structPage: boolean;
  /** Not allocated to anybody (in the buddy allocator, the P2PDMA gen_pool, or the exporter's BAR allocator). */
  readonly free: boolean;
  /**
   * Allocation generation: bumped at every allocation of this frame.
   * Ghost provenance: a DMA mapping remembers the generation it was made
   * for, so a device access after the frame was freed and handed to someone
   * else is observable. Operations never branch on it.
   */
  readonly gen: number;
  readonly refcount: number;
  readonly pincount: number;
  /**
   * FOLL_PIN pins their holder gave back with put_page() instead of
   * unpin_user_page(). On an order-0 page a pin adds GUP_PIN_COUNTING_BIAS
   * to _refcount and put_page() takes one off, so the pin stays counted:
   * the page is never freed and folio_maybe_dma_pinned() stays true. The
   * model counts each pin as one reference, so a lost pin keeps its one
   * in `refcount` and in `pincount`, with no holder left to drop it.
   */
  readonly lostPins: number;
  /**
   * References (`unheldRefs`) and pins (`unheldPins`) given back that no
   * holder held: a driver's second release of pages it had already
   * released (unpin_user_page() on its stale pointers), or a release of a
   * page that was freed under its holder by such a release. The kernel's
   * counts are plain arithmetic, so they fall below the holders the state
   * can name by these amounts: `refcount` = holders - unheldRefs, and
   * `pincount` = pins held + lost pins - unheldPins (negative on a page no
   * pin held: an order-0 page's _refcount went below zero by
   * GUP_PIN_COUNTING_BIAS, so it is never freed). The kernel does not
   * keep this number; the model does, to check its own counts.
   */
  readonly unheldRefs: number;
  readonly unheldPins: number;
  readonly mapcount: number;
  readonly dirty: boolean;
  /** Filesystem-private state (buffer heads) attached: what ->writepage needs. */
  readonly fsPrivate: boolean;
  readonly mapping: PageMapping;
  /**
   * Ghost: a device wrote this frame and nobody has called set_page_dirty
   * since. The kernel cannot see DMA writes; this records what the device
   * did so an invariant can judge it. Operations never branch on it.
   */
  readonly deviceWroteSinceDirtied: boolean;
}

/** A PCI BAR that can serve as peer-to-peer memory. */
export interface Bar {
  readonly id: BarId;
  readonly device: DeviceId;
  readonly basePfn: Pfn;
  readonly npages: number;
  /** true: ZONE_DEVICE P2PDMA pages (pci_p2pdma_add_resource); false: raw MMIO handed out by an exporter driver. */
  readonly structPages: boolean;
  /** The provider is bound; false once it was removed. */
  readonly alive: boolean;
  /** pci_stop_and_remove_bus_device has started: the exporter refuses new mmaps and p2p_maps (-ENODEV). */
  readonly removing: boolean;
  /**
   * References to a P2PDMA provider's pgmap (its percpu_ref) that no page
   * holds. Each allocated ZONE_DEVICE page holds one (p2pdma_folio_free()
   * drops it when the page is freed), and a call that allocates takes one
   * for itself while it runs (percpu_ref_tryget_live_rcu() in
   * p2pmem_alloc_mmap()) and drops it before it returns; one an error path
   * forgets stays here. memunmap_pages() waits until the percpu_ref is
   * zero: every page free and this 0.
   */
  readonly pgmapRefs: number;
}

export interface Device {
  readonly id: DeviceId;
  readonly name: string;
  /** Devices this one can reach peer-to-peer (pci_p2pdma_distance() >= 0). */
  readonly p2pPeers: ReadonlyArray<DeviceId>;
  /**
   * The driver bound to this device, as data: the names of its recipes in
   * the importer registry (`model/designs/importers/`). `invalidate` is
   * the `mmu_interval_notifier_ops.invalidate` the kernel calls for the
   * notifiers this driver inserts; `mapPath` is what the driver runs when
   * its device needs a range mapped (a device page fault, a memory
   * registration). null: no driver code is modelled for this device.
   */
  readonly driver: DriverSpec | null;
  /**
   * Behind an IOMMU whose dma_map_sg merges the entries of a table into
   * one IOVA segment (iommu_dma_map_sg): the call returns fewer mapped
   * entries than it was given. Only the merging is modelled, not IOVAs.
   */
  readonly iommuMergesSg: boolean;
  /**
   * swiotlb force-bounce (a confidential guest, `swiotlb=force`): the DMA
   * layer maps RAM to a bounce slot and the CPU copies the data in at map
   * (to the device) and out at unmap or sync for the CPU (from the
   * device): each copy is a CPU touch of the target.
   */
  readonly swiotlbForce: boolean;
  /**
   * dma_virt_ops (lib/dma-virt.c, until 5.10): a software device (rxe,
   * siw, rdmavt) whose "DMA" is the CPU copying through kernel virtual
   * addresses. dma_map_sg gives each entry sg_virt() as its address, and
   * every device access is a CPU load or store of the page.
   */
  readonly virtDma: boolean;
  /** A driver is bound to the device; device_release_driver() unbinds it. */
  readonly bound: boolean;
  /**
   * Calls of this device's IOMMU domain that fail from now on with
   * -ENOMEM, as fault injection makes them (`iommu_fault_inject`):
   * `iommu_map` (its page-table allocation, GFP_ATOMIC, fails: the map
   * unrolls what it mapped and returns the error) and `iommu_sync_map`
   * (the IOMMU driver's iotlb_sync_map fails, as virtio-iommu's does when
   * the host refuses the request). Empty in every world at the start.
   */
  readonly iommuFaults: ReadonlyArray<IommuCall>;
}

/** The IOMMU calls fault injection can make fail. */
export type IommuCall = 'iommu_map' | 'iommu_sync_map';

/**
 * Where the PCI devices sit, as pci_p2pdma_map_type() walks it: under a
 * switch (whose downstream ports may redirect peer traffic upstream: ACS)
 * or straight on a root port, each under a host bridge that is on the
 * P2P allow-list or not.
 */
export interface PciTopology {
  readonly hostBridges: ReadonlyArray<{ readonly allowListed: boolean }>;
  readonly switches: ReadonlyArray<{ readonly hostBridge: number; readonly acsRedirect: boolean }>;
  /** One per device, in device order. */
  readonly slots: ReadonlyArray<{ readonly switch: number } | { readonly hostBridge: number }>;
}

export interface DriverSpec {
  /** mmu_interval_notifier_ops.invalidate, for the interval notifiers this driver inserts. */
  readonly invalidate?: string;
  /** What the driver runs when its device needs a range of a process mapped. */
  readonly mapPath?: string;
  /** dma_buf_attach_ops.move_notify, for the dma-buf attachments this driver makes. */
  readonly moveNotify?: string;
  /** What the driver runs to map a dma-buf attachment for its device (a memory registration). */
  readonly mapAttachment?: string;
  /** An exporter's revoke of a dma-buf it exported (VFIO's vfio_pci_dma_buf_move(vdev, true), before a reset or a hot-unplug). */
  readonly revoke?: string;
  /**
   * What the driver runs to map a block request for its device
   * (nvme_map_data and the block layer's blk_rq_dma_map_iter_start it
   * calls): the request's pages go into one IOVA range with the two-step
   * DMA API.
   */
  readonly mapRequest?: string;
}

export interface Mm {
  readonly id: MmId;
  readonly alive: boolean;
  /** `mm->has_pinned` / MMF_HAS_PINNED: set by the first FOLL_PIN. */
  readonly hasPinned: boolean;
  /**
   * `mm->notifier_subscriptions->invalidate_seq`: odd while an
   * invalidation of this mm is in progress, even otherwise; starts at 2.
   */
  readonly invalidateSeq: number;
  /**
   * A fork of this mm between its check of each page and its write-protect
   * of the parent's PTEs (worlds with `forkSteps`): the PTEs still to
   * write-protect. While it is here fork holds mmap_write_lock and
   * `mm->write_protect_seq` is odd.
   */
  readonly forkWrprotect?: ForkWrprotect;
  /**
   * `mm->mm_users`: the process's own reference while its task runs, plus
   * one per mmget_not_zero a driver has not mmput yet. exit_mmap runs at
   * the last mmput, so a driver holding a reference keeps the address
   * space (VMAs, page tables) until it lets go.
   */
  readonly users: number;
  /** Driver threads holding `mmap_read_lock(mm)`: mmap_write_lock takers (munmap, mprotect, mremap, fork, mmap) wait for them. */
  readonly mmapReaders: number;
}

export type VmaBacking =
  | { readonly kind: 'anon' }
  | { readonly kind: 'file'; readonly inode: InodeId }
  /** An exporter driver's BAR window, VM_IO|VM_PFNMAP, with p2p_map/p2p_unmap vm_ops. */
  | { readonly kind: 'bar'; readonly bar: BarId; readonly window: ReadonlyArray<Pfn> }
  /** The p2pmem sysfs `allocate` file: ZONE_DEVICE pages inserted with vm_insert_page. */
  | { readonly kind: 'p2pmem'; readonly bar: BarId };

export interface Pte {
  readonly pfn: Pfn;
  readonly writable: boolean;
}

/** The index of a slot of the swap device (swp_entry_t's offset). */
export type SwapSlotId = number;

/**
 * A swap entry where a PTE was: reclaim's try_to_unmap() replaced a
 * present PTE of an anonymous page by the slot its data went to. The next
 * access faults (do_swap_page).
 */
export interface SwapPte {
  readonly swap: SwapSlotId;
  /**
   * PTE_SWP_EXCLUSIVE (5.19, 1493a1913e34): the page was PageAnonExclusive
   * when it was unmapped, so swap-in may map it writable without a copy.
   * fork clears it in both processes (the entry is shared then). Always
   * false before 5.19.
   */
  readonly exclusive: boolean;
}

/** What one virtual page of a VMA holds: a present PTE, a swap entry, or nothing (pte_none). */
export type PteEntry = Pte | SwapPte | null;

/**
 * A slot of the swap device, allocated by add_to_swap() and freed when no
 * swap entry names it. The model's swap is more than half full
 * (vm_swap_full()), the state in which the kernel frees a slot's swap
 * cache as soon as no entry names the slot: at swap-in (try_to_free_swap
 * in do_swap_page) and at the zap of the last entry
 * (free_swap_and_cache()'s TTRS_FULL).
 */
export interface SwapSlot {
  /** swap_map[]: the swap entries naming this slot (at least one while it is allocated). */
  readonly count: number;
  /**
   * The slot's page in the swap cache (PG_swapcache, which holds a
   * reference), or null when only the swap device has the data: reclaim
   * frees the page after pageout() only if nothing else references it.
   */
  readonly cache: Pfn | null;
}

/** A VMA covering `npages` pages from virtual page `start` of its mm. */
export interface Vma {
  readonly id: VmaId;
  readonly mm: MmId;
  readonly start: number;
  readonly npages: number;
  readonly backing: VmaBacking;
  /** MAP_SHARED (file, BAR and p2pmem mappings) vs MAP_PRIVATE (anonymous, COW on fork). */
  readonly shared: boolean;
  /** VM_DONTCOPY (MADV_DONTFORK): not inherited by fork. No operation sets it yet. */
  readonly dontcopy: boolean;
  /** VM_WRITE: mprotect(PROT_READ) clears it; a store or FOLL_WRITE into the VMA then fails. */
  readonly writable: boolean;
  /**
   * The VMA's `anon_vma` (anon VMAs only): null until the first anonymous
   * page is faulted in (anon_vma_prepare); both halves of a split share it,
   * a fork child gets its own. Two anon VMAs merge only when theirs agree
   * or one is null (is_mergeable_anon_vma).
   */
  readonly anonVma: number | null;
  readonly ptes: ReadonlyArray<PteEntry>;
}

export interface Inode {
  readonly id: InodeId;
  readonly npages: number;
  /** The page cache: index -> pfn. */
  readonly cache: ReadonlyArray<Pfn | null>;
}

/** The `pages[]` array a driver got back from one get_user_pages/pin_user_pages call. */
export interface PageArray {
  readonly id: PagesId;
  readonly kind: 'get' | 'pin';
  readonly mm: MmId;
  /** The VMA of the first page. */
  readonly vma: VmaId;
  /**
   * The VMA each page came from: a range may span several (`vmas[i]` for
   * `pfns[i]`). Ghost: -1 once the process unmapped that address (munmap,
   * mremap's move, exit), whatever it maps there later.
   */
  readonly vmas: ReadonlyArray<VmaId>;
  /**
   * Ghost, per page: it came through a private (copy-on-write) mapping,
   * not MAP_SHARED, so what the process writes there is its own memory,
   * never the file's. Kept after the VMA goes (isolation reads it).
   */
  readonly cow: ReadonlyArray<boolean>;
  /**
   * The references belong to a pipe's buffers, not to a driver: vmsplice()
   * took them, and only a read of the pipe gives them back. Absent for a
   * driver's array.
   */
  readonly pipe?: true;
  /** Taken by pin_user_pages_fast, by its lockless walk or its slow path (for reports: the pins are pin_user_pages's). */
  readonly fast?: true;
  readonly start: number;
  readonly pfns: ReadonlyArray<Pfn>;
  /**
   * Ghost, per page: the allocation (`Frame.gen`) of `pfns[i]` when GUP
   * took it, or FREED_UNDER (-1) once a release that held nothing
   * (`Frame.unheldRefs`) freed the page while this array held it: the
   * pointer is stale from then on, and what this array gives back lands
   * on whatever the frame is now. Otherwise a page stays allocated while
   * an array holds it (properties/well-formed.ts checks both).
   */
  readonly gens: ReadonlyArray<number>;
  readonly write: boolean;
  readonly longterm: boolean;
}

/** A scatterlist entry: the CPU side (page) if any. DMA addresses live in the mapping. */
export interface SgEntry {
  readonly page: Pfn | null;
}

export interface Sgl {
  readonly id: SglId;
  readonly entries: ReadonlyArray<SgEntry>;
  /** A DMA-only table (no CPU side at all): the proposed `struct dma_sg_table`. */
  readonly dmaOnly: boolean;
  /** Driver bookkeeping: the GUP array this table was built from (the driver keeps both). */
  readonly pages: PagesId | null;
  /** A DMA-only table is born mapped: the mapping that carries its addresses. */
  readonly mapping: MappingId | null;
}

export type { DmaDirection } from './op.ts';
import type { DmaDirection } from './op.ts';

export interface MappedEntry {
  readonly dma: number;
  readonly pfn: Pfn;
  /** Generation of the frame when it was mapped (ghost provenance). */
  readonly gen: number;
  /**
   * Ghost: the frame a device access at `dma` actually reaches, or null
   * when that address reaches no memory the model knows (a CPU physical
   * address of a BAR used as a bus address, an address computed from a
   * page that is not a P2PDMA page). Equal to `pfn` for a right address.
   */
  readonly reaches: Pfn | null;
  /** The DMA layer gave the device a swiotlb bounce slot for this page: the CPU copies between them. */
  readonly bounced?: true;
  /**
   * The address is page `offset` of IOVA range `id` (the two-step API):
   * the device reaches the page only while that translation is linked and
   * synced; after the range is unlinked the access faults in the IOMMU.
   */
  readonly iova?: { readonly id: IovaId; readonly offset: number };
}

/** Where a DMA mapping came from. */
export type MappingOrigin =
  | { readonly kind: 'sgl'; readonly sgl: SglId }
  /** dma_map_page / dma_map_single of one page. */
  | { readonly kind: 'page' }
  | { readonly kind: 'vma-op'; readonly vma: VmaId; readonly mm: MmId; readonly start: number; readonly npages: number }
  /** dma_buf_map_attachment of a dma-buf attachment: the exporter's map_dma_buf built the table. */
  | { readonly kind: 'dmabuf'; readonly attachment: AttachmentId; readonly dmabuf: DmaBufId };

export type MappingApi = 'dma_map_sg' | 'pci_p2pdma_map_sg' | 'p2p_map' | 'sgl_dma_map_user' | 'dma_map_page' | 'dma_map_single' | 'dma_buf_map_attachment';

export interface DmaMapping {
  readonly id: MappingId;
  readonly device: DeviceId;
  readonly dir: DmaDirection;
  readonly api: MappingApi;
  readonly origin: MappingOrigin;
  readonly entries: ReadonlyArray<MappedEntry>;
  /** The entry count the driver passed to the map call (a table's nents); what unmap and sync must pass again. */
  readonly nents: number;
  /** What the map call returned: fewer than `nents` when an IOMMU merged entries. */
  readonly mapped: number;
  /** dma_mapping_error() was called on it (dma-debug's MAP_ERR_CHECKED); only dma_map_page/_single need it. */
  readonly errorChecked: boolean;
  /**
   * Ghost, dma-buf tables: a move_notify of the table's attachment has
   * returned since the table was made, so its importer was told the
   * addresses may go. Operations never branch on it.
   */
  readonly invalidated?: true;
}

/** An mmu interval notifier registered by an importing driver (`owner`). */
export interface Notifier {
  readonly id: NotifierId;
  readonly mm: MmId;
  readonly start: number;
  readonly end: number;
  readonly owner: DeviceId;
  /** `interval_sub->invalidate_seq`: what mmu_interval_read_begin returns and mmu_interval_set_seq sets. */
  readonly seq: number;
}

/** The `enum mmu_notifier_event` a kernel path passes with its range. */
export type NotifyEvent = 'MMU_NOTIFY_UNMAP' | 'MMU_NOTIFY_CLEAR' | 'MMU_NOTIFY_PROTECTION_VMA' | 'MMU_NOTIFY_PROTECTION_PAGE' | 'MMU_NOTIFY_MIGRATE' | 'MMU_NOTIFY_RELEASE';

export interface NotifyRange {
  readonly mm: MmId;
  readonly start: number;
  readonly end: number;
}

/**
 * The rest of the kernel path that started an invalidation: what it does
 * after every callback returned (zap, free the VMA, ...), run by
 * `mmu_notifier_invalidate_range_end`. Plain data, so a state prints and
 * compares.
 */
export type Continuation =
  /** munmap/mremap shrink: the VMAs split off and detached for the range, destroyed at invalidate_range_end. */
  | { readonly kind: 'munmap'; readonly vmas: ReadonlyArray<VmaId> }
  /** mprotect: write-protect the PTEs of [start, end) of `mm` (change_protection). */
  | { readonly kind: 'mprotect'; readonly mm: MmId; readonly start: number; readonly end: number; readonly write: boolean }
  /** mremap move: the page tables of `from` go to `to` (move_page_tables), then `from` is destroyed. */
  | { readonly kind: 'mremap_move'; readonly from: VmaId; readonly to: VmaId }
  /** fork: copy the address space (copy_page_range write-protects the parent's COW PTEs). */
  | { readonly kind: 'fork'; readonly mm: MmId }
  /**
   * writeback's page_mkclean: write-protect every PTE of the page. `gen` (here and for
   * reclaim and migration) is the allocation of the frame the path locked (`Frame.gen`):
   * a page freed and allocated again meanwhile is another page, which the path neither
   * holds nor touches.
   */
  | { readonly kind: 'page_mkclean'; readonly pfn: Pfn; readonly gen: number }
  /** A write fault's COW break: replace the read-only PTE at `addr` of `mm` with a private copy. */
  | { readonly kind: 'wp_page_copy'; readonly mm: MmId; readonly addr: number }
  | { readonly kind: 'exit_mmap'; readonly mm: MmId }
  /** MADV_DONTNEED: zap the PTEs of [start, end) of `mm` (zap_page_range_single); the VMAs stay. */
  | { readonly kind: 'madvise_dontneed'; readonly mm: MmId; readonly start: number; readonly end: number }
  | { readonly kind: 'unmap_mapping_range'; readonly dev: DeviceId }
  | { readonly kind: 'reclaim'; readonly pfn: Pfn; readonly gen: number }
  | { readonly kind: 'migrate_page'; readonly pfn: Pfn; readonly gen: number };

/**
 * An invalidation in progress: `mmu_notifier_invalidate_range_start` was
 * called and the callbacks of the overlapping notifiers run one after the
 * other (`queue` waits, `running` is the callback thread now in the
 * driver). The kernel path holds `mmap_write_lock` of `mmapLocked` when it
 * is one of munmap, exit or the like.
 */
export interface Invalidation {
  readonly id: InvalidationId;
  readonly event: NotifyEvent;
  readonly ranges: ReadonlyArray<NotifyRange>;
  readonly mmapLocked: MmId | null;
  readonly queue: ReadonlyArray<NotifierId>;
  readonly running: ThreadId | null;
  readonly then: Continuation;
}

/**
 * A driver thread: driver code the model runs step by step so the search
 * can interleave it with everything else. `recipe` names the code in the
 * importer registry; `pc` is where it is. A callback thread is started by
 * the kernel for one notifier of one invalidation; a map-path thread by
 * the driver. The other fields are the thread's local variables.
 */
export interface DriverThread {
  readonly id: ThreadId;
  readonly device: DeviceId;
  readonly recipe: string;
  readonly pc: number;
  readonly notifier: NotifierId | null;
  /** Callback threads: the invalidation, and the `cur_seq` the kernel passed. */
  readonly inv: InvalidationId | null;
  readonly curSeq: number;
  /**
   * What the kernel handed the thread: a callback's `range` and `event`
   * (the part of the invalidation its notifier covers); a map path's range
   * is the interval the driver subscribed (its own notifier's), event null.
   */
  readonly range: NotifyRange | null;
  readonly event: NotifyEvent | null;
  /** Map path: what find_vma returned (null before, or when no VMA covers the address). */
  readonly vma: FoundVma | null;
  /** Map path: the sequence mmu_interval_read_begin returned, and what p2p_map returned. */
  readonly seq: number | null;
  readonly mapping: MappingId | null;
  readonly entries: ReadonlyArray<MappedEntry> | null;
  readonly retry: boolean | null;
  /**
   * Map path: the device fault that started it was a write (an HMM
   * mirror asks hmm_range_fault for HMM_PFN_REQ_WRITE then). A p2p_map
   * path asks for write where its VMA allows writing instead.
   */
  readonly write: boolean;
  /** Map path of an HMM mirror: the pfns hmm_range_fault returned (its hmm_pfns array), null before. */
  readonly pfns: ReadonlyArray<HmmPfn> | null;
  /**
   * Ghost, kept by the kernel ops alone: null until the thread calls
   * mmu_interval_read_begin, which sets it false; true once an
   * invalidation of the notifier has set a new seq
   * (mmu_interval_set_seq) since, so that whatever the thread maps may be
   * stale: exactly what mmu_interval_read_retry would report. The driver
   * cannot see it; the notifier-protocol invariant reads it.
   */
  readonly stale: boolean | null;
  /**
   * dma-buf threads: the attachment the thread works on (what
   * move_notify(attach) is handed, or what the driver attached and now
   * maps; absent on an exporter's revoke) and its dma-buf
   * (attach->dmabuf, or the buffer the exporter revokes). `moveNotify`:
   * the thread is a move_notify callback, run by the exporter while it
   * holds the dma-buf's reservation lock. Absent on notifier threads.
   */
  readonly attachment?: AttachmentId;
  readonly dmabuf?: DmaBufId;
  readonly moveNotify?: true;
  /** A dma-buf map path's local: its dma_buf_pin returned. */
  readonly pinned?: true;
  /**
   * A block request's map path (`DriverSpec.mapRequest`): the request it
   * maps, as the kernel handed it (the pages of its bio, how many), the
   * IOVA state dma_iova_try_alloc set up (`iova`, absent before), how many
   * pages dma_iova_link has linked (`mapped`).
   */
  readonly request?: { readonly pages: PagesId; readonly npages: number };
  readonly iova?: IovaId;
  readonly mapped?: number;
}

/**
 * One entry of hmm_range_fault's `hmm_pfns` array: the pfn the CPU page
 * table mapped at that page, the frame's generation then (ghost
 * provenance), and HMM_PFN_WRITE (the PTE was writable).
 */
export interface HmmPfn {
  readonly pfn: Pfn;
  readonly gen: number;
  readonly write: boolean;
}

/** What find_vma() handed a driver: the VMA and the fields the driver reads of it (vm_start, vm_end, whether its vm_ops have p2p_map). */
export interface FoundVma {
  readonly vma: VmaId;
  readonly start: number;
  readonly end: number;
  readonly p2pMap: boolean;
  /** VM_WRITE: the driver asks p2p_map for a writable mapping only where the VMA allows writing. */
  readonly writable: boolean;
}

/**
 * A driver's own record of a p2p_map mapping it holds (an entry of the
 * driver's own list or interval tree): the handle p2p_map returned, the
 * VMA it must pass to p2p_unmap, the range the VMA covered, and the
 * notifier it keeps the mapping under. Only the driver's recipe steps
 * (`driver_record`, `driver_forget`) change it; its callbacks find what to
 * tear down here, never in the kernel's tables.
 */
export interface DriverRecord {
  readonly device: DeviceId;
  readonly notifier: NotifierId;
  readonly mapping: MappingId;
  readonly vma: VmaId;
  readonly mm: MmId;
  readonly start: number;
  readonly end: number;
}

/** What a driver wrote into its device's own page table: the device reaches these addresses until it is stopped. */
export interface DeviceRange {
  readonly id: DeviceRangeId;
  readonly device: DeviceId;
  /**
   * The p2p_map mapping the addresses came from (it may be gone); null for
   * an HMM mirror's entry, which holds the pfn hmm_range_fault returned for
   * one virtual page and no mapping at all.
   */
  readonly mapping: MappingId | null;
  readonly mm: MmId;
  readonly start: number;
  readonly end: number;
  readonly dir: DmaDirection;
  readonly entries: ReadonlyArray<MappedEntry>;
  /**
   * The addresses came from the streaming DMA API (dma_map_sg of a table
   * the driver built from pinned user pages): once the driver calls
   * dma_unmap_sg they are no longer its to use, and behind an IOMMU they
   * stop translating. false for p2p_map addresses and mirror entries.
   */
  readonly streaming: boolean;
}

/**
 * A dma-buf (struct dma_buf) an exporter made of its BAR memory, as VFIO
 * exports BAR ranges (vfio_pci_dmabuf.c): the frames it stands for, the
 * holder of its reservation lock (dma_resv_lock of dmabuf->resv, a
 * ww_mutex: the driver of that device), and the exporter's `revoked`
 * flag (priv->revoked), which its map_dma_buf checks.
 */
export interface DmaBuf {
  readonly id: DmaBufId;
  readonly exporter: DeviceId;
  readonly bar: BarId;
  readonly pfns: ReadonlyArray<Pfn>;
  readonly resv: DeviceId | null;
  readonly revoked: boolean;
}

/**
 * A dma_buf_attachment: one importing device attached with
 * dma_buf_dynamic_attach. `moveNotify` is whether the importer gave
 * importer_ops with a move_notify (its driver's recipe then runs when the
 * exporter calls dma_buf_move_notify); `pins` counts dma_buf_pin calls
 * not undone.
 */
export interface DmaBufAttachment {
  readonly id: AttachmentId;
  readonly dmabuf: DmaBufId;
  readonly importer: DeviceId;
  readonly peer2peer: boolean;
  readonly pins: number;
}

/**
 * An importing driver's own record of a dma-buf mapping it holds (the
 * sg_table pointer it keeps, as ib_umem_dmabuf keeps umem_dmabuf->sgt).
 * Only its recipe steps change it; its move_notify finds what to unmap
 * here.
 */
export interface SgtRecord {
  readonly device: DeviceId;
  readonly attachment: AttachmentId;
  /** attach->dmabuf: the buffer whose reservation lock guards the table. */
  readonly dmabuf: DmaBufId;
  readonly mapping: MappingId;
  /** The driver pinned the attachment for this table (umem_dmabuf->pinned): its release unpins. */
  readonly pinned: boolean;
}

/**
 * Device work that uses a dma-buf table: a memory region an RDMA driver
 * programmed into its NIC (mlx5r_umr_update_mr_pas; unfenced: it lasts
 * until the driver zaps it) or a job a GPU driver submitted with its fence
 * published in the dma-buf's reservation object (dma_resv_add_fence;
 * fenced: it ends when the job completes and the fence signals). The
 * device reaches the table's addresses through the work, unmapped table or
 * not, until the work ends.
 */
export interface DeviceJob {
  readonly id: JobId;
  readonly device: DeviceId;
  readonly dmabuf: DmaBufId;
  readonly mapping: MappingId;
  readonly entries: ReadonlyArray<MappedEntry>;
  readonly fenced: boolean;
  /** The attachment whose table the work uses. */
  readonly attachment: AttachmentId;
  /** Ghost: a move_notify of that attachment returned while the work could still reach the table (as `DmaMapping.invalidated`). */
  readonly invalidated?: true;
}

/**
 * One page of an IOVA range: what dma_iova_link put at that offset (the
 * frame, its generation then, the frame the translation reaches), its
 * direction, and whether a dma_iova_sync covering it has run since (the
 * IOTLB sync that makes a new translation visible to the device).
 */
export interface IovaLink {
  readonly pfn: Pfn;
  readonly gen: number;
  readonly reaches: Pfn;
  readonly dir: DmaDirection;
  readonly synced: boolean;
}

/**
 * A `struct dma_iova_state` and the IOVA range it names, in pages: what
 * dma_iova_try_alloc allocated for a request of `links.length` pages, and
 * per page the translation dma_iova_link installed there (null: none).
 * dma_iova_free gives the range back (`allocated` false) and touches no
 * translation: what is still linked then stays in the IOMMU's page table
 * (the kernel only documents that every link must be undone first), so a
 * freed range with links is kept here, and one without is gone.
 */
export interface DmaIova {
  readonly id: IovaId;
  readonly device: DeviceId;
  /**
   * Where the dma_iova_state lives, the only record of the range: a block
   * request's iod (the request named by the page array of its bio: when it
   * ends its pages go back), or the table an exporter built with
   * dma_buf_phys_vec_to_sgt (`mapping`, null once the state was freed
   * without the table: an error path's kfree). A range still allocated
   * when its owner is gone is leaked.
   */
  readonly owner: IovaOwner;
  readonly links: ReadonlyArray<IovaLink | null>;
  readonly allocated: boolean;
  /**
   * What the driver wrote into the device's command (nvme's PRPs or SGL
   * from iter->addr and iter->len): the first `npages` pages of the range,
   * in direction `dir`. The device reaches them until the request
   * completes. null before.
   */
  readonly handed: { readonly npages: number; readonly dir: DmaDirection } | null;
}

export type IovaOwner = { readonly kind: 'request'; readonly pages: PagesId } | { readonly kind: 'table'; readonly mapping: MappingId | null };

/** A fork between its check of the parent's pages and its write-protect of their PTEs (`Mm.forkWrprotect`). */
export interface ForkWrprotect {
  /** The child, which runs once fork returns. */
  readonly child: MmId;
  /** The parent's PTEs fork shares copy-on-write with the child and has still to write-protect. */
  readonly ptes: ReadonlyArray<{ readonly vma: VmaId; readonly index: number }>;
}

/** Kernel-era switches: which behaviour of the kernel a design runs on. */
export interface Era {
  /** Linux 5.9: fork copies maybe-DMA-pinned anon pages at once (70e806e4e645). */
  readonly forkEarlyCow: boolean;
  /** Linux 6.2: GUP returns P2PDMA pages only with FOLL_PCI_P2PDMA. */
  readonly p2pGupGate: boolean;
  /** Linux 6.5: FOLL_LONGTERM|FOLL_WRITE pins of ordinary file mappings are refused. */
  readonly longtermFileGate: boolean;
  /**
   * Linux 5.9 ("mm: do_wp_page() simplification", recalled, not verified
   * here): a write fault reuses a write-protected anon page only when
   * nothing but that PTE references it, so a GUP reference makes the
   * faulting process move to a copy. Before: reuse whenever it is mapped
   * once.
   */
  readonly cowReuseOnlyUnreferenced: boolean;
  /**
   * Linux 5.19 (FAULT_FLAG_UNSHARE, recalled, not verified here): a
   * read-only FOLL_PIN of a possibly shared anon page first gets the
   * pinner an exclusive copy, as a write would, so a later COW cannot move
   * the process off the pinned page. FOLL_GET does not unshare.
   */
  readonly pinUnsharesReadOnly: boolean;
  /**
   * Linux 6.0 (2022; recalled, not verified here): dma-direct and dma-iommu
   * map PCI P2PDMA pages in dma_map_sg with their bus address, and fail
   * (return 0) for a client that cannot reach the provider. Before, a
   * P2PDMA page reaching plain dma_map_sg got its CPU physical address.
   */
  readonly dmaMapSgP2pdma: boolean;
  /** Linux 6.4: reclaim keeps the buffers of maybe-pinned file pages (d824ec2a1546). */
  readonly reclaimKeepsPinnedPrivate: boolean;
  /**
   * Linux 5.11 (feb889fb40fa "mm: don't put pinned pages into the swap
   * cache", backported to 5.10.9): shrink_page_list keeps a maybe-pinned
   * anonymous page that is not in the swap cache yet instead of calling
   * add_to_swap(). A pinned page already in the swap cache is still
   * unmapped. Before, reclaim unmapped a pinned page into the swap cache,
   * where its extra reference kept it (pageout(): PAGE_KEEP).
   */
  readonly reclaimSkipsPinnedAnon: boolean;
  /**
   * Linux 5.19 (6c287605fd56 "mm: remember exclusively mapped anonymous
   * pages with PG_anon_exclusive"): try_to_unmap_one() restores the PTE
   * and fails for an exclusive anonymous page that may be pinned
   * (page_try_share_anon_rmap() returns -EBUSY), so a pinned page stays
   * mapped. The same release remembers exclusivity in the swap entry
   * (1493a1913e34, `SwapPte.exclusive`).
   */
  readonly unmapKeepsPinnedAnon: boolean;
  /**
   * Linux 5.11 (9348b73c2e1b "mm: don't play games with pinned pages in
   * clear_page_refs", backported to 5.10.9): soft-dirty clearing leaves a
   * writable PTE of a COW mapping alone when its page may be pinned
   * (pte_is_pinned). Before, it write-protected it, and the next store
   * copied the page away from the pin.
   */
  readonly clearRefsSkipsPinned: boolean;
  /**
   * Linux 6.2 (84209e87c696 "mm/gup: reliable R/O long-term pinning in COW
   * mappings"): a read-only FOLL_LONGTERM pin of a page that is not
   * anonymous (the shared zero page, here) in a private writable mapping
   * unshares first (gup_must_unshare), so the pinner gets an exclusive
   * anon page. Before, it pinned the zero page, and the process's first
   * store moved it to a copy the device never sees.
   */
  readonly longtermUnsharesCow: boolean;
  /**
   * Linux 6.5 (c8070b787519 "mm: Don't pin ZERO_PAGE in pin_user_pages()"):
   * pin_user_pages takes no pin on the zero page and unpin_user_page
   * ignores it. Before, it was pinned like any page.
   */
  readonly pinSkipsZeroPage: boolean;
  /**
   * Linux 5.8 up to the do_wp_page() simplification (17839856fd58, the
   * CVE-2020-29374 fix, until a308c71bf1e6 removed it together with
   * 09854ba94c6a): should_force_cow_break(), a FOLL_GET or FOLL_PIN on a
   * writable private mapping faults for write even for a read, so the
   * caller gets the exclusive copy before it takes its reference.
   */
  readonly gupBreaksCow: boolean;
  /**
   * Linux 6.19 (61ceaf236115 "vfio: Prevent from pinned DMABUF importers
   * to attach to VFIO DMABUF"): VFIO's dma-buf gets a pin op that returns
   * -EOPNOTSUPP, so a pinned importer (ib_umem_dmabuf_get_pinned) is
   * refused instead of getting a move_notify it cannot act on. Before, it
   * had no pin op and dma_buf_pin returned 0.
   */
  readonly vfioDmabufRefusesPin: boolean;
  /**
   * Linux 5.11 (57efa1fe5957 "mm/gup: prevent gup_fast from racing with
   * COW during fork"): a FOLL_PIN GUP-fast reads `mm->write_protect_seq`,
   * which fork's copy_page_range holds odd while it checks and
   * write-protects the parent's PTEs; odd, or changed by the end of the
   * walk, sends it to the slow path (which takes the mmap lock fork holds).
   * Before, a pin_user_pages_fast could pin a page after fork found it
   * unpinned and before fork write-protected it.
   */
  readonly gupFastChecksWriteProtectSeq: boolean;
  /**
   * a1f4dc72efc3 (Hou Tao, 6.19): when vm_insert_page() fails in
   * p2pmem_alloc_mmap(), the error path drops the pgmap reference the call
   * took with percpu_ref_tryget_live_rcu(). Before (since 7e9c7ef83d78,
   * 6.2, which added the p2pmem allocate file), it returned without
   * percpu_ref_put(), and a later removal of the provider hung in
   * memunmap_pages() forever.
   */
  readonly p2pmemMmapErrorPutsRef: boolean;
  /**
   * dma_buf_phys_vec_to_sgt() (drivers/dma-buf/dma-buf-mapping.c) frees
   * the IOVA range it allocated on every error path. As merged (read in
   * torvalds/linux at 0b9828c7231e), its err_unmap_dma label does nothing
   * when the first dma_iova_link fails (`if (!i || !dma->state)`), and the
   * state is then kfree'd with the range still allocated (and so does a
   * failed sg_alloc_table, whose err_free_state label frees the state
   * alone; the model does not fail that allocation). No fix is merged:
   * true is the fix this model proposes (vfio-dmabuf-phys-fixed).
   */
  readonly physVecErrorFreesIova: boolean;
  /**
   * dma_buf_phys_vec_to_sgt() links range i at its place in the buffer
   * (offset mapped_len). As merged (0b9828c7231e) every range is linked
   * at offset 0 of the IOVA range: a second range is mapped over the
   * first, which the IOMMU's page table refuses (io-pgtable-arm: WARN and
   * -EEXIST; the generic page table of AMD and VT-d since 6.19:
   * -EADDRINUSE), so no buffer of two or more ranges maps through an
   * IOMMU. No fix is merged: true is the fix this model proposes.
   */
  readonly physVecLinksAtOffset: boolean;
}

/**
 * How many of each object the environment and the drivers may make: the
 * bounds that keep a world small enough to explore. Templates read them;
 * no kernel operation does.
 */
export interface WorldBounds {
  /** VMAs alive at once (mmap stops there). */
  readonly vmas: number;
  /** Address spaces alive at once (fork stops there). */
  readonly mms: number;
  /** mmu interval notifiers registered at once. */
  readonly notifiers: number;
  /** GUP I/Os in flight at once (page arrays held). */
  readonly ios: number;
  /** p2p_map mappings held at once by an importer without a notifier. */
  readonly mappings: number;
}

export interface State {
  readonly era: Era;
  /** The world's bounds (set when the world is made; never changed). */
  readonly bounds: WorldBounds;
  /** The PCI topology, when the world gives one; null: each device's `p2pPeers` say whom it reaches by bus address. */
  readonly topology: PciTopology | null;
  /**
   * The world runs fork's copy_page_range in two steps, so that a lockless
   * GUP-fast can run between them: fork checks each page and copies it to
   * the child, leaving the parent's PTEs it will write-protect as they were
   * (`Mm.forkWrprotect`); `ptep_set_wrprotect` then write-protects them and
   * ends the copy. Elsewhere fork copies in one step, which is exact where
   * nothing reads the parent's PTEs without the mmap lock fork holds.
   */
  readonly forkSteps: boolean;
  readonly nextId: number;
  readonly frames: ReadonlyArray<Frame>;
  readonly bars: ReadonlyArray<Bar>;
  readonly devices: ReadonlyArray<Device>;
  readonly inodes: ReadonlyArray<Inode>;
  readonly mms: ReadonlyMap<MmId, Mm>;
  readonly vmas: ReadonlyMap<VmaId, Vma>;
  readonly pageArrays: ReadonlyMap<PagesId, PageArray>;
  readonly sgls: ReadonlyMap<SglId, Sgl>;
  readonly mappings: ReadonlyMap<MappingId, DmaMapping>;
  readonly notifiers: ReadonlyMap<NotifierId, Notifier>;
  readonly invalidations: ReadonlyMap<InvalidationId, Invalidation>;
  readonly threads: ReadonlyMap<ThreadId, DriverThread>;
  readonly deviceRanges: ReadonlyMap<DeviceRangeId, DeviceRange>;
  /** Importing drivers' own records of the p2p_map mappings they hold, oldest first. */
  readonly records: ReadonlyArray<DriverRecord>;
  /** Devices whose driver update lock (the lock hmm.rst calls `driver->update`) is held. */
  readonly driverLocks: ReadonlyArray<DeviceId>;
  readonly dmaBufs: ReadonlyMap<DmaBufId, DmaBuf>;
  readonly attachments: ReadonlyMap<AttachmentId, DmaBufAttachment>;
  /** Importing drivers' own records of the dma-buf mappings they hold. */
  readonly sgtRecords: ReadonlyArray<SgtRecord>;
  /** Device work using dma-buf tables (memory regions, fenced jobs). */
  readonly jobs: ReadonlyMap<JobId, DeviceJob>;
  /** IOVA ranges of the two-step DMA API (dma_iova_try_alloc), and freed ones that kept translations. */
  readonly iovas: ReadonlyMap<IovaId, DmaIova>;
  /** The swap device's slots (null: free), as many as the world has RAM pages. */
  readonly swap: ReadonlyArray<SwapSlot | null>;
}
