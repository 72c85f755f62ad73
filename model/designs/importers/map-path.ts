/**
 * An importer's map path as Documentation/mm/hmm.rst writes it, with the
 * RFC's p2p_map in place of hmm_range_fault:
 *
 *   if (!mmget_not_zero(mm)) return -EFAULT;
 *   again: seq = mmu_interval_read_begin(sub);
 *          mmap_read_lock(mm); vma = find_vma(mm, start);
 *          map = p2p_map(vma, ...);
 *          mmap_read_unlock(mm);
 *          take_lock(driver->update);
 *          if (mmu_interval_read_retry(sub, seq)) { undo; release_lock(); goto again; }
 *          record map; program the device; release_lock(driver->update);
 *   mmput(mm);
 *
 * hmm.rst records what hmm_range_fault returned only after the retry
 * check, which is right there: hmm_range_fault allocates nothing, so a
 * callback in between has nothing to give back. p2p_map allocates a
 * mapping, and until the driver records it its callback cannot find it.
 * Where the record goes (`record`):
 *
 * - `late`: after the retry check, hmm.rst to the letter
 *   (`hmm-map-literal`);
 * - `early`: before mmap_read_unlock (`hmm-map`), which keeps munmap,
 *   mremap, mprotect and exit out of the window (they take mmap_lock for
 *   writing, or wait for the driver's mm reference), but not the
 *   exporter's removal, whose unmap_mapping_range takes no mmap_lock;
 * - `locked`: the driver lock is taken before p2p_map and held until the
 *   device is programmed (`hmm-map-locked`), so no callback can run
 *   between p2p_map and the record. The lock order is mmap_lock, then the
 *   driver lock, as a callback of munmap takes them.
 *
 * `checkRetry: false` is the same driver without the retry check, a
 * common driver bug. `programUnderLock: false` checks it and then drops
 * the lock before programming the device (hmm.rst programs "under the
 * update lock"): the check then says nothing about the time of the
 * programming. The undo on retry runs under the driver lock and acts
 * on the record: a callback that ran since has already given the mapping
 * back and dropped the record.
 */
import { type Action, call, type DriverView, end, goto, type Recipe } from '../../recipe.ts';
import type { DriverThread } from '../../state.ts';

export interface MapPathOptions {
  readonly checkRetry: boolean;
  readonly record: 'late' | 'early' | 'locked';
  /** false: the driver drops its lock after the retry check and programs the device outside it (`hmm-map-program-unlocked`). */
  readonly programUnderLock?: boolean;
}

type Label =
  | 'mmget'
  | 'begin'
  | 'rlock'
  | 'find'
  | 'lockEarly'
  | 'map'
  | 'recordEarly'
  | 'runlock'
  | 'lock'
  | 'retry'
  | 'recordLate'
  | 'program'
  | 'unlock'
  | 'mmput'
  | 'undo'
  | 'forget'
  | 'unlockAgain'
  | 'unlockMapFail'
  | 'runlockFail'
  | 'mmputFail'
  | 'return';

const ORDER: ReadonlyArray<Label> = [
  'mmget',
  'begin',
  'rlock',
  'find',
  'lockEarly',
  'map',
  'recordEarly',
  'runlock',
  'lock',
  'retry',
  'recordLate',
  'program',
  'unlock',
  'mmput',
  'undo',
  'forget',
  'unlockAgain',
  'unlockMapFail',
  'runlockFail',
  'mmputFail',
  'return',
];

/** The pc of a label: its place in ORDER. */
const pc = (l: Label): number => ORDER.indexOf(l);
const to = (l: Label) => (t: DriverThread): DriverThread => ({ ...t, pc: pc(l) });

const unlockedProgram = (o: MapPathOptions): boolean => o.programUnderLock === false;

const nameOf = (o: MapPathOptions): string =>
  unlockedProgram(o) ? 'hmm-map-program-unlocked' : !o.checkRetry ? 'hmm-map-noretry' : o.record === 'early' ? 'hmm-map' : o.record === 'late' ? 'hmm-map-literal' : 'hmm-map-locked';

const recorded = (d: DriverView, t: DriverThread): boolean => d.records.some((r) => r.mapping === t.mapping);

const summaryOf = (o: MapPathOptions): string =>
  [
    'mmget_not_zero, read_begin, mmap_read_lock, find_vma',
    o.record === 'locked' ? ', take the driver lock' : '',
    ', p2p_map (refused for a VMA that reaches past the notifier range: p2p_map takes no range)',
    o.record === 'late' ? ', mmap_read_unlock, take the driver lock' : ", record the mapping in the driver's list, mmap_read_unlock",
    o.record === 'early' ? ', take the driver lock' : '',
    !o.checkRetry
      ? ' (no read_retry check)'
      : o.record === 'late'
        ? ', read_retry (on retry: p2p_unmap the mapping, unlock, start again)'
        : ', read_retry (on retry: under the lock, p2p_unmap and forget the mapping if the callback has not already, unlock, start again)',
    o.record === 'late' ? ", record the mapping (as hmm.rst records hmm_range_fault's result)" : '',
    unlockedProgram(o) ? ', unlock, then program the device outside the lock, mmput.' : ', program the device, unlock, mmput.',
  ].join('');

const listingOf = (o: MapPathOptions): ReadonlyArray<string> => [
  'if (!mmget_not_zero(mm)) return -EFAULT',
  'again: seq = mmu_interval_read_begin(sub)',
  'mmap_read_lock(mm)',
  'vma = find_vma(mm, start); if (!vma || vma reaches past the notifier range) goto fail',
  ...(o.record === 'locked' ? ['mutex_lock(&driver->update)'] : []),
  'map = vma->vm_ops->p2p_map(vma, dev, vma->vm_flags & VM_WRITE)',
  ...(o.record === 'late' ? [] : ['list_add(map, &driver->mappings)']),
  'mmap_read_unlock(mm)',
  ...(o.record === 'locked' ? [] : ['mutex_lock(&driver->update)']),
  ...(o.checkRetry
    ? [
        o.record === 'late'
          ? 'if (mmu_interval_read_retry(sub, seq)) { p2p_unmap(map); mutex_unlock; goto again }'
          : 'if (mmu_interval_read_retry(sub, seq)) { if (still listed) { p2p_unmap(map); list_del(map) } mutex_unlock; goto again }',
      ]
    : []),
  ...(o.record === 'late' ? ['list_add(map, &driver->mappings)'] : []),
  ...(unlockedProgram(o)
    ? ['mutex_unlock(&driver->update)', "program the device page table with map's addresses (outside the lock)"]
    : ["program the device page table with map's addresses", 'mutex_unlock(&driver->update)']),
  'mmput(mm)',
  `fail: ${o.record === 'locked' ? 'mutex_unlock if held; ' : ''}mmap_read_unlock(mm); mmput(mm); return -EFAULT`,
];

export const mapPath = (o: MapPathOptions): Recipe => {
  const steps: Readonly<Record<Label, Action>> = {
    mmget: (_d, t) => call({ kind: 'mmget_not_zero', mm: t.range!.mm }, undefined, to('return')),
    begin: (_d, t) =>
      call({ kind: 'mmu_interval_read_begin', notifier: t.notifier! }, (th, returned) => {
        // mmu_interval_read_begin's only event is its read-begin.
        const e = returned.find((x) => x.kind === 'read-begin');
        // Stryker disable next-line OptionalChaining: e is always the read-begin event
        return { ...th, pc: pc('rlock'), seq: e?.kind === 'read-begin' ? e.seq : null, vma: null, mapping: null, entries: null, retry: null };
      }),
    rlock: (_d, t) => call({ kind: 'mmap_read_lock', mm: t.range!.mm }),
    // p2p_map maps the whole VMA, so the driver maps only a VMA that lies inside its notifier's
    // range, or pages outside the range would be unmapped without its callback hearing of it.
    find: (_d, t) =>
      call(
        { kind: 'find_vma', mm: t.range!.mm, addr: t.range!.start },
        (th, returned) => {
          const e = returned.find((x) => x.kind === 'vma-found');
          const v = e?.kind === 'vma-found' ? e.vma : null;
          const fits = v !== null && v.p2pMap && v.start >= th.range!.start && v.end <= th.range!.end;
          return { ...th, pc: pc(fits ? 'lockEarly' : 'runlockFail'), vma: v };
        },
        to('runlockFail'),
      ),
    lockEarly: (_d, t) => (o.record === 'locked' ? call({ kind: 'driver_lock', dev: t.device }) : goto(pc('map'))),
    map: (_d, t) =>
      call(
        // Writable where the VMA allows writing (vm_flags & VM_WRITE), read-only after mprotect(PROT_READ).
        { kind: 'p2p_map', vma: t.vma?.vma ?? 0, dev: t.device, write: t.vma?.writable ?? true },
        (th, returned) => {
          const e = returned.find((x) => x.kind === 'p2p-mapped');
          // Stryker disable next-line ConditionalExpression: p2p_map's only event is its p2p-mapped
          return e?.kind === 'p2p-mapped' ? { ...th, pc: pc('recordEarly'), mapping: e.mapping, entries: e.entries } : { ...th, pc: pc('unlockMapFail') };
        },
        to('unlockMapFail'),
      ),
    recordEarly: (_d, t) => (o.record === 'late' ? goto(pc('runlock')) : call({ kind: 'driver_record', dev: t.device, mapping: t.mapping ?? 0 })),
    runlock: (_d, t) => call({ kind: 'mmap_read_unlock', mm: t.range!.mm }),
    lock: (_d, t) => (o.record === 'locked' ? goto(pc('retry')) : call({ kind: 'driver_lock', dev: t.device })),
    retry: (_d, t) =>
      o.checkRetry
        ? call({ kind: 'mmu_interval_read_retry', notifier: t.notifier!, seq: t.seq ?? 0 }, (th, returned) => {
            // mmu_interval_read_retry's only event is its read-retry.
            const e = returned.find((x) => x.kind === 'read-retry');
            // Stryker disable next-line OptionalChaining: e is always the read-retry event
            const retry = e?.kind === 'read-retry' && e.retry;
            return { ...th, retry, pc: pc(retry ? 'undo' : 'recordLate') };
          })
        : goto(pc('recordLate')),
    recordLate: (_d, t) =>
      o.record === 'late'
        ? call({ kind: 'driver_record', dev: t.device, mapping: t.mapping ?? 0 }, unlockedProgram(o) ? to('unlock') : undefined)
        : goto(pc(unlockedProgram(o) ? 'unlock' : 'program')),
    // Under the lock, then unlock; or (programUnderLock: false) unlock first, then program, then mmput.
    program: (_d, t) => call({ kind: 'device_program', dev: t.device, mapping: t.mapping ?? 0 }, unlockedProgram(o) ? to('mmput') : undefined),
    unlock: (_d, t) => call({ kind: 'driver_unlock', dev: t.device }, unlockedProgram(o) ? to('program') : undefined),
    // Done: drop the mm reference, the thread ends.
    mmput: (_d, t) => call({ kind: 'mmput', mm: t.range!.mm }, end),
    // Under the driver lock: give back what p2p_map gave, unless a callback already did.
    undo: (d, t) =>
      o.record !== 'late' && !recorded(d, t)
        ? goto(pc('unlockAgain'))
        : call({ kind: 'p2p_unmap', mapping: t.mapping ?? 0 }, to(o.record === 'late' ? 'unlockAgain' : 'forget')),
    forget: (_d, t) => call({ kind: 'driver_forget', dev: t.device, mapping: t.mapping ?? 0 }, to('unlockAgain')),
    unlockAgain: (_d, t) => call({ kind: 'driver_unlock', dev: t.device }, to('begin')),
    // p2p_map failed (the exporter refused): drop the driver lock if this path took it before.
    unlockMapFail: (_d, t) => (o.record === 'locked' ? call({ kind: 'driver_unlock', dev: t.device }, to('runlockFail')) : goto(pc('runlockFail'))),
    runlockFail: (_d, t) => call({ kind: 'mmap_read_unlock', mm: t.range!.mm }),
    mmputFail: (_d, t) => call({ kind: 'mmput', mm: t.range!.mm }),
    return: (_d, t) => call({ kind: 'driver_return', dev: t.device, err: '-EFAULT' }, end),
  };
  return { name: nameOf(o), summary: summaryOf(o), listing: listingOf(o), actions: ORDER.map((l) => steps[l]) };
};
