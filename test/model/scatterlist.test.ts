import { describe, expect, it } from 'vitest';
import type { Op } from '../../model/op.ts';
import type { State } from '../../model/state.ts';
import { P2PDMA_BAR, P2PDMA_BASE, RAW_BASE, accept, gup, lastId, mmapAnon, mmapBar, newId, rejectedWith, run, world } from './helpers.ts';

/** Two anonymous pages (pfns 0, 1) held by get_user_pages and a table built from them. */
const tableFromPages = (): { state: State; pages: number; sgl: number } => {
  const { state: s1 } = run(world(), mmapAnon(2), gup(0, 2, true));
  const pages = lastId(s1.pageArrays);
  const { state } = run(s1, { kind: 'sg_alloc_table_from_pages', pages });
  return { state, pages, sgl: lastId(state.sgls) };
};

/** An empty table of `nents` entries. */
const emptyTable = (s: State, nents: number): { state: State; sgl: number } => {
  const { state } = run(s, { kind: 'sg_alloc_table', nents });
  return { state, sgl: lastId(state.sgls) };
};

describe('sg_alloc_table', () => {
  it('sg_alloc_table creates a table of empty entries with a CPU side', () => {
    const s0 = world();
    const { state, events } = run(s0, { kind: 'sg_alloc_table', nents: 3 });
    const id = newId(s0.sgls, state.sgls);
    expect(state.sgls.get(id)).toEqual({ id, entries: [{ page: null }, { page: null }, { page: null }], dmaOnly: false, pages: null, mapping: null });
    expect(events).toEqual([]);
  });

  it('sg_alloc_table of zero entries is rejected', () => {
    expect(rejectedWith(world(), { kind: 'sg_alloc_table', nents: 0 })).toContain('nents 0 must be at least 1');
  });

  it('sg_alloc_table of a fractional number of entries is rejected', () => {
    expect(rejectedWith(world(), { kind: 'sg_alloc_table', nents: 1.5 })).toContain('must be at least 1');
  });
});

describe('sg_alloc_table_from_pages', () => {
  it('sg_alloc_table_from_pages makes one entry per page of a held GUP array and remembers the array', () => {
    const { state, pages, sgl } = tableFromPages();
    expect(state.sgls.get(sgl)).toEqual({ id: sgl, entries: [{ page: 0 }, { page: 1 }], dmaOnly: false, pages, mapping: null });
    // building the table takes no reference of its own
    expect(state.frames[0]!.refcount).toBe(2);
  });

  it('sg_alloc_table_from_pages on pages that are not held is rejected', () => {
    expect(rejectedWith(world(), { kind: 'sg_alloc_table_from_pages', pages: 5 })).toContain('pages 5 are not held');
  });
});

describe('sg_set_page', () => {
  it('sg_set_page puts an allocated P2PDMA page into an entry', () => {
    const { state: s1 } = run(world(), { kind: 'pci_alloc_p2pmem', bar: P2PDMA_BAR });
    const { state: s2, sgl } = emptyTable(s1, 2);
    const { state, events } = run(s2, { kind: 'sg_set_page', sgl, index: 1, page: P2PDMA_BASE });
    expect(state.sgls.get(sgl)?.entries).toEqual([{ page: null }, { page: P2PDMA_BASE }]);
    expect(state.frames).toBe(s2.frames);
    expect(events).toEqual([]);
  });

  it('sg_set_page of a raw BAR pfn is rejected because it has no struct page', () => {
    const { state: s1 } = run(world(), mmapBar(1));
    const { state, sgl } = emptyTable(s1, 1);
    expect(rejectedWith(state, { kind: 'sg_set_page', sgl, index: 0, page: RAW_BASE })).toContain(`pfn ${RAW_BASE} has no struct page`);
  });

  it('sg_set_page of a free page is accepted: it only stores the pointer', () => {
    const { state, sgl } = emptyTable(world(), 1);
    expect(run(state, { kind: 'sg_set_page', sgl, index: 0, page: 4 }).state.sgls.get(sgl)?.entries).toEqual([{ page: 4 }]);
  });

  it('sg_set_page beyond the last entry is rejected', () => {
    const { state, sgl } = tableFromPages();
    expect(rejectedWith(state, { kind: 'sg_set_page', sgl, index: 2, page: 0 })).toContain('index 2 is outside');
  });

  it('sg_set_page on a table that is not allocated is rejected', () => {
    expect(rejectedWith(world(), { kind: 'sg_set_page', sgl: 8, index: 0, page: 0 })).toContain('sgl 8 is not allocated');
  });
});

describe('sg_free_table', () => {
  it('sg_free_table forgets the table and leaves the pages it named alone', () => {
    const { state: s1, sgl } = tableFromPages();
    const { state, events } = run(s1, { kind: 'sg_free_table', sgl });
    expect(state.sgls.has(sgl)).toBe(false);
    expect(state.frames).toBe(s1.frames);
    expect(state.pageArrays).toBe(s1.pageArrays);
    expect(events).toEqual([]);
  });

  it('sg_free_table of a table that was already freed is rejected', () => {
    const { state: s1, sgl } = tableFromPages();
    const { state } = run(s1, { kind: 'sg_free_table', sgl });
    expect(rejectedWith(state, { kind: 'sg_free_table', sgl })).toContain(`sgl ${sgl} is not allocated`);
  });
});

describe('CPU access through an SGL entry', () => {
  it('sg_virt emits a cpu-access event with the entry pfn and changes nothing', () => {
    const { state, sgl } = tableFromPages();
    const r = accept(state, { kind: 'sg_virt', sgl, index: 1 });
    expect(r.state).toBe(state);
    expect(r.events).toEqual([{ kind: 'cpu-access', pfn: 1, via: 'sg_virt', io: false }]);
  });

  it('kmap_local_page emits a cpu-access event with the entry pfn and changes nothing', () => {
    const { state, sgl } = tableFromPages();
    const r = accept(state, { kind: 'kmap_local_page', sgl, index: 0 });
    expect(r.state).toBe(state);
    expect(r.events).toEqual([{ kind: 'cpu-access', pfn: 0, via: 'kmap_local_page', io: false }]);
  });

  it('sg_copy_to_buffer emits one cpu-access event per entry in order', () => {
    const { state, sgl } = tableFromPages();
    const r = accept(state, { kind: 'sg_copy_to_buffer', sgl });
    expect(r.state).toBe(state);
    expect(r.events).toEqual([
      { kind: 'cpu-access', pfn: 0, via: 'sg_copy_to_buffer', io: false },
      { kind: 'cpu-access', pfn: 1, via: 'sg_copy_to_buffer', io: false },
    ]);
  });

  it('sg_copy_to_buffer over a P2PDMA page touches the iomem pfn with a plain CPU access', () => {
    const { state: s1 } = run(world(), { kind: 'pci_alloc_p2pmem', bar: P2PDMA_BAR });
    const { state: s2, sgl } = emptyTable(s1, 1);
    const { events } = run(s2, { kind: 'sg_set_page', sgl, index: 0, page: P2PDMA_BASE }, { kind: 'sg_copy_to_buffer', sgl });
    expect(events).toEqual([{ kind: 'cpu-access', pfn: P2PDMA_BASE, via: 'sg_copy_to_buffer', io: false }]);
  });

  it('sg_virt of an entry whose page the driver left out is accepted and records the NULL dereference', () => {
    const { state, sgl } = emptyTable(world(), 2);
    expect(run(state, { kind: 'sg_virt', sgl, index: 1 }).events).toEqual([{ kind: 'cpu-access-no-page', sgl, index: 1, via: 'sg_virt' }]);
  });

  it('kmap_local_page beyond the last entry is rejected', () => {
    const { state, sgl } = tableFromPages();
    expect(rejectedWith(state, { kind: 'kmap_local_page', sgl, index: 5 })).toContain('index 5 is outside');
  });

  it('sg_copy_to_buffer over a table with an unset entry touches the set one and dereferences the unset one', () => {
    const { state: s1 } = run(world(), mmapAnon(1), gup(0, 1, true));
    const { state: s2, sgl } = emptyTable(s1, 2);
    const { state } = run(s2, { kind: 'sg_set_page', sgl, index: 0, page: 0 });
    expect(run(state, { kind: 'sg_copy_to_buffer', sgl }).events).toEqual([
      { kind: 'cpu-access', pfn: 0, via: 'sg_copy_to_buffer', io: false },
      { kind: 'cpu-access-no-page', sgl, index: 1, via: 'sg_copy_to_buffer' },
    ]);
  });

  it('sg_copy_to_buffer of a table that is not allocated is rejected', () => {
    expect(rejectedWith(world(), { kind: 'sg_copy_to_buffer', sgl: 3 })).toContain('sgl 3 is not allocated');
  });
});

describe('memcpy_toio', () => {
  it('memcpy_toio to a P2PDMA page emits an io cpu-access and changes nothing', () => {
    const { state } = run(world(), { kind: 'pci_alloc_p2pmem', bar: P2PDMA_BAR });
    const r = accept(state, { kind: 'memcpy_toio', page: P2PDMA_BASE });
    expect(r.state).toBe(state);
    expect(r.events).toEqual([{ kind: 'cpu-access', pfn: P2PDMA_BASE, via: 'memcpy_toio', io: true }]);
  });

  it('memcpy_toio to a raw BAR frame emits an io cpu-access', () => {
    const { events } = run(world(), { kind: 'memcpy_toio', page: RAW_BASE + 1 });
    expect(events).toEqual([{ kind: 'cpu-access', pfn: RAW_BASE + 1, via: 'memcpy_toio', io: true }]);
  });

  it('memcpy_toio to a RAM page is rejected because it is not __iomem', () => {
    const op: Op = { kind: 'memcpy_toio', page: 2 };
    expect(rejectedWith(world(), op)).toContain('pfn 2 is not __iomem');
  });

  it('memcpy_toio to a pfn that does not exist is rejected', () => {
    expect(rejectedWith(world(), { kind: 'memcpy_toio', page: 99 })).toContain('not __iomem');
  });
});
