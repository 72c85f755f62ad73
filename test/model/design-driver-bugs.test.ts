/**
 * Driver templates that pick what a driver works on: the GUP I/O completion
 * (gup-io.ts), the DMA API misuse templates (misuse.ts) and the 2019
 * P2PDMA orchestrator (p2pdma-page-sgl.ts).
 */
import { present } from '../../model/page.ts';
import { describe, expect, it } from 'vitest';
import { runPlan, type StepTemplate } from '../../model/designs/design.ts';
import { completeIo } from '../../model/designs/gup-io.ts';
import { designById } from '../../model/designs/index.ts';
import { dmaMapSgOfP2pdmaPage, p2pdmaMapSgOfRam, syncWrongDirection, unbindWithLiveMappings } from '../../model/designs/misuse.ts';
import type { Op } from '../../model/op.ts';
import type { DmaDirection, State } from '../../model/state.ts';
import { p2pUnmapAny } from '../../model/designs/vma-p2p-map.ts';
import { IMPORTER, ISOLATED, P2PDMA_BAR, designWorld, lastId, mmapAnon, pin, run, world, writeFault } from './helpers.ts';

const callsOf = (t: StepTemplate, s: State): ReadonlyArray<ReadonlyArray<Op | null>> => t.options(s).map((plan) => plan.map((b) => b(s, [])));

/** mm 0 pins one anon page (written first), builds a table of it and maps it with `api` for IMPORTER. */
const mappedIo = (api: 'dma_map_sg' | 'pci_p2pdma_map_sg', dir: DmaDirection = 'from-device', s0: State = world()) => {
  const { state: s1 } = run(s0, mmapAnon(1), writeFault(0), pin(0, 1, true));
  const pages = lastId(s1.pageArrays);
  const { state: s2 } = run(s1, { kind: 'sg_alloc_table_from_pages', pages });
  const sgl = lastId(s2.sgls);
  const { state } = run(s2, { kind: api, dev: IMPORTER, sgl, dir });
  return { state, pages, sgl, mapping: lastId(state.mappings) };
};

describe('completeIo: the I/Os in flight are the dma_map_sg mappings of GUP-built tables', () => {
  it('completion of a pinned I/O: dma_unmap_sg as mapped, unpin_user_pages_dirty_lock, sg_free_table', () => {
    const { state, pages, sgl, mapping } = mappedIo('dma_map_sg');
    expect(callsOf(completeIo('pin'), state)).toEqual([
      [
        { kind: 'dma_unmap_sg', mapping, dev: IMPORTER, nents: 1, dir: 'from-device' },
        { kind: 'unpin_user_pages_dirty_lock', pages, make_dirty: true },
        { kind: 'sg_free_table', sgl },
      ],
    ]);
  });

  it('a pci_p2pdma_map_sg mapping is not a GUP I/O of this driver', () => {
    expect(callsOf(completeIo('pin'), mappedIo('pci_p2pdma_map_sg').state)).toEqual([]);
  });

  it('a dma_map_sg mapping of a table built with sg_set_page (no page array) is not a GUP I/O', () => {
    const { state: s1 } = run(world(), mmapAnon(1), writeFault(0), { kind: 'sg_alloc_table', nents: 1 });
    const sgl = lastId(s1.sgls);
    const page = present([...s1.vmas.values()][0]!.ptes[0])!.pfn;
    const { state } = run(s1, { kind: 'sg_set_page', sgl, index: 0, page }, { kind: 'dma_map_sg', dev: IMPORTER, sgl, dir: 'to-device' });
    expect(state.mappings.size).toBe(1);
    expect(callsOf(completeIo('pin'), state)).toEqual([]);
  });

  it('an I/O whose pages were already unpinned (while still mapped) has nothing left to complete', () => {
    const { state: s1, pages } = mappedIo('dma_map_sg');
    const { state } = run(s1, { kind: 'unpin_user_pages', pages });
    expect(state.pageArrays.has(pages)).toBe(false);
    expect(callsOf(completeIo('pin'), state)).toEqual([]);
  });
});

describe('DMA API misuse templates', () => {
  it('dma_sync_sg_for_cpu in the wrong direction is offered for a one-way mapping only, never for a bidirectional one', () => {
    const { state, mapping } = mappedIo('dma_map_sg', 'to-device');
    expect(callsOf(syncWrongDirection, state)).toEqual([
      [{ kind: 'dma_sync_sg_for_cpu', mapping, dev: IMPORTER, nents: 1, dir: 'from-device' }],
      [{ kind: 'dma_sync_sg_for_cpu', mapping, dev: IMPORTER, nents: 1, dir: 'bidirectional' }],
    ]);
    expect(callsOf(syncWrongDirection, mappedIo('dma_map_sg', 'bidirectional').state)).toEqual([]);
  });

  it('device_release_driver with live mappings: offered for a bound driver with a mapping, not once unbound or for a device that does not exist', () => {
    const { state } = mappedIo('dma_map_sg');
    expect(callsOf(unbindWithLiveMappings(IMPORTER), state)).toEqual([[{ kind: 'device_release_driver', dev: IMPORTER }]]);
    expect(callsOf(unbindWithLiveMappings(IMPORTER), world())).toEqual([]);
    expect(callsOf(unbindWithLiveMappings(9), state)).toEqual([]);
    const { state: unbound } = run(state, { kind: 'device_release_driver', dev: IMPORTER });
    expect(callsOf(unbindWithLiveMappings(IMPORTER), unbound)).toEqual([]);
  });

  it('dma_map_sg of a P2PDMA page: pci_alloc_p2pmem, sg_alloc_table, sg_set_page of the new page (not one already in a table), dma_map_sg', () => {
    const bug = dmaMapSgOfP2pdmaPage(IMPORTER, P2PDMA_BAR);
    // One page of the BAR is already in a two-entry table.
    const { state: s1 } = run(world(), { kind: 'pci_alloc_p2pmem', bar: P2PDMA_BAR }, { kind: 'sg_alloc_table', nents: 2 });
    const taken = s1.frames.find((f) => f.bar === P2PDMA_BAR && !f.free)!.pfn;
    const { state: s2 } = run(s1, { kind: 'sg_set_page', sgl: lastId(s1.sgls), index: 0, page: taken });
    const [plan] = bug.options(s2);
    const calls = runPlan(s2, plan!);
    const sgl = calls![1]!.before.nextId;
    expect(calls?.map((c) => c.op)).toEqual([
      { kind: 'pci_alloc_p2pmem', bar: P2PDMA_BAR },
      { kind: 'sg_alloc_table', nents: 1 },
      { kind: 'sg_set_page', sgl, index: 0, page: taken === 8 ? 9 : 8 },
      { kind: 'dma_map_sg', dev: IMPORTER, sgl, dir: 'from-device' },
    ]);
  });

  it('dma_map_sg of a P2PDMA page: sg_set_page takes the pci_alloc_p2pmem page, not a page of the same BAR that a process mapped through p2pmem', () => {
    // The p2pmem mmap takes the BAR's first page (mapping none, not in a table), the allocation the second.
    const { state: s1 } = run(world(), { kind: 'mmap', mm: 0, npages: 1, backing: { kind: 'p2pmem', bar: P2PDMA_BAR } });
    const userPage = present([...s1.vmas.values()][0]!.ptes[0])!.pfn;
    const calls = runPlan(s1, dmaMapSgOfP2pdmaPage(IMPORTER, P2PDMA_BAR).options(s1)[0]!);
    const kernelPage = calls![0]!.step.state.frames.find((f) => f.bar === P2PDMA_BAR && f.mapping.kind === 'kernel')!.pfn;
    expect(kernelPage).not.toBe(userPage);
    expect(calls![2]!.op).toEqual({ kind: 'sg_set_page', sgl: calls![1]!.before.nextId, index: 0, page: kernelPage });
  });

  it('dma_map_sg of a P2PDMA page is not offered once the provider is removed, nor for a BAR that does not exist', () => {
    const { state } = run(world(), { kind: 'pci_stop_and_remove_bus_device', dev: 0 }, { kind: 'memunmap_pages', dev: 0 });
    expect(state.bars[P2PDMA_BAR]?.alive).toBe(false);
    expect(dmaMapSgOfP2pdmaPage(IMPORTER, P2PDMA_BAR).options(state)).toEqual([]);
    expect(dmaMapSgOfP2pdmaPage(IMPORTER, 7).options(world())).toEqual([]);
  });

  it('pci_p2pdma_map_sg of RAM is offered for an unmapped table of RAM pages only, not for a table with a P2PDMA page', () => {
    const { state: s1 } = run(world(), mmapAnon(1), writeFault(0), { kind: 'pci_alloc_p2pmem', bar: P2PDMA_BAR }, { kind: 'sg_alloc_table', nents: 2 }, { kind: 'sg_alloc_table', nents: 1 });
    const ram = present([...s1.vmas.values()][0]!.ptes[0])!.pfn;
    const p2p = s1.frames.find((f) => f.bar === P2PDMA_BAR && !f.free)!.pfn;
    const [mixed, ramOnly] = [...s1.sgls.keys()] as [number, number];
    const { state } = run(
      s1,
      { kind: 'sg_set_page', sgl: mixed, index: 0, page: ram },
      { kind: 'sg_set_page', sgl: mixed, index: 1, page: p2p },
      { kind: 'sg_set_page', sgl: ramOnly, index: 0, page: ram },
    );
    expect(callsOf(p2pdmaMapSgOfRam(IMPORTER), state)).toEqual([[{ kind: 'pci_p2pdma_map_sg', dev: IMPORTER, sgl: ramOnly, dir: 'from-device' }]]);
  });
});

describe('p2pdma-page-sgl: the orchestrator builds tables of the P2PDMA pages it allocated', () => {
  const design = designById('p2pdma-page-sgl')!;
  const template = (name: string): StepTemplate => design.driver.find((t) => t.name === name)!;
  const p2pWorld = (): State => world();

  it('an allocated page not yet in a table is offered to build_sgl, pci_free_p2pmem and memcpy_toio; once in a table (of two entries) it is not', () => {
    const { state: s1 } = run(p2pWorld(), { kind: 'pci_alloc_p2pmem', bar: P2PDMA_BAR });
    const page = s1.frames.find((f) => f.bar === P2PDMA_BAR && !f.free)!.pfn;
    const build = template('build_sgl(sg_alloc_table, sg_set_page)').options(s1);
    expect(build).toHaveLength(1);
    expect(runPlan(s1, build[0]!)?.map((c) => c.op)).toEqual([{ kind: 'sg_alloc_table', nents: 1 }, { kind: 'sg_set_page', sgl: s1.nextId, index: 0, page }]);
    expect(callsOf(template('pci_free_p2pmem'), s1)).toEqual([[{ kind: 'pci_free_p2pmem', page }]]);
    expect(callsOf(template('memcpy_toio'), s1)).toEqual([[{ kind: 'memcpy_toio', page }]]);
    const { state: s2 } = run(s1, { kind: 'sg_alloc_table', nents: 2 });
    const { state: s3 } = run(s2, { kind: 'sg_set_page', sgl: lastId(s2.sgls), index: 0, page });
    expect(callsOf(template('pci_free_p2pmem'), s3)).toEqual([]);
  });

  it("user pages and RAM are never the orchestrator's loose P2PDMA pages", () => {
    const { state } = run(p2pWorld(), mmapAnon(1), writeFault(0), { kind: 'mmap', mm: 0, npages: 1, backing: { kind: 'p2pmem', bar: P2PDMA_BAR } });
    expect(state.frames.some((f) => f.bar === P2PDMA_BAR && !f.free && f.mapping.kind !== 'kernel')).toBe(true);
    expect(state.frames.some((f) => f.bar === null && !f.free)).toBe(true);
    expect(callsOf(template('pci_free_p2pmem'), state)).toEqual([]);
  });

  it('complete(pci_p2pdma_unmap_sg, sg_free_table) is offered for pci_p2pdma_map_sg mappings only', () => {
    const { state, mapping, sgl } = mappedIo('pci_p2pdma_map_sg');
    const complete = template('complete(pci_p2pdma_unmap_sg, sg_free_table)');
    expect(callsOf(complete, state)).toEqual([[{ kind: 'pci_p2pdma_unmap_sg', mapping, dev: IMPORTER, nents: 1, dir: 'from-device' }, { kind: 'sg_free_table', sgl }]]);
    expect(callsOf(complete, mappedIo('dma_map_sg').state)).toEqual([]);
  });
});

describe("vma-p2p-map's release: device_stop_dma then p2p_unmap, for p2p_map mappings only", () => {
  it('offers the release of a p2p_map mapping, not of an sgl_dma_map_user mapping of the same window nor of a dma_map_sg mapping', () => {
    const { state: s0 } = mappedIo('dma_map_sg', 'to-device', designWorld('vma-p2p-map'));
    const { state: s1 } = run(s0, { kind: 'mmap', mm: 0, npages: 1, backing: { kind: 'bar', bar: 0 } });
    const vma = lastId(s1.vmas);
    const v = s1.vmas.get(vma)!;
    const { state: s2 } = run(s1, { kind: 'sgl_dma_map_user', dev: IMPORTER, mm: 0, start: v.start, npages: 1, dir: 'bidirectional' });
    const { state } = run(s2, { kind: 'p2p_map', vma, dev: IMPORTER, write: true });
    const mapping = lastId(state.mappings);
    expect(state.mappings.size).toBe(3);
    expect(callsOf(p2pUnmapAny, state)).toEqual([
      [
        { kind: 'device_stop_dma', dev: IMPORTER, mm: 0, start: v.start, npages: 1 },
        { kind: 'p2p_unmap', mapping },
      ],
    ]);
  });
});

describe('the GUP I/O templates as a counterexample names them', () => {
  it('complete_io names its release calls by flavour and is a driver step', () => {
    expect([completeIo('legacy').name, completeIo('legacy').role]).toEqual(['complete_io(set_page_dirty_lock, put_page)', 'driver']);
    expect([completeIo('pin').name, completeIo('pin').role]).toEqual(['complete_io(unpin_user_pages_dirty_lock)', 'driver']);
  });
});

describe('the misuse templates as a counterexample names them', () => {
  it('each bug template is a driver step named bug:<what the driver does wrong>', () => {
    const named = [unbindWithLiveMappings(IMPORTER), dmaMapSgOfP2pdmaPage(IMPORTER, P2PDMA_BAR), p2pdmaMapSgOfRam(IMPORTER), syncWrongDirection];
    expect(named.map((t) => [t.name, t.role])).toEqual([
      ['bug:unbind_with_live_mappings', 'driver'],
      ['bug:dma_map_sg_of_p2pdma_page', 'driver'],
      ['bug:p2pdma_map_sg_of_ram', 'driver'],
      ['bug:sync_wrong_direction', 'driver'],
    ]);
  });

  it("device_release_driver of a device whose driver has no mapping of its own is not offered, whatever other devices map", () => {
    const { state } = mappedIo('dma_map_sg');
    expect(callsOf(unbindWithLiveMappings(ISOLATED), state)).toEqual([]);
  });

  it('pci_p2pdma_map_sg of RAM is not offered for a table with an entry not set yet', () => {
    const { state: s1 } = run(world(), mmapAnon(1), writeFault(0), { kind: 'sg_alloc_table', nents: 2 });
    const ram = present([...s1.vmas.values()][0]!.ptes[0])!.pfn;
    const { state } = run(s1, { kind: 'sg_set_page', sgl: lastId(s1.sgls), index: 0, page: ram });
    expect(callsOf(p2pdmaMapSgOfRam(IMPORTER), state)).toEqual([]);
  });
});
