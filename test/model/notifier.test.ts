import { describe, expect, it } from 'vitest';
import type { Op } from '../../model/op.ts';
import type { State } from '../../model/state.ts';
import { IMPORTER, RAW_EXPORTER, kinds, lastId, mmapAnon, mmapBar, newId, rejectedWith, run, world } from './helpers.ts';

const insert = (start: number, npages: number, owner: number, mm = 0): Op => ({ kind: 'mmu_interval_notifier_insert', mm, start, npages, owner });

/** mm 0 maps the raw BAR (one page at virtual page 0) and the importer p2p_maps it. */
const barMappedByImporter = (s: State = world()): { state: State; vma: number; mapping: number } => {
  const { state: s1 } = run(s, mmapBar(1));
  const vma = lastId(s1.vmas);
  const { state } = run(s1, { kind: 'p2p_map', vma, dev: IMPORTER, write: true });
  return { state, vma, mapping: lastId(state.mappings) };
};

describe('mmu_interval_notifier_insert', () => {
  it('mmu_interval_notifier_insert registers a notifier over [start, start+npages) with sequence 0', () => {
    const s0 = world();
    const { state, events } = run(s0, insert(1, 2, IMPORTER));
    const id = newId(s0.notifiers, state.notifiers);
    expect(state.notifiers.get(id)).toEqual({ id, mm: 0, start: 1, end: 3, owner: IMPORTER, seq: 0 });
    expect(events).toEqual([]);
  });

  it('mmu_interval_notifier_insert in an mm that is not alive is rejected', () => {
    expect(rejectedWith(world(), insert(0, 1, IMPORTER, 6))).toContain('mm 6 is not alive');
  });

  it('mmu_interval_notifier_insert over zero pages is rejected', () => {
    expect(rejectedWith(world(), insert(0, 0, IMPORTER))).toContain('npages 0 must be at least 1');
  });

  it('mmu_interval_notifier_insert for a device that does not exist is rejected', () => {
    expect(rejectedWith(world(), insert(0, 1, 8))).toContain('no device 8');
  });
});

describe('mmu_interval_notifier_remove', () => {
  it('mmu_interval_notifier_remove unregisters the notifier', () => {
    const { state: s1 } = run(world(), insert(0, 1, IMPORTER));
    const n = lastId(s1.notifiers);
    const { state, events } = run(s1, { kind: 'mmu_interval_notifier_remove', notifier: n });
    expect(state.notifiers.size).toBe(0);
    expect(events).toEqual([]);
  });

  it('mmu_interval_notifier_remove of a notifier that is not registered is rejected', () => {
    expect(rejectedWith(world(), { kind: 'mmu_interval_notifier_remove', notifier: 4 })).toContain('notifier 4 is not registered');
  });

  it('mmu_interval_notifier_remove twice is rejected', () => {
    const { state: s1 } = run(world(), insert(0, 1, IMPORTER));
    const n = lastId(s1.notifiers);
    const { state } = run(s1, { kind: 'mmu_interval_notifier_remove', notifier: n });
    expect(rejectedWith(state, { kind: 'mmu_interval_notifier_remove', notifier: n })).toContain('is not registered');
  });
});

describe('invalidation on munmap', () => {
  it('munmap with an importer-owned notifier over a p2p_mapped BAR VMA tears the mapping down before the VMA is destroyed', () => {
    const { state: s1, vma, mapping } = barMappedByImporter();
    const { state: s2 } = run(s1, insert(0, 1, IMPORTER));
    const n = lastId(s2.notifiers);
    const { state, events } = run(s2, { kind: 'munmap', vma });
    expect(events).toEqual([
      { kind: 'notifier-invalidated', notifier: n },
      { kind: 'mapping-torn-down', mapping },
      { kind: 'vma-destroyed', vma, mm: 0 },
    ]);
    expect(state.mappings.has(mapping)).toBe(false);
    expect(state.notifiers.get(n)?.seq).toBe(1);
  });

  it('munmap without a notifier leaves the p2p_map mapping live after the VMA is gone', () => {
    const { state: s1, vma, mapping } = barMappedByImporter();
    const { state, events } = run(s1, { kind: 'munmap', vma });
    expect(events).toEqual([{ kind: 'vma-destroyed', vma, mm: 0 }]);
    expect(state.mappings.get(mapping)).toBe(s1.mappings.get(mapping));
  });

  it('munmap only tears down mappings of the device that owns the notifier', () => {
    const { state: s1, vma, mapping } = barMappedByImporter();
    const { state: s2 } = run(s1, insert(0, 1, RAW_EXPORTER));
    const { state, events } = run(s2, { kind: 'munmap', vma });
    expect(kinds(events)).toEqual(['notifier-invalidated', 'vma-destroyed']);
    expect(state.mappings.has(mapping)).toBe(true);
  });

  it('munmap does not invalidate a notifier whose range does not overlap the VMA', () => {
    const { state: s1, vma, mapping } = barMappedByImporter();
    const { state: s2 } = run(s1, insert(1, 4, IMPORTER));
    const n = lastId(s2.notifiers);
    const { state, events } = run(s2, { kind: 'munmap', vma });
    expect(kinds(events)).toEqual(['vma-destroyed']);
    expect(state.notifiers.get(n)?.seq).toBe(0);
    expect(state.mappings.has(mapping)).toBe(true);
  });

  it('munmap does not invalidate a notifier registered in another mm', () => {
    const { state: s0 } = run(world(), mmapAnon(1), { kind: 'fork', mm: 0 });
    const child = lastId(s0.mms);
    const { state: s1, vma } = barMappedByImporter(s0);
    const { state: s2 } = run(s1, insert(0, 8, IMPORTER, child));
    const { events } = run(s2, { kind: 'munmap', vma });
    expect(kinds(events)).toEqual(['vma-destroyed']);
  });

  it('munmap after mmu_interval_notifier_remove leaves the mapping live', () => {
    const { state: s1, vma, mapping } = barMappedByImporter();
    const { state: s2 } = run(s1, insert(0, 1, IMPORTER));
    const { state } = run(s2, { kind: 'mmu_interval_notifier_remove', notifier: lastId(s2.notifiers) }, { kind: 'munmap', vma });
    expect(state.mappings.has(mapping)).toBe(true);
  });

  it('exit_mmap invalidates the notifier and tears the importer mapping down too', () => {
    const { state: s1, mapping } = barMappedByImporter();
    const { state: s2 } = run(s1, insert(0, 1, IMPORTER));
    const { state, events } = run(s2, { kind: 'exit_mmap', mm: 0 });
    expect(kinds(events)).toEqual(['notifier-invalidated', 'mapping-torn-down', 'vma-destroyed']);
    expect(state.mappings.has(mapping)).toBe(false);
  });
});
