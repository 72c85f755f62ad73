/**
 * What a step did that an invariant may judge. Events are facts about the
 * step (a CPU load hit this pfn, this VMA was destroyed), never verdicts.
 */
import type { DeviceId, MappingId, MmId, NotifierId, PagesId, Pfn, SglId, VmaId } from './state.ts';

export type CpuAccessor = 'sg_virt' | 'kmap_local_page' | 'sg_copy_to_buffer' | 'memcpy_toio' | 'store' | 'load';

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
  /** A device read or wrote a frame through a DMA mapping entry made for generation `gen`. */
  | {
      readonly kind: 'device-access';
      readonly device: DeviceId;
      readonly mapping: MappingId;
      readonly pfn: Pfn;
      readonly gen: number;
      /** The frame the bus address reached (ghost): `pfn` when the address is right, else another frame or null (none). */
      readonly reached: Pfn | null;
      readonly write: boolean;
    }
  | { readonly kind: 'vma-destroyed'; readonly vma: VmaId; readonly mm: MmId }
  | { readonly kind: 'page-dirtied'; readonly pfn: Pfn }
  /**
   * A GUP reference or pin on `pfn` held through page array `pages` was
   * dropped. `undirtiedDeviceData`: at that moment the page held data a
   * device wrote after the last set_page_dirty (ghost fact).
   */
  | {
      readonly kind: 'reference-dropped';
      readonly pfn: Pfn;
      readonly pages: PagesId;
      readonly pin: boolean;
      readonly write: boolean;
      readonly undirtiedDeviceData: boolean;
    }
  | { readonly kind: 'page-freed'; readonly pfn: Pfn }
  | { readonly kind: 'buffers-released'; readonly pfn: Pfn }
  | { readonly kind: 'notifier-invalidated'; readonly notifier: NotifierId }
  | { readonly kind: 'mapping-torn-down'; readonly mapping: MappingId }
  | { readonly kind: 'provider-removed'; readonly device: DeviceId }
  /** device_release_driver(): the device's driver was unbound. */
  | { readonly kind: 'driver-unbound'; readonly device: DeviceId };
