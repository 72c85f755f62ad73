/**
 * What a step did that an invariant may judge. Events are facts about the
 * step (a CPU load hit this pfn, this VMA was destroyed), never verdicts.
 */
import type { DeviceId, MappingId, MmId, NotifierId, PagesId, Pfn, VmaId } from './state.ts';

export type CpuAccessor = 'sg_virt' | 'kmap_local_page' | 'sg_copy_to_buffer' | 'memcpy_toio';

export type Event =
  /** The CPU loaded or stored at a physical frame; `io` when through an __iomem accessor. */
  | { readonly kind: 'cpu-access'; readonly pfn: Pfn; readonly via: CpuAccessor; readonly io: boolean }
  /** A device read or wrote a frame through a DMA mapping entry made for generation `gen`. */
  | {
      readonly kind: 'device-access';
      readonly device: DeviceId;
      readonly mapping: MappingId;
      readonly pfn: Pfn;
      readonly gen: number;
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
  | { readonly kind: 'provider-removed'; readonly device: DeviceId };
