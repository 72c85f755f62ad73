import { describe, expect, it } from 'vitest';
import type { State } from '../../model/state.ts';
import { IMPORTER, ISOLATED, RAW_BASE, RAW_EXPORTER, callbackThread, designWorld, gup, lastId, mmapAnon, mmapBar, newId, rejectedWith, run, runThread, world, munmapVma } from './helpers.ts';

/** mm 0 maps the two pages of the raw BAR at virtual page 0. */
const barVma = (s: State = world()): { state: State; vma: number } => {
  const { state } = run(s, mmapBar(2));
  return { state, vma: lastId(state.vmas) };
};

const mapped = (): { state: State; vma: number; mapping: number } => {
  const { state: s1, vma } = barVma();
  const { state } = run(s1, { kind: 'p2p_map', vma, dev: IMPORTER, write: true });
  return { state, vma, mapping: lastId(state.mappings) };
};

describe('p2p_map', () => {
  it('p2p_map for write hands the importer a bidirectional mapping of the BAR window at its bus addresses', () => {
    const { state: s1, vma } = barVma();
    const { state, events } = run(s1, { kind: 'p2p_map', vma, dev: IMPORTER, write: true });
    const id = newId(s1.mappings, state.mappings);
    expect(state.mappings.get(id)).toEqual({
      id,
      device: IMPORTER,
      dir: 'bidirectional',
      api: 'p2p_map',
      origin: { kind: 'vma-op', vma, mm: 0, start: 0, npages: 2 },
      // bus window of BAR 1 starts at 0x2000
      entries: [
        { dma: 0x2000, pfn: RAW_BASE, gen: 1, reaches: RAW_BASE },
        { dma: 0x2001, pfn: RAW_BASE + 1, gen: 1, reaches: RAW_BASE + 1 },
      ],
      nents: 2,
      mapped: 2,
      errorChecked: false,
    });
    expect(state.frames).toBe(s1.frames);
    expect(state.vmas).toBe(s1.vmas);
    // What p2p_map returns to its caller: the handle and the addresses.
    expect(events).toEqual([{ kind: 'p2p-mapped', mapping: id, entries: state.mappings.get(id)!.entries }]);
  });

  it('p2p_map for read makes a to-device mapping', () => {
    const { state: s1, vma } = barVma();
    const { state } = run(s1, { kind: 'p2p_map', vma, dev: IMPORTER, write: false });
    expect(state.mappings.get(lastId(state.mappings))?.dir).toBe('to-device');
  });

  it('p2p_map of an anonymous VMA is rejected because it has no p2p_map vm_op', () => {
    const { state } = run(world(), mmapAnon(1));
    expect(rejectedWith(state, { kind: 'p2p_map', vma: lastId(state.vmas), dev: IMPORTER, write: true })).toMatch(/^ill-formed: vma \d+ has no p2p_map vm_op/);
  });

  it('p2p_map of a VMA that is not mapped is rejected', () => {
    expect(rejectedWith(world(), { kind: 'p2p_map', vma: 30, dev: IMPORTER, write: true })).toBe('-EFAULT: vma 30 is not mapped');
  });

  it('p2p_map for a device the provider cannot reach is rejected', () => {
    const { state, vma } = barVma();
    expect(rejectedWith(state, { kind: 'p2p_map', vma, dev: ISOLATED, write: true })).toBe(`-EREMOTEIO: device ${ISOLATED} cannot reach provider ${RAW_EXPORTER} peer-to-peer`);
  });

  it('p2p_map for a device that does not exist is rejected', () => {
    const { state, vma } = barVma();
    expect(rejectedWith(state, { kind: 'p2p_map', vma, dev: 12, write: true })).toBe('ill-formed: no device 12');
  });

  it('p2p_map after the exporter was removed is rejected with -ENODEV', () => {
    const { state: s1, vma } = barVma();
    const { state } = run(s1, { kind: 'pci_stop_and_remove_bus_device', dev: RAW_EXPORTER });
    expect(rejectedWith(state, { kind: 'p2p_map', vma, dev: IMPORTER, write: true })).toMatch(/^-ENODEV: /);
  });
});

describe('p2p_unmap', () => {
  it('p2p_unmap removes the mapping and emits mapping-torn-down', () => {
    const { state: s1, vma, mapping } = mapped();
    const { state, events } = run(s1, { kind: 'p2p_unmap', mapping });
    expect(state.mappings.has(mapping)).toBe(false);
    expect(state.vmas.has(vma)).toBe(true);
    expect(events).toEqual([{ kind: 'mapping-torn-down', mapping }]);
  });

  it('p2p_unmap after munmap of its VMA is rejected because the VMA was destroyed before p2p_unmap', () => {
    const { state: s1, vma, mapping } = mapped();
    const { state } = run(s1, munmapVma(s1, vma));
    expect(state.mappings.has(mapping)).toBe(true);
    expect(rejectedWith(state, { kind: 'p2p_unmap', mapping })).toMatch(/^ill-formed: .*destroyed before p2p_unmap/);
  });

  it('p2p_unmap of a mapping that was already unmapped is rejected', () => {
    const { state: s1, mapping } = mapped();
    const { state } = run(s1, { kind: 'p2p_unmap', mapping });
    expect(rejectedWith(state, { kind: 'p2p_unmap', mapping })).toMatch(/^ill-formed: .*already torn down/);
  });

  it("p2p_unmap of a mapping the importer's invalidate callback already gave back is rejected", () => {
    // The design world: device 1 imports BAR 0 of device 0 and runs the stop-unmap callback.
    const { state: s1 } = run(designWorld('vma-p2p-map-notifier'), { kind: 'mmap', mm: 0, npages: 2, backing: { kind: 'bar', bar: 0 } });
    const vma = lastId(s1.vmas);
    const { state: s2i } = run(s1, { kind: 'mmu_interval_notifier_insert', mm: 0, start: 0, npages: 2, owner: 1 }, { kind: 'driver_map_range', dev: 1, notifier: vma + 1 });
    const s2 = runThread(s2i, lastId(s2i.threads)).state;
    const mapping = lastId(s2.mappings);
    const { state: s3, events } = run(s2, munmapVma(s2, vma));
    const { state, ops } = runThread(s3, callbackThread(events));
    expect(ops).toContainEqual({ kind: 'p2p_unmap', mapping, by: callbackThread(events) });
    // The VMA still exists (range_end has not run): only the mapping is gone.
    expect(state.vmas.has(vma)).toBe(true);
    expect(rejectedWith(state, { kind: 'p2p_unmap', mapping })).toBe(`ill-formed: mapping ${mapping} is not live (already torn down)`);
  });

  it('p2p_unmap of a dma_map_sg mapping is rejected', () => {
    const { state: s1 } = run(world(), mmapAnon(1), gup(0, 1, true));
    const { state: s2 } = run(s1, { kind: 'sg_alloc_table_from_pages', pages: lastId(s1.pageArrays) });
    const { state } = run(s2, { kind: 'dma_map_sg', dev: IMPORTER, sgl: lastId(s2.sgls), dir: 'to-device' });
    expect(rejectedWith(state, { kind: 'p2p_unmap', mapping: lastId(state.mappings) })).toMatch(/^ill-formed: .*was made by dma_map_sg, not p2p_map/);
  });

  it('p2p_unmap of a BAR mapping made by sgl_dma_map_user is rejected', () => {
    const { state: s1, vma } = barVma();
    const v = s1.vmas.get(vma)!;
    const { state } = run(s1, { kind: 'sgl_dma_map_user', dev: IMPORTER, mm: 0, start: v.start, npages: v.npages, dir: 'to-device' });
    expect(rejectedWith(state, { kind: 'p2p_unmap', mapping: lastId(state.mappings) })).toMatch(/^ill-formed: .*was made by sgl_dma_map_user, not p2p_map/);
  });
});

describe('device_program and the device reaching p2p_map addresses', () => {
  const write = (mapping: number, index = 0) => ({ kind: 'device_write', mapping, index }) as const;

  it('device_write through a p2p_map mapping the driver never programmed into its device is rejected', () => {
    const { state, mapping } = mapped();
    expect(rejectedWith(state, write(mapping))).toBe(`ill-formed: device ${IMPORTER} holds no programmed address of mapping ${mapping}`);
  });

  it("device_program writes the mapping's addresses into the device, which then reaches the BAR window", () => {
    const { state: s1, vma, mapping } = mapped();
    const { state: s2, events } = run(s1, { kind: 'device_program', dev: IMPORTER, mapping });
    const range = newId(s1.deviceRanges, s2.deviceRanges);
    expect(events).toEqual([{ kind: 'device-programmed', device: IMPORTER, range, mapping }]);
    expect(s2.deviceRanges.get(range)).toMatchObject({ device: IMPORTER, mapping, mm: 0, start: 0, end: 2, entries: s1.mappings.get(mapping)!.entries });
    expect(s2.vmas.has(vma)).toBe(true);
    expect(run(s2, write(mapping, 1)).events).toEqual([{ kind: 'device-access', device: IMPORTER, mapping, pfn: RAW_BASE + 1, gen: 1, reached: RAW_BASE + 1, write: true }]);
  });

  it('device_program of a mapping another device holds is rejected', () => {
    const { state, mapping } = mapped();
    expect(rejectedWith(state, { kind: 'device_program', dev: RAW_EXPORTER, mapping })).toBe(`ill-formed: the driver of device ${RAW_EXPORTER} holds no addresses of mapping ${mapping}`);
  });

  it('a programmed device keeps reaching the addresses after p2p_unmap, until device_stop_dma', () => {
    const { state: s1, mapping } = mapped();
    const { state: s2 } = run(s1, { kind: 'device_program', dev: IMPORTER, mapping }, { kind: 'p2p_unmap', mapping });
    expect(s2.mappings.has(mapping)).toBe(false);
    expect(run(s2, write(mapping)).events).toEqual([{ kind: 'device-access', device: IMPORTER, mapping, pfn: RAW_BASE, gen: 1, reached: RAW_BASE, write: true }]);
    const range = lastId(s2.deviceRanges);
    const { state, events } = run(s2, { kind: 'device_stop_dma', dev: IMPORTER, mm: 0, start: 1, npages: 1 });
    expect(events).toEqual([{ kind: 'device-stopped', device: IMPORTER, range }]);
    expect(state.deviceRanges.size).toBe(0);
    expect(rejectedWith(state, write(mapping))).toContain(`mapping ${mapping} is not live`);
  });

  it('device_stop_dma of a range the device was not programmed for stops nothing', () => {
    const { state: s1, mapping } = mapped();
    const { state: s2 } = run(s1, { kind: 'device_program', dev: IMPORTER, mapping });
    const { state, events } = run(s2, { kind: 'device_stop_dma', dev: IMPORTER, mm: 0, start: 2, npages: 4 });
    expect(events).toEqual([]);
    expect(state.deviceRanges).toBe(s2.deviceRanges);
  });
});
