/**
 * The step templates of the threaded importer designs (model/designs/importer-steps.ts):
 * which calls the importer's driver may make next in a given state.
 */
import { describe, expect, it } from 'vitest';
import { runPlan, type StepTemplate } from '../../model/designs/design.ts';
import { driverThreadRunsOn, driverThreads, invalidateRangeEnd, newestThreadRunsOn, mapRange, registerNotifier, releaseRange, removeNotifier } from '../../model/designs/importer-steps.ts';
import type { Op } from '../../model/op.ts';
import type { State } from '../../model/state.ts';
import { designById } from '../../model/designs/index.ts';
import { makeWorld } from '../../model/world.ts';
import { callbackThread, designWorld, lastId, run, runThread } from './helpers.ts';

const EXPORTER = 0;
const DRIVER = 1;

/** The calls of every option a template offers in `s`, in order. */
const optionsOf = (t: StepTemplate, s: State): ReadonlyArray<ReadonlyArray<Op | null>> => t.options(s).map((plan) => plan.map((b) => b(s, [])));

const barOp: Op = { kind: 'mmap', mm: 0, npages: 1, backing: { kind: 'bar', bar: 0 } };
const insert = (start: number, npages: number, owner = DRIVER, mm = 0): Op => ({ kind: 'mmu_interval_notifier_insert', mm, start, npages, owner });
const insertOf = (start: number, npages: number, mm = 0): Op[] => [insert(start, npages, DRIVER, mm)];
const mapRangeOf = (notifier: number): Op[] => [{ kind: 'driver_map_range', dev: DRIVER, notifier }];
const removeOf = (notifier: number): Op[] => [{ kind: 'mmu_interval_notifier_remove', notifier }];

/** mm 0 maps the BAR twice, one page each: VMA A at page 0 and VMA B at page 1. */
const twoBarVmas = (design = 'vma-p2p-map-notifier-record-unlocked'): State => run(designWorld(design), barOp, barOp).state;

/** Insert a notifier of `owner` over [start, start+npages) and return its id. */
const subscribe = (s: State, start: number, npages = 1, owner = DRIVER, mm = 0): { state: State; notifier: number } => {
  const { state } = run(s, insert(start, npages, owner, mm));
  return { state, notifier: lastId(state.notifiers) };
};

/** The importer's map path for `notifier` runs to its end: the device is programmed with the p2p_map mapping. */
const programmed = (s: State, notifier: number): { state: State; mapping: number } => {
  const { state: s1 } = run(s, ...mapRangeOf(notifier));
  const r = runThread(s1, lastId(s1.threads));
  const [begin, end] = [['mmget_not_zero', 'mmu_interval_read_begin', 'mmap_read_lock', 'find_vma'], ['device_program', 'driver_unlock', 'mmput']];
  // hmm-map records before mmap_read_unlock and locks after it; hmm-map-locked locks before p2p_map.
  expect([
    [...begin, 'p2p_map', 'driver_record', 'mmap_read_unlock', 'driver_lock', 'mmu_interval_read_retry', ...end],
    [...begin, 'driver_lock', 'p2p_map', 'driver_record', 'mmap_read_unlock', 'mmu_interval_read_retry', ...end],
  ]).toContainEqual(r.ops.map((o) => o.kind));
  return { state: r.state, mapping: lastId(r.state.mappings) };
};

describe('registerNotifier: mmu_interval_notifier_insert over a BAR VMA', () => {
  it('offers one mmu_interval_notifier_insert per BAR VMA, over exactly the VMA, and none for a VMA the importer already subscribed', () => {
    const s = twoBarVmas();
    expect(optionsOf(registerNotifier, s)).toEqual([insertOf(0, 1), insertOf(1, 1)]);
    const { state } = subscribe(s, 1);
    expect(optionsOf(registerNotifier, state)).toEqual([insertOf(0, 1)]);
  });

  it('a notifier over a different range (both VMAs) or in a forked mm does not count as the subscription of a VMA', () => {
    const { state: s1 } = subscribe(twoBarVmas(), 0, 2);
    expect(optionsOf(registerNotifier, s1)).toEqual([insertOf(0, 1), insertOf(1, 1)]);
    const { state: forked } = run(twoBarVmas(), { kind: 'fork', mm: 0 });
    const child = lastId(forked.mms);
    const { state: s2 } = subscribe(forked, 1, 1, DRIVER, child);
    expect(optionsOf(registerNotifier, s2)).toEqual([insertOf(0, 1), insertOf(1, 1), insertOf(0, 1, child)]);
  });

  it("another device's notifier over a VMA is not the importer's subscription, but it counts against the limit of two notifiers", () => {
    const { state: s1 } = subscribe(twoBarVmas(), 1, 1, EXPORTER);
    expect(optionsOf(registerNotifier, s1)).toEqual([insertOf(0, 1), insertOf(1, 1)]);
    const { state: s2 } = subscribe(s1, 0);
    expect(s2.notifiers.size).toBe(2);
    expect(optionsOf(registerNotifier, s2)).toEqual([]);
  });
});

describe('mapRange: driver_map_range starts the map path for a subscribed range', () => {
  it('offers driver_map_range for each importer notifier with no map path running and no mapping recorded under it', () => {
    const { state: s1, notifier: a } = subscribe(twoBarVmas(), 0);
    const { state: s2, notifier: b } = subscribe(s1, 1);
    const { state: s3 } = subscribe(s2, 0, 1, EXPORTER);
    expect(optionsOf(mapRange, s3)).toEqual([mapRangeOf(a), mapRangeOf(b)]);
    // A map path running for A: only B can start one.
    const { state: s4 } = run(s3, ...mapRangeOf(a));
    expect(optionsOf(mapRange, s4)).toEqual([mapRangeOf(b)]);
  });

  it('an invalidate callback running for the notifier does not stop the map path from starting', () => {
    const { state: s1, notifier } = subscribe(twoBarVmas(), 0);
    const { state: s2, events } = run(s1, { kind: 'munmap', mm: 0, start: 0, npages: 1 });
    expect(s2.threads.get(callbackThread(events))?.inv).not.toBeNull();
    expect(optionsOf(mapRange, s2)).toEqual([mapRangeOf(notifier)]);
  });

  it("a mapping the driver recorded under a notifier blocks driver_map_range for that notifier, not for the adjacent page's or another mm's", () => {
    const { state: forked } = run(twoBarVmas(), { kind: 'fork', mm: 0 });
    const child = lastId(forked.mms);
    const { state: s1, notifier: a } = subscribe(forked, 0);
    const { state: s2, notifier: b } = subscribe(s1, 1);
    const { state: s3, notifier: c } = subscribe(s2, 0, 1, DRIVER, child);
    const { state: aProgrammed } = programmed(s3, a);
    expect(optionsOf(mapRange, aProgrammed)).toEqual([mapRangeOf(b), mapRangeOf(c)]);
    const { state: bProgrammed } = programmed(s3, b);
    expect(optionsOf(mapRange, bProgrammed)).toEqual([mapRangeOf(a), mapRangeOf(c)]);
  });
});

/** The notifier design's world with a second importer (device 2, no driver code) that also reaches the BAR. */
const withSecondImporter = (): State => {
  const spec = designById('vma-p2p-map-notifier')!.world;
  const [provider, importer] = spec.devices as [(typeof spec.devices)[number], (typeof spec.devices)[number]];
  return makeWorld({ ...spec, devices: [{ ...provider, p2pPeers: [1, 2] }, importer, { name: 'second importer', p2pPeers: [0] }] });
};

describe("another device's p2p_map mapping and programmed range are not the importer's", () => {
  it('they block neither driver_map_range nor mmu_interval_notifier_remove of the importer, and the importer does not release them', () => {
    const { state: s1 } = run(withSecondImporter(), barOp);
    const vma = lastId(s1.vmas);
    const { state: s2, notifier } = subscribe(s1, 0);
    const { state: s3 } = run(s2, { kind: 'p2p_map', vma, dev: 2, write: true });
    const { state } = run(s3, { kind: 'device_program', dev: 2, mapping: lastId(s3.mappings) });
    expect([...state.deviceRanges.values()].map((r) => [r.device, r.start, r.end])).toEqual([[2, 0, 1]]);
    expect(optionsOf(mapRange, state)).toEqual([mapRangeOf(notifier)]);
    expect(optionsOf(removeNotifier, state)).toEqual([removeOf(notifier)]);
    expect(optionsOf(releaseRange, state)).toEqual([]);
  });
});

/** The release of `mapping`, recorded over [start, start+1) of mm 0. */
const releaseOf = (mapping: number, start: number): Op[] => [
  { kind: 'driver_lock', dev: DRIVER },
  { kind: 'device_stop_dma', dev: DRIVER, mm: 0, start, npages: 1 },
  { kind: 'p2p_unmap', mapping },
  { kind: 'driver_forget', dev: DRIVER, mapping },
  { kind: 'driver_unlock', dev: DRIVER },
];

describe('releaseRange: the importer stops the device, p2p_unmaps and forgets a mapping it recorded', () => {
  it("is offered while another range's map path runs", () => {
    const { state: s1, notifier: a } = subscribe(twoBarVmas(), 0);
    const { state: s2, notifier: b } = subscribe(s1, 1);
    const { state: s3, mapping } = programmed(s2, a);
    const { state } = run(s3, ...mapRangeOf(b));
    expect(state.threads.size).toBe(1);
    expect(optionsOf(releaseRange, state)).toEqual([releaseOf(mapping, 0)]);
  });

  it('under driver_lock: device_stop_dma for exactly the recorded range, p2p_unmap of its mapping, forget it, driver_unlock', () => {
    const { state: s1, notifier } = subscribe(twoBarVmas(), 1);
    const { state, mapping } = programmed(s1, notifier);
    expect(optionsOf(releaseRange, state)).toEqual([releaseOf(mapping, 1)]);
    const released = run(state, ...releaseOf(mapping, 1)).state;
    expect(released.records).toEqual([]);
    expect(released.deviceRanges.size).toBe(0);
    expect(optionsOf(releaseRange, released)).toEqual([]);
  });

  it('is not offered while the map path that recorded the mapping still runs (up to its mmput)', () => {
    const { state: s1, notifier } = subscribe(twoBarVmas(), 0);
    const { state: s2 } = run(s1, ...mapRangeOf(notifier));
    const r = runThread(s2, lastId(s2.threads), 11);
    expect(r.ops.at(-1)?.kind).toBe('driver_unlock');
    expect(r.state.deviceRanges.size).toBe(1);
    expect(optionsOf(releaseRange, r.state)).toEqual([]);
  });

  it('after munmap with a record-only callback the VMA is gone: the record stays, and its release cannot run (p2p_unmap would pass the freed VMA)', () => {
    const { state: s1, notifier } = subscribe(twoBarVmas('vma-p2p-map-notifier-nostop'), 0);
    const { state: s2 } = programmed(s1, notifier);
    const { state: s3, events } = run(s2, { kind: 'munmap', mm: 0, start: 0, npages: 1 });
    expect(optionsOf(invalidateRangeEnd, s3)).toEqual([]);
    const cb = runThread(s3, callbackThread(events));
    const inv = lastId(cb.state.invalidations);
    expect(optionsOf(invalidateRangeEnd, cb.state)).toEqual([[{ kind: 'mmu_notifier_invalidate_range_end', inv }]]);
    const { state } = run(cb.state, { kind: 'mmu_notifier_invalidate_range_end', inv });
    expect(state.vmas.size).toBe(1);
    expect(state.mappings.size).toBe(1);
    const mapping = lastId(state.mappings);
    expect(optionsOf(releaseRange, state)).toEqual([releaseOf(mapping, 0)]);
    expect(runPlan(state, releaseRange.options(state)[0]!)).toBeNull();
  });
});

describe('removeNotifier: mmu_interval_notifier_remove of a range nothing uses', () => {
  it('offers mmu_interval_notifier_remove of an idle importer notifier, not of one whose map path runs or another device\'s', () => {
    const { state: s1, notifier: a } = subscribe(twoBarVmas(), 0);
    const { state: s2, notifier: b } = subscribe(s1, 1);
    const { state: s3 } = subscribe(s2, 1, 1, EXPORTER);
    expect(optionsOf(removeNotifier, s3)).toEqual([removeOf(a), removeOf(b)]);
    const { state: s4 } = run(s3, ...mapRangeOf(a));
    expect(optionsOf(removeNotifier, s4)).toEqual([removeOf(b)]);
  });

  it("a mapping recorded under a notifier blocks its removal only, not the adjacent page's or another mm's", () => {
    const { state: forked } = run(twoBarVmas(), { kind: 'fork', mm: 0 });
    const child = lastId(forked.mms);
    const { state: s1, notifier: a } = subscribe(forked, 0);
    const { state: s2, notifier: b } = subscribe(s1, 1);
    const { state: s3, notifier: c } = subscribe(s2, 0, 1, DRIVER, child);
    expect(optionsOf(removeNotifier, programmed(s3, a).state)).toEqual([removeOf(b), removeOf(c)]);
    expect(optionsOf(removeNotifier, programmed(s3, b).state)).toEqual([removeOf(a), removeOf(c)]);
  });

  it("a record blocks removal even after its mapping was p2p_unmapped behind the driver's back", () => {
    const { state: forked } = run(twoBarVmas(), { kind: 'fork', mm: 0 });
    const child = lastId(forked.mms);
    const { state: s1, notifier: a } = subscribe(forked, 0);
    const { state: s2, notifier: b } = subscribe(s1, 1);
    const { state: s3, notifier: c } = subscribe(s2, 0, 1, DRIVER, child);
    const onlyRange = (n: number): State => {
      const { state, mapping } = programmed(s3, n);
      const after = run(state, { kind: 'p2p_unmap', mapping }).state;
      expect(after.mappings.size).toBe(0);
      expect(after.deviceRanges.size).toBe(1);
      return after;
    };
    expect(optionsOf(removeNotifier, onlyRange(a))).toEqual([removeOf(b), removeOf(c)]);
    expect(optionsOf(removeNotifier, onlyRange(b))).toEqual([removeOf(a), removeOf(c)]);
  });
});

describe('driverThreads: any driver thread makes its next call', () => {
  it("offers each thread's next call, by thread id, with by set", () => {
    const { state: s1, notifier: a } = subscribe(twoBarVmas(), 0);
    const { state: s2, notifier: b } = subscribe(s1, 1);
    const { state: s3 } = run(s2, ...mapRangeOf(b));
    const tb = lastId(s3.threads);
    const { state: s4 } = run(s3, { kind: 'mmget_not_zero', mm: 0, by: tb }, ...mapRangeOf(a));
    const ta = lastId(s4.threads);
    expect(optionsOf(driverThreads, s4)).toEqual([[{ kind: 'mmu_interval_read_begin', notifier: b, by: tb }], [{ kind: 'mmget_not_zero', mm: 0, by: ta }]]);
  });

  it('offers nothing for a thread whose code has no next step', () => {
    const { state: s1, notifier } = subscribe(twoBarVmas(), 0);
    const { state: s2 } = run(s1, ...mapRangeOf(notifier));
    const tid = lastId(s2.threads);
    const stuck: State = { ...s2, threads: new Map([[tid, { ...s2.threads.get(tid)!, pc: 99 }]]) };
    expect(optionsOf(driverThreads, stuck)).toEqual([]);
  });
});

describe('driverThreadRunsOn: for the random search, a thread runs up to its next release of a lock', () => {
  it("offers each thread's run up to its next release, and every shorter prefix of two steps or more; the explorer leaves it out", () => {
    const { state: s1, notifier } = subscribe(twoBarVmas(), 0);
    const { state } = run(s1, ...mapRangeOf(notifier));
    const tid = lastId(state.threads);
    expect(driverThreadRunsOn.searchOnly).toBe(true);
    const runs = driverThreadRunsOn.options(state).map((plan) => runPlan(state, plan)!.map((c) => c.op.kind));
    // mmget .. p2p_map, whose return drops the exporter's locks: the window after it is where a removal gets in.
    const whole = ['mmget_not_zero', 'mmu_interval_read_begin', 'mmap_read_lock', 'find_vma', 'p2p_map'];
    expect(runs).toEqual([whole, whole.slice(0, 4), whole.slice(0, 3), whole.slice(0, 2)]);
    expect(runPlan(state, driverThreadRunsOn.options(state)[0]!)!.every((c) => c.op.by === tid)).toBe(true);
  });

  it('offers no run of a thread that cannot take two steps (it waits for a lock after one)', () => {
    const { state: s1, notifier } = subscribe(twoBarVmas(), 0);
    const { state: s2 } = run(s1, ...mapRangeOf(notifier), { kind: 'driver_lock', dev: DRIVER });
    const tid = lastId(s2.threads);
    const atLock = runThread(s2, tid, 7).state;
    expect(peekOps(atLock)).toEqual([]);
  });
});

const peekOps = (s: State) => driverThreadRunsOn.options(s);

describe('newestThreadRunsOn: for the random search, the newest thread runs first', () => {
  it('offers runs of the newest thread that can move only: a callback the kernel just started before the older map path', () => {
    const { state: s1, notifier } = subscribe(twoBarVmas(), 0);
    const { state: s2 } = run(s1, ...mapRangeOf(notifier));
    const mapPathTid = lastId(s2.threads);
    const { state: s3, events } = run(s2, { kind: 'munmap', mm: 0, start: 0, npages: 1 });
    const callback = callbackThread(events);
    expect(callback).toBeGreaterThan(mapPathTid);
    expect(newestThreadRunsOn.searchOnly).toBe(true);
    const plans = newestThreadRunsOn.options(s3).map((plan) => runPlan(s3, plan)!.map((c) => c.op.by));
    expect(plans.length).toBeGreaterThan(0);
    for (const p of plans) expect(new Set(p)).toEqual(new Set([callback]));
    // The callback's whole run up to its driver_unlock comes first.
    expect(runPlan(s3, newestThreadRunsOn.options(s3)[0]!)!.at(-1)!.op.kind).toBe('driver_unlock');
  });
});
