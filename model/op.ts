/**
 * Every kernel-like operation as plain data, one `kind` per kernel call.
 * An `Op` prints, serialises and pattern-matches without any help; ids
 * are the concrete objects the call names.
 */
import type { BarId, DeviceId, DmaDirection, InodeId, MappingId, MmId, NotifierId, PagesId, Pfn, SglId, VmaId } from './state.ts';

export type MmapBacking =
  | { readonly kind: 'anon' }
  | { readonly kind: 'file'; readonly inode: InodeId }
  | { readonly kind: 'bar'; readonly bar: BarId }
  | { readonly kind: 'p2pmem'; readonly bar: BarId };

export type Op =
  // mm and VMA lifecycle
  | { readonly kind: 'mmap'; readonly mm: MmId; readonly npages: number; readonly backing: MmapBacking }
  | { readonly kind: 'munmap'; readonly vma: VmaId }
  | { readonly kind: 'exit_mmap'; readonly mm: MmId }
  | { readonly kind: 'fork'; readonly mm: MmId }
  | { readonly kind: 'write_fault'; readonly mm: MmId; readonly addr: number }
  // memory management
  | { readonly kind: 'reclaim'; readonly page: Pfn }
  | { readonly kind: 'migrate_page'; readonly page: Pfn }
  | { readonly kind: 'writeback'; readonly page: Pfn }
  // GUP family
  | { readonly kind: 'get_user_pages'; readonly mm: MmId; readonly start: number; readonly npages: number; readonly write: boolean }
  | {
      readonly kind: 'pin_user_pages';
      readonly mm: MmId;
      readonly start: number;
      readonly npages: number;
      readonly write: boolean;
      readonly longterm: boolean;
      readonly p2pdma: boolean;
    }
  | { readonly kind: 'put_page'; readonly pages: PagesId }
  | { readonly kind: 'unpin_user_pages'; readonly pages: PagesId }
  | { readonly kind: 'unpin_user_pages_dirty_lock'; readonly pages: PagesId; readonly make_dirty: boolean }
  | { readonly kind: 'set_page_dirty_lock'; readonly pages: PagesId }
  // scatterlists
  | { readonly kind: 'sg_alloc_table'; readonly nents: number }
  | { readonly kind: 'sg_alloc_table_from_pages'; readonly pages: PagesId }
  | { readonly kind: 'sg_set_page'; readonly sgl: SglId; readonly index: number; readonly page: Pfn }
  | { readonly kind: 'sg_free_table'; readonly sgl: SglId }
  // CPU access through an SGL entry, and the legal iomem path
  | { readonly kind: 'sg_virt'; readonly sgl: SglId; readonly index: number }
  | { readonly kind: 'kmap_local_page'; readonly sgl: SglId; readonly index: number }
  | { readonly kind: 'sg_copy_to_buffer'; readonly sgl: SglId }
  | { readonly kind: 'memcpy_toio'; readonly page: Pfn }
  // streaming DMA API and the device
  | { readonly kind: 'dma_map_sg'; readonly dev: DeviceId; readonly sgl: SglId; readonly dir: DmaDirection }
  | { readonly kind: 'dma_unmap_sg'; readonly mapping: MappingId }
  | { readonly kind: 'dma_sync_sg_for_cpu'; readonly mapping: MappingId }
  | { readonly kind: 'dma_sync_sg_for_device'; readonly mapping: MappingId }
  | { readonly kind: 'device_write'; readonly mapping: MappingId; readonly index: number }
  | { readonly kind: 'device_read'; readonly mapping: MappingId; readonly index: number }
  // PCI P2PDMA
  | { readonly kind: 'pci_alloc_p2pmem'; readonly bar: BarId }
  | { readonly kind: 'pci_free_p2pmem'; readonly page: Pfn }
  | { readonly kind: 'pci_p2pdma_map_sg'; readonly dev: DeviceId; readonly sgl: SglId; readonly dir: DmaDirection }
  | { readonly kind: 'pci_p2pdma_unmap_sg'; readonly mapping: MappingId }
  | { readonly kind: 'pci_stop_and_remove_bus_device'; readonly dev: DeviceId }
  // mmu interval notifiers
  | { readonly kind: 'mmu_interval_notifier_insert'; readonly mm: MmId; readonly start: number; readonly npages: number; readonly owner: DeviceId }
  | { readonly kind: 'mmu_interval_notifier_remove'; readonly notifier: NotifierId }
  // proposed VMA ops (Glisse, RFC 2019)
  | { readonly kind: 'p2p_map'; readonly vma: VmaId; readonly dev: DeviceId; readonly write: boolean }
  | { readonly kind: 'p2p_unmap'; readonly mapping: MappingId }
  // proposed DMA-only SGL (Gunthorpe, 2019)
  | { readonly kind: 'sgl_dma_map_user'; readonly dev: DeviceId; readonly mm: MmId; readonly start: number; readonly npages: number; readonly dir: DmaDirection }
  | { readonly kind: 'sgl_dma_unmap'; readonly sgl: SglId };

export type OpKind = Op['kind'];
