import * as O from 'fp-ts/lib/Option.js';
import type { Invariant } from '../invariant.ts';

/**
 * notifier-protocol: an importer keeps its device inside what its mmu
 * interval notifier allows.
 *
 * 1. A map path's critical section collided when an invalidation of its
 *    notifier set a new seq (`mmu_interval_set_seq`) after its
 *    `mmu_interval_read_begin`, whenever that callback returns: then no
 *    device page table entry may be installed from what it mapped, and
 *    only a `mmu_interval_read_retry` that says retry tells the driver so.
 *    (Judged at `device_program`, from the ghost `stale` mark the kernel
 *    ops keep: read_begin clears it for its caller, set_seq sets it for
 *    every read section of the notifier begun before; no driver variable
 *    is read. `device_program` for p2p_map addresses, `device_program_pfns`
 *    for an HMM mirror's pfns.)
 * 2. When the last invalidate callback of an invalidation has returned
 *    (true), no device whose driver holds a notifier over the range can
 *    reach it: `mmu_notifier_invalidate_range_start` then returns to its
 *    caller, which zaps and frees the pages as if no secondary MMU used
 *    them. Judged when the last callback returns, not at each one: an
 *    importer with two notifiers over one range keeps each mapping under
 *    one of them, and the later callback may still stop what the earlier
 *    one did not own. After a protection event (MMU_NOTIFY_PROTECTION_VMA
 *    or _PAGE) the device may keep read-only access to the range:
 *    `mmu_notifier_range_update_to_read_only()` exists for that.
 *
 * @see Documentation/mm/hmm.rst (the read_begin / read_retry pattern
 *   under the driver's update lock)
 * @see include/linux/mmu_notifier.h, mmu_interval_read_retry() and
 *   mmu_interval_set_seq()
 */
export const notifierProtocol: Invariant = {
  id: 'notifier-protocol',
  rule: 'A device is programmed only with addresses no invalidation has overtaken (set a new seq since the read began), and once the last invalidate callback of an invalidation returned, no device of a notifier over the range can reach it.',
  source: 'Documentation/mm/hmm.rst; include/linux/mmu_notifier.h (mmu_interval_read_retry, mmu_interval_set_seq)',
  check: (before, op, step) => {
    if (op.kind === 'device_program_pfns') {
      const t = op.by === undefined ? undefined : before.threads.get(op.by);
      if (t?.stale === true)
        return O.some(
          `device ${op.dev} was programmed with the pfns hmm_range_fault returned after an invalidation of notifier ${t.notifier} set a new seq since the map path's mmu_interval_read_begin; ${t.retry === null ? 'the map path never called mmu_interval_read_retry' : 'mmu_interval_read_retry did not see it'} (seq ${t.seq ?? '?'} from mmu_interval_read_begin)`,
        );
    }
    if (op.kind === 'device_program') {
      const t = [...before.threads.values()].find((x) => x.device === op.dev && x.mapping === op.mapping && x.inv === null);
      if (t?.stale === true)
        return O.some(
          `device ${op.dev} was programmed with mapping ${op.mapping}'s addresses after an invalidation of notifier ${t.notifier} set a new seq since the map path's mmu_interval_read_begin; ${t.retry === null ? 'the map path never called mmu_interval_read_retry' : 'mmu_interval_read_retry did not see it'} (seq ${t.seq ?? '?'} from mmu_interval_read_begin)`,
        );
    }
    for (const e of step.events) {
      // Stryker disable next-line ConditionalExpression: only callback-returned events carry ret; any other event has it undefined, so !e.ret already skips it
      if (e.kind !== 'callback-returned' || !e.ret) continue;
      const inv = step.state.invalidations.get(e.inv);
      // Another callback of the invalidation runs now or is queued: range_start has not returned yet.
      if (inv === undefined || inv.running !== null || inv.queue.length > 0) continue;
      for (const n of step.state.notifiers.values())
        for (const g of inv.ranges) {
          if (n.mm !== g.mm || !(n.start < g.end && g.start < n.end)) continue;
          const [lo, hi] = [Math.max(n.start, g.start), Math.min(n.end, g.end)];
          // After a protection change the device may keep read access (mmu_notifier_range_update_to_read_only).
          const readOnlyOk = inv.event === 'MMU_NOTIFY_PROTECTION_VMA' || inv.event === 'MMU_NOTIFY_PROTECTION_PAGE';
          const r = [...step.state.deviceRanges.values()].find(
            (x) => x.device === n.owner && x.mm === g.mm && x.start < hi && lo < x.end && !(readOnlyOk && x.dir === 'to-device'),
          );
          if (r !== undefined)
            return O.some(
              `every invalidate callback of invalidation ${e.inv} has returned (the last: notifier ${e.notifier}'s, true) while device ${n.owner} can still reach pages ${Math.max(lo, r.start)}-${Math.min(hi, r.end) - 1} of mm ${g.mm} through mapping ${r.mapping}: invalidate_range_start returns as if it could not`,
            );
        }
    }
    return O.none;
  },
  /**
   * The dangerous case itself: an invalidation of a notifier sets a new seq
   * while a map path of that notifier holds p2p_map addresses or
   * hmm_range_fault pfns from a read section not yet overtaken. The
   * collision the sequence count exists for.
   */
  exercised: (before, op) =>
    op.kind === 'mmu_interval_set_seq' &&
    [...before.threads.values()].some((t) => t.inv === null && t.notifier === op.notifier && (t.entries !== null || t.pfns !== null) && t.stale === false),
};
