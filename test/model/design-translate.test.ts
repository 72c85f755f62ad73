/**
 * Cross-design replay: how a design's driver makes a call recorded from
 * another design (Design.translate): GUP references as FOLL_GET or FOLL_PIN,
 * and the notifier importer's p2p_map / release.
 */
import { describe, expect, it } from 'vitest';
import { asLegacyCall, asPinCall } from '../../model/designs/gup-io.ts';
import { designById } from '../../model/designs/index.ts';
import type { Op } from '../../model/op.ts';
import type { State } from '../../model/state.ts';
import { designWorld, lastId, run } from './helpers.ts';

const DRIVER = 1;

describe('asLegacyCall: a recorded GUP call made with get_user_pages/put_page', () => {
  it('pin_user_pages becomes get_user_pages of the same range and write flag', () => {
    expect(asLegacyCall({ kind: 'pin_user_pages', mm: 1, start: 2, npages: 3, write: true, longterm: true, p2pdma: false })).toEqual([
      { kind: 'get_user_pages', mm: 1, start: 2, npages: 3, write: true },
    ]);
  });

  it('unpin_user_pages becomes put_page', () => {
    expect(asLegacyCall({ kind: 'unpin_user_pages', pages: 4 })).toEqual([{ kind: 'put_page', pages: 4 }]);
  });

  it('unpin_user_pages_dirty_lock becomes set_page_dirty_lock then put_page, or put_page alone without make_dirty', () => {
    expect(asLegacyCall({ kind: 'unpin_user_pages_dirty_lock', pages: 4, make_dirty: true })).toEqual([
      { kind: 'set_page_dirty_lock', pages: 4 },
      { kind: 'put_page', pages: 4 },
    ]);
    expect(asLegacyCall({ kind: 'unpin_user_pages_dirty_lock', pages: 4, make_dirty: false })).toEqual([{ kind: 'put_page', pages: 4 }]);
  });

  it('any other call is made as it is', () => {
    const op: Op = { kind: 'put_page', pages: 4 };
    expect(asLegacyCall(op)).toEqual([op]);
  });
});

describe('asPinCall: a recorded GUP call made with pin_user_pages/unpin_user_pages', () => {
  it('get_user_pages becomes a short-term pin_user_pages without FOLL_PCI_P2PDMA', () => {
    expect(asPinCall({ kind: 'get_user_pages', mm: 1, start: 2, npages: 3, write: false })).toEqual([
      { kind: 'pin_user_pages', mm: 1, start: 2, npages: 3, write: false, longterm: false, p2pdma: false },
    ]);
  });

  it('put_page becomes unpin_user_pages; unpin_user_pages is made as it is', () => {
    expect(asPinCall({ kind: 'put_page', pages: 4 })).toEqual([{ kind: 'unpin_user_pages', pages: 4 }]);
    expect(asPinCall({ kind: 'unpin_user_pages', pages: 4 })).toEqual([{ kind: 'unpin_user_pages', pages: 4 }]);
  });
});

describe("vma-p2p-map-notifier's translate: a notifier-less importer's calls made by the threaded importer", () => {
  const translate = designById('vma-p2p-map-notifier')!.translate!;
  const withBar = (): { state: State; vma: number } => {
    const { state } = run(designWorld('vma-p2p-map-notifier'), { kind: 'mmap', mm: 0, npages: 1, backing: { kind: 'bar', bar: 0 } });
    return { state, vma: lastId(state.vmas) };
  };

  it('p2p_map of a VMA becomes mmu_interval_notifier_insert over the VMA and driver_map_range of that notifier, and both run', () => {
    const { state, vma } = withBar();
    const ops = translate({ kind: 'p2p_map', vma, dev: DRIVER, write: true }, state);
    expect(ops).toEqual([
      { kind: 'mmu_interval_notifier_insert', mm: 0, start: 0, npages: 1, owner: DRIVER },
      { kind: 'driver_map_range', dev: DRIVER, notifier: state.nextId },
    ]);
    const after = run(state, ...ops).state;
    expect(after.notifiers.has(state.nextId)).toBe(true);
    expect([...after.threads.values()].map((t) => ({ notifier: t.notifier, recipe: t.recipe }))).toEqual([{ notifier: state.nextId, recipe: 'hmm-map-locked' }]);
  });

  it('p2p_map of a VMA that does not exist is made as it is (and fails as it did)', () => {
    const op: Op = { kind: 'p2p_map', vma: 9, dev: DRIVER, write: true };
    expect(translate(op, withBar().state)).toEqual([op]);
  });

  it("device_program and device_stop_dma are dropped: the threaded importer's own threads make them", () => {
    const { state } = withBar();
    expect(translate({ kind: 'device_program', dev: DRIVER, mapping: 3 }, state)).toEqual([]);
    expect(translate({ kind: 'device_stop_dma', dev: DRIVER, mm: 0, start: 0, npages: 1 }, state)).toEqual([]);
  });

  it('p2p_unmap of a p2p_map mapping is made under driver_lock after device_stop_dma of its range, and the record dropped', () => {
    const { state: s1, vma } = withBar();
    const { state } = run(s1, { kind: 'p2p_map', vma, dev: DRIVER, write: true });
    const mapping = lastId(state.mappings);
    const op: Op = { kind: 'p2p_unmap', mapping };
    expect(translate(op, state)).toEqual([
      { kind: 'driver_lock', dev: DRIVER },
      { kind: 'device_stop_dma', dev: DRIVER, mm: 0, start: 0, npages: 1 },
      op,
      { kind: 'driver_forget', dev: DRIVER, mapping },
      { kind: 'driver_unlock', dev: DRIVER },
    ]);
  });

  it('p2p_unmap of a mapping that does not exist, and any other call, are made as they are', () => {
    const { state } = withBar();
    const unmap: Op = { kind: 'p2p_unmap', mapping: 9 };
    expect(translate(unmap, state)).toEqual([unmap]);
    const { state: io } = run(
      state,
      { kind: 'mmap', mm: 0, npages: 1, backing: { kind: 'anon' } },
      { kind: 'pin_user_pages', mm: 0, start: 1, npages: 1, write: false, longterm: false, p2pdma: false },
    );
    const { state: mapped } = run(io, { kind: 'sg_alloc_table_from_pages', pages: lastId(io.pageArrays) });
    const { state: sg } = run(mapped, { kind: 'dma_map_sg', dev: DRIVER, sgl: lastId(mapped.sgls), dir: 'to-device' });
    const sgUnmap: Op = { kind: 'p2p_unmap', mapping: lastId(sg.mappings) };
    expect(sg.mappings.get(sgUnmap.mapping)?.origin.kind).toBe('sgl');
    expect(translate(sgUnmap, sg)).toEqual([sgUnmap]);
    const fork: Op = { kind: 'fork', mm: 0 };
    expect(translate(fork, state)).toEqual([fork]);
  });
});
