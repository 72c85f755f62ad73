/**
 * Every kernel-like operation as plain data, one `kind` per kernel call.
 *
 * The io-ts codecs below are the single definition of each call's
 * arguments: the `Op` type is derived from them, and saved
 * counterexamples are decoded with them. An `Op` prints, serialises
 * (`{ op: kind, args }`) and pattern-matches as it is; ids are the
 * concrete objects the call names.
 */
import * as t from 'io-ts';

/** A whole number >= 0 (ids, pfns, counts, indices). */
export const nat = new t.Type<number, number, unknown>(
  'a whole number',
  (u): u is number => typeof u === 'number' && Number.isSafeInteger(u) && u >= 0,
  (u, c) => (typeof u === 'number' && Number.isSafeInteger(u) && u >= 0 ? t.success(u) : t.failure(u, c)),
  t.identity,
);

const args = <P extends t.Props>(props: P) => t.readonly(t.type(props));

export const DmaDirectionCodec = t.keyof({ 'to-device': null, 'from-device': null, bidirectional: null }, "'to-device', 'from-device' or 'bidirectional'");

export const MmapBackingCodec = t.union(
  [
    args({ kind: t.literal('anon') }),
    args({ kind: t.literal('file'), inode: nat }),
    // MAP_PRIVATE of a file: read faults map the page cache, write faults copy it to anon memory.
    args({ kind: t.literal('file-private'), inode: nat }),
    args({ kind: t.literal('bar'), bar: nat }),
    // insert_fails_at: fault injection, the vm_insert_page() of that page fails (-ENOMEM: its page table could not be allocated).
    t.readonly(t.intersection([t.type({ kind: t.literal('p2pmem'), bar: nat }), t.partial({ insert_fails_at: nat })])),
  ],
  'a backing: {kind: anon} | {kind: file, inode} | {kind: file-private, inode} | {kind: bar, bar} | {kind: p2pmem, bar[, insert_fails_at]}',
);
export const ErrnoCodec = t.keyof({ '0': null, '-EFAULT': null, '-ENODEV': null, '-EAGAIN': null, '-EPERM': null }, "'0', '-EFAULT', '-ENODEV', '-EAGAIN' or '-EPERM'");

export type MmapBacking = t.TypeOf<typeof MmapBackingCodec>;
export type DmaDirection = t.TypeOf<typeof DmaDirectionCodec>;

export const opArgs = {
  // mm and VMA lifecycle
  mmap: args({ mm: nat, npages: nat, backing: MmapBackingCodec }),
  munmap: args({ mm: nat, start: nat, npages: nat }),
  mprotect: args({ mm: nat, start: nat, npages: nat, write: t.boolean }),
  madvise: args({ mm: nat, start: nat, npages: nat, advice: t.keyof({ dontfork: null, dofork: null, dontneed: null }, "'dontfork', 'dofork' or 'dontneed'") }),
  mremap: args({ mm: nat, start: nat, npages: nat, new_npages: nat, may_move: t.boolean }),
  exit_mmap: args({ mm: nat }),
  fork: args({ mm: nat }),
  ptep_set_wrprotect: args({ mm: nat }),
  clear_refs: args({ mm: nat }),
  write_fault: args({ mm: nat, addr: nat }),
  // memory management
  reclaim: args({ page: nat }),
  migrate_page: args({ page: nat }),
  writeback: args({ page: nat }),
  // GUP family
  get_user_pages: args({ mm: nat, start: nat, npages: nat, write: t.boolean }),
  pin_user_pages: args({ mm: nat, start: nat, npages: nat, write: t.boolean, longterm: t.boolean, p2pdma: t.boolean }),
  pin_user_pages_fast: args({ mm: nat, start: nat, npages: nat, write: t.boolean, longterm: t.boolean, p2pdma: t.boolean }),
  put_page: args({ pages: nat }),
  unpin_user_pages: args({ pages: nat }),
  unpin_user_page: args({ page: nat }),
  unpin_user_pages_dirty_lock: args({ pages: nat, make_dirty: t.boolean }),
  set_page_dirty_lock: args({ pages: nat }),
  // pipes: user pages spliced into a pipe, and the read that copies them out
  vmsplice: args({ mm: nat, start: nat, npages: nat }),
  pipe_read: args({ pages: nat }),
  // scatterlists
  sg_alloc_table: args({ nents: nat }),
  sg_alloc_table_from_pages: args({ pages: nat }),
  sg_set_page: args({ sgl: nat, index: nat, page: nat }),
  sg_free_table: args({ sgl: nat }),
  // CPU access through an SGL entry, and the legal iomem path
  sg_virt: args({ sgl: nat, index: nat }),
  kmap_local_page: args({ sgl: nat, index: nat }),
  sg_copy_to_buffer: args({ sgl: nat }),
  memcpy_toio: args({ page: nat }),
  // streaming DMA API and the device
  dma_map_sg: args({ dev: nat, sgl: nat, dir: DmaDirectionCodec }),
  // The unmap and sync calls name the mapping (the handle the driver kept) and pass
  // the device, entry count and direction as the driver believes them to be.
  dma_unmap_sg: args({ mapping: nat, dev: nat, nents: nat, dir: DmaDirectionCodec }),
  dma_sync_sg_for_cpu: args({ mapping: nat, dev: nat, nents: nat, dir: DmaDirectionCodec }),
  dma_sync_sg_for_device: args({ mapping: nat, dev: nat, nents: nat, dir: DmaDirectionCodec }),
  device_write: args({ mapping: nat, index: nat }),
  device_read: args({ mapping: nat, index: nat }),
  // PCI P2PDMA
  pci_p2pmem_find: args({ client: nat }),
  pci_alloc_p2pmem: args({ bar: nat }),
  pci_free_p2pmem: args({ page: nat }),
  pci_p2pdma_map_sg: args({ dev: nat, sgl: nat, dir: DmaDirectionCodec }),
  pci_p2pdma_unmap_sg: args({ mapping: nat, dev: nat, nents: nat, dir: DmaDirectionCodec }),
  pci_stop_and_remove_bus_device: args({ dev: nat }),
  memunmap_pages: args({ dev: nat }),
  // mmu interval notifiers
  mmu_interval_notifier_insert: args({ mm: nat, start: nat, npages: nat, owner: nat }),
  mmu_interval_notifier_remove: args({ notifier: nat }),
  mmu_interval_read_begin: args({ notifier: nat }),
  mmu_interval_read_retry: args({ notifier: nat, seq: nat }),
  mmu_interval_set_seq: args({ notifier: nat, seq: nat }),
  invalidate_callback_return: args({ notifier: nat, ret: t.boolean }),
  mmu_notifier_invalidate_range_end: args({ inv: nat }),
  // an importing driver and its device (driver actions, run from its recipes)
  // `write`: the device fault that needs the range was a write (an HMM mirror then asks for HMM_PFN_REQ_WRITE).
  driver_map_range: t.readonly(t.intersection([t.type({ dev: nat, notifier: nat }), t.partial({ write: t.boolean })])),
  driver_lock: args({ dev: nat }),
  driver_unlock: args({ dev: nat }),
  device_program: args({ dev: nat, mapping: nat }),
  device_stop_dma: args({ dev: nat, mm: nat, start: nat, npages: nat }),
  device_write_protect: args({ dev: nat, mm: nat, start: nat, npages: nat }),
  driver_return: args({ dev: nat, err: ErrnoCodec }),
  driver_record: args({ dev: nat, mapping: nat }),
  driver_forget: args({ dev: nat, mapping: nat }),
  // a driver reaching a process's address space (hmm.rst's map path)
  mmget_not_zero: args({ mm: nat }),
  mmput: args({ mm: nat }),
  mmap_read_lock: args({ mm: nat }),
  mmap_read_unlock: args({ mm: nat }),
  find_vma: args({ mm: nat, addr: nat }),
  // an HMM mirror (Documentation/mm/hmm.rst): hmm_range_fault of [start, start+npages) of the
  // notifier's mm with notifier_seq `seq`; `write` is HMM_PFN_REQ_WRITE in default_flags
  hmm_range_fault: args({ notifier: nat, seq: nat, start: nat, npages: nat, write: t.boolean }),
  // the driver writes the pfns its thread got from hmm_range_fault into its device page table
  device_program_pfns: args({ dev: nat }),
  // the device reaches a virtual page of mm through its own page table (a mirror: SVM)
  device_svm_access: args({ dev: nat, mm: nat, addr: nat, write: t.boolean }),
  // proposed VMA ops (Glisse, RFC 2019)
  p2p_map: args({ vma: nat, dev: nat, write: t.boolean }),
  p2p_unmap: args({ mapping: nat }),
  // proposed DMA-only SGL (Gunthorpe, 2019)
  sgl_dma_map_user: args({ dev: nat, mm: nat, start: nat, npages: nat, dir: DmaDirectionCodec }),
  sgl_dma_unmap: args({ sgl: nat }),
  // single-page streaming DMA API, dma_mapping_error, driver unbind (dma-debug's classes)
  dma_map_page: args({ dev: nat, page: nat, dir: DmaDirectionCodec }),
  dma_unmap_page: args({ mapping: nat, dev: nat, dir: DmaDirectionCodec }),
  dma_map_single: args({ dev: nat, page: nat, dir: DmaDirectionCodec }),
  dma_unmap_single: args({ mapping: nat, dev: nat, dir: DmaDirectionCodec }),
  dma_mapping_error: args({ dev: nat, mapping: nat }),
  device_release_driver: args({ dev: nat }),
  // dma-buf (drivers/dma-buf/dma-buf.c): an exporter's buffer of BAR memory, importers'
  // dynamic attachments, the reservation lock, mapping, and the exporter's move_notify
  // `pages`: the BAR's pages in the order of the exporter's physical ranges (VFIO's dma_ranges); consecutive pages make one range. Absent: in order, one range.
  dma_buf_export: t.readonly(t.intersection([t.type({ dev: nat, bar: nat }), t.partial({ pages: t.readonlyArray(nat) })])),
  dma_buf_dynamic_attach: args({ dmabuf: nat, dev: nat, peer2peer: t.boolean }),
  dma_buf_pin: args({ attachment: nat }),
  dma_buf_unpin: args({ attachment: nat }),
  dma_resv_lock: args({ dmabuf: nat, dev: nat }),
  dma_resv_unlock: args({ dmabuf: nat, dev: nat }),
  dma_buf_map_attachment: args({ attachment: nat, dir: DmaDirectionCodec }),
  dma_buf_unmap_attachment: args({ attachment: nat, mapping: nat }),
  dma_buf_move_notify: args({ dmabuf: nat }),
  // the importer's move_notify returns to dma_buf_move_notify
  move_notify_return: args({ attachment: nat }),
  // fences: the importer submits device work that uses a table and publishes its fence; the
  // work completes and its fence signals; the exporter waits for every fence of the dma-buf
  dma_resv_add_fence: args({ dmabuf: nat, dev: nat, mapping: nat }),
  dma_fence_signal: args({ job: nat }),
  dma_resv_wait_timeout: args({ dmabuf: nat }),
  // an RDMA driver programs (or, with zap, clears) its NIC's translation of a memory region from a table
  mlx5r_umr_update_mr_pas: args({ dev: nat, mapping: nat, zap: t.boolean }),
  // VFIO's exporter (vfio_pci_dma_buf_move): priv->revoked = true, under the reservation lock
  vfio_pci_dma_buf_revoke: args({ dmabuf: nat }),
  // an importing driver's dma-buf code: start its map path, keep or drop the table it mapped
  driver_map_attachment: args({ dev: nat, attachment: nat }),
  // an exporting driver starts its revoke of a dma-buf it exported (a reset, a hot-unplug)
  driver_revoke: args({ dev: nat, dmabuf: nat }),
  driver_keep_sgt: args({ dev: nat, attachment: nat, mapping: nat }),
  driver_drop_sgt: args({ dev: nat, mapping: nat }),
  // the two-step IOVA DMA API (dma-iommu, 6.17; Documentation/core-api/dma-api.rst) as the block
  // layer uses it for a request (blk_rq_dma_map_iter_start): `pages` is the bio's page array,
  // whose pages and length the range is for; link puts page `index` of it at page `offset`
  dma_iova_try_alloc: args({ dev: nat, pages: nat }),
  dma_iova_link: args({ dev: nat, iova: nat, offset: nat, pages: nat, index: nat, dir: DmaDirectionCodec }),
  dma_iova_sync: args({ dev: nat, iova: nat, offset: nat, npages: nat }),
  dma_iova_unlink: args({ dev: nat, iova: nat, offset: nat, npages: nat, dir: DmaDirectionCodec }),
  dma_iova_destroy: args({ dev: nat, iova: nat, mapped: nat, dir: DmaDirectionCodec }),
  dma_iova_free: args({ dev: nat, iova: nat }),
  // a block driver's queue_rq starts mapping the request built from page array `pages` (nvme_map_data)
  nvme_queue_rq: args({ dev: nat, pages: nat }),
  // the driver writes [iova, iova + npages) into the device's command (iter->addr, iter->len)
  device_program_iova: args({ dev: nat, iova: nat, npages: nat, dir: DmaDirectionCodec }),
  // fault injection: from now on that call of the device's IOMMU domain fails with -ENOMEM
  iommu_fault_inject: args({ dev: nat, call: t.keyof({ iommu_map: null, iommu_sync_map: null }, "'iommu_map' or 'iommu_sync_map'") }),
  // a CPU access by a process: faults only when the kernel would
  store: args({ mm: nat, addr: nat }),
  load: args({ mm: nat, addr: nat }),
} as const;

export type OpKind = keyof typeof opArgs;

/**
 * A call as it appears in a trace. `by` names the driver thread that made
 * it (a notifier callback, a map path): the model then runs it as that
 * thread's next step (`model/driver-thread.ts`) and the trace shows it as
 * `driver_lock(dev=1, by=7)`. Calls without `by` are made by the design's
 * recipe or the environment directly.
 */
export type Op = { [K in OpKind]: { readonly kind: K; readonly by?: number } & t.TypeOf<(typeof opArgs)[K]> }[OpKind];

export const isOpKind = (x: string): x is OpKind => Object.prototype.hasOwnProperty.call(opArgs, x);
