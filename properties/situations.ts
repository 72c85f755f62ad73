/**
 * Named situations: states of affairs a reviewer wants to see reached
 * before trusting a hold, each belonging to the invariant that guards it.
 * The first situation of each invariant is exactly what its `exercised`
 * counts (the vacuity report); the others are the moments a review thread
 * asks about ("does the callback really run before munmap completes?",
 * "does reclaim really meet a pinned page?"). `dmacheck witness` finds the
 * shortest trace that reaches one.
 */
import type { Op } from '../model/op.ts';
import type { Step } from '../model/result.ts';
import { stale } from '../model/ops/gup.ts';
import type { State } from '../model/state.ts';
import { findVma, pageOf, present } from '../model/page.ts';
import type { InvariantId } from './invariant.ts';
import { invariantById } from './registry.ts';

export interface Situation {
  readonly id: string;
  readonly invariant: InvariantId;
  /** What is reached, in one sentence. */
  readonly what: string;
  readonly reached: (before: State, op: Op, step: Step) => boolean;
}

const exercisedBy = (id: InvariantId) => (before: State, op: Op, step: Step): boolean => invariantById(id).exercised(before, op, step);

const cpuWalks: ReadonlyArray<Op['kind']> = ['sg_virt', 'kmap_local_page', 'sg_copy_to_buffer'];

/** A page some GUP array holds: its references are more than its mappings (and page cache). */
const gupHeld = (s: State, pfn: number): boolean => [...s.pageArrays.values()].some((a) => a.pfns.some((p, i) => p === pfn && !stale(a, i)));

export const situations: ReadonlyArray<Situation> = [
  { id: 'cpu-walk-of-sgl', invariant: 'no-cpu-iomem', what: 'CPU code walks a scatterlist entry by entry', reached: exercisedBy('no-cpu-iomem') },
  {
    id: 'cpu-walk-of-bar-page',
    invariant: 'no-cpu-iomem',
    what: 'a CPU walk of a scatterlist reaches a page of a PCI BAR',
    reached: (before, op, step) => cpuWalks.includes(op.kind) && step.events.some((e) => e.kind === 'cpu-access' && before.frames[e.pfn]?.bar !== null),
  },
  {
    id: 'vma-destroyed-under-mapping',
    invariant: 'map-within-vma-lifetime',
    what: 'munmap or exit starts tearing down a VMA while a DMA mapping made from it is live',
    reached: exercisedBy('map-within-vma-lifetime'),
  },
  {
    id: 'callback-before-munmap-completes',
    invariant: 'map-within-vma-lifetime',
    what: "an importer's invalidate callback returns during munmap, before the VMA is destroyed",
    reached: (before, _op, step) =>
      step.events.some((e) => {
        if (e.kind !== 'callback-returned') return false;
        const then = before.invalidations.get(e.inv)?.then;
        return then?.kind === 'munmap' && then.vmas.some((v) => before.vmas.has(v));
      }),
  },
  {
    id: 'device-write-to-user-page',
    invariant: 'correct-dirtying',
    what: 'a device writes a page a GUP array holds',
    reached: (before, _op, step) => step.events.some((e) => e.kind === 'device-access' && e.write && gupHeld(before, e.pfn)),
  },
  {
    id: 'reclaim-of-pinned-page',
    invariant: 'correct-dirtying',
    what: 'reclaim meets a page that is pinned (FOLL_PIN) for DMA',
    reached: (before, op) => op.kind === 'reclaim' && (before.frames[op.page]?.pincount ?? 0) > 0,
  },
  { id: 'device-access', invariant: 'no-dma-after-free', what: 'a device reads or writes through a DMA address', reached: exercisedBy('no-dma-after-free') },
  {
    id: 'provider-removed-while-mapped',
    invariant: 'no-dma-after-free',
    what: 'a provider removal starts while a device still holds addresses of its BAR',
    reached: (before, op) =>
      op.kind === 'pci_stop_and_remove_bus_device' &&
      [...before.mappings.values(), ...before.deviceRanges.values()].some((m) => m.entries.some((e) => before.frames[e.pfn]?.bar !== null)),
  },
  { id: 'device-access-to-gup-page', invariant: 'pin-coherent', what: 'a device reaches a page through a GUP reference', reached: exercisedBy('pin-coherent') },
  {
    id: 'gup-fast-in-fork-window',
    invariant: 'pin-coherent',
    what: "pin_user_pages_fast runs while a fork of its process is between its check of the pages and its write-protect (write_protect_seq odd)",
    reached: (before, op) => op.kind === 'pin_user_pages_fast' && before.mms.get(op.mm)?.forkWrprotect !== undefined,
  },
  {
    id: 'gup-page-swapped-out',
    invariant: 'pin-coherent',
    what: 'reclaim swaps out an anonymous page a GUP reference or pin holds: the process has a swap entry, the page stays in the swap cache',
    reached: (_before, _op, step) => step.events.some((e) => e.kind === 'swapped-out' && e.kept),
  },
  {
    id: 'fork-with-pinned-page',
    invariant: 'pin-coherent',
    what: 'a process forks while one of its anonymous pages is pinned (mapped, or in the swap cache behind a swap entry)',
    reached: (before, op) =>
      op.kind === 'fork' &&
      [...before.vmas.values()].some((v) => v.mm === op.mm && v.backing.kind === 'anon' && v.ptes.some((p) => (before.frames[pageOf(before, p) ?? -1]?.pincount ?? 0) > 0)),
  },
  {
    id: 'invalidation-races-map',
    invariant: 'notifier-protocol',
    what: 'an invalidation sets a new seq while a map path of the same notifier holds p2p_map addresses or hmm_range_fault pfns',
    reached: exercisedBy('notifier-protocol'),
  },
  {
    id: 'callback-tears-down-beside-other-map',
    invariant: 'notifier-protocol',
    what: "one notifier's callback stops the device or gives a mapping back over a range where a map path of another notifier of the same importer holds a p2p_map mapping it has not yet checked with read_retry (two notifiers over overlapping ranges)",
    reached: (before, op) => {
      const cb = op.by === undefined ? undefined : before.threads.get(op.by);
      if (cb === undefined || cb.inv === null || (op.kind !== 'device_stop_dma' && op.kind !== 'p2p_unmap')) return false;
      return [...before.threads.values()].some(
        (t) => t.inv === null && t.device === cb.device && t.notifier !== cb.notifier && t.mapping !== null && t.retry === null && t.range !== null && cb.range !== null && t.range.mm === cb.range.mm && t.range.start < cb.range.end && cb.range.start < t.range.end,
      );
    },
  },
  {
    id: 'callback-invoked',
    invariant: 'notifier-protocol',
    what: "the kernel calls an importer's invalidate callback",
    reached: (_before, _op, step) => step.events.some((e) => e.kind === 'callback-invoked'),
  },
  { id: 'removal-completes', invariant: 'provider-removal', what: "a provider's removal completes", reached: exercisedBy('provider-removal') },
  {
    id: 'removal-waits-for-page',
    invariant: 'provider-removal',
    what: 'memunmap_pages waits: a P2PDMA page is still referenced while its provider is being removed',
    reached: (_before, op, step) => op.kind === 'pci_stop_and_remove_bus_device' && step.state.frames.some((f) => f.bar !== null && step.state.bars[f.bar]!.removing && step.state.bars[f.bar]!.structPages && !f.free),
  },
  {
    id: 'invalidation-of-mirrored-page',
    invariant: 'mirror-coherent',
    what: "an invalidation starts over a page a device's mirror maps",
    reached: exercisedBy('mirror-coherent'),
  },
  {
    id: 'mirror-access-after-cow',
    invariant: 'mirror-coherent',
    what: 'a device reaches a page through its mirror after the process forked (the page may be shared copy-on-write)',
    reached: (before, _op, step) => step.events.some((e) => e.kind === 'device-access' && e.va !== undefined && before.mms.size > 1),
  },
  { id: 'dma-api-call-judged', invariant: 'dma-api-hygiene', what: 'an unmap, sync, unbind or table free that dma-debug checks', reached: exercisedBy('dma-api-hygiene') },
  {
    id: 'device-write-to-process-memory',
    invariant: 'isolation',
    what: "a device writes a process's anonymous page, the zero page, or a file page it maps MAP_PRIVATE; or a process stores to an anonymous page another process's GUP reference holds",
    reached: exercisedBy('isolation'),
  },
  {
    id: 'store-to-spliced-page',
    invariant: 'isolation',
    what: 'a process stores to an anonymous page that a pipe holds after another process spliced it (vmsplice)',
    reached: (before, op) =>
      op.kind === 'store' &&
      ((p) => p !== null && [...before.pageArrays.values()].some((a) => a.pipe === true && a.mm !== op.mm && a.pfns.includes(p.pfn)))(
        ((v) => present(v?.ptes[op.addr - v.start]))(findVma(before, op.mm, op.addr)),
      ),
  },
  {
    id: 'private-file-page-pinned',
    invariant: 'isolation',
    what: 'a process pins the page-cache page its MAP_PRIVATE file mapping shows it (a read-only pin before any write)',
    reached: (before, op, step) =>
      op.kind === 'pin_user_pages' &&
      [...step.state.pageArrays.values()].some((a) => !before.pageArrays.has(a.id) && a.pfns.some((pfn, i) => step.state.frames[pfn]?.mapping.kind === 'file' && a.cow[i] === true)),
  },
  {
    id: 'device-write-to-shared-cow-page',
    invariant: 'isolation',
    what: 'a device writes a page that two processes map privately (fork left it shared copy-on-write)',
    reached: (before, _op, step) =>
      step.events.some((e) => e.kind === 'device-access' && e.write && e.reached !== null && new Set([...before.vmas.values()].filter((v) => !v.shared && v.ptes.some((p) => pageOf(before, p) === e.reached)).map((v) => v.mm)).size >= 2),
  },
  { id: 'gup-reference-released', invariant: 'gup-release', what: 'a driver gives back a GUP reference or pin', reached: exercisedBy('gup-release') },
  {
    id: 'pin-released',
    invariant: 'gup-release',
    what: 'a driver gives back pages it pinned with FOLL_PIN (by whichever call)',
    reached: (before, op, step) => (op.kind === 'put_page' || op.kind === 'unpin_user_pages' || op.kind === 'unpin_user_pages_dirty_lock') && before.pageArrays.get(op.pages)?.kind === 'pin' && step.events.length > 0,
  },
  { id: 'dmabuf-call-under-resv', invariant: 'dmabuf-protocol', what: 'an importer maps, unmaps or pins a dma-buf attachment, or its exporter calls move_notify', reached: exercisedBy('dmabuf-protocol') },
  {
    id: 'move-notify-of-mapped-attachment',
    invariant: 'dmabuf-protocol',
    what: "the exporter's move_notify reaches an attachment whose importer holds a live table of it",
    reached: (before, op, step) =>
      op.kind === 'dma_buf_move_notify' &&
      step.events.some((e) => e.kind === 'move-notify-called' && [...before.mappings.values()].some((m) => m.origin.kind === 'dmabuf' && m.origin.attachment === e.attachment)),
  },
  { id: 'dma-mapping-made', invariant: 'p2p-reachable', what: 'a map call gives a device DMA addresses (a table, a page, a VMA op, a dma-buf)', reached: exercisedBy('p2p-reachable') },
  {
    id: 'p2p-page-mapped',
    invariant: 'p2p-reachable',
    what: 'a map call gives a device an address of P2P memory (a BAR page)',
    reached: (before, _op, step) => [...step.state.mappings.values()].some((m) => !before.mappings.has(m.id) && m.entries.some((e) => step.state.frames[e.pfn]?.bar !== null)),
  },
  { id: 'iova-call', invariant: 'iova-state', what: 'a caller of the two-step IOVA API makes a dma_iova_* call, or a device uses an IOVA range', reached: exercisedBy('iova-state') },
  {
    id: 'iova-error-path',
    invariant: 'iova-state',
    what: 'a dma_iova_link or dma_iova_sync fails inside a map path, which must undo what it linked',
    reached: (_before, op, step) => (op.kind === 'dma_iova_link' || op.kind === 'dma_iova_sync') && step.events.some((e) => e.kind === 'call-failed'),
  },
];

export const situationById = (id: string): Situation | undefined => situations.find((s) => s.id === id);
