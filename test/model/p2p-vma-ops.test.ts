import { describe, expect, it } from 'vitest';
import type { State } from '../../model/state.ts';
import { IMPORTER, ISOLATED, RAW_BASE, RAW_EXPORTER, gup, lastId, mmapAnon, mmapBar, newId, rejectedWith, run, world } from './helpers.ts';

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
    expect(events).toEqual([]);
  });

  it('p2p_map for read makes a to-device mapping', () => {
    const { state: s1, vma } = barVma();
    const { state } = run(s1, { kind: 'p2p_map', vma, dev: IMPORTER, write: false });
    expect(state.mappings.get(lastId(state.mappings))?.dir).toBe('to-device');
  });

  it('p2p_map of an anonymous VMA is rejected because it has no p2p_map vm_op', () => {
    const { state } = run(world(), mmapAnon(1));
    expect(rejectedWith(state, { kind: 'p2p_map', vma: lastId(state.vmas), dev: IMPORTER, write: true })).toContain('has no p2p_map vm_op');
  });

  it('p2p_map of a VMA that is not mapped is rejected', () => {
    expect(rejectedWith(world(), { kind: 'p2p_map', vma: 30, dev: IMPORTER, write: true })).toContain('vma 30 is not mapped');
  });

  it('p2p_map for a device the provider cannot reach is rejected', () => {
    const { state, vma } = barVma();
    expect(rejectedWith(state, { kind: 'p2p_map', vma, dev: ISOLATED, write: true })).toContain(`device ${ISOLATED} cannot reach provider ${RAW_EXPORTER} peer-to-peer`);
  });

  it('p2p_map for a device that does not exist is rejected', () => {
    const { state, vma } = barVma();
    expect(rejectedWith(state, { kind: 'p2p_map', vma, dev: 12, write: true })).toContain('no device 12');
  });

  it('p2p_map after the exporter was removed is rejected with -ENODEV', () => {
    const { state: s1, vma } = barVma();
    const { state } = run(s1, { kind: 'pci_stop_and_remove_bus_device', dev: RAW_EXPORTER });
    expect(rejectedWith(state, { kind: 'p2p_map', vma, dev: IMPORTER, write: true })).toContain('-ENODEV');
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
    const { state } = run(s1, { kind: 'munmap', vma });
    expect(state.mappings.has(mapping)).toBe(true);
    expect(rejectedWith(state, { kind: 'p2p_unmap', mapping })).toContain('destroyed before p2p_unmap');
  });

  it('p2p_unmap of a mapping that was already unmapped is rejected', () => {
    const { state: s1, mapping } = mapped();
    const { state } = run(s1, { kind: 'p2p_unmap', mapping });
    expect(rejectedWith(state, { kind: 'p2p_unmap', mapping })).toContain('already torn down');
  });

  it('p2p_unmap of a mapping a notifier already tore down is rejected', () => {
    const { state: s1, vma, mapping } = mapped();
    const { state } = run(s1, { kind: 'mmu_interval_notifier_insert', mm: 0, start: 0, npages: 2, owner: IMPORTER }, { kind: 'munmap', vma });
    expect(rejectedWith(state, { kind: 'p2p_unmap', mapping })).toContain(`mapping ${mapping} is not live`);
  });

  it('p2p_unmap of a dma_map_sg mapping is rejected', () => {
    const { state: s1 } = run(world(), mmapAnon(1), gup(0, 1, true));
    const { state: s2 } = run(s1, { kind: 'sg_alloc_table_from_pages', pages: lastId(s1.pageArrays) });
    const { state } = run(s2, { kind: 'dma_map_sg', dev: IMPORTER, sgl: lastId(s2.sgls), dir: 'to-device' });
    expect(rejectedWith(state, { kind: 'p2p_unmap', mapping: lastId(state.mappings) })).toContain('was made by dma_map_sg, not p2p_map');
  });

  it('p2p_unmap of a BAR mapping made by sgl_dma_map_user is rejected', () => {
    const { state: s1, vma } = barVma();
    const v = s1.vmas.get(vma)!;
    const { state } = run(s1, { kind: 'sgl_dma_map_user', dev: IMPORTER, mm: 0, start: v.start, npages: v.npages, dir: 'to-device' });
    expect(rejectedWith(state, { kind: 'p2p_unmap', mapping: lastId(state.mappings) })).toContain('was made by sgl_dma_map_user, not p2p_map');
  });
});
