import * as O from 'fp-ts/lib/Option.js';
import type { Invariant } from '../invariant.ts';

/**
 * notifier-protocol: an importer keeps its device inside what its mmu
 * interval notifier allows.
 *
 * 1. No device page table entry is installed from addresses taken before
 *    an invalidate callback of that notifier returned: such addresses may
 *    be stale, and only a `mmu_interval_read_retry` that fails tells the
 *    driver so. (Judged at `device_program`, from the ghost `stale` mark
 *    the kernel sets on map paths of the notifier when its callback
 *    returns.)
 * 2. An invalidate callback that returns true leaves the device unable to
 *    reach the range it was told about (`invalidate_range_start` promises
 *    the caller that no secondary MMU uses it any more).
 *
 * @see Documentation/mm/hmm.rst (the read_begin / read_retry pattern
 *   under the driver's update lock)
 * @see include/linux/mmu_notifier.h, mmu_interval_read_retry() and
 *   mmu_interval_set_seq()
 */
export const notifierProtocol: Invariant = {
  id: 'notifier-protocol',
  rule: 'A device is programmed only with addresses no invalidation has overtaken, and an invalidate callback returns only once the device cannot reach the range.',
  source: 'Documentation/mm/hmm.rst; include/linux/mmu_notifier.h (mmu_interval_read_retry, mmu_interval_set_seq)',
  check: (before, op, step) => {
    if (op.kind === 'device_program') {
      const t = [...before.threads.values()].find((x) => x.device === op.dev && x.mapping === op.mapping && x.inv === null);
      if (t?.stale === true)
        return O.some(
          `device ${op.dev} was programmed with mapping ${op.mapping}'s addresses after an invalidate callback of notifier ${t.notifier} returned; ${t.retry === null ? 'the map path never called mmu_interval_read_retry' : 'mmu_interval_read_retry did not see it'} (seq ${t.seq ?? '?'} from mmu_interval_read_begin)`,
        );
    }
    for (const e of step.events) {
      // Stryker disable next-line ConditionalExpression: only callback-returned events carry ret; any other event has it undefined, so !e.ret already skips it
      if (e.kind !== 'callback-returned' || !e.ret) continue;
      const r = [...step.state.deviceRanges.values()].find((x) => x.device === e.device && x.mm === e.mm && x.start < e.end && e.start < x.end);
      if (r !== undefined)
        return O.some(
          `notifier ${e.notifier}'s invalidate returned true while device ${e.device} can still reach pages ${e.start}-${e.end - 1} of mm ${e.mm} through mapping ${r.mapping}: invalidate_range_start goes on as if it could not`,
        );
    }
    return O.none;
  },
  /** A callback of a notifier returns while a map path of that notifier is under way: the race the sequence count exists for. */
  exercised: (before, _op, step) =>
    step.events.some((e) => e.kind === 'callback-returned' && [...before.threads.values()].some((t) => t.inv === null && t.notifier === e.notifier && t.seq !== null)),
};
