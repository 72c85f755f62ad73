/**
 * Step templates of an HMM mirror (model/designs/importers/mirror.ts): it
 * subscribes to ranges of ordinary process memory, its device faults on a
 * page its page table lacks (or lacks write access to), and it stops
 * mirroring a range. The driver threads themselves run through the
 * shared templates of importer-steps.ts.
 */
import type { Op } from '../op.ts';
import { driverView } from '../recipe.ts';
import type { State } from '../state.ts';
import type { Plan, StepTemplate } from './design.ts';
import { single } from './design.ts';
import { IMPORTER } from './gup-io.ts';
import { driverThreadRunsOn, driverThreads, newestThreadRunsOn, ownThreads, registerNotifierOver } from './importer-steps.ts';

/** Does the importing device's page table map page `addr` of `mm` (for writing, when `write`)? */
const deviceMaps = (s: State, mm: number, addr: number, write: boolean): boolean =>
  [...s.deviceRanges.values()].some((r) => r.device === IMPORTER && r.mapping === null && r.mm === mm && r.start <= addr && addr < r.end && (!write || r.dir !== 'to-device'));

/**
 * The device touches a page of a subscribed range its page table does not
 * map (or maps read-only, for a write): it faults, and the driver starts
 * its map path for the range, once at a time per range.
 */
export const deviceFault: StepTemplate = single('driver_map_range', 'driver', 2, (s) =>
  driverView(s, IMPORTER)
    .intervals.filter((n) => !ownThreads(s).some((t) => t.inv === null && t.notifier === n.notifier))
    .flatMap((n) =>
      [false, true]
        .filter((write) => Array.from({ length: n.end - n.start }, (_, i) => n.start + i).some((addr) => !deviceMaps(s, n.mm, addr, write)))
        .map((write): Op => ({ kind: 'driver_map_range', dev: IMPORTER, notifier: n.notifier, write })),
    ),
);

/**
 * The driver stops mirroring a range (the process unregistered it, or the
 * device context closed) while no thread of it runs for the range: under
 * its lock it zaps the device's entries, then it removes the notifier.
 */
export const stopMirroring: StepTemplate = {
  name: 'stop mirroring(zap, mmu_interval_notifier_remove)',
  role: 'driver',
  weight: 1,
  options: (s) =>
    driverView(s, IMPORTER)
      .intervals.filter((n) => !ownThreads(s).some((t) => t.notifier === n.notifier))
      .map((n): Plan => [
        () => ({ kind: 'driver_lock', dev: IMPORTER }),
        () => ({ kind: 'device_stop_dma', dev: IMPORTER, mm: n.mm, start: n.start, npages: n.end - n.start }),
        () => ({ kind: 'driver_unlock', dev: IMPORTER }),
        () => ({ kind: 'mmu_interval_notifier_remove', notifier: n.notifier }),
      ]),
};

/** Every step a mirroring importer takes. */
export const mirrorImporter: ReadonlyArray<StepTemplate> = [registerNotifierOver(['anon', 'file']), deviceFault, driverThreads, driverThreadRunsOn, newestThreadRunsOn, stopMirroring];

