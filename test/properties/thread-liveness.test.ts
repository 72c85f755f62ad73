/**
 * Driver-thread liveness (properties/liveness.ts, threadLiveness): on a
 * world small enough to explore whole, every map path and callback of the
 * HMM mirror can still end; with the callback's unlock left out, the next
 * thread that takes the driver lock waits forever, and the check names it
 * with the shortest trace to the state it is stuck in.
 */
import { describe, expect, it } from 'vitest';
import type { Design, StepTemplate } from '../../model/designs/design.ts';
import { single } from '../../model/designs/design.ts';
import { designById } from '../../model/designs/index.ts';
import { IMPORTER } from '../../model/designs/gup-io.ts';
import { driverThreads, invalidateRangeEnd } from '../../model/designs/importer-steps.ts';
import { goto, type Recipe } from '../../model/recipe.ts';
import { withVariant } from '../../model/variant.ts';
import { threadLiveness } from '../../properties/liveness.ts';

/** A process with one anon page under the mirror's notifier; the device faults on it while it is mapped; one munmap. */
const tiny = (): Design => {
  const mirror = designById('hmm-mirror')!;
  const setUp: StepTemplate = {
    name: 'set up',
    role: 'driver',
    weight: 1,
    options: (s) =>
      s.vmas.size === 0 && s.notifiers.size === 0
        ? [[() => ({ kind: 'mmap', mm: 0, npages: 1, backing: { kind: 'anon' } }), () => ({ kind: 'mmu_interval_notifier_insert', mm: 0, start: 0, npages: 1, owner: IMPORTER })]]
        : [],
  };
  const fault = single('driver_map_range', 'driver', 1, (s) =>
    s.notifiers.size === 1 && s.vmas.size === 1 && s.threads.size === 0 && s.deviceRanges.size === 0 ? [{ kind: 'driver_map_range', dev: IMPORTER, notifier: [...s.notifiers.keys()][0]!, write: false }] : [],
  );
  const munmapOnce = single('munmap', 'environment', 1, (s) => (s.vmas.size === 1 ? [{ kind: 'munmap', mm: 0, start: 0, npages: 1 }] : []));
  return { ...mirror, id: 'tiny-mirror', driver: [setUp, fault, driverThreads], environment: [munmapOnce, invalidateRangeEnd] };
};

describe('every driver thread can still end', () => {
  it('the HMM mirror: every map path and callback ends, on the whole reachable space', () => {
    const r = threadLiveness(tiny(), 5000);
    expect(r).toMatchObject({ kind: 'always-end', complete: true });
    if (r.kind === 'always-end') expect(r.threads).toBeGreaterThanOrEqual(2);
  });

  it("a callback that returns without unlocking: the map path after it waits on the driver lock forever", () => {
    const noUnlock = { ops: {}, recipes: { 'mirror-invalidate': (r: Recipe): Recipe => ({ ...r, actions: r.actions.map((a, i) => (i === 3 ? () => goto(4) : a)) }) } };
    const r = withVariant(noUnlock, () => threadLiveness(tiny(), 5000));
    expect(r.kind).toBe('hangs');
    if (r.kind !== 'hangs') return;
    expect(r.recipe).toBe('hmm-mirror-fault');
    expect(r.next).toMatch(/^driver_lock\(dev=1, by=\d+\): waits: device 1's driver lock is held$/);
    // The shallowest state it is stuck in: munmap's callback has just taken the lock it will never give back.
    const last = r.trace.at(-1)!.op;
    expect(r.trace.map((t) => t.op.kind)).toContain('munmap');
    expect(last.kind === 'driver_lock' && last.by !== undefined && last.by !== r.thread).toBe(true);
  });
});
