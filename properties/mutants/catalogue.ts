/**
 * The verdict-mutation catalogue: semantic breaks of the model, as data.
 * Each names one kernel op, driver action, recipe step or era rule it
 * breaks, and most mimic a real kernel or driver bug. `npm run
 * mutate:verdicts` runs `check` under each and reports whether any
 * verdict of any design flips; a catalogue entry expected to survive says
 * why (an equivalent mutant, or what the model cannot yet see).
 */
import type { OpKind } from '../../model/op.ts';
import { goto, type Recipe } from '../../model/recipe.ts';
import type { Variant } from '../../model/variant.ts';
import {
  type Break,
  firstNotifierOnly,
  firstPageOnly,
  framesKeep,
  keeps,
  noNotifiers,
  noop,
  noWait,
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
  { id: 'set-seq-ghost-unmarked', breaks: 'mmu_interval_set_seq marks no read section as overtaken (the ghost only; the seq still moves)', mimics: 'an invariant blind to rule 1', designs: ['vma-p2p-map-notifier-noretry', 'hmm-mirror-noretry'], variant: onOps(['mmu_interval_set_seq'], keeps('threads')) },
  { id: 'read-retry-says-no', breaks: 'mmu_interval_read_retry always returns false', mimics: 'a driver comparing the wrong seq', designs: [...NOTIFIER, ...MIRROR], variant: onOps(['mmu_interval_read_retry'], returns((e) => (e.kind === 'read-retry' ? { ...e, retry: false } : e))) },
  {
    id: 'read-begin-no-wait',
    breaks: 'mmu_interval_read_begin does not wait for an invalidation of its notifier in progress',
    mimics: 'a read section begun between the callback and the PTE change',
    designs: MIRROR,
    variant: onOps(['mmu_interval_read_begin'], noWait((s, op) => (op.kind === 'mmu_interval_read_begin' ? { ...s, notifiers: new Map([...s.notifiers].map(([id, n]) => [id, id === op.notifier ? { ...n, seq: n.seq - 1 } : n])) } : s), (after, before) => ({ ...after, notifiers: before.notifiers }))),
  },
  {
    id: 'insert-not-deferred',
    breaks: 'mmu_interval_notifier_insert during an invalidation of the mm that no notifier overlapped gives the new notifier an ordinary seq',
    mimics: 'the race active_invalidate_ranges exists for',
    designs: MIRROR,
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
    survives: 'A map path that sleeps forever violates no safety invariant; map-path liveness is not checked yet (issue 16).',
  },
  // Driver actions and the locks a driver takes.
  { id: 'device-stop-does-nothing', breaks: "the device keeps its page table entries when the driver stops it", mimics: 'a device TLB not flushed (or a device that cannot stop, as non-ODP RDMA)', designs: [...NOTIFIER, ...MIRROR], variant: onOps(['device_stop_dma'], noop) },
  { id: 'device-write-protect-does-nothing', breaks: 'the device keeps write access when the driver write-protects it', mimics: 'a device page table update not flushed', designs: ['vma-p2p-map-notifier-readonly'], variant: onOps(['device_write_protect'], noop) },
  { id: 'p2p-unmap-keeps-mapping', breaks: "the exporter's p2p_unmap leaves the mapping live", mimics: 'an exporter that leaks its IOMMU or bus mapping', designs: NOTIFIER, variant: onOps(['p2p_unmap'], keeps('mappings')) },
  { id: 'driver-lock-no-exclusion', breaks: "the driver's update lock never excludes", mimics: 'a driver using two different locks in its map path and its callback', designs: [...NOTIFIER, ...MIRROR], variant: onOps(['driver_lock'], (orig) => (s, op) => (op.kind === 'driver_lock' && s.driverLocks.includes(op.dev) ? orig({ ...s, driverLocks: s.driverLocks.filter((d) => d !== op.dev) }, op) : orig(s, op))) },
  { id: 'mmap-read-lock-no-exclusion', breaks: 'mmap_read_lock does not hold off mmap_write_lock takers', mimics: 'a driver walking VMAs without mmap_lock', designs: NOTIFIER, variant: onOps(['mmap_read_lock', 'mmap_read_unlock'], noop) },
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
  { id: 'reclaim-strips-pinned-buffers', breaks: 'reclaim releases the buffers of a pinned file page (before d824ec2a1546, 6.4)', mimics: 'the ext4 set_page_dirty BUG', designs: PIN, variant: onOps(['reclaim', 'mmu_notifier_invalidate_range_end'], withEra({ reclaimKeepsPinnedPrivate: false })) },
  { id: 'longterm-file-pin-allowed', breaks: 'FOLL_LONGTERM|FOLL_WRITE pins of ordinary file pages are allowed (before 6.5)', mimics: 'long-term RDMA registration of a file mapping', designs: PIN, variant: onOps(['pin_user_pages'], withEra({ longtermFileGate: false })) },
  { id: 'gup-p2p-ungated', breaks: 'GUP returns P2PDMA pages without FOLL_PCI_P2PDMA (before 6.2)', mimics: 'P2PDMA pages reaching code that touches them with the CPU', designs: PIN, variant: onOps(['get_user_pages', 'pin_user_pages'], withEra({ p2pGupGate: false })) },
  { id: 'cow-reuse-by-mapcount', breaks: 'a write fault reuses an anon page mapped once even when a GUP reference is held (before 5.9)', mimics: 'the GUP-after-fork COW bug', designs: PIN, variant: onOps(['write_fault', 'store'], withEra({ cowReuseOnlyUnreferenced: false })) },
  { id: 'dma-map-sg-p2pdma-as-ram', breaks: 'dma_map_sg maps a P2PDMA page with its CPU physical address (before 6.0)', mimics: 'P2PDMA pages in a table mapped by a DMA API without P2P support', designs: ['p2pdma-page-sgl'], variant: onOps(['dma_map_sg'], withEra({ dmaMapSgP2pdma: false })) },
  { id: 'longterm-pins-zero-page', breaks: 'a read-only FOLL_LONGTERM pin of never-written memory pins the zero page (before 84209e87c696, 6.2)', mimics: 'a long-term pin the first store moves the process off', designs: PIN, variant: onOps(['pin_user_pages'], withEra({ longtermUnsharesCow: false })) },
  { id: 'pin-counts-zero-page', breaks: 'pin_user_pages pins the shared zero page (before c8070b787519, 6.5)', mimics: 'zero-page pin counts overflowing', designs: PIN, variant: onOps(['pin_user_pages', 'unpin_user_pages', 'unpin_user_pages_dirty_lock'], withEra({ pinSkipsZeroPage: false })), survives: 'Equivalent for every invariant modelled: a pin count on the zero page changes no page the device or CPU reaches; the overflow it caused needs more pins than a world holds.' },
  // GUP and memory management.
  { id: 'gup-takes-no-reference', breaks: 'get_user_pages returns pages without taking a reference', mimics: 'a page freed under DMA', designs: ['gup-set-page-dirty'], variant: onOps(['get_user_pages'], framesKeep(['refcount'], (before, after) => [...after.pageArrays.values()].filter((a) => !before.pageArrays.has(a.id)).flatMap((a) => a.pfns))) },
  { id: 'pin-not-counted', breaks: 'pin_user_pages takes a plain reference, not a FOLL_PIN pin (page_maybe_dma_pinned cannot see it)', mimics: 'GUP before FOLL_PIN tracking (5.7)', designs: PIN, variant: onOps(['pin_user_pages'], framesKeep(['pincount'], (before, after) => [...after.pageArrays.values()].filter((a) => !before.pageArrays.has(a.id)).flatMap((a) => a.pfns))) },
  { id: 'unpin-dirty-ignores-make-dirty', breaks: 'unpin_user_pages_dirty_lock does not dirty the pages', mimics: 'a driver passing make_dirty=false after the device wrote', designs: PIN, variant: onOps(['unpin_user_pages_dirty_lock'], (orig) => (s, op) => (op.kind === 'unpin_user_pages_dirty_lock' ? orig(s, { ...op, make_dirty: false }) : orig(s, op))) },
  { id: 'mprotect-keeps-ptes-writable', breaks: "mprotect(PROT_READ) clears VM_WRITE but leaves the PTEs writable", mimics: 'a change_protection that misses PTEs', designs: MIRROR, variant: onOps(['mmu_notifier_invalidate_range_end', 'mprotect'], (orig) => (s, op) => {
    const r = orig(s, op);
    if (r._tag === 'Left') return r;
    const vmas = new Map([...r.right.state.vmas].map(([id, v]) => [id, { ...v, ptes: v.ptes.map((p, i) => (p === null ? null : { ...p, writable: p.writable || (s.vmas.get(id)?.ptes[i]?.writable ?? false) })) }]));
    return { ...r, right: { ...r.right, state: { ...r.right.state, vmas } } };
  }) },
  {
    id: 'memunmap-pages-no-wait',
    breaks: 'memunmap_pages completes while P2PDMA pages are still referenced',
    mimics: 'a provider removal that does not wait for its pgmap references',
    designs: ['p2pdma-page-sgl'],
    variant: onOps(['memunmap_pages'], noWait((s) => ({ ...s, frames: s.frames.map((f) => (f.bar === null ? f : { ...f, free: true })) }), (after, before) => ({ ...after, frames: before.frames }))),
  },
  // hmm_range_fault.
  { id: 'hmm-range-fault-ignores-vm-write', breaks: 'hmm_range_fault write-faults a VMA without VM_WRITE instead of -EPERM', mimics: 'a mirror given write access mprotect took away', designs: MIRROR, variant: onOps(['hmm_range_fault'], (orig) => (s, op) => (op.kind === 'hmm_range_fault' ? orig({ ...s, vmas: new Map([...s.vmas].map(([id, v]) => [id, { ...v, writable: true }])) }, op) : orig(s, op))), survives: 'hmm_range_fault faults through write_fault, which refuses a VMA without VM_WRITE (SIGSEGV, -EFAULT to the driver): the second check stands in for the first.' },
  { id: 'hmm-range-fault-no-retry-check', breaks: 'hmm_range_fault does not return -EBUSY when its notifier seq moved since read_begin', mimics: 'a walk that trusts a stale notifier_seq', designs: MIRROR, variant: onOps(['hmm_range_fault'], (orig) => (s, op) => (op.kind === 'hmm_range_fault' ? orig(s, { ...op, seq: s.notifiers.get(op.notifier)?.seq ?? op.seq }) : orig(s, op))), survives: "Equivalent while the driver checks read_retry under its lock: the retry check catches whatever hmm_range_fault's own check would have." },
  // Driver code: one line of a recipe left out.
  { id: 'stop-unmap-without-set-seq', breaks: "the importer's callback leaves out mmu_interval_set_seq", mimics: 'a callback that tears down but never tells the map path', designs: NOTIFIER, variant: skipLine('stop-unmap', 1) },
  { id: 'mirror-invalidate-without-set-seq', breaks: "the mirror's callback leaves out mmu_interval_set_seq", mimics: 'a callback that zaps but never tells the map path', designs: MIRROR, variant: skipLine('mirror-invalidate', 1) },
  { id: 'mirror-invalidate-without-zap', breaks: "the mirror's callback leaves out zapping the device page table", mimics: 'a device TLB never invalidated', designs: MIRROR, variant: skipLine('mirror-invalidate', 2) },
  { id: 'hmm-map-locked-without-retry', breaks: "the importer's map path leaves out mmu_interval_read_retry", mimics: 'the missing retry of vma-p2p-map-notifier-noretry, in the locked map path', designs: ['vma-p2p-map-notifier'], variant: skipLine('hmm-map-locked', 9) },
];
