/**
 * The verdict-mutation catalogue: semantic breaks of the model, as data.
 * Each names one kernel op, driver action, recipe step or era rule it
 * breaks, and most mimic a real kernel or driver bug. `npm run
 * mutate:verdicts` runs `check` under each and reports whether any
 * verdict of any design flips; a catalogue entry expected to survive says
 * why (an equivalent mutant, or what the model cannot yet see).
 */
import * as E from 'fp-ts/lib/Either.js';
import { ownHandler } from '../../model/kernel-step.ts';
import type { Step } from '../../model/result.ts';
import type { OpKind } from '../../model/op.ts';
import { goto, type Recipe } from '../../model/recipe.ts';
import type { Variant } from '../../model/variant.ts';
import {
  type Break,
  bouncesP2pdma,
  firstNotifierOnly,
  firstPageOnly,
  keeps,
  ptesKept,
  noNotifiers,
  noop,
  noWait,
  onPrivateFile,
  returns,
  sendsEvent,
  withEra,
} from './breaks.ts';

export interface Mutant {
  readonly id: string;
  /** What is broken, in kernel words. */
  readonly breaks: string;
  /** The real bug (or class of bug) it mimics. */
  readonly mimics: string;
  /** Designs whose verdicts it is meant to flip: searched first. */
  readonly designs: ReadonlyArray<string>;
  /**
   * Steps left out of its own designs when they are searched: where
   * another step of the design breaks the same invariant by another path
   * (dma-api-misuse's put_page on pins and its second release both break
   * gup-release), the verdict can only flip with the other path gone.
   */
  readonly without?: ReadonlyArray<string>;
  readonly variant: Variant;
  /** Written reason, when the mutant is expected to flip no verdict. */
  readonly survives?: string;
}

const ops = (kinds: ReadonlyArray<OpKind>, b: Break): Variant['ops'] => Object.fromEntries(kinds.map((k) => [k, b])) as Variant['ops'];
const onOps = (kinds: ReadonlyArray<OpKind>, b: Break): Variant => ({ ops: ops(kinds, b), recipes: {} });

/** Recipe `name` with its action at `pc` skipped (the driver leaves that line out). */
const skipLine = (name: string, pc: number): Variant => ({
  ops: {},
  recipes: { [name]: (r: Recipe): Recipe => ({ ...r, actions: r.actions.map((a, i) => (i === pc ? () => goto(pc + 1) : a)) }) },
});

const NOTIFIER = ['vma-p2p-map-notifier', 'vma-p2p-map-notifier-readonly'];
const MIRROR = ['hmm-mirror'];
const PIN = ['pin-user-pages', 'pin-user-pages-5.9'];
const DMABUF = ['vfio-dmabuf-revoke'];
const FENCED = ['dmabuf-dynamic'];
const IOVA = ['blk-dma-iova', 'vfio-dmabuf-phys-fixed'];

export const catalogue: ReadonlyArray<Mutant> = [
  // Each source of invalidation, its notifier call left out.
  { id: 'fork-no-notifier', breaks: "fork's copy_page_range write-protects the parent's COW PTEs without MMU_NOTIFY_PROTECTION_PAGE", mimics: 'a secondary MMU keeping write access across fork (the reason copy_page_range got its notifier)', designs: MIRROR, variant: onOps(['fork'], noNotifiers) },
  { id: 'page-mkclean-no-notifier', breaks: "writeback's page_mkclean write-protects without MMU_NOTIFY_PROTECTION_PAGE", mimics: 'a device writing a page writeback has cleaned (lost data)', designs: MIRROR, variant: onOps(['writeback'], noNotifiers) },
  { id: 'cow-break-no-notifier', breaks: "a write fault's wp_page_copy replaces the PTE without MMU_NOTIFY_CLEAR", mimics: 'a mirror left on the old page after a COW break', designs: MIRROR, variant: onOps(['write_fault', 'store'], noNotifiers) },
  { id: 'mprotect-no-notifier', breaks: 'mprotect changes protection without MMU_NOTIFY_PROTECTION_VMA', mimics: 'a device writing memory the process made read-only', designs: MIRROR, variant: onOps(['mprotect'], noNotifiers) },
  { id: 'migration-no-notifier', breaks: 'migration moves the page without MMU_NOTIFY_CLEAR', mimics: 'a device writing the old copy of a migrated page', designs: MIRROR, variant: onOps(['migrate_page'], noNotifiers) },
  { id: 'reclaim-no-notifier', breaks: "reclaim's try_to_unmap unmaps and frees without MMU_NOTIFY_CLEAR", mimics: 'a device reading a page reclaim freed', designs: MIRROR, variant: onOps(['reclaim'], noNotifiers) },
  { id: 'munmap-no-notifier', breaks: 'munmap zaps and frees the VMA without MMU_NOTIFY_UNMAP', mimics: "the RFC thread's question: a p2p_map mapping that outlives its VMA", designs: [...NOTIFIER, ...MIRROR], variant: onOps(['munmap'], noNotifiers) },
  { id: 'exit-no-notifier', breaks: 'exit_mmap tears the address space down without MMU_NOTIFY_RELEASE', mimics: 'a mapping that outlives its process', designs: [...NOTIFIER, ...MIRROR], variant: onOps(['exit_mmap', 'mmput'], noNotifiers) },
  { id: 'dontneed-no-notifier', breaks: 'MADV_DONTNEED zaps the range without MMU_NOTIFY_CLEAR', mimics: 'a secondary MMU still mapping memory the process discarded (zap_page_range_single without its notifier)', designs: MIRROR, variant: onOps(['madvise'], noNotifiers) },
  { id: 'mremap-no-notifier', breaks: 'mremap moves or shrinks without MMU_NOTIFY_UNMAP', mimics: 'a mapping left on the old address after mremap', designs: NOTIFIER, variant: onOps(['mremap'], noNotifiers) },
  { id: 'removal-no-notifier', breaks: "the exporter's removal zaps its BAR windows (unmap_mapping_range) without MMU_NOTIFY_CLEAR", mimics: 'a device reaching a removed BAR', designs: NOTIFIER, variant: onOps(['pci_stop_and_remove_bus_device'], noNotifiers) },
  // The event a kernel path passes.
  { id: 'munmap-says-protection-vma', breaks: 'munmap passes MMU_NOTIFY_PROTECTION_VMA instead of MMU_NOTIFY_UNMAP', mimics: 'a wrong event in mmu_notifier_range_init', designs: ['vma-p2p-map-notifier-readonly'], variant: onOps(['munmap'], sendsEvent('MMU_NOTIFY_PROTECTION_VMA')) },
  { id: 'exit-says-protection-vma', breaks: 'exit_mmap passes MMU_NOTIFY_PROTECTION_VMA instead of MMU_NOTIFY_RELEASE', mimics: 'a wrong event in mmu_notifier_range_init', designs: ['vma-p2p-map-notifier-readonly'], variant: onOps(['exit_mmap', 'mmput'], sendsEvent('MMU_NOTIFY_PROTECTION_VMA')) },
  { id: 'munmap-says-clear', breaks: 'munmap passes MMU_NOTIFY_CLEAR instead of MMU_NOTIFY_UNMAP', mimics: 'a wrong event in mmu_notifier_range_init', designs: NOTIFIER, variant: onOps(['munmap'], sendsEvent('MMU_NOTIFY_CLEAR')), survives: 'Equivalent for every recipe modelled: no callback treats UNMAP and CLEAR differently (hmm-mirror-skip-harmless skips CLEAR, but it is expected violated already).' },
  // The interval notifier protocol.
  { id: 'munmap-first-page-only', breaks: 'munmap notifies only the first page of its range', mimics: 'an off-by-range in the invalidation of a multi-page unmap', designs: NOTIFIER, variant: onOps(['munmap'], firstPageOnly) },
  { id: 'first-notifier-only', breaks: 'mn_itree_invalidate calls only the first overlapping notifier', mimics: 'an interval-tree walk that stops after one node', designs: [...NOTIFIER, ...MIRROR], variant: onOps(['invalidate_callback_return'], firstNotifierOnly) },
  { id: 'set-seq-sets-nothing', breaks: "mmu_interval_set_seq leaves the notifier's seq as it was", mimics: 'a callback whose set_seq is lost (read_retry never says retry)', designs: [...NOTIFIER, ...MIRROR], variant: onOps(['mmu_interval_set_seq'], keeps('notifiers')) },
  { id: 'set-seq-ghost-unmarked', breaks: 'mmu_interval_set_seq marks no read section as overtaken (the ghost only; the seq still moves)', mimics: 'an invariant blind to rule 1', designs: ['vma-p2p-map-notifier-noretry', 'hmm-mirror-noretry'], variant: onOps(['mmu_interval_set_seq'], keeps('threads')), survives: "Equivalent for the verdicts: each race rule 1 reports at the stale programming also leaves the device reaching the range when the invalidation's last callback returns, which rule 2 reports a few steps later. Rule 1 names the read section; the verdict does not depend on it." },
  { id: 'read-retry-says-no', breaks: 'mmu_interval_read_retry always returns false', mimics: 'a driver comparing the wrong seq', designs: [...NOTIFIER, ...MIRROR], variant: onOps(['mmu_interval_read_retry'], returns((e) => (e.kind === 'read-retry' ? { ...e, retry: false } : e))) },
  {
    id: 'read-begin-no-wait',
    breaks: 'mmu_interval_read_begin does not wait for an invalidation of its notifier in progress',
    mimics: 'a read section begun between the callback and the PTE change',
    designs: MIRROR,
    // It returns the notifier's seq (the odd one the running invalidation set), as if there were nothing to wait for.
    variant: onOps(['mmu_interval_read_begin'], (orig) => (s, op) => {
      const r = orig(s, op);
      if (op.kind !== 'mmu_interval_read_begin' || r._tag === 'Right' || !r.left.reason.startsWith('waits: ')) return r;
      const n = s.notifiers.get(op.notifier)!;
      const mms = new Map([...s.mms].map(([id, m]) => [id, id === n.mm ? { ...m, invalidateSeq: m.invalidateSeq + 2 } : m]));
      const again = orig({ ...s, mms }, op);
      return again._tag === 'Left' ? again : { ...again, right: { state: { ...again.right.state, mms: s.mms }, events: again.right.events } };
    }),
  },
  {
    id: 'insert-not-deferred',
    breaks: 'mmu_interval_notifier_insert during an invalidation of the mm that no notifier overlapped gives the new notifier an ordinary seq',
    mimics: 'the race active_invalidate_ranges exists for',
    designs: MIRROR,
    survives:
      "A search-reliability gap, not an equivalent mutant: hmm-mirror's notifier-protocol search finds it on seeds 4, 5, 7 and 8 of 1 to 10 (runs 1376, 730, 245, 2397), but not at check's seed 2019. Before the mirror's device access sat out no swarm run (2026-12-08) the search found it at seed 2019 (run 3013) and on 1 of seeds 1 to 10 (seed 4); the change that closed three races of issue 17 moved it off this seed. The race needs an insert while an invalidation that no notifier overlapped runs, then a map path's read_begin and the device's access.",
    variant: onOps(['mmu_interval_notifier_insert'], (orig) => (s, op) => {
      if (op.kind !== 'mmu_interval_notifier_insert' || (s.mms.get(op.mm)?.invalidateSeq ?? 0) % 2 === 1) return orig(s, op);
      const r = orig({ ...s, invalidations: new Map() }, op);
      return r._tag === 'Right' ? { ...r, right: { ...r.right, state: { ...r.right.state, invalidations: s.invalidations } } } : r;
    }),
  },
  {
    id: 'range-end-leaves-seq-odd',
    breaks: "mmu_notifier_invalidate_range_end leaves the mm's invalidate_seq odd",
    mimics: 'a lost wake-up: every later read_begin of an invalidated notifier sleeps forever',
    designs: [...NOTIFIER, ...MIRROR],
    variant: onOps(['mmu_notifier_invalidate_range_end'], (orig) => (s, op) => {
      const r = orig(s, op);
      if (r._tag === 'Left') return r;
      const mms = new Map([...r.right.state.mms].map(([id, m]) => [id, { ...m, invalidateSeq: s.mms.get(id)?.invalidateSeq ?? m.invalidateSeq }]));
      return { ...r, right: { ...r.right, state: { ...r.right.state, mms } } };
    }),
  },
  // Driver actions and the locks a driver takes.
  { id: 'device-stop-does-nothing', breaks: "the device keeps its page table entries when the driver stops it", mimics: 'a device TLB not flushed (or a device that cannot stop, as non-ODP RDMA)', designs: [...NOTIFIER, ...MIRROR], variant: onOps(['device_stop_dma'], noop) },
  { id: 'device-write-protect-does-nothing', breaks: 'the device keeps write access when the driver write-protects it', mimics: 'a device page table update not flushed', designs: ['vma-p2p-map-notifier-readonly'], variant: onOps(['device_write_protect'], noop) },
  { id: 'p2p-unmap-keeps-mapping', breaks: "the exporter's p2p_unmap leaves the mapping live", mimics: 'an exporter that leaks its IOMMU or bus mapping', designs: NOTIFIER, variant: onOps(['p2p_unmap'], keeps('mappings')) },
  { id: 'driver-lock-no-exclusion', breaks: "the driver's update lock never excludes", mimics: 'a driver using two different locks in its map path and its callback', designs: [...NOTIFIER, ...MIRROR], variant: onOps(['driver_lock'], (orig) => (s, op) => (op.kind === 'driver_lock' && s.driverLocks.includes(op.dev) ? orig({ ...s, driverLocks: s.driverLocks.filter((d) => d !== op.dev) }, op) : orig(s, op))) },
  { id: 'mmap-read-lock-no-exclusion', breaks: 'mmap_read_lock does not hold off mmap_write_lock takers', mimics: 'a driver walking VMAs without mmap_lock', designs: [...NOTIFIER, ...MIRROR], variant: onOps(['mmap_read_lock', 'mmap_read_unlock'], noop) },
  {
    id: 'mmgrab-not-mmget',
    breaks: "exit tears the address space down while a driver holds a reference (the driver took mmgrab, which keeps only the mm_struct)",
    mimics: 'a driver using mmgrab where it needs mmget_not_zero',
    designs: NOTIFIER,
    variant: onOps(['exit_mmap'], (orig) => (s, op) => (op.kind === 'exit_mmap' ? orig({ ...s, mms: new Map([...s.mms].map(([id, m]) => [id, id === op.mm ? { ...m, users: 1 } : m])) }, op) : orig(s, op))),
  },
  // Era rules, each broken for the op that applies it.
  { id: 'fork-no-early-cow', breaks: 'fork shares maybe-pinned anon pages COW (before 70e806e4e645, 5.9)', mimics: 'the fork-after-pin data loss', designs: PIN, variant: onOps(['fork'], withEra({ forkEarlyCow: false })) },
  { id: 'pin-no-unshare', breaks: 'a read-only FOLL_PIN does not unshare a possibly shared anon page (before FAULT_FLAG_UNSHARE, 5.19)', mimics: 'CVE-2020-29374 for pins', designs: PIN, variant: onOps(['pin_user_pages'], withEra({ pinUnsharesReadOnly: false })) },
  { id: 'private-file-pin-no-unshare', breaks: "a read-only FOLL_LONGTERM pin of a MAP_PRIVATE file mapping pins the page-cache page instead of unsharing it (gup_must_unshare()'s non-anon branch before 84209e87c696, 6.2; the zero page left as it is)", mimics: 'the R/O long-term pin that a later write COWs away from the process', designs: PIN, variant: onOps(['pin_user_pages'], onPrivateFile(withEra({ longtermUnsharesCow: false }))) },
  { id: 'reclaim-strips-pinned-buffers', breaks: 'reclaim releases the buffers of a pinned file page (before d824ec2a1546, 6.4)', mimics: 'the ext4 set_page_dirty BUG', designs: PIN, variant: onOps(['reclaim', 'mmu_notifier_invalidate_range_end'], withEra({ reclaimKeepsPinnedPrivate: false })) },
  { id: 'longterm-file-pin-allowed', breaks: 'FOLL_LONGTERM|FOLL_WRITE pins of ordinary file pages are allowed (before 6.5)', mimics: 'long-term RDMA registration of a file mapping', designs: PIN, variant: onOps(['pin_user_pages'], withEra({ longtermFileGate: false })) , survives: 'Not reachable as a verdict today: the 6.5 gate guards what 6.4\'s reclaim rule already keeps correct in the model (a file page written under a long-term pin keeps its buffers and is dirtied at unpin). What the gate really prevents, a filesystem writing back, truncating or punching a hole in a page a device may write at any time, is not modelled (issue 20: truncate, stable pages).' },
  { id: 'gup-p2p-ungated', breaks: 'GUP returns P2PDMA pages without FOLL_PCI_P2PDMA (before 6.2)', mimics: 'P2PDMA pages reaching code that touches them with the CPU', designs: ['foll-pci-p2pdma'], variant: onOps(['get_user_pages', 'pin_user_pages'], withEra({ p2pGupGate: false }))  },
  { id: 'cow-reuse-by-mapcount', breaks: 'a write fault reuses an anon page mapped once even when a GUP reference is held (before 5.9)', mimics: 'the GUP-after-fork COW bug and CVE-2020-29374 (vmsplice)', designs: [...PIN, 'vmsplice'], variant: onOps(['write_fault', 'store'], withEra({ cowReuseOnlyUnreferenced: false })) },
  { id: 'dma-map-sg-p2pdma-as-ram', breaks: 'dma_map_sg maps a P2PDMA page with its CPU physical address (before 6.0)', mimics: 'P2PDMA pages in a table mapped by a DMA API without P2P support', designs: ['foll-pci-p2pdma'], variant: onOps(['dma_map_sg'], withEra({ dmaMapSgP2pdma: false }))  },
  {
    id: 'swiotlb-bounces-p2pdma',
    breaks: 'dma_map_sg on a device that must bounce copies a P2PDMA page reached through the host bridge into the bounce slot (dma_direct_map_page without its is_pci_p2pdma_page check)',
    mimics: 'a 2025 revision of the dma_map_phys conversion, which dropped that check (the review asked that MMIO fail where swiotlb is needed)',
    designs: ['foll-pci-p2pdma-bounce'],
    variant: onOps(['dma_map_sg'], bouncesP2pdma),
  },
  { id: 'longterm-pins-zero-page', breaks: 'a read-only FOLL_LONGTERM pin of never-written memory pins the zero page (before 84209e87c696, 6.2)', mimics: 'a long-term pin the first store moves the process off', designs: PIN, variant: onOps(['pin_user_pages'], withEra({ longtermUnsharesCow: false })) },
  // GUP and memory management.
  { id: 'dma-unmap-leaves-iotlb-entry', breaks: 'dma_unmap_sg returns with the device still able to reach the pages (the IOTLB entry stays)', mimics: 'a missing IOTLB flush on unmap', designs: PIN, variant: onOps(['dma_unmap_sg'], keeps('mappings')) },
  {
    id: 'pin-as-get',
    breaks: 'pin_user_pages takes a FOLL_GET reference, not a FOLL_PIN pin (page_maybe_dma_pinned cannot see it)',
    mimics: 'GUP before FOLL_PIN tracking (5.7): fork and reclaim cannot tell a DMA page',
    designs: PIN,
    // get_user_pages in its place, with the same range and FOLL_WRITE.
    variant: onOps(['pin_user_pages'], (orig) => (s, op) =>
      op.kind === 'pin_user_pages' ? ownHandler('get_user_pages')(s, { kind: 'get_user_pages', mm: op.mm, start: op.start, npages: op.npages, write: op.write }) : orig(s, op),
    ),
  },
  {
    id: 'put-page-unpins',
    breaks: 'put_page of FOLL_PIN pages drops the pin as unpin_user_pages would',
    mimics: 'a model (or a kernel) blind to how a page reference was taken: a driver that releases pins with put_page looks correct',
    designs: ['dma-api-misuse'],
    without: ['bug:unpin_twice'],
    variant: onOps(['put_page'], (orig) => (s, op) =>
      op.kind === 'put_page' && s.pageArrays.get(op.pages)?.kind === 'pin' ? ownHandler('unpin_user_pages')(s, { kind: 'unpin_user_pages', pages: op.pages }) : orig(s, op),
    ),
  },
  {
    id: 'unpin-user-page-ignored',
    breaks: 'unpin_user_page of a page pointer does nothing (the count keeps the pin its caller gave back a second time)',
    mimics: 'a model (or a review) that trusts a driver to release each pin once: two completion paths that both unpin look correct',
    designs: ['dma-api-misuse'],
    without: ['bug:put_page_on_pin'],
    variant: onOps(['unpin_user_page'], noop),
  },
  {
    id: 'p2pdma-ignores-virt-dma',
    breaks: 'pci_p2pmem_find and pci_p2pdma_map_sg treat a dma_virt_ops client as any other (pci_p2pdma_distance_many and the WARN_ON_ONCE in pci_p2pdma_map_sg left out)',
    mimics: 'the 5.10 removal of the dma_virt_ops checks from drivers/pci/p2pdma.c, had rdma_rw_map_sg not taken over the check (ib_uses_virt_dma)',
    designs: ['p2pdma-soft-rdma'],
    variant: onOps(['pci_p2pmem_find', 'pci_p2pdma_map_sg'], (orig) => (s, op) => {
      const r = orig({ ...s, devices: s.devices.map((d) => ({ ...d, virtDma: false })) }, op);
      return r._tag === 'Right' ? { ...r, right: { ...r.right, state: { ...r.right.state, devices: s.devices } } } : r;
    }),
  },
  { id: 'unpin-dirty-ignores-make-dirty', breaks: 'unpin_user_pages_dirty_lock does not dirty the pages', mimics: 'a driver passing make_dirty=false after the device wrote', designs: PIN, variant: onOps(['unpin_user_pages_dirty_lock'], (orig) => (s, op) => (op.kind === 'unpin_user_pages_dirty_lock' ? orig(s, { ...op, make_dirty: false }) : orig(s, op))) },
  { id: 'mprotect-keeps-ptes-writable', breaks: 'mprotect(PROT_READ) clears VM_WRITE but leaves the PTEs writable', mimics: 'a change_protection that misses PTEs', designs: MIRROR, variant: onOps(['mprotect', 'mmu_notifier_invalidate_range_end'], ptesKept('mprotect', 'write')) },
  { id: 'page-mkclean-leaves-pte-writable', breaks: "writeback's page_mkclean cleans the page but leaves its PTEs writable", mimics: 'a missed write-protect in folio_mkclean: later stores dirty nothing', designs: MIRROR, variant: onOps(['writeback', 'mmu_notifier_invalidate_range_end'], ptesKept('page_mkclean', 'write')) },
  {
    id: 'p2p-map-ignores-removal',
    breaks: "the exporter's p2p_map hands out addresses while its provider is being removed",
    mimics: 'a missing -ENODEV check between a removal starting and the windows being zapped',
    designs: NOTIFIER,
    variant: onOps(['p2p_map'], (orig) => (s, op) => {
      const r = orig(s, op);
      if (r._tag === 'Right' || !r.left.reason.startsWith('-ENODEV')) return r;
      const again = orig({ ...s, bars: s.bars.map((b) => ({ ...b, removing: false })) }, op);
      return again._tag === 'Left' ? again : { ...again, right: { ...again.right, state: { ...again.right.state, bars: s.bars } } };
    }),
  },
  {
    id: 'memunmap-pages-no-wait',
    breaks: 'memunmap_pages completes while P2PDMA pages are still referenced',
    mimics: 'a provider removal that does not wait for its pgmap references',
    designs: ['p2pdma-page-sgl'],
    variant: onOps(['memunmap_pages'], noWait((s) => ({ ...s, frames: s.frames.map((f) => (f.bar === null ? f : { ...f, free: true })) }), (after, before) => ({ ...after, frames: before.frames }))),
  },
  // hmm_range_fault.
  { id: 'hmm-pfn-write-for-readonly-pte', breaks: 'hmm_range_fault reports HMM_PFN_WRITE for a read-only PTE', mimics: 'pte_to_hmm_pfn_flags reading the wrong bit: a mirror writing a COW-shared or clean page', designs: MIRROR, variant: onOps(['hmm_range_fault'], returns((e) => (e.kind === 'hmm-faulted' ? { ...e, pfns: e.pfns.map((p) => ({ ...p, write: true })) } : e))) },
  { id: 'hmm-range-fault-no-retry-check', breaks: 'hmm_range_fault does not return -EBUSY when its notifier seq moved since read_begin', mimics: 'a walk that trusts a stale notifier_seq', designs: MIRROR, variant: onOps(['hmm_range_fault'], (orig) => (s, op) => (op.kind === 'hmm_range_fault' ? orig(s, { ...op, seq: s.notifiers.get(op.notifier)?.seq ?? op.seq }) : orig(s, op))), survives: "Equivalent while the driver checks read_retry under its lock: the retry check catches whatever hmm_range_fault's own check would have." },
  // Driver code: one line of a recipe left out.
  { id: 'stop-unmap-without-set-seq', breaks: "the importer's callback leaves out mmu_interval_set_seq", mimics: 'a callback that tears down but never tells the map path', designs: NOTIFIER, variant: skipLine('stop-unmap', 1) },
  { id: 'mirror-invalidate-without-set-seq', breaks: "the mirror's callback leaves out mmu_interval_set_seq", mimics: 'a callback that zaps but never tells the map path', designs: MIRROR, variant: skipLine('mirror-invalidate', 1) },
  { id: 'mirror-invalidate-without-zap', breaks: "the mirror's callback leaves out zapping the device page table", mimics: 'a device TLB never invalidated', designs: MIRROR, variant: skipLine('mirror-invalidate', 2) },
  {
    id: 'mirror-callback-unlocked',
    breaks: "the mirror's callback zaps without taking the driver lock",
    mimics: 'a callback and a map path serialised by different locks (or none): the zap can fall between read_retry and the programming',
    designs: MIRROR,
    variant: { ops: {}, recipes: { 'mirror-invalidate': (r: Recipe): Recipe => ({ ...r, actions: r.actions.map((a, i) => (i === 0 || i === 3 ? () => goto(i + 1) : a)) }) } },
  },
  {
    id: 'mirror-programs-all-writable',
    breaks: 'the driver writes every pfn hmm_range_fault returned into its device page table as writable, ignoring HMM_PFN_WRITE',
    mimics: 'a driver that maps the whole range read-write on a read fault',
    designs: MIRROR,
    variant: onOps(['device_program_pfns'], (orig) => (s, op) => {
      const t = op.by === undefined ? undefined : s.threads.get(op.by);
      if (t === undefined || t.pfns === null) return orig(s, op);
      return orig({ ...s, threads: new Map(s.threads).set(t.id, { ...t, pfns: t.pfns.map((p) => ({ ...p, write: true })) }) }, op);
    }),
  },
  // dma-buf: the exporter's revoke and the core's move_notify.
  { id: 'move-notify-calls-nobody', breaks: "dma_buf_move_notify returns without calling any importer's move_notify", mimics: 'an exporter that moves or revokes its memory without invalidating its importers', designs: DMABUF, variant: onOps(['dma_buf_move_notify'], noop) },
  {
    id: 'map-ignores-revoked',
    breaks: "VFIO's map_dma_buf maps a dma-buf it has revoked",
    mimics: "an exporter whose map callback forgets its revoked check (priv->revoked)",
    designs: DMABUF,
    variant: onOps(['dma_buf_map_attachment'], (orig) => (s, op) => {
      const r = orig({ ...s, dmaBufs: new Map([...s.dmaBufs].map(([id, b]) => [id, { ...b, revoked: false }])) }, op);
      return E.map((st: Step) => ({ ...st, state: { ...st.state, dmaBufs: s.dmaBufs } }))(r);
    }),
  },
  {
    id: 'resv-wait-returns-at-once',
    breaks: 'dma_resv_wait_timeout returns with fences unsignalled',
    mimics: 'a wait on the wrong usage class (DMA_RESV_USAGE_KERNEL where the importers fence with BOOKKEEP, the point König made on the VFIO patch) or a timeout taken as success',
    designs: FENCED,
    variant: onOps(['dma_resv_wait_timeout'], noWait((s) => ({ ...s, jobs: new Map([...s.jobs].filter(([, j]) => !j.fenced)) }), (after, before) => ({ ...after, jobs: before.jobs }))),
  },
  { id: 'vfio-allows-pin', breaks: "VFIO's dma-buf accepts dma_buf_pin (before 61ceaf236115, 6.19)", mimics: 'an exporter whose memory can be revoked letting an importer pin it', designs: ['dmabuf-pinned-refused'], variant: onOps(['dma_buf_pin'], withEra({ vfioDmabufRefusesPin: false })) },
  // Today a pinned page is safe from swap three times over: kept out of the swap cache (5.11), try_to_unmap_one refusing it (5.19),
  // and, were it swapped, PageAnonExclusive kept in the swap entry and honoured at the next write fault (5.19). The model's
  // stand-in for PageAnonExclusive on a present page is a pinned page mapped once under pinUnsharesReadOnly, so all three go.
  { id: 'reclaim-swaps-pinned-anon', breaks: 'reclaim puts a maybe-pinned anonymous page in the swap cache and unmaps it, and nothing remembers it was exclusive (before feb889fb40fa, 5.11, and PG_anon_exclusive, 5.19)', mimics: 'swap breaking the connection to a pinned page', designs: ['pin-swap'], variant: onOps(['reclaim', 'mmu_notifier_invalidate_range_end', 'load', 'store', 'write_fault', 'pin_user_pages'], withEra({ reclaimSkipsPinnedAnon: false, unmapKeepsPinnedAnon: false, pinUnsharesReadOnly: false })) },
  // As for swap: today a write fault reuses a PageAnonExclusive page, so write-protecting a pinned one only costs a fault; that goes too.
  { id: 'clear-refs-wrprotects-pinned', breaks: 'soft-dirty clearing write-protects a pinned page, and nothing remembers it was exclusive (before 9348b73c2e1b, 5.11, and PG_anon_exclusive, 5.19)', mimics: 'CRIU pre-dump breaking an RDMA registration', designs: ['pin-soft-dirty'], variant: onOps(['clear_refs', 'store', 'write_fault', 'pin_user_pages'], withEra({ clearRefsSkipsPinned: false, pinUnsharesReadOnly: false })) },
  { id: 'gup-fast-ignores-write-protect-seq', breaks: 'pin_user_pages_fast walks the page tables while fork holds write_protect_seq odd (before 57efa1fe5957, 5.11)', mimics: "GUP-fast pinning a page between fork's pinned check and its write-protect", designs: ['pin-fork-gup-fast'], variant: onOps(['pin_user_pages_fast'], withEra({ gupFastChecksWriteProtectSeq: false })) },
  { id: 'mr-zap-does-nothing', breaks: "the RDMA driver's zap (mlx5r_umr_update_mr_pas with MLX5_IB_UPD_XLT_ZAP) leaves the NIC's translation", mimics: 'a device translation cache not invalidated before the table is unmapped', designs: DMABUF, variant: onOps(['mlx5r_umr_update_mr_pas'], (orig) => (s, op) => (op.kind === 'mlx5r_umr_update_mr_pas' && op.zap ? E.right({ state: s, events: [] }) : orig(s, op))) },
  // The two-step IOVA API and the block layer's use of it: each hold of blk-dma-iova's iova-state rests on one of these.
  { id: 'iova-sync-syncs-nothing', breaks: 'dma_iova_sync returns 0 without making the linked pages visible to the device', mimics: "an IOMMU driver's iotlb_sync_map that does not flush (the device's IOTLB misses the new translations)", designs: IOVA, variant: onOps(['dma_iova_sync'], keeps('iovas')) },
  { id: 'iova-destroy-frees-only', breaks: 'dma_iova_destroy frees the range without unlinking mapped_len', mimics: 'a destroy that calls dma_iova_free alone (translations left in the IOMMU for pages the I/O gives back)', designs: IOVA, variant: onOps(['dma_iova_destroy'], (orig) => (s, op) => (op.kind === 'dma_iova_destroy' ? orig(s, { ...op, mapped: 0 }) : orig(s, op))) },
  { id: 'dmabuf-unmap-keeps-iova', breaks: "dma_buf_unmap_attachment's dma_buf_free_sgt frees the table but not its IOVA range", mimics: 'an exporter unmap that forgets dma_iova_destroy (the range and its MMIO translations outlive the table)', designs: ['vfio-dmabuf-phys-fixed'], variant: onOps(['dma_buf_unmap_attachment'], keeps('iovas')) },
  { id: 'blk-out-unlink-skipped', breaks: "blk_rq_dma_map_iova's out_unlink leaves out dma_iova_destroy", mimics: 'the error path 81e7223b1a2d added, forgotten again (the sync failure of 858299dc6160)', designs: IOVA, variant: skipLine('blk-rq-dma-map-iova', 4) },
  { id: 'hmm-map-locked-without-retry', breaks: "the importer's map path leaves out mmu_interval_read_retry", mimics: 'the missing retry of vma-p2p-map-notifier-noretry, in the locked map path', designs: ['vma-p2p-map-notifier'], variant: skipLine('hmm-map-locked', 9) },
];
