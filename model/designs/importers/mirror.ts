/**
 * An HMM mirror (Documentation/mm/hmm.rst, "Address space mirroring
 * implementation and API"): a device that shares the process's address
 * space (a GPU with shared virtual memory, an ODP RDMA NIC) keeps its own
 * page table in step with the CPU's. It takes no page references: its
 * interval notifier is all that keeps it coherent.
 *
 * The map path, run when the device faults on a range of a notifier:
 *
 *   if (!mmget_not_zero(mm)) return -EFAULT;
 *   again: range.notifier_seq = mmu_interval_read_begin(&sub);
 *          mmap_read_lock(mm);
 *          ret = hmm_range_fault(&range);
 *          if (ret) { mmap_read_unlock(mm); if (ret == -EBUSY) goto again; goto out; }
 *          mmap_read_unlock(mm);
 *          take_lock(driver->update);
 *          if (mmu_interval_read_retry(&sub, range.notifier_seq)) { release_lock(driver->update); goto again; }
 *          program the device page table from range.hmm_pfns;
 *          release_lock(driver->update);
 *   out:   mmput(mm);
 *
 * The invalidate callback takes the same lock, sets the seq and zaps the
 * device's entries for the range before it returns.
 */
import { type Action, call, end, goto, type Recipe } from '../../recipe.ts';
import type { DriverThread, NotifyEvent } from '../../state.ts';

export interface MirrorOptions {
  readonly checkRetry: boolean;
}

type Label =
  | 'mmget'
  | 'begin'
  | 'rlock'
  | 'fault'
  | 'runlock'
  | 'lock'
  | 'retry'
  | 'program'
  | 'unlock'
  | 'mmput'
  | 'runlockBusy'
  | 'unlockAgain'
  | 'runlockFail'
  | 'mmputFail'
  | 'returnFault'
  | 'runlockPerm'
  | 'mmputPerm'
  | 'returnPerm';

const ORDER: ReadonlyArray<Label> = [
  'mmget',
  'begin',
  'rlock',
  'fault',
  'runlock',
  'lock',
  'retry',
  'program',
  'unlock',
  'mmput',
  'runlockBusy',
  'unlockAgain',
  'runlockFail',
  'mmputFail',
  'returnFault',
  'runlockPerm',
  'mmputPerm',
  'returnPerm',
];

const pc = (l: Label): number => ORDER.indexOf(l);
const to = (l: Label) => (t: DriverThread): DriverThread => ({ ...t, pc: pc(l) });

/** The map path of an HMM mirror; without `checkRetry`, the same driver missing the read_retry check. */
export const mirrorFault = (o: MirrorOptions): Recipe => {
  const steps: Readonly<Record<Label, Action>> = {
    mmget: (_d, t) => call({ kind: 'mmget_not_zero', mm: t.range!.mm }, undefined, to('returnFault')),
    begin: (_d, t) =>
      call({ kind: 'mmu_interval_read_begin', notifier: t.notifier! }, (th, returned) => {
        const e = returned.find((x) => x.kind === 'read-begin');
        return { ...th, pc: pc('rlock'), seq: e?.kind === 'read-begin' ? e.seq : null, pfns: null, retry: null };
      }),
    rlock: (_d, t) => call({ kind: 'mmap_read_lock', mm: t.range!.mm }),
    fault: (_d, t) =>
      call(
        { kind: 'hmm_range_fault', notifier: t.notifier!, seq: t.seq ?? 0, start: t.range!.start, npages: t.range!.end - t.range!.start, write: t.write },
        (th, returned) => {
          const e = returned.find((x) => x.kind === 'hmm-faulted');
          if (e?.kind !== 'hmm-faulted' || e.ret === '-EFAULT') return to('runlockFail')(th);
          return e.ret === '-EBUSY' ? to('runlockBusy')(th) : { ...th, pc: pc('runlock'), pfns: e.pfns };
        },
        (th, reason) => to(reason.startsWith('-EBUSY') ? 'runlockBusy' : reason.startsWith('-EPERM') ? 'runlockPerm' : 'runlockFail')(th),
      ),
    runlock: (_d, t) => call({ kind: 'mmap_read_unlock', mm: t.range!.mm }),
    lock: (_d, t) => call({ kind: 'driver_lock', dev: t.device }),
    retry: (_d, t) =>
      o.checkRetry
        ? call({ kind: 'mmu_interval_read_retry', notifier: t.notifier!, seq: t.seq ?? 0 }, (th, returned) => {
            const e = returned.find((x) => x.kind === 'read-retry');
            const retry = e?.kind === 'read-retry' && e.retry;
            return { ...th, retry, pc: pc(retry ? 'unlockAgain' : 'program') };
          })
        : goto(pc('program')),
    program: (_d, t) => call({ kind: 'device_program_pfns', dev: t.device }),
    unlock: (_d, t) => call({ kind: 'driver_unlock', dev: t.device }),
    mmput: (_d, t) => call({ kind: 'mmput', mm: t.range!.mm }, end),
    runlockBusy: (_d, t) => call({ kind: 'mmap_read_unlock', mm: t.range!.mm }, to('begin')),
    unlockAgain: (_d, t) => call({ kind: 'driver_unlock', dev: t.device }, to('begin')),
    runlockFail: (_d, t) => call({ kind: 'mmap_read_unlock', mm: t.range!.mm }),
    mmputFail: (_d, t) => call({ kind: 'mmput', mm: t.range!.mm }),
    returnFault: (_d, t) => call({ kind: 'driver_return', dev: t.device, err: '-EFAULT' }, end),
    runlockPerm: (_d, t) => call({ kind: 'mmap_read_unlock', mm: t.range!.mm }),
    mmputPerm: (_d, t) => call({ kind: 'mmput', mm: t.range!.mm }),
    returnPerm: (_d, t) => call({ kind: 'driver_return', dev: t.device, err: '-EPERM' }, end),
  };
  return {
    name: o.checkRetry ? 'hmm-mirror-fault' : 'hmm-mirror-fault-noretry',
    summary: [
      'mmget_not_zero, read_begin, mmap_read_lock, hmm_range_fault (HMM_PFN_REQ_FAULT, and HMM_PFN_REQ_WRITE for a device write fault; -EBUSY: unlock and start again; -EPERM or -EFAULT: unlock, mmput, fail the device fault), mmap_read_unlock, take the driver lock',
      o.checkRetry ? ', read_retry (on retry: unlock, start again)' : ' (no read_retry check)',
      ', program the device page table from the pfns (read-only where the CPU PTE was), unlock, mmput.',
    ].join(''),
    listing: [
      'if (!mmget_not_zero(mm)) return -EFAULT',
      'again: range.notifier_seq = mmu_interval_read_begin(&sub)',
      'mmap_read_lock(mm)',
      'ret = hmm_range_fault(&range); if (ret) { mmap_read_unlock(mm); if (ret == -EBUSY) goto again; mmput(mm); return ret }',
      'mmap_read_unlock(mm)',
      'mutex_lock(&driver->update)',
      ...(o.checkRetry ? ['if (mmu_interval_read_retry(&sub, range.notifier_seq)) { mutex_unlock(&driver->update); goto again }'] : []),
      'program the device page table from range.hmm_pfns (HMM_PFN_WRITE: writable)',
      'mutex_unlock(&driver->update)',
      'mmput(mm)',
    ],
    actions: ORDER.map((l) => steps[l]),
  };
};

const lock: Action = (_d, t) => call({ kind: 'driver_lock', dev: t.device });
const setSeq: Action = (_d, t) => call({ kind: 'mmu_interval_set_seq', notifier: t.notifier!, seq: t.curSeq });
const zap = (t: DriverThread) => call({ kind: 'device_stop_dma', dev: t.device, mm: t.range!.mm, start: t.range!.start, npages: t.range!.end - t.range!.start });
const unlock: Action = (_d, t) => call({ kind: 'driver_unlock', dev: t.device });
const returnTrue: Action = (_d, t) => call({ kind: 'invalidate_callback_return', notifier: t.notifier!, ret: true }, end);

/** The mirror's callback, as hmm.rst writes it: every event zaps the device's entries for the range. */
export const mirrorInvalidate: Recipe = {
  name: 'mirror-invalidate',
  summary: "Take the driver lock, mmu_interval_set_seq, zap the device page table's entries for the range (and wait for the device), unlock, return true.",
  listing: ['mutex_lock(&driver->update)', 'mmu_interval_set_seq(sub, cur_seq)', 'zap the device page table for range->start..range->end and flush the device TLB', 'mutex_unlock(&driver->update)', 'return true'],
  actions: [lock, setSeq, (_d, t) => zap(t), unlock, returnTrue],
};

/** The events this callback takes for harmless: the page stays where it is, it thinks. */
const HARMLESS: ReadonlyArray<NotifyEvent> = ['MMU_NOTIFY_CLEAR', 'MMU_NOTIFY_PROTECTION_PAGE'];

/**
 * A mirror callback that saves device TLB flushes by skipping the events
 * its author took for harmless: MMU_NOTIFY_CLEAR (read as "a page is being
 * cleaned") and MMU_NOTIFY_PROTECTION_PAGE (read as "only the CPU loses
 * write access"). It still sets the seq. But CLEAR is what reclaim,
 * migration and a COW break send before the PTE points elsewhere, and
 * PROTECTION_PAGE is fork's and page_mkclean's write-protect.
 */
export const mirrorInvalidateSkipHarmless: Recipe = {
  name: 'mirror-invalidate-skip-harmless',
  summary:
    "Take the driver lock, mmu_interval_set_seq; unless the event is MMU_NOTIFY_CLEAR or MMU_NOTIFY_PROTECTION_PAGE, zap the device page table's entries for the range; unlock, return true.",
  listing: [
    'mutex_lock(&driver->update)',
    'mmu_interval_set_seq(sub, cur_seq)',
    'if (range->event != MMU_NOTIFY_CLEAR && range->event != MMU_NOTIFY_PROTECTION_PAGE) zap the device page table for the range',
    'mutex_unlock(&driver->update)',
    'return true',
  ],
  actions: [lock, setSeq, (_d, t) => (t.event !== null && HARMLESS.includes(t.event) ? goto(3) : zap(t)), unlock, returnTrue],
};
