/**
 * The situations a search reports as reached or not (a hold whose search
 * never reached the situation is vacuous): each judged on one step, with
 * the nearest steps that must not count.
 */
import { describe, expect, it } from 'vitest';
import type { Event } from '../../model/event.ts';
import type { Op } from '../../model/op.ts';
import type { State } from '../../model/state.ts';
import { situationById } from '../../properties/situations.ts';
import { IMPORTER, P2PDMA_BAR, P2PDMA_BASE, designWorld, lastId, mmapAnon, mmapFile, pfnAt, pin, run, world } from '../model/helpers.ts';

const reached = (id: string, before: State, op: Op, events: ReadonlyArray<Event> = [], after: State = before): boolean => {
  const s = situationById(id);
  if (s === undefined) return expect.fail(`no situation ${id}`);
  return s.reached(before, op, { state: after, events });
};

const ram = 0;
const cpu = (pfn: number): Event => ({ kind: 'cpu-access', pfn, via: 'sg_virt', io: false });
const sgVirt: Op = { kind: 'sg_virt', sgl: 0, index: 0 };

describe('cpu-walk-of-bar-page', () => {
  const s = world();
  it('sg_virt reaching a P2PDMA BAR page, even after a RAM page', () => {
    expect(reached('cpu-walk-of-bar-page', s, sgVirt, [cpu(ram), cpu(P2PDMA_BASE)])).toBe(true);
  });
  it('not a walk of RAM only, nor a device access to the BAR page', () => {
    expect(reached('cpu-walk-of-bar-page', s, sgVirt, [cpu(ram)])).toBe(false);
    const dev: Event = { kind: 'device-access', device: IMPORTER, mapping: 1, pfn: P2PDMA_BASE, gen: 0, reached: P2PDMA_BASE, write: false };
    expect(reached('cpu-walk-of-bar-page', s, sgVirt, [dev])).toBe(false);
  });
});

describe('callback-before-munmap-completes', () => {
  const { state: s1 } = run(
    designWorld('vma-p2p-map-notifier'),
    { kind: 'mmap', mm: 0, npages: 1, backing: { kind: 'bar', bar: 0 } },
    { kind: 'mmu_interval_notifier_insert', mm: 0, start: 0, npages: 1, owner: 1 },
  );
  const notifier = lastId(s1.notifiers);
  const { state: munmapping } = run(s1, { kind: 'munmap', mm: 0, start: 0, npages: 1 });
  const inv = lastId(munmapping.invalidations);
  const returned = (i: number): Event => ({ kind: 'callback-returned', inv: i, notifier, device: 1, mm: 0, start: 0, end: 1, ret: true });
  const ret: Op = { kind: 'invalidate_callback_return', notifier, ret: true, by: lastId(munmapping.threads) };

  it('the stop-unmap callback returns while munmap still holds the VMA', () => {
    expect(munmapping.invalidations.get(inv)?.then.kind).toBe('munmap');
    expect(reached('callback-before-munmap-completes', munmapping, ret, [returned(inv)])).toBe(true);
  });
  it('not once the VMA is gone, for an invalidation that is not in progress, or with no callback return', () => {
    expect(reached('callback-before-munmap-completes', { ...munmapping, vmas: new Map() }, ret, [returned(inv)])).toBe(false);
    expect(reached('callback-before-munmap-completes', munmapping, ret, [returned(inv + 100)])).toBe(false);
    expect(reached('callback-before-munmap-completes', munmapping, ret, [{ kind: 'callback-invoked', inv, notifier, thread: 1 }])).toBe(false);
  });
  it('munmap over two VMAs: the callback still returns before completion while one of them is left', () => {
    const { state: two } = run(
      designWorld('vma-p2p-map-notifier'),
      { kind: 'mmap', mm: 0, npages: 1, backing: { kind: 'bar', bar: 0 } },
      mmapAnon(1),
      { kind: 'mmu_interval_notifier_insert', mm: 0, start: 0, npages: 2, owner: 1 },
    );
    const n = lastId(two.notifiers);
    const { state: unmapping } = run(two, { kind: 'munmap', mm: 0, start: 0, npages: 2 });
    const i = lastId(unmapping.invalidations);
    const then = unmapping.invalidations.get(i)!.then;
    expect(then.kind === 'munmap' ? then.vmas.length : 0).toBe(2);
    const oneLeft: State = { ...unmapping, vmas: new Map([...unmapping.vmas].slice(1)) };
    const back: Event = { kind: 'callback-returned', inv: i, notifier: n, device: 1, mm: 0, start: 0, end: 2, ret: true };
    expect(reached('callback-before-munmap-completes', oneLeft, ret, [back])).toBe(true);
  });

  it('not a callback returning during fork', () => {
    const { state: forking } = run(
      designWorld('vma-p2p-map-notifier'),
      mmapAnon(1),
      { kind: 'write_fault', mm: 0, addr: 0 },
      { kind: 'mmu_interval_notifier_insert', mm: 0, start: 0, npages: 1, owner: 1 },
      { kind: 'fork', mm: 0 },
    );
    const i = lastId(forking.invalidations);
    expect(forking.invalidations.get(i)?.then.kind).toBe('fork');
    expect(reached('callback-before-munmap-completes', forking, ret, [returned(i)])).toBe(false);
  });
});

describe('reclaim-of-pinned-page and fork-with-pinned-page', () => {
  /** mm 0: anon pages 0 and 1 written, page 0 pinned; a file page at 2, written and pinned. */
  const { state: s } = run(world(), mmapAnon(2), mmapFile(1), { kind: 'write_fault', mm: 0, addr: 0 }, { kind: 'write_fault', mm: 0, addr: 1 }, { kind: 'write_fault', mm: 0, addr: 2 }, pin(0, 1, true));
  const pinned = pfnAt(s, 0, 0);
  const unpinned = pfnAt(s, 0, 1);

  it('reclaim of the pinned page, not of its unpinned neighbour, nor migrate_page of the pinned one', () => {
    expect(reached('reclaim-of-pinned-page', s, { kind: 'reclaim', page: pinned })).toBe(true);
    expect(reached('reclaim-of-pinned-page', s, { kind: 'reclaim', page: unpinned })).toBe(false);
    expect(reached('reclaim-of-pinned-page', s, { kind: 'reclaim', page: 999 })).toBe(false);
    expect(reached('reclaim-of-pinned-page', s, { kind: 'migrate_page', page: pinned })).toBe(false);
  });

  it('fork of mm 0 with one of its two anon pages pinned; not fork of another mm, nor with only a file page pinned', () => {
    expect(reached('fork-with-pinned-page', s, { kind: 'fork', mm: 0 })).toBe(true);
    expect(reached('fork-with-pinned-page', s, { kind: 'fork', mm: 1 })).toBe(false);
    const { state: fileOnly } = run(world(), mmapAnon(1), mmapFile(1), { kind: 'write_fault', mm: 0, addr: 0 }, { kind: 'write_fault', mm: 0, addr: 1 }, pin(1, 1, true));
    expect(reached('fork-with-pinned-page', fileOnly, { kind: 'fork', mm: 0 })).toBe(false);
    expect(reached('fork-with-pinned-page', s, { kind: 'munmap', mm: 0, start: 0, npages: 1 })).toBe(false);
  });
});

describe('provider-removed-while-mapped and removal-waits-for-page', () => {
  const remove: Op = { kind: 'pci_stop_and_remove_bus_device', dev: 0 };
  it('removal while the importer holds a P2PDMA address, not while it holds only RAM addresses', () => {
    const { state: s1 } = run(world(), { kind: 'mmap', mm: 0, npages: 1, backing: { kind: 'p2pmem', bar: P2PDMA_BAR } }, mmapAnon(1), { kind: 'write_fault', mm: 0, addr: 1 });
    const { state: ramMapped } = run(s1, { kind: 'dma_map_page', dev: IMPORTER, page: pfnAt(s1, 0, 1), dir: 'to-device' });
    expect(reached('provider-removed-while-mapped', ramMapped, remove)).toBe(false);
    const { state: p2pPinned } = run(ramMapped, pin(0, 1, true, { p2pdma: true }));
    const { state: tabled } = run(p2pPinned, { kind: 'sg_alloc_table_from_pages', pages: lastId(p2pPinned.pageArrays) });
    const { state: barMapped } = run(tabled, { kind: 'pci_p2pdma_map_sg', dev: IMPORTER, sgl: lastId(tabled.sgls), dir: 'to-device' });
    expect(barMapped.mappings.get(lastId(barMapped.mappings))?.entries.map((e) => e.pfn)).toEqual([P2PDMA_BASE]);
    expect(reached('provider-removed-while-mapped', barMapped, remove)).toBe(true);
    expect(reached('provider-removed-while-mapped', barMapped, { kind: 'device_release_driver', dev: 0 })).toBe(false);
    expect(reached('removal-waits-for-page', barMapped, { kind: 'device_release_driver', dev: 0 }, [], { ...barMapped, bars: barMapped.bars.map((b) => ({ ...b, removing: true })) })).toBe(false);
  });
});
