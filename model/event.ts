/**
 * What a step did that an invariant may judge. Events are facts about the
 * step (a CPU load hit this pfn, this VMA was destroyed), never verdicts.
 */
import type { AttachmentId, DeviceId, IovaId, DmaBufId, JobId, DeviceRangeId, FoundVma, HmmPfn, InvalidationId, MappedEntry, MappingId, MmId, NotifierId, NotifyEvent, PagesId, Pfn, SglId, ThreadId, VmaId } from './state.ts';

export type CpuAccessor = 'sg_virt' | 'kmap_local_page' | 'sg_copy_to_buffer' | 'memcpy_toio' | 'store' | 'load' | 'swiotlb_bounce' | 'dma_virt_ops' | 'pipe_read';

export type Event =
  /**
   * The CPU loaded or stored at a physical frame; `io` when with device
   * memory attributes: an __iomem accessor, or a process's user mapping of
   * a BAR (made with pgprot_device by the driver's mmap).
   */
  | { readonly kind: 'cpu-access'; readonly pfn: Pfn; readonly via: CpuAccessor; readonly io: boolean }
  /**
   * A generic SGL walker dereferenced entry `index` of a struct sg_table
   * whose page the driver left out (sg_page() is NULL): a NULL or garbage
   * kernel pointer.
   */
  | { readonly kind: 'cpu-access-no-page'; readonly sgl: SglId; readonly index: number; readonly via: CpuAccessor }
  /**
   * A device read or wrote a frame through a DMA mapping entry made for
   * generation `gen`, or (`mapping` null, `va` set) through its mirror of
   * a process's page table at virtual page `va.addr` of `va.mm`.
   */
  | {
      readonly kind: 'device-access';
      readonly device: DeviceId;
      readonly mapping: MappingId | null;
      readonly va?: { readonly mm: MmId; readonly addr: number };
      readonly pfn: Pfn;
      readonly gen: number;
      /** The frame the bus address reached (ghost): `pfn` when the address is right, else another frame or null (none). */
      readonly reached: Pfn | null;
      readonly write: boolean;
    }
  /**
   * A device used DMA address `dma` of a streaming mapping its driver has
   * unmapped, behind an IOMMU: the IOVA no longer translates, the IOMMU
   * blocks the access and reports a fault (DMAR / AMD-Vi "IO_PAGE_FAULT").
   * No memory is touched.
   */
  | { readonly kind: 'iommu-fault'; readonly device: DeviceId; readonly mapping: MappingId; readonly dma: number; readonly write: boolean }
  /** A VMA (or a piece split off one) covering [start, end) of `mm` was unmapped and freed. */
  | { readonly kind: 'vma-destroyed'; readonly vma: VmaId; readonly mm: MmId; readonly start: number; readonly end: number }
  | { readonly kind: 'page-dirtied'; readonly pfn: Pfn }
  /**
   * In a world with fork's steps: fork of `mm` made `child` and shares
   * `pfns` with it copy-on-write, but the parent's PTEs of them are still
   * writable until fork's ptep_set_wrprotect (write_protect_seq odd).
   */
  | { readonly kind: 'fork-copied'; readonly mm: MmId; readonly child: MmId; readonly pfns: ReadonlyArray<Pfn> }
  /** fork's ptep_set_wrprotect: the parent's PTEs of `pfns` are read-only; fork returns. */
  | { readonly kind: 'fork-wrprotected'; readonly mm: MmId; readonly pfns: ReadonlyArray<Pfn> }
  /**
   * A GUP reference or pin on `pfn` was given back: through page array
   * `pages`, or (`pages` null) through a bare page pointer
   * (unpin_user_page). `undirtiedDeviceData`: at that moment the page held
   * data a device wrote after the last set_page_dirty (ghost fact).
   */
  | {
      readonly kind: 'reference-dropped';
      readonly pfn: Pfn;
      readonly pages: PagesId | null;
      readonly pin: boolean;
      readonly write: boolean;
      readonly undirtiedDeviceData: boolean;
    }
  | { readonly kind: 'page-freed'; readonly pfn: Pfn }
  /**
   * Reclaim unmapped anonymous page `pfn` into swap slot `slot`: `kept`
   * when another reference (a GUP reference, a pin) keeps the page in the
   * swap cache; else pageout() wrote it and the page was freed.
   */
  | { readonly kind: 'swapped-out'; readonly pfn: Pfn; readonly slot: number; readonly kept: boolean }
  /** do_swap_page() mapped `pfn` for swap slot `slot`: the swap cache's page, or (`read`) one just read from the swap device. */
  | { readonly kind: 'swapped-in'; readonly pfn: Pfn; readonly slot: number; readonly read: boolean }
  /**
   * The last reference to `pfn` went while a PTE or the page cache still
   * had the page (its count had fallen below its holders):
   * free_pages_prepare() prints "BUG: Bad page state" and leaks the page.
   */
  | { readonly kind: 'bad-page-state'; readonly pfn: Pfn }
  /** pci_p2pmem_find() chose `provider`, whose published p2pmem the client can reach. */
  | { readonly kind: 'p2pmem-found'; readonly provider: DeviceId }
  /**
   * put_page() on a page that `pages` held with FOLL_PIN: one reference
   * went, the pin's GUP_PIN_COUNTING_BIAS stayed, and nobody holds the pin
   * any more (`Frame.lostPins`).
   */
  | { readonly kind: 'pin-lost'; readonly pfn: Pfn; readonly pages: PagesId }
  | { readonly kind: 'buffers-released'; readonly pfn: Pfn }
  /** mmu_notifier_invalidate_range_start found notifiers: invalidation `inv` is in progress. */
  | { readonly kind: 'invalidate-range-start'; readonly inv: InvalidationId; readonly event: NotifyEvent }
  /** The kernel called notifier's `invalidate` op: driver thread `thread` runs it. */
  | { readonly kind: 'callback-invoked'; readonly inv: InvalidationId; readonly notifier: NotifierId; readonly thread: ThreadId }
  /** A notifier's `invalidate` returned `ret`; [start, end) of `mm` is the part of the invalidation it covers. */
  | {
      readonly kind: 'callback-returned';
      readonly inv: InvalidationId;
      readonly notifier: NotifierId;
      readonly device: DeviceId;
      readonly mm: MmId;
      readonly start: number;
      readonly end: number;
      readonly ret: boolean;
    }
  | { readonly kind: 'invalidate-range-end'; readonly inv: InvalidationId }
  /** What mmu_interval_read_begin / mmu_interval_read_retry returned. */
  | { readonly kind: 'read-begin'; readonly notifier: NotifierId; readonly seq: number }
  | { readonly kind: 'read-retry'; readonly notifier: NotifierId; readonly seq: number; readonly retry: boolean }
  /** A driver wrote a mapping's addresses into its device's page table / stopped the device for one. */
  | { readonly kind: 'device-programmed'; readonly device: DeviceId; readonly range: DeviceRangeId; readonly mapping: MappingId | null }
  | { readonly kind: 'device-stopped'; readonly device: DeviceId; readonly range: DeviceRangeId }
  /** The driver made a programmed range read-only for its device. */
  | { readonly kind: 'device-write-protected'; readonly device: DeviceId; readonly range: DeviceRangeId }
  /** A driver started one of its code paths as thread `thread`. */
  | { readonly kind: 'thread-started'; readonly thread: ThreadId; readonly recipe: string }
  /** A call returned an error after it had changed something: a driver thread's (the driver handles it), or a process's whose error path left a change behind. */
  | { readonly kind: 'call-failed'; readonly op: string; readonly reason: string }
  | { readonly kind: 'mapping-torn-down'; readonly mapping: MappingId }
  | { readonly kind: 'provider-removed'; readonly device: DeviceId }
  /** mm_users of `mm` changed and is not 0: mmget_not_zero took a reference, or an exit or mmput left others holding one (exit_mmap waits for the last). */
  | { readonly kind: 'mm-users'; readonly mm: MmId; readonly users: number }
  /** What find_vma handed the driver. */
  | { readonly kind: 'vma-found'; readonly mm: MmId; readonly addr: number; readonly vma: FoundVma }
  /** What p2p_map returned to its caller: the mapping handle and its DMA addresses. */
  | { readonly kind: 'p2p-mapped'; readonly mapping: MappingId; readonly entries: ReadonlyArray<MappedEntry> }
  /**
   * What hmm_range_fault returned: 0 and the pfns of the range, or -EBUSY
   * after it faulted a page in and that fault started an invalidation
   * (a COW break) of the caller's notifier, or -EFAULT when a later fault
   * failed after an earlier one of the same call brought a page in.
   */
  | { readonly kind: 'hmm-faulted'; readonly notifier: NotifierId; readonly ret: '0' | '-EBUSY' | '-EFAULT'; readonly pfns: ReadonlyArray<HmmPfn> }
  /** A driver added a p2p_map mapping to its own records, or dropped it. */
  | { readonly kind: 'driver-recorded'; readonly device: DeviceId; readonly mapping: MappingId }
  | { readonly kind: 'driver-forgot'; readonly device: DeviceId; readonly mapping: MappingId }
  /** device_release_driver(): the device's driver was unbound. */
  | { readonly kind: 'driver-unbound'; readonly device: DeviceId }
  /** dma_buf_export returned a dma-buf; dma_buf_dynamic_attach an attachment. */
  | { readonly kind: 'dmabuf-exported'; readonly dmabuf: DmaBufId }
  | { readonly kind: 'dmabuf-attached'; readonly attachment: AttachmentId }
  /** dma_buf_map_attachment returned a table: `mapping` carries its DMA addresses. */
  | { readonly kind: 'dmabuf-mapped'; readonly attachment: AttachmentId; readonly mapping: MappingId }
  /** dma_buf_move_notify called an importer's move_notify, run as `thread`. */
  | { readonly kind: 'move-notify-called'; readonly attachment: AttachmentId; readonly thread: ThreadId }
  | { readonly kind: 'move-notify-returned'; readonly attachment: AttachmentId }
  /** Device work using a dma-buf table started (an MR programmed, a fenced job submitted) or ended. */
  | { readonly kind: 'job-started'; readonly job: JobId; readonly device: DeviceId; readonly mapping: MappingId; readonly fenced: boolean }
  | { readonly kind: 'job-ended'; readonly job: JobId }
  /** dma_iova_try_alloc returned true: the IOVA state it set up. */
  | { readonly kind: 'iova-allocated'; readonly device: DeviceId; readonly iova: IovaId }
  /** dma_iova_link put `pfn` at page `offset` of the range. */
  | { readonly kind: 'iova-linked'; readonly iova: IovaId; readonly offset: number; readonly pfn: Pfn }
  | { readonly kind: 'iova-synced'; readonly iova: IovaId; readonly offset: number; readonly npages: number }
  /**
   * An unlink of `requested` pages from `offset` (dma_iova_unlink, or the
   * one dma_iova_destroy makes) took `unmapped` translations away:
   * iommu_unmap stops at the first page with none, so fewer than asked
   * when the range was not all linked (and __iommu_dma_iova_unlink's
   * WARN_ON(unmapped != size) fires).
   */
  | { readonly kind: 'iova-unlinked'; readonly iova: IovaId; readonly offset: number; readonly requested: number; readonly unmapped: number }
  /** The IOVA range went back to the allocator with `linked` translations still in the IOMMU's page table. */
  | { readonly kind: 'iova-freed'; readonly iova: IovaId; readonly linked: number }
  /** The driver handed the device `npages` pages of the range (its command's addresses). */
  | { readonly kind: 'iova-programmed'; readonly device: DeviceId; readonly iova: IovaId; readonly npages: number }
  /**
   * The device used page `offset` of a range its driver handed it, and the
   * IOMMU has no translation there it can see: none was linked, or (`linked`)
   * one was but no dma_iova_sync has run since, so the IOTLB may not have
   * it. The IOMMU blocks the access and reports a fault; no memory is
   * touched, and the I/O's data is lost.
   */
  | { readonly kind: 'iova-fault'; readonly device: DeviceId; readonly iova: IovaId; readonly offset: number; readonly linked: boolean; readonly write: boolean }
  /** Fault injection armed: that call of the device's IOMMU domain fails from now on. */
  | { readonly kind: 'fault-injected'; readonly device: DeviceId; readonly call: string }
  | { readonly kind: 'sgt-kept'; readonly device: DeviceId; readonly mapping: MappingId }
  | { readonly kind: 'sgt-dropped'; readonly device: DeviceId; readonly mapping: MappingId };
