import { describe, expect, it } from 'vitest';
import { put } from '../../model/collections.ts';
import type { Op } from '../../model/op.ts';
import type { DeviceRange, DriverThread, MappedEntry, State } from '../../model/state.ts';
import { IMPORTER, P2PDMA_BASE, RAW_BASE, RAW_EXPORTER, designWorld, frame, lastId, mmapAnon, mmapBar, pfnAt, rejectedWith, run, world, writeFault } from './helpers.ts';

const program = (dev: number, mapping: number): Op => ({ kind: 'device_program', dev, mapping });
const stop = (dev: number, mm: number, start: number, npages: number): Op => ({ kind: 'device_stop_dma', dev, mm, start, npages });

/** mm 0 maps one raw BAR page (pfn RAW_BASE at page 0) and the importer p2p_maps and programs it. */
const programmed = (s: State = world()): { state: State; mapping: number; range: number } => {
  const { state: s1 } = run(s, mmapBar(1));
  const { state: s2 } = run(s1, { kind: 'p2p_map', vma: lastId(s1.vmas), dev: IMPORTER, write: true });
  const mapping = lastId(s2.mappings);
  const { state } = run(s2, program(IMPORTER, mapping));
  return { state, mapping, range: lastId(state.deviceRanges) };
};

describe('driver_lock / driver_unlock (mutex on driver->update)', () => {
  it('driver_lock of two devices holds both, and driver_unlock releases only the one named', () => {
    const { state } = run(world(), { kind: 'driver_lock', dev: IMPORTER }, { kind: 'driver_lock', dev: 0 });
    expect(state.driverLocks).toEqual([0, IMPORTER]);
    const { state: after } = run(state, { kind: 'driver_unlock', dev: IMPORTER });
    expect(after.driverLocks).toEqual([0]);
    expect(rejectedWith(after, { kind: 'driver_lock', dev: 0 })).toBe("waits: device 0's driver lock is held");
    run(after, { kind: 'driver_lock', dev: IMPORTER });
  });
});

describe('device_program', () => {
  it('device_program of a p2p_map mapping made for another device is ill-formed: that driver holds no addresses of it', () => {
    const { state: s1 } = run(world(), mmapBar(1));
    const { state } = run(s1, { kind: 'p2p_map', vma: lastId(s1.vmas), dev: IMPORTER, write: true });
    const mapping = lastId(state.mappings);
    expect(rejectedWith(state, program(RAW_EXPORTER, mapping))).toBe(`ill-formed: the driver of device ${RAW_EXPORTER} holds no addresses of mapping ${mapping}`);
  });

  it('device_program of a dma_map_sg mapping is ill-formed: only p2p_map hands the driver addresses to program', () => {
    const { state: s1 } = run(world(), { kind: 'pci_alloc_p2pmem', bar: 0 }, { kind: 'sg_alloc_table', nents: 1 });
    const sgl = lastId(s1.sgls);
    const { state } = run(s1, { kind: 'sg_set_page', sgl, index: 0, page: P2PDMA_BASE }, { kind: 'dma_map_sg', dev: IMPORTER, sgl, dir: 'bidirectional' });
    const mapping = lastId(state.mappings);
    expect(rejectedWith(state, program(IMPORTER, mapping))).toBe(`ill-formed: the driver of device ${IMPORTER} holds no addresses of mapping ${mapping}`);
  });

  it('device_program of addresses a map path thread kept programs the copy that thread holds, over its notifier range, bidirectional', () => {
    const DRIVER = 1;
    const { state: s1 } = run(designWorld('vma-p2p-map-notifier'), { kind: 'mmap', mm: 0, npages: 1, backing: { kind: 'bar', bar: 0 } });
    const { state: s2 } = run(s1, { kind: 'mmu_interval_notifier_insert', mm: 0, start: 0, npages: 1, owner: DRIVER });
    const notifier = lastId(s2.notifiers);
    const MAPPING = 77;
    const entry = (gen: number): MappedEntry => ({ dma: 1000 + gen, pfn: 0, gen, reaches: 0 });
    const thread = (id: number, device: number, mapping: number, entries: ReadonlyArray<MappedEntry> | null, n = notifier): DriverThread => ({
      id, device, recipe: 'hmm-map', pc: 0, notifier: n, inv: null, curSeq: 0, range: { mm: 0, start: 0, end: 1 }, event: null, vma: null, seq: null, mapping, entries, retry: null, write: false, pfns: null, stale: false,
    });
    let threads = s2.threads;
    for (const t of [
      thread(900, 0, MAPPING, [entry(1)]), // another device's thread
      thread(901, DRIVER, 78, [entry(2)]), // another mapping
      thread(902, DRIVER, MAPPING, null), // holds no addresses (yet)
      thread(903, DRIVER, MAPPING, [entry(3)], 999), // its notifier was removed
      thread(904, DRIVER, MAPPING, [entry(4)]),
    ])
      threads = put(threads, t.id, t);
    const s3: State = { ...s2, threads, nextId: 1000 };
    const { state, events } = run(s3, program(DRIVER, MAPPING));
    const id = lastId(state.deviceRanges);
    expect(state.deviceRanges.get(id)).toEqual({ id, device: DRIVER, mapping: MAPPING, mm: 0, start: 0, end: 1, dir: 'bidirectional', entries: [entry(4)], streaming: false });
    expect(events).toEqual([{ kind: 'device-programmed', device: DRIVER, range: id, mapping: MAPPING }]);
  });
});

describe('device_stop_dma', () => {
  it('device_stop_dma stops only the ranges of that device in that mm that overlap the pages', () => {
    const { state, range } = programmed();
    for (const op of [stop(IMPORTER, 1, 0, 1), stop(0, 0, 0, 1), stop(IMPORTER, 0, 1, 4)]) {
      const r = run(state, op);
      expect(r.events).toEqual([]);
      expect(r.state.deviceRanges).toEqual(state.deviceRanges);
    }
    const { state: after, events } = run(state, stop(IMPORTER, 0, 0, 1));
    expect(events).toEqual([{ kind: 'device-stopped', device: IMPORTER, range }]);
    expect(after.deviceRanges.size).toBe(0);
  });
});

describe('driver_map_range', () => {
  it('driver_map_range for a device the world does not have is ill-formed', () => {
    expect(rejectedWith(world(), { kind: 'driver_map_range', dev: 99, notifier: 0 })).toBe('ill-formed: device 99 has no driver map path');
  });

  it("driver_map_range with another device's notifier is ill-formed", () => {
    const { state } = run(designWorld('vma-p2p-map-notifier'), { kind: 'mmu_interval_notifier_insert', mm: 0, start: 0, npages: 1, owner: 0 });
    const n = lastId(state.notifiers);
    expect(rejectedWith(state, { kind: 'driver_map_range', dev: 1, notifier: n })).toBe(`ill-formed: notifier ${n} is not one of device 1's`);
  });
});

describe('device_read / device_write through a programmed range', () => {
  it('device_read reaches the frame of the range programmed from that mapping, not of another range', () => {
    const { state: s1 } = programmed();
    const { state, mapping } = programmed(s1);
    const { events } = run(state, { kind: 'device_read', mapping, index: 0 });
    expect(events).toEqual([{ kind: 'device-access', device: IMPORTER, mapping, pfn: RAW_BASE + 1, gen: frame(state, RAW_BASE + 1).gen, reached: RAW_BASE + 1, write: false }]);
  });

  it('device_read and device_write past the end of a programmed range are ill-formed, named by the access', () => {
    const { state, mapping } = programmed();
    expect(rejectedWith(state, { kind: 'device_read', mapping, index: 3 })).toBe(`ill-formed: index 3 is outside mapping ${mapping} (1 entries)`);
    expect(rejectedWith(state, { kind: 'device_write', mapping, index: 3 })).toBe(`ill-formed: index 3 is outside mapping ${mapping} (1 entries)`);
  });

  it('device_write through a range programmed with a clean RAM page marks the page written by the device; a read, a freed page or a dirty page (its writeback takes the data) leaves it', () => {
    const { state: dirty } = run(world(), mmapAnon(1), writeFault(0));
    const used = pfnAt(dirty, 0, 0);
    // The page as writeback leaves it: clean.
    const s1: State = { ...dirty, frames: dirty.frames.map((f) => (f.pfn === used ? { ...f, dirty: false } : f)) };
    const freePfn = s1.frames.find((f) => f.free && f.bar === null)!.pfn;
    const range = (id: number, mapping: number, pfn: number): DeviceRange => ({
      id, device: IMPORTER, mapping, mm: 0, start: 0, end: 1, dir: 'bidirectional', streaming: false, entries: [{ dma: pfn, pfn, gen: frame(s1, pfn).gen, reaches: pfn }],
    });
    const s: State = { ...s1, deviceRanges: put(put(s1.deviceRanges, 500, range(500, 600, used)), 501, range(501, 601, freePfn)), nextId: 700 };
    const w = run(s, { kind: 'device_write', mapping: 600, index: 0 });
    expect(w.state.frames).toEqual(s.frames.map((f) => (f.pfn === used ? { ...f, deviceWroteSinceDirtied: true } : f)));
    expect(run(s, { kind: 'device_read', mapping: 600, index: 0 }).state).toBe(s);
    expect(run(s, { kind: 'device_write', mapping: 601, index: 0 }).state).toBe(s);
    const sDirty: State = { ...s, frames: dirty.frames };
    expect(run(sDirty, { kind: 'device_write', mapping: 600, index: 0 }).state).toBe(sDirty);
  });
});
