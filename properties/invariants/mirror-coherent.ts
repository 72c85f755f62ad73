import * as O from 'fp-ts/lib/Option.js';
import type { Event } from '../../model/event.ts';
import { findVma, present } from '../../model/page.ts';
import type { State } from '../../model/state.ts';
import type { Invariant } from '../invariant.ts';

/**
 * mirror-coherent: a device that mirrors a process's page table (HMM,
 * ODP) sees the process's memory as the process does. A device access
 * through its mirror at a virtual page reaches the frame the CPU page
 * table maps there now, and a device write lands only where the VMA has
 * VM_WRITE and the CPU PTE is writable.
 *
 * The kernel changes a PTE only after every notifier of the range has
 * returned from invalidate_range_start, so a mirror that zapped its entry
 * there and re-faulted afterwards always agrees with the CPU. It breaks
 * when a callback ignores an event (reclaim, migration and a COW break
 * move the page under MMU_NOTIFY_CLEAR; fork's COW and page_mkclean
 * write-protect under MMU_NOTIFY_PROTECTION_PAGE; mprotect under
 * MMU_NOTIFY_PROTECTION_VMA), when a map path programs pfns an
 * invalidation overtook, or when a kernel path changes PTEs without
 * calling the notifiers at all. The consequences are the kernel's:
 * a device write the process never sees (a COW copy or a migrated page),
 * a write into memory shared copy-on-write with a child, a write into a
 * page writeback has cleaned, a write through a read-only mapping, an
 * access to a page reclaim freed.
 *
 * @see Documentation/mm/hmm.rst ("the device driver must ... update its
 *   page table under the same lock the invalidate callback takes")
 * @see include/linux/mmu_notifier.h (invalidate_range_start: after it
 *   returns the secondary MMU must not reach the range until the
 *   invalidation ends; mmu_notifier_range_update_to_read_only)
 */
type DeviceAccess = Extract<Event, { kind: 'device-access' }>;

/** What the CPU maps at the page a mirror access used (and whether its VMA has VM_WRITE), or null when nothing is mapped there. */
const cpuPte = (s: State, e: DeviceAccess): { readonly pfn: number; readonly writable: boolean; readonly vmWrite: boolean } | null => {
  if (e.va === undefined) return null;
  const v = findVma(s, e.va.mm, e.va.addr);
  // A swap entry maps nothing the device may reach: reclaim's MMU_NOTIFY_CLEAR came first.
  const pte = v === undefined ? null : present(v.ptes[e.va.addr - v.start]);
  return v === undefined || pte === null ? null : { ...pte, vmWrite: v.writable };
};

/** Is an invalidation of page `addr` of `mm` in progress (its PTE about to change)? */
const changing = (s: State, mm: number, addr: number): boolean =>
  [...s.invalidations.values()].some((i) => i.ranges.some((r) => r.mm === mm && r.start <= addr && addr < r.end));

export const mirrorCoherent: Invariant = {
  id: 'mirror-coherent',
  rule: 'A device access through a mirror of a process page table reaches the frame the CPU maps at that virtual page now, and writes only where the VMA allows writing and the CPU PTE is writable.',
  source: 'Documentation/mm/hmm.rst; include/linux/mmu_notifier.h',
  check: (before, _op, step) => {
    for (const e of step.events) {
      if (e.kind !== 'device-access' || e.va === undefined) continue;
      const pte = cpuPte(before, e);
      const at = `page ${e.va.addr} of mm ${e.va.mm}`;
      const verb = e.write ? 'wrote' : 'read';
      if (pte === null)
        return O.some(`device ${e.device} ${verb} pfn ${e.pfn} through its mirror of ${at}, but the CPU page table maps nothing there now: the page was unmapped or reclaimed without the device's entry going`);
      if (pte.pfn !== e.pfn)
        return O.some(`device ${e.device} ${verb} pfn ${e.pfn} through its mirror of ${at}, but the CPU page table maps pfn ${pte.pfn} there now: the device and the process see different memory`);
      // mprotect clears VM_WRITE before it write-protects the PTEs (after its callbacks): until
      // then a write through the old PTE is the process's own race with mprotect, as a CPU store is.
      if (e.write && !pte.vmWrite && !changing(before, e.va.mm, e.va.addr))
        return O.some(`device ${e.device} wrote pfn ${e.pfn} through its mirror of ${at}, but the VMA there has no VM_WRITE (mprotect): the device writes where the process may not`);
      if (e.write && !pte.writable)
        return O.some(`device ${e.device} wrote pfn ${e.pfn} through a writable mirror entry for ${at}, but the CPU PTE there is read-only (write-protected for COW, writeback or mprotect): the write bypasses the write-protect`);
    }
    return O.none;
  },
  /**
   * The collision the notifier exists for: an invalidation starts over a
   * page the device's mirror maps.
   */
  exercised: (before, _op, step) =>
    step.events.some((e) => {
      if (e.kind !== 'invalidate-range-start') return false;
      const inv = step.state.invalidations.get(e.inv);
      return (
        inv !== undefined &&
        [...before.deviceRanges.values()].some((r) => r.mapping === null && inv.ranges.some((g) => g.mm === r.mm && g.start < r.end && r.start < g.end))
      );
    }),
};
