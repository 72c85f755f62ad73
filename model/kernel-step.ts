/**
 * The kernel dispatcher: `kernelStep(state, op)` runs the kernel-like
 * operation an `Op` names (`step` in step.ts routes driver-thread calls
 * through the thread runner first). Exhaustive over every op kind: the table is typed by a
 * mapped type over `OpKind`, so a new op that is not handled here does
 * not compile (as `match(...).exhaustive()` would refuse it). A table and
 * not ts-pattern because this is the hottest call of the search and the
 * explorer: building the 39-arm match on every call took 30% of the
 * explorer's time.
 */
import type { Op, OpKind } from './op.ts';
import type { Outcome } from './result.ts';
import type { State } from './state.ts';
import { activeVariant } from './variant.ts';
import { dmaMapSg, dmaSyncSg, dmaUnmapSg, deviceAccess } from './ops/dma.ts';
import { sglDmaMapUser, sglDmaUnmap } from './ops/dma-only-sgl.ts';
import { getUserPages, pinUserPages, pinUserPagesFast, pipeRead, putPages, setPageDirtyLock, unpinUserPage, unpinUserPages, unpinUserPagesDirtyLock, vmsplice } from './ops/gup.ts';
import { migratePage, reclaim, writeback } from './ops/memory.ts';
import { exitMmap, fork, mmap, munmap, ptepSetWrprotect, writeFault } from './ops/mm.ts';
import { mmuNotifierInvalidateRangeEnd } from './ops/continuation.ts';
import { madvise } from './ops/madvise.ts';
import { clearRefs } from './ops/clear-refs.ts';
import { mprotect } from './ops/mprotect.ts';
import { mremap } from './ops/mremap.ts';
import { deviceProgram, deviceStopDma, deviceWriteProtect, driverForget, driverLock, driverMapRange, driverRecord, driverReturn, driverUnlock } from './ops/importer.ts';
import { hmmRangeFault } from './ops/hmm.ts';
import { deviceProgramPfns, deviceSvmAccess } from './ops/mirror.ts';
import { findVmaOp, mmapReadLock, mmapReadUnlock, mmgetNotZero, mmput } from './ops/mm-users.ts';
import { invalidateCallbackReturn, mmuIntervalNotifierInsert, mmuIntervalNotifierRemove, mmuIntervalReadBegin, mmuIntervalReadRetry, mmuIntervalSetSeq } from './ops/notifier.ts';
import { p2pMap, p2pUnmap } from './ops/p2p-vma-ops.ts';
import { pciAllocP2pmem, pciP2pmemFind, pciFreeP2pmem, pciP2pdmaMapSg, pciP2pdmaUnmapSg, pciStopAndRemoveBusDevice, memunmapPages } from './ops/p2pdma.ts';
import { cpuAccess } from './ops/cpu.ts';
import { dmaBufDynamicAttach, dmaBufExport, dmaBufMapAttachment, dmaBufMoveNotify, dmaBufPin, dmaBufUnpin, dmaBufUnmapAttachment, dmaFenceSignal, dmaResvAddFence, dmaResvLock, dmaResvUnlock, dmaResvWaitTimeout, moveNotifyReturn } from './ops/dmabuf.ts';
import { driverDropSgt, driverKeepSgt, driverMapAttachment, driverRevoke, mlx5rUmrUpdateMrPas, vfioPciDmaBufRevoke } from './ops/dmabuf-importer.ts';
import { deviceReleaseDriver, dmaMapPage, dmaMappingError, dmaMapSingle, dmaUnmapPage, dmaUnmapSingle } from './ops/dma-page.ts';
import { deviceProgramIova, dmaIovaDestroy, dmaIovaFree, dmaIovaLink, dmaIovaSync, dmaIovaTryAlloc, dmaIovaUnlink, iommuFaultInject, nvmeQueueRq } from './ops/iova.ts';
import { kmapLocalPage, memcpyToio, sgAllocTable, sgAllocTableFromPages, sgCopyToBuffer, sgFreeTable, sgSetPage, sgVirt } from './ops/scatterlist.ts';

export type Handlers = { readonly [K in OpKind]: (s: State, op: Extract<Op, { kind: K }>) => Outcome };

const handlers: Handlers = {
  mmap: (s, o) => mmap(s, o.mm, o.npages, o.backing),
  munmap: (s, o) => munmap(s, o.mm, o.start, o.npages),
  mprotect: (s, o) => mprotect(s, o.mm, o.start, o.npages, o.write),
  madvise: (s, o) => madvise(s, o.mm, o.start, o.npages, o.advice),
  mremap: (s, o) => mremap(s, o.mm, o.start, o.npages, o.new_npages, o.may_move),
  exit_mmap: (s, o) => exitMmap(s, o.mm),
  fork: (s, o) => fork(s, o.mm),
  ptep_set_wrprotect: (s, o) => ptepSetWrprotect(s, o.mm),
  clear_refs: (s, o) => clearRefs(s, o.mm),
  write_fault: (s, o) => writeFault(s, o.mm, o.addr),
  reclaim: (s, o) => reclaim(s, o.page),
  migrate_page: (s, o) => migratePage(s, o.page),
  writeback: (s, o) => writeback(s, o.page),
  get_user_pages: (s, o) => getUserPages(s, o.mm, o.start, o.npages, o.write),
  pin_user_pages: (s, o) => pinUserPages(s, o.mm, o.start, o.npages, o),
  pin_user_pages_fast: (s, o) => pinUserPagesFast(s, o.mm, o.start, o.npages, o),
  put_page: (s, o) => putPages(s, o.pages),
  unpin_user_pages: (s, o) => unpinUserPages(s, o.pages),
  unpin_user_page: (s, o) => unpinUserPage(s, o.page),
  unpin_user_pages_dirty_lock: (s, o) => unpinUserPagesDirtyLock(s, o.pages, o.make_dirty),
  set_page_dirty_lock: (s, o) => setPageDirtyLock(s, o.pages),
  vmsplice: (s, o) => vmsplice(s, o.mm, o.start, o.npages),
  pipe_read: (s, o) => pipeRead(s, o.pages),
  sg_alloc_table: (s, o) => sgAllocTable(s, o.nents),
  sg_alloc_table_from_pages: (s, o) => sgAllocTableFromPages(s, o.pages),
  sg_set_page: (s, o) => sgSetPage(s, o.sgl, o.index, o.page),
  sg_free_table: (s, o) => sgFreeTable(s, o.sgl),
  sg_virt: (s, o) => sgVirt(s, o.sgl, o.index),
  kmap_local_page: (s, o) => kmapLocalPage(s, o.sgl, o.index),
  sg_copy_to_buffer: (s, o) => sgCopyToBuffer(s, o.sgl),
  memcpy_toio: (s, o) => memcpyToio(s, o.page),
  dma_map_sg: (s, o) => dmaMapSg(s, o.dev, o.sgl, o.dir),
  dma_unmap_sg: (s, o) => dmaUnmapSg(s, o.mapping, o.dev, o.dir),
  dma_sync_sg_for_cpu: (s, o) => dmaSyncSg(s, o.kind, o.dev, o.mapping, o.dir),
  dma_sync_sg_for_device: (s, o) => dmaSyncSg(s, o.kind, o.dev, o.mapping, o.dir),
  device_write: (s, o) => deviceAccess(s, o.mapping, o.index, true),
  device_read: (s, o) => deviceAccess(s, o.mapping, o.index, false),
  pci_p2pmem_find: (s, o) => pciP2pmemFind(s, o.client),
  pci_alloc_p2pmem: (s, o) => pciAllocP2pmem(s, o.bar),
  pci_free_p2pmem: (s, o) => pciFreeP2pmem(s, o.page),
  pci_p2pdma_map_sg: (s, o) => pciP2pdmaMapSg(s, o.dev, o.sgl, o.dir),
  pci_p2pdma_unmap_sg: (s, o) => pciP2pdmaUnmapSg(s, o.mapping, o.dev),
  pci_stop_and_remove_bus_device: (s, o) => pciStopAndRemoveBusDevice(s, o.dev),
  memunmap_pages: (s, o) => memunmapPages(s, o.dev),
  mmu_interval_notifier_insert: (s, o) => mmuIntervalNotifierInsert(s, o.mm, o.start, o.npages, o.owner),
  mmu_interval_notifier_remove: (s, o) => mmuIntervalNotifierRemove(s, o.notifier),
  mmu_interval_read_begin: (s, o) => mmuIntervalReadBegin(s, o.notifier, o.by),
  mmu_interval_read_retry: (s, o) => mmuIntervalReadRetry(s, o.notifier, o.seq),
  mmu_interval_set_seq: (s, o) => mmuIntervalSetSeq(s, o.notifier, o.seq),
  invalidate_callback_return: (s, o) => invalidateCallbackReturn(s, o.notifier, o.ret, o.by),
  mmu_notifier_invalidate_range_end: (s, o) => mmuNotifierInvalidateRangeEnd(s, o.inv),
  driver_map_range: (s, o) => driverMapRange(s, o.dev, o.notifier, o.write ?? false),
  driver_lock: (s, o) => driverLock(s, o.dev),
  driver_unlock: (s, o) => driverUnlock(s, o.dev),
  device_program: (s, o) => deviceProgram(s, o.dev, o.mapping),
  device_stop_dma: (s, o) => deviceStopDma(s, o.dev, o.mm, o.start, o.npages),
  device_write_protect: (s, o) => deviceWriteProtect(s, o.dev, o.mm, o.start, o.npages),
  driver_return: (s, o) => driverReturn(s, o.dev),
  driver_record: (s, o) => driverRecord(s, o.dev, o.mapping, o.by),
  driver_forget: (s, o) => driverForget(s, o.dev, o.mapping),
  mmget_not_zero: (s, o) => mmgetNotZero(s, o.mm),
  mmput: (s, o) => mmput(s, o.mm),
  mmap_read_lock: (s, o) => mmapReadLock(s, o.mm),
  mmap_read_unlock: (s, o) => mmapReadUnlock(s, o.mm),
  find_vma: (s, o) => findVmaOp(s, o.mm, o.addr),
  hmm_range_fault: (s, o) => hmmRangeFault(s, o.notifier, o.seq, o.start, o.npages, o.write),
  device_program_pfns: (s, o) => deviceProgramPfns(s, o.dev, o.by),
  device_svm_access: (s, o) => deviceSvmAccess(s, o.dev, o.mm, o.addr, o.write),
  // single-page DMA API, dma_mapping_error, unbind; CPU access by a process
  dma_map_page: (s, o) => dmaMapPage(s, o.dev, o.page, o.dir),
  dma_unmap_page: (s, o) => dmaUnmapPage(s, o.mapping, o.dev),
  dma_map_single: (s, o) => dmaMapSingle(s, o.dev, o.page, o.dir),
  dma_unmap_single: (s, o) => dmaUnmapSingle(s, o.mapping, o.dev),
  dma_mapping_error: (s, o) => dmaMappingError(s, o.dev, o.mapping),
  device_release_driver: (s, o) => deviceReleaseDriver(s, o.dev),
  dma_iova_try_alloc: (s, o) => dmaIovaTryAlloc(s, o.dev, o.pages),
  dma_iova_link: (s, o) => dmaIovaLink(s, o.dev, o.iova, o.offset, o.pages, o.index, o.dir),
  dma_iova_sync: (s, o) => dmaIovaSync(s, o.dev, o.iova, o.offset, o.npages),
  dma_iova_unlink: (s, o) => dmaIovaUnlink(s, o.dev, o.iova, o.offset, o.npages),
  dma_iova_destroy: (s, o) => dmaIovaDestroy(s, o.dev, o.iova, o.mapped),
  dma_iova_free: (s, o) => dmaIovaFree(s, o.dev, o.iova),
  nvme_queue_rq: (s, o) => nvmeQueueRq(s, o.dev, o.pages),
  device_program_iova: (s, o) => deviceProgramIova(s, o.dev, o.iova, o.npages, o.dir),
  iommu_fault_inject: (s, o) => iommuFaultInject(s, o.dev, o.call),
  store: (s, o) => cpuAccess(s, o.mm, o.addr, true),
  load: (s, o) => cpuAccess(s, o.mm, o.addr, false),
  p2p_map: (s, o) => p2pMap(s, o.vma, o.dev, o.write),
  p2p_unmap: (s, o) => p2pUnmap(s, o.mapping),
  sgl_dma_map_user: (s, o) => sglDmaMapUser(s, o.dev, o.mm, o.start, o.npages, o.dir),
  sgl_dma_unmap: (s, o) => sglDmaUnmap(s, o.sgl),
  dma_buf_export: (s, o) => dmaBufExport(s, o.dev, o.bar, o.pages),
  dma_buf_dynamic_attach: (s, o) => dmaBufDynamicAttach(s, o.dmabuf, o.dev, o.peer2peer),
  dma_buf_pin: (s, o) => dmaBufPin(s, o.attachment),
  dma_buf_unpin: (s, o) => dmaBufUnpin(s, o.attachment),
  dma_resv_lock: (s, o) => dmaResvLock(s, o.dmabuf, o.dev),
  dma_resv_unlock: (s, o) => dmaResvUnlock(s, o.dmabuf, o.dev),
  dma_buf_map_attachment: (s, o) => dmaBufMapAttachment(s, o.attachment, o.dir),
  dma_buf_unmap_attachment: (s, o) => dmaBufUnmapAttachment(s, o.attachment, o.mapping),
  dma_buf_move_notify: (s, o) => dmaBufMoveNotify(s, o.dmabuf),
  move_notify_return: (s, o) => moveNotifyReturn(s, o.attachment, o.by),
  vfio_pci_dma_buf_revoke: (s, o) => vfioPciDmaBufRevoke(s, o.dmabuf),
  dma_resv_add_fence: (s, o) => dmaResvAddFence(s, o.dmabuf, o.dev, o.mapping),
  dma_fence_signal: (s, o) => dmaFenceSignal(s, o.job),
  dma_resv_wait_timeout: (s, o) => dmaResvWaitTimeout(s, o.dmabuf),
  mlx5r_umr_update_mr_pas: (s, o) => mlx5rUmrUpdateMrPas(s, o.dev, o.mapping, o.zap),
  driver_map_attachment: (s, o) => driverMapAttachment(s, o.dev, o.attachment),
  driver_revoke: (s, o) => driverRevoke(s, o.dev, o.dmabuf),
  driver_keep_sgt: (s, o) => driverKeepSgt(s, o.dev, o.attachment, o.mapping, o.by),
  driver_drop_sgt: (s, o) => driverDropSgt(s, o.dev, o.mapping),
};

type AnyHandler = (s: State, op: Op) => Outcome;

/** The model's own handler of each op kind, for a variant (model/variant.ts) that wraps it. */
export const ownHandler = (kind: OpKind): AnyHandler => handlers[kind] as AnyHandler;

export const kernelStep = (s: State, op: Op): Outcome => {
  const v = activeVariant();
  const wrap = v?.ops[op.kind] as ((original: AnyHandler) => AnyHandler) | undefined;
  return wrap === undefined ? (handlers[op.kind] as AnyHandler)(s, op) : wrap(handlers[op.kind] as AnyHandler)(s, op);
};
