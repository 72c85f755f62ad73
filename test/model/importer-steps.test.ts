/**
 * The step templates of the threaded importer designs (model/designs/importer-steps.ts):
 * which calls the importer's driver may make next in a given state.
 */
import { describe, expect, it } from 'vitest';
import type { StepTemplate } from '../../model/designs/design.ts';
import { driverThreads, invalidateRangeEnd, mapRange, registerNotifier, releaseRange, removeNotifier } from '../../model/designs/importer-steps.ts';
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
const twoBarVmas = (design = 'vma-p2p-map-notifier'): State => run(designWorld(design), barOp, barOp).state;

/** Insert a notifier of `owner` over [start, start+npages) and return its id. */
const subscribe = (s: State, start: number, npages = 1, owner = DRIVER, mm = 0): { state: State; notifier: number } => {
  const { state } = run(s, insert(start, npages, owner, mm));
  return { state, notifier: lastId(state.notifiers) };
};

/** The importer's map path for `notifier` runs to its end: the device is programmed with the p2p_map mapping. */
const programmed = (s: State, notifier: number): { state: State; mapping: number } => {
  const { state: s1 } = run(s, ...mapRangeOf(notifier));
  const r = runThread(s1, lastId(s1.threads));
  expect(r.ops.map((o) => o.kind)).toEqual(['mmu_interval_read_begin', 'p2p_map', 'driver_lock', 'mmu_interval_read_retry', 'device_program', 'driver_unlock']);
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
  it('offers driver_map_range for each importer notifier with no map path running and no programmed range over it', () => {
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

  it('a programmed device range blocks driver_map_range for the notifier it overlaps, not for the adjacent page or another mm', () => {
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

describe('releaseRange: the importer stops the device and p2p_unmaps a programmed range', () => {
  it("is offered while another range's map path runs", () => {
    const { state: s1, notifier: a } = subscribe(twoBarVmas(), 0);
    const { state: s2, notifier: b } = subscribe(s1, 1);
    const { state: s3, mapping } = programmed(s2, a);
    const { state } = run(s3, ...mapRangeOf(b));
    expect(state.threads.size).toBe(1);
    expect(optionsOf(releaseRange, state)).toEqual([
      [
        { kind: 'driver_lock', dev: DRIVER },
        { kind: 'device_stop_dma', dev: DRIVER, mm: 0, start: 0, npages: 1 },
        { kind: 'p2p_unmap', mapping },
        { kind: 'driver_unlock', dev: DRIVER },
      ],
    ]);
  });

  it('a programmed range whose mapping was already p2p_unmapped is released with device_stop_dma alone', () => {
    const { state: s1, notifier } = subscribe(twoBarVmas(), 0);
    const { state: s2, mapping } = programmed(s1, notifier);
    const { state } = run(s2, { kind: 'p2p_unmap', mapping });
    expect(optionsOf(releaseRange, state)).toEqual([
      [
        { kind: 'driver_lock', dev: DRIVER },
        { kind: 'device_stop_dma', dev: DRIVER, mm: 0, start: 0, npages: 1 },
        { kind: 'driver_unlock', dev: DRIVER },
      ],
    ]);
  });

  it('under driver_lock: device_stop_dma for exactly the programmed range, p2p_unmap of its mapping, driver_unlock', () => {
    const { state: s1, notifier } = subscribe(twoBarVmas(), 1);
    const { state, mapping } = programmed(s1, notifier);
    expect(optionsOf(releaseRange, state)).toEqual([
      [
        { kind: 'driver_lock', dev: DRIVER },
        { kind: 'device_stop_dma', dev: DRIVER, mm: 0, start: 1, npages: 1 },
        { kind: 'p2p_unmap', mapping },
        { kind: 'driver_unlock', dev: DRIVER },
      ],
    ]);
  });

  it('is not offered while the map path that programmed the range still runs (before its driver_unlock)', () => {
    const { state: s1, notifier } = subscribe(twoBarVmas(), 0);
    const { state: s2 } = run(s1, ...mapRangeOf(notifier));
    const r = runThread(s2, lastId(s2.threads), 5);
    expect(r.ops.at(-1)?.kind).toBe('device_program');
    expect(r.state.deviceRanges.size).toBe(1);
    expect(optionsOf(releaseRange, r.state)).toEqual([]);
  });

  it('after munmap with a record-only callback the VMA is gone: release stops the device but makes no p2p_unmap (it needs the VMA)', () => {
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
    expect(optionsOf(releaseRange, state)).toEqual([
      [
        { kind: 'driver_lock', dev: DRIVER },
        { kind: 'device_stop_dma', dev: DRIVER, mm: 0, start: 0, npages: 1 },
        { kind: 'driver_unlock', dev: DRIVER },
      ],
    ]);
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

  it('a live p2p_map mapping blocks removal of the notifier over its pages only, not of the adjacent page or another mm', () => {
    const { state: forked } = run(twoBarVmas(), { kind: 'fork', mm: 0 });
    const child = lastId(forked.mms);
    const { state: s1, notifier: a } = subscribe(forked, 0);
    const { state: s2, notifier: b } = subscribe(s1, 1);
    const { state: s3, notifier: c } = subscribe(s2, 0, 1, DRIVER, child);
    const vmaAt = (start: number): number => [...s3.vmas.values()].find((v) => v.mm === 0 && v.start === start)!.id;
    const aMapped = run(s3, { kind: 'p2p_map', vma: vmaAt(0), dev: DRIVER, write: true }).state;
    expect(optionsOf(removeNotifier, aMapped)).toEqual([removeOf(b), removeOf(c)]);
    const bMapped = run(s3, { kind: 'p2p_map', vma: vmaAt(1), dev: DRIVER, write: true }).state;
    expect(optionsOf(removeNotifier, bMapped)).toEqual([removeOf(a), removeOf(c)]);
  });

  it('a programmed device range blocks removal even after its mapping was p2p_unmapped without stopping the device', () => {
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
    const { state: s4 } = run(s3, { kind: 'mmu_interval_read_begin', notifier: b, by: tb }, ...mapRangeOf(a));
    const ta = lastId(s4.threads);
    expect(optionsOf(driverThreads, s4)).toEqual([
      [{ kind: 'p2p_map', vma: [...s4.vmas.values()].find((v) => v.start === 1)!.id, dev: DRIVER, write: true, by: tb }],
      [{ kind: 'mmu_interval_read_begin', notifier: a, by: ta }],
    ]);
  });

  it('offers nothing for a thread whose code has no next step', () => {
    const { state: s1, notifier } = subscribe(twoBarVmas(), 0);
    const { state: s2 } = run(s1, ...mapRangeOf(notifier));
    const tid = lastId(s2.threads);
    const stuck: State = { ...s2, threads: new Map([[tid, { ...s2.threads.get(tid)!, pc: 99 }]]) };
    expect(optionsOf(driverThreads, stuck)).toEqual([]);
  });
});
