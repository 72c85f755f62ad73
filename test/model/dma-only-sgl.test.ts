import * as E from 'fp-ts/lib/Either.js';
import { describe, expect, it } from 'vitest';
import type { Op } from '../../model/op.ts';
import type { DmaDirection, State } from '../../model/state.ts';
import { step } from '../../model/step.ts';
import {
  IMPORTER,
  ISOLATED,
  P2PDMA_BASE,
  P2PDMA_PROVIDER,
  RAW_BASE,
  RAW_EXPORTER,
  callbackThread,
  designWorld,
  finishInvalidations,
  frame,
  kinds,
  lastId,
  mmapAnon,
  mmapBar,
  mmapFile,
  mmapP2pmem,
  rejectedWith,
  run,
  world, munmapVma } from './helpers.ts';

const mapUser = (start: number, npages: number, dir: DmaDirection, dev = IMPORTER, mm = 0): Op => ({ kind: 'sgl_dma_map_user', dev, mm, start, npages, dir });

interface Table {
  readonly state: State;
  readonly sgl: number;
  readonly mapping: number;
  readonly pages: number | null;
}

/** Run `setup`, then sgl_dma_map_user; return the table it made. */
const mapTable = (setup: ReadonlyArray<Op>, op: Op, s: State = world()): Table => {
  const { state } = run(s, ...setup, op);
  const sgl = lastId(state.sgls);
  const t = state.sgls.get(sgl)!;
  return { state, sgl, mapping: t.mapping!, pages: t.pages };
};

describe('sgl_dma_map_user', () => {
  it('sgl_dma_map_user of anonymous memory pins the pages and returns a born-mapped DMA-only table', () => {
    const { state: s1 } = run(world(), mmapAnon(2));
    const vma = lastId(s1.vmas);
    const { state, events } = run(s1, mapUser(0, 2, 'from-device'));
    const pages = lastId(state.pageArrays);
    const mapping = lastId(state.mappings);
    const sgl = lastId(state.sgls);
    expect(state.pageArrays.get(pages)).toEqual({ id: pages, kind: 'pin', mm: 0, vma, vmas: [vma, vma], cow: [true, true], start: 0, pfns: [0, 1], gens: [1, 1], write: true, longterm: false });
    expect(state.mappings.get(mapping)).toEqual({
      id: mapping,
      device: IMPORTER,
      dir: 'from-device',
      api: 'sgl_dma_map_user',
      origin: { kind: 'sgl', sgl },
      entries: [
        { dma: 0, pfn: 0, gen: 1, reaches: 0 },
        { dma: 1, pfn: 1, gen: 1, reaches: 1 },
      ],
      nents: 2,
      mapped: 2,
      errorChecked: false,
    });
    expect(state.sgls.get(sgl)).toEqual({ id: sgl, entries: [{ page: null }, { page: null }], dmaOnly: true, pages, mapping });
    for (const pfn of [0, 1]) expect(frame(state, pfn)).toMatchObject({ refcount: 2, pincount: 1, mapcount: 1 });
    expect(state.mms.get(0)?.hasPinned).toBe(true);
    expect(events).toEqual([]);
  });

  it('sgl_dma_map_user toward the device pins the pages read-only', () => {
    const { state, pages } = mapTable([mmapAnon(1)], mapUser(0, 1, 'to-device'));
    expect(state.pageArrays.get(pages!)?.write).toBe(false);
  });

  it('sgl_dma_map_user from the device on a file mapping dirties the pages through page_mkwrite', () => {
    const { events } = run(world(), mmapFile(1), mapUser(0, 1, 'from-device'));
    expect(events).toEqual([{ kind: 'page-dirtied', pfn: 0 }]);
  });

  it('sgl_dma_map_user of an exporter BAR window asks the VMA for bus addresses and pins nothing', () => {
    const { state: s1 } = run(world(), mmapBar(2));
    const vma = lastId(s1.vmas);
    const { state, sgl, mapping, pages } = mapTable([], mapUser(0, 2, 'to-device'), s1);
    expect(pages).toBeNull();
    expect(state.pageArrays.size).toBe(0);
    expect(state.mappings.get(mapping)).toEqual({
      id: mapping,
      device: IMPORTER,
      dir: 'to-device',
      api: 'sgl_dma_map_user',
      origin: { kind: 'vma-op', vma, mm: 0, start: 0, npages: 2 },
      entries: [
        { dma: 0x2000, pfn: RAW_BASE, gen: 1, reaches: RAW_BASE },
        { dma: 0x2001, pfn: RAW_BASE + 1, gen: 1, reaches: RAW_BASE + 1 },
      ],
      nents: 2,
      mapped: 2,
      errorChecked: false,
    });
    expect(state.sgls.get(sgl)).toMatchObject({ dmaOnly: true, entries: [{ page: null }, { page: null }] });
  });

  it('sgl_dma_map_user of p2pmem pins the P2PDMA page with FOLL_PCI_P2PDMA and maps its bus address', () => {
    const { state, mapping } = mapTable([mmapP2pmem(1)], mapUser(0, 1, 'bidirectional'));
    expect(state.mappings.get(mapping)?.entries).toEqual([{ dma: 0x1000, pfn: P2PDMA_BASE, gen: 1, reaches: P2PDMA_BASE }]);
    expect(frame(state, P2PDMA_BASE)).toMatchObject({ pincount: 1, refcount: 2 });
  });

  it('sgl_dma_map_user of part of an exporter BAR window is rejected because the exporter maps whole windows', () => {
    const { state } = run(world(), mmapBar(2));
    expect(rejectedWith(state, mapUser(1, 1, 'to-device'))).toContain('the exporter maps whole windows');
  });

  it('sgl_dma_map_user of a BAR window for a device the exporter cannot reach is rejected', () => {
    const { state } = run(world(), mmapBar(1));
    expect(rejectedWith(state, mapUser(0, 1, 'to-device', ISOLATED))).toBe(`-EREMOTEIO: device ${ISOLATED} cannot reach provider ${RAW_EXPORTER} peer-to-peer`);
  });

  it('sgl_dma_map_user of p2pmem for a device the provider cannot reach is rejected even though GUP pinned the page first', () => {
    const { state } = run(world(), mmapP2pmem(1));
    expect(rejectedWith(state, mapUser(0, 1, 'to-device', ISOLATED))).toContain(`device ${ISOLATED} cannot reach provider ${P2PDMA_PROVIDER} peer-to-peer`);
  });

  it('sgl_dma_map_user of a range outside every VMA is rejected with -EFAULT', () => {
    const { state } = run(world(), mmapAnon(1));
    expect(rejectedWith(state, mapUser(0, 2, 'to-device'))).toContain('-EFAULT: pages [0, 2) of mm 0 are not inside one vma');
  });

  it('sgl_dma_map_user for a device that does not exist is rejected', () => {
    const { state } = run(world(), mmapAnon(1));
    expect(rejectedWith(state, mapUser(0, 1, 'to-device', 9))).toBe('ill-formed: no device 9');
  });

  it('sgl_dma_map_user in an mm that is not alive is rejected', () => {
    expect(rejectedWith(world(), mapUser(0, 1, 'to-device', IMPORTER, 5))).toContain('-EFAULT: mm 5 has exited');
  });

  it('sgl_dma_map_user of a BAR window whose exporter was removed is rejected with -ENODEV', () => {
    const { state } = run(world(), mmapBar(1), { kind: 'pci_stop_and_remove_bus_device', dev: RAW_EXPORTER });
    expect(rejectedWith(state, mapUser(0, 1, 'to-device'))).toContain('-ENODEV');
  });
});

describe('sgl_dma_unmap', () => {
  it('sgl_dma_unmap tears the mapping down, unpins the pages and forgets the table', () => {
    const { state: s1, sgl, mapping, pages } = mapTable([mmapAnon(2)], mapUser(0, 2, 'from-device'));
    const { state, events } = run(s1, { kind: 'sgl_dma_unmap', sgl });
    expect(state.sgls.has(sgl)).toBe(false);
    expect(state.mappings.has(mapping)).toBe(false);
    expect(state.pageArrays.has(pages!)).toBe(false);
    for (const pfn of [0, 1]) expect(frame(state, pfn)).toMatchObject({ refcount: 1, pincount: 0, mapcount: 1 });
    // anonymous pages are dirty from their first store: no page-dirtied
    expect(events).toEqual([
      { kind: 'mapping-torn-down', mapping },
      { kind: 'reference-dropped', pfn: 0, pages, pin: true, write: true, undirtiedDeviceData: false },
      { kind: 'reference-dropped', pfn: 1, pages, pin: true, write: true, undirtiedDeviceData: false },
    ]);
  });

  it('sgl_dma_unmap dirties a page the device wrote after writeback cleaned it', () => {
    const { state: s1, sgl, mapping, pages } = mapTable([mmapFile(1)], mapUser(0, 1, 'from-device'));
    const { state: s2 } = run(s1, { kind: 'writeback', page: 0 }, { kind: 'device_write', mapping, index: 0 });
    expect(frame(s2, 0)).toMatchObject({ dirty: false, deviceWroteSinceDirtied: true });
    const { state, events } = run(s2, { kind: 'sgl_dma_unmap', sgl });
    expect(frame(state, 0)).toMatchObject({ dirty: true, deviceWroteSinceDirtied: false, pincount: 0 });
    expect(events).toEqual([
      { kind: 'mapping-torn-down', mapping },
      { kind: 'page-dirtied', pfn: 0 },
      { kind: 'reference-dropped', pfn: 0, pages, pin: true, write: true, undirtiedDeviceData: false },
    ]);
  });

  it('sgl_dma_unmap of a to-device table does not dirty the pages', () => {
    const { state: s1, sgl } = mapTable([mmapFile(1)], mapUser(0, 1, 'to-device'));
    const { state, events } = run(s1, { kind: 'sgl_dma_unmap', sgl });
    expect(frame(state, 0).dirty).toBe(false);
    expect(events.map((e) => e.kind)).toEqual(['mapping-torn-down', 'reference-dropped']);
  });

  it('sgl_dma_unmap of a BAR-window table only tears the mapping down', () => {
    const { state: s1, sgl, mapping } = mapTable([mmapBar(1)], mapUser(0, 1, 'to-device'));
    const { state, events } = run(s1, { kind: 'sgl_dma_unmap', sgl });
    expect(state.sgls.size).toBe(0);
    expect(state.mappings.size).toBe(0);
    expect(events).toEqual([{ kind: 'mapping-torn-down', mapping }]);
  });

  it('the BAR half of a DMA-only table outlives munmap of the exporter VMA', () => {
    const { state: s1, sgl, mapping } = mapTable([mmapBar(1)], mapUser(0, 1, 'to-device'));
    const { state: s2 } = run(s1, munmapVma(s1, lastId(s1.vmas)));
    expect(s2.mappings.has(mapping)).toBe(true);
    expect(frame(s2, RAW_BASE).free).toBe(true);
    expect(run(s2, { kind: 'sgl_dma_unmap', sgl }).events).toEqual([{ kind: 'mapping-torn-down', mapping }]);
  });

  it("a BAR-window table's mapping outlives munmap's invalidation, whose stop-unmap callback gives back only p2p_map mappings; sgl_dma_unmap tears it down", () => {
    // The design world: device 1 imports BAR 0 of device 0 and runs the stop-unmap callback.
    const { state: s1, sgl, mapping } = mapTable(
      [{ kind: 'mmap', mm: 0, npages: 1, backing: { kind: 'bar', bar: 0 } }, { kind: 'mmu_interval_notifier_insert', mm: 0, start: 0, npages: 1, owner: 1 }],
      mapUser(0, 1, 'to-device', 1),
      designWorld('vma-p2p-map-notifier'),
    );
    const { state: s2, events } = run(s1, munmapVma(s1, lastId(s1.vmas)));
    expect(callbackThread(events)).toBeGreaterThan(0);
    const { state: s3, events: rest } = finishInvalidations(s2);
    expect(kinds(rest)).toEqual(['callback-returned', 'vma-destroyed', 'invalidate-range-end']);
    expect(s3.vmas.size).toBe(0);
    expect(s3.mappings.has(mapping)).toBe(true);
    const { state, events: unmapped } = run(s3, { kind: 'sgl_dma_unmap', sgl });
    expect(state.sgls.size).toBe(0);
    expect(unmapped).toEqual([{ kind: 'mapping-torn-down', mapping }]);
  });

  it('sgl_dma_unmap of a table that is not allocated is rejected', () => {
    expect(rejectedWith(world(), { kind: 'sgl_dma_unmap', sgl: 3 })).toBe('ill-formed: sgl 3 is not allocated');
  });

  it('sgl_dma_unmap of an ordinary scatterlist is rejected', () => {
    const { state } = run(world(), { kind: 'sg_alloc_table', nents: 1 });
    expect(rejectedWith(state, { kind: 'sgl_dma_unmap', sgl: lastId(state.sgls) })).toContain('is not a DMA-only table');
  });

  it('sgl_dma_unmap twice is rejected', () => {
    const { state: s1, sgl } = mapTable([mmapAnon(1)], mapUser(0, 1, 'from-device'));
    const { state } = run(s1, { kind: 'sgl_dma_unmap', sgl });
    expect(rejectedWith(state, { kind: 'sgl_dma_unmap', sgl })).toContain(`sgl ${sgl} is not allocated`);
  });

  it('releasing the private pages of a DMA-only table behind its back is rejected; the table still releases them', () => {
    const { state: s1, sgl, pages } = mapTable([mmapAnon(1)], mapUser(0, 1, 'from-device'));
    expect(rejectedWith(s1, { kind: 'unpin_user_pages', pages: pages! })).toContain(`belong to DMA-only table ${sgl}; the caller has no pointer to them`);
    expect(rejectedWith(s1, { kind: 'unpin_user_pages_dirty_lock', pages: pages!, make_dirty: true })).toContain('the caller has no pointer to them');
    expect(rejectedWith(s1, { kind: 'set_page_dirty_lock', pages: pages! })).toContain('the caller has no pointer to them');
    const r = step(s1, { kind: 'sgl_dma_unmap', sgl });
    expect(E.isRight(r) && r.right.state.pageArrays.has(pages!)).toBe(false);
    expect(E.isRight(r)).toBe(true);
  });
});

describe('generic SGL code and a DMA-only table', () => {
  const dmaOnly = (): { state: State; sgl: number } => {
    const { state, sgl } = mapTable([mmapAnon(2)], mapUser(0, 2, 'from-device'));
    return { state, sgl };
  };

  it('sg_virt of a DMA-only table is rejected because it has no CPU side', () => {
    const { state, sgl } = dmaOnly();
    expect(rejectedWith(state, { kind: 'sg_virt', sgl, index: 0 })).toContain('has no CPU side to touch');
  });

  it('kmap_local_page of a DMA-only table is rejected because it has no CPU side', () => {
    const { state, sgl } = dmaOnly();
    expect(rejectedWith(state, { kind: 'kmap_local_page', sgl, index: 1 })).toContain('has no CPU side to touch');
  });

  it('sg_copy_to_buffer of a DMA-only table is rejected because it has no CPU side', () => {
    const { state, sgl } = dmaOnly();
    expect(rejectedWith(state, { kind: 'sg_copy_to_buffer', sgl })).toContain('has no CPU side to touch');
  });

  it('sg_set_page on a DMA-only table is rejected because it has no page entries', () => {
    const { state, sgl } = dmaOnly();
    expect(rejectedWith(state, { kind: 'sg_set_page', sgl, index: 0, page: 0 })).toContain('has no page entries');
  });

  it('dma_map_sg of a DMA-only table is rejected because it is already mapped', () => {
    const { state, sgl } = dmaOnly();
    expect(rejectedWith(state, { kind: 'dma_map_sg', dev: IMPORTER, sgl, dir: 'to-device' })).toContain('is a DMA-only table, not a struct scatterlist');
  });

  it('pci_p2pdma_map_sg of a DMA-only table is rejected because it is already mapped', () => {
    const { state, sgl } = dmaOnly();
    expect(rejectedWith(state, { kind: 'pci_p2pdma_map_sg', dev: IMPORTER, sgl, dir: 'to-device' })).toContain('is a DMA-only table, not a struct scatterlist');
  });

  it('sg_free_table of a DMA-only table is rejected: it must be released with sgl_dma_unmap', () => {
    const { state, sgl } = dmaOnly();
    expect(rejectedWith(state, { kind: 'sg_free_table', sgl })).toContain('DMA-only');
  });
});
