/**
 * The one dispatcher: `step(state, op)` runs the kernel-like operation an
 * `Op` names. Exhaustive over every op kind; a new op that is not handled
 * here does not compile.
 */
import { match } from 'ts-pattern';
import type { Op } from './op.ts';
import type { Outcome } from './result.ts';
import type { State } from './state.ts';
import { dmaMapSg, dmaSyncSg, dmaUnmapSg, deviceAccess } from './ops/dma.ts';
import { sglDmaMapUser, sglDmaUnmap } from './ops/dma-only-sgl.ts';
import { getUserPages, pinUserPages, putPages, setPageDirtyLock, unpinUserPages, unpinUserPagesDirtyLock } from './ops/gup.ts';
import { migratePage, reclaim, writeback } from './ops/memory.ts';
import { exitMmap, fork, mmap, munmap, writeFault } from './ops/mm.ts';
import { mmuIntervalNotifierInsert, mmuIntervalNotifierRemove } from './ops/notifier.ts';
import { p2pMap, p2pUnmap } from './ops/p2p-vma-ops.ts';
import { pciAllocP2pmem, pciFreeP2pmem, pciP2pdmaMapSg, pciP2pdmaUnmapSg, pciStopAndRemoveBusDevice } from './ops/p2pdma.ts';
import { kmapLocalPage, memcpyToio, sgAllocTable, sgAllocTableFromPages, sgCopyToBuffer, sgFreeTable, sgSetPage, sgVirt } from './ops/scatterlist.ts';

export const step = (s: State, op: Op): Outcome =>
  match(op)
    .with({ kind: 'mmap' }, (o) => mmap(s, o.mm, o.npages, o.backing))
    .with({ kind: 'munmap' }, (o) => munmap(s, o.vma))
    .with({ kind: 'exit_mmap' }, (o) => exitMmap(s, o.mm))
    .with({ kind: 'fork' }, (o) => fork(s, o.mm))
    .with({ kind: 'write_fault' }, (o) => writeFault(s, o.mm, o.addr))
    .with({ kind: 'reclaim' }, (o) => reclaim(s, o.page))
    .with({ kind: 'migrate_page' }, (o) => migratePage(s, o.page))
    .with({ kind: 'writeback' }, (o) => writeback(s, o.page))
    .with({ kind: 'get_user_pages' }, (o) => getUserPages(s, o.mm, o.start, o.npages, o.write))
    .with({ kind: 'pin_user_pages' }, (o) => pinUserPages(s, o.mm, o.start, o.npages, o))
    .with({ kind: 'put_page' }, (o) => putPages(s, o.pages))
    .with({ kind: 'unpin_user_pages' }, (o) => unpinUserPages(s, o.pages))
    .with({ kind: 'unpin_user_pages_dirty_lock' }, (o) => unpinUserPagesDirtyLock(s, o.pages, o.make_dirty))
    .with({ kind: 'set_page_dirty_lock' }, (o) => setPageDirtyLock(s, o.pages))
    .with({ kind: 'sg_alloc_table' }, (o) => sgAllocTable(s, o.nents))
    .with({ kind: 'sg_alloc_table_from_pages' }, (o) => sgAllocTableFromPages(s, o.pages))
    .with({ kind: 'sg_set_page' }, (o) => sgSetPage(s, o.sgl, o.index, o.page))
    .with({ kind: 'sg_free_table' }, (o) => sgFreeTable(s, o.sgl))
    .with({ kind: 'sg_virt' }, (o) => sgVirt(s, o.sgl, o.index))
    .with({ kind: 'kmap_local_page' }, (o) => kmapLocalPage(s, o.sgl, o.index))
    .with({ kind: 'sg_copy_to_buffer' }, (o) => sgCopyToBuffer(s, o.sgl))
    .with({ kind: 'memcpy_toio' }, (o) => memcpyToio(s, o.page))
    .with({ kind: 'dma_map_sg' }, (o) => dmaMapSg(s, o.dev, o.sgl, o.dir))
    .with({ kind: 'dma_unmap_sg' }, (o) => dmaUnmapSg(s, o.mapping))
    .with({ kind: 'dma_sync_sg_for_cpu' }, (o) => dmaSyncSg(s, o.kind, o.mapping))
    .with({ kind: 'dma_sync_sg_for_device' }, (o) => dmaSyncSg(s, o.kind, o.mapping))
    .with({ kind: 'device_write' }, (o) => deviceAccess(s, o.mapping, o.index, true))
    .with({ kind: 'device_read' }, (o) => deviceAccess(s, o.mapping, o.index, false))
    .with({ kind: 'pci_alloc_p2pmem' }, (o) => pciAllocP2pmem(s, o.bar))
    .with({ kind: 'pci_free_p2pmem' }, (o) => pciFreeP2pmem(s, o.page))
    .with({ kind: 'pci_p2pdma_map_sg' }, (o) => pciP2pdmaMapSg(s, o.dev, o.sgl, o.dir))
    .with({ kind: 'pci_p2pdma_unmap_sg' }, (o) => pciP2pdmaUnmapSg(s, o.mapping))
    .with({ kind: 'pci_stop_and_remove_bus_device' }, (o) => pciStopAndRemoveBusDevice(s, o.dev))
    .with({ kind: 'mmu_interval_notifier_insert' }, (o) => mmuIntervalNotifierInsert(s, o.mm, o.start, o.npages, o.owner))
    .with({ kind: 'mmu_interval_notifier_remove' }, (o) => mmuIntervalNotifierRemove(s, o.notifier))
    .with({ kind: 'p2p_map' }, (o) => p2pMap(s, o.vma, o.dev, o.write))
    .with({ kind: 'p2p_unmap' }, (o) => p2pUnmap(s, o.mapping))
    .with({ kind: 'sgl_dma_map_user' }, (o) => sglDmaMapUser(s, o.dev, o.mm, o.start, o.npages, o.dir))
    .with({ kind: 'sgl_dma_unmap' }, (o) => sglDmaUnmap(s, o.sgl))
    .exhaustive();
