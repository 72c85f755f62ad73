import { present } from '../../model/page.ts';
import { describe, expect, it } from 'vitest';
import { designById } from '../../model/designs/index.ts';
import type { Op } from '../../model/op.ts';
import type { InvariantId } from '../../properties/invariant.ts';
import { invariantById, invariants } from '../../properties/registry.ts';
import { replay, type ReplayResult } from '../../properties/replay.ts';
import * as E from 'fp-ts/lib/Either.js';
import * as O from 'fp-ts/lib/Option.js';
import type { Step } from '../../model/result.ts';
import type { DriverThread, Invalidation, State } from '../../model/state.ts';
import { step } from '../../model/step.ts';
import { makeWorld } from '../../model/world.ts';

const run = (design: string, ops: ReadonlyArray<Op>, only?: InvariantId): ReplayResult =>
  replay(designById(design)!, ops, only === undefined ? invariants : [invariantById(only)]);

const expectViolation = (r: ReplayResult, invariant: InvariantId, at: number, text: string): void => {
  if (r.kind !== 'violates') throw new Error(`expected a violation of ${invariant}, got ${r.kind}${r.kind === 'rejected' ? `: ${r.reason}` : ''}`);
  expect(r.violation.invariant).toBe(invariant);
  expect(r.at).toBe(at);
  // The whole message: it is what a report shows.
  expect(r.violation.message).toBe(text);
};

const expectHolds = (r: ReplayResult): void => {
  if (r.kind !== 'holds') throw new Error(`expected the trace to hold, got ${r.kind}: ${r.kind === 'violates' ? r.violation.message : r.kind === 'rejected' ? r.reason : ''}`);
};

/** The state after `ops` on `design`'s world (every call accepted). */
const replayState = (design: string, ops: ReadonlyArray<Op>): State =>
  ops.reduce((st, op) => {
    const r = step(st, op);
    if (E.isLeft(r)) throw new Error(`${r.left.op}: ${r.left.reason}`);
    return r.right.state;
  }, makeWorld(designById(design)!.world));

/** The 1-based steps of `ops` at which `id` is exercised. */
const exercisedAt = (design: string, ops: ReadonlyArray<Op>, id: InvariantId): number[] => {
  let s = makeWorld(designById(design)!.world);
  const out: number[] = [];
  for (const [i, op] of ops.entries()) {
    const r = step(s, op);
    if (E.isLeft(r)) throw new Error(`${r.left.op}: ${r.left.reason}`);
    if (invariantById(id).exercised(s, op, r.right)) out.push(i + 1);
    s = r.right.state;
  }
  return out;
};

const anon: Op = { kind: 'mmap', mm: 0, npages: 1, backing: { kind: 'anon' } };
const file: Op = { kind: 'mmap', mm: 0, npages: 1, backing: { kind: 'file', inode: 0 } };
const bar: Op = { kind: 'mmap', mm: 0, npages: 1, backing: { kind: 'bar', bar: 0 } };

/** GUP, table, map for writing: ids 2 (pages), 3 (sgl), 4 (mapping) after one mmap. */
const legacyStart: ReadonlyArray<Op> = [
  { kind: 'get_user_pages', mm: 0, start: 0, npages: 1, write: true },
  { kind: 'sg_alloc_table_from_pages', pages: 2 },
  { kind: 'dma_map_sg', dev: 1, sgl: 3, dir: 'from-device' },
];
const pinStart: ReadonlyArray<Op> = [
  { kind: 'pin_user_pages', mm: 0, start: 0, npages: 1, write: true, longterm: false, p2pdma: false },
  { kind: 'sg_alloc_table_from_pages', pages: 2 },
  { kind: 'dma_map_sg', dev: 1, sgl: 3, dir: 'from-device' },
];

/**
 * The importer designs' world: BAR 0 of device 0, importer device 1 with driver recipes. Ids: vma 1,
 * notifier 2, map-path thread 3, mapping 4 (p2p_map made by thread 3).
 */
const subscribed: ReadonlyArray<Op> = [
  bar,
  { kind: 'mmu_interval_notifier_insert', mm: 0, start: 0, npages: 1, owner: 1 },
  { kind: 'driver_map_range', dev: 1, notifier: 2 },
  { kind: 'mmget_not_zero', mm: 0, by: 3 },
  { kind: 'mmu_interval_read_begin', notifier: 2, by: 3 },
  { kind: 'mmap_read_lock', mm: 0, by: 3 },
  { kind: 'find_vma', mm: 0, addr: 0, by: 3 },
];
/** The hmm-map-locked path (vma-p2p-map-notifier, -nostop) runs to its end: the device is programmed (range 5); then munmap. */
const programmed: ReadonlyArray<Op> = [
  ...subscribed,
  { kind: 'driver_lock', dev: 1, by: 3 },
  { kind: 'p2p_map', vma: 1, dev: 1, write: true, by: 3 },
  { kind: 'driver_record', dev: 1, mapping: 4, by: 3 },
  { kind: 'mmap_read_unlock', mm: 0, by: 3 },
  { kind: 'mmu_interval_read_retry', notifier: 2, seq: 1, by: 3 },
  { kind: 'device_program', dev: 1, mapping: 4, by: 3 },
  { kind: 'driver_unlock', dev: 1, by: 3 },
  { kind: 'mmput', mm: 0, by: 3 },
  { kind: 'munmap', mm: 0, start: 0, npages: 1 },
];
/** After `programmed`: munmap's invalidation is 6, its callback thread 7. */
const stopUnmapCallback: ReadonlyArray<Op> = [
  { kind: 'driver_lock', dev: 1, by: 7 },
  { kind: 'mmu_interval_set_seq', notifier: 2, seq: 3, by: 7 },
  { kind: 'device_stop_dma', dev: 1, mm: 0, start: 0, npages: 1, by: 7 },
  { kind: 'p2p_unmap', mapping: 4, by: 7 },
  { kind: 'driver_forget', dev: 1, mapping: 4, by: 7 },
  { kind: 'driver_unlock', dev: 1, by: 7 },
  { kind: 'invalidate_callback_return', notifier: 2, ret: true, by: 7 },
];
const recordOnlyCallback: ReadonlyArray<Op> = [
  { kind: 'driver_lock', dev: 1, by: 7 },
  { kind: 'mmu_interval_set_seq', notifier: 2, seq: 3, by: 7 },
  { kind: 'driver_unlock', dev: 1, by: 7 },
  { kind: 'invalidate_callback_return', notifier: 2, ret: true, by: 7 },
];
/**
 * The race the seq exists for, on a map path that records before mmap_read_unlock and takes the
 * driver lock after it (hmm-map, hmm-map-noretry): after p2p_map and the record, munmap starts
 * invalidation 5 and its stop-unmap callback (thread 6) gives the mapping back and returns; the map
 * path then takes the driver lock (step 19).
 */
const raced: ReadonlyArray<Op> = [
  ...subscribed,
  { kind: 'p2p_map', vma: 1, dev: 1, write: true, by: 3 },
  { kind: 'driver_record', dev: 1, mapping: 4, by: 3 },
  { kind: 'mmap_read_unlock', mm: 0, by: 3 },
  { kind: 'munmap', mm: 0, start: 0, npages: 1 },
  { kind: 'driver_lock', dev: 1, by: 6 },
  { kind: 'mmu_interval_set_seq', notifier: 2, seq: 3, by: 6 },
  { kind: 'device_stop_dma', dev: 1, mm: 0, start: 0, npages: 1, by: 6 },
  { kind: 'p2p_unmap', mapping: 4, by: 6 },
  { kind: 'driver_forget', dev: 1, mapping: 4, by: 6 },
  { kind: 'driver_unlock', dev: 1, by: 6 },
  { kind: 'invalidate_callback_return', notifier: 2, ret: true, by: 6 },
  { kind: 'driver_lock', dev: 1, by: 3 },
];

describe('no-cpu-iomem', () => {
  const p2pSgl: ReadonlyArray<Op> = [
    { kind: 'pci_alloc_p2pmem', bar: 0 },
    { kind: 'sg_alloc_table', nents: 1 },
    { kind: 'sg_set_page', sgl: 1, index: 0, page: 6 },
  ];
  it('fires when a generic SGL walker copies from a P2PDMA page', () => {
    expectViolation(run('p2pdma-page-sgl', [...p2pSgl, { kind: 'sg_copy_to_buffer', sgl: 1 }]), 'no-cpu-iomem', 4, 'sg_copy_to_buffer made a plain CPU access to pfn 6, a ZONE_DEVICE P2PDMA page in BAR 0 of device 0 (__iomem)');
  });
  it('fires for kmap_local_page on a P2PDMA entry too', () => {
    expectViolation(run('p2pdma-page-sgl', [...p2pSgl, { kind: 'kmap_local_page', sgl: 1, index: 0 }]), 'no-cpu-iomem', 4, 'kmap_local_page made a plain CPU access to pfn 6, a ZONE_DEVICE P2PDMA page in BAR 0 of device 0 (__iomem)');
  });
  it('does not fire for memcpy_toio, the legal iomem accessor', () => {
    expectHolds(run('p2pdma-page-sgl', [...p2pSgl, { kind: 'memcpy_toio', page: 6 }]));
  });
  it('does not fire when the walker copies from RAM pages', () => {
    expectHolds(run('pin-user-pages', [anon, ...pinStart, { kind: 'sg_copy_to_buffer', sgl: 3 }]));
  });
});

describe('map-within-vma-lifetime', () => {
  it('fires when munmap destroys a VMA that still has a p2p_map mapping', () => {
    expectViolation(
      run('vma-p2p-map', [bar, { kind: 'p2p_map', vma: 1, dev: 1, write: true }, { kind: 'munmap', mm: 0, start: 0, npages: 1 }]),
      'map-within-vma-lifetime',
      3,
      'vma 1 was destroyed while mapping 2 (p2p_map for device 1) still holds DMA addresses of its BAR window',
    );
  });
  it("holds when the importer's invalidate callback gives the mapping back before range_end destroys the VMA", () => {
    const r = run('vma-p2p-map-notifier', [...programmed, ...stopUnmapCallback, { kind: 'mmu_notifier_invalidate_range_end', inv: 6 }]);
    expectHolds(r);
    if (r.kind === 'holds') {
      expect(r.state.vmas.size).toBe(0);
      expect(r.state.mappings.size).toBe(0);
      expect(r.state.deviceRanges.size).toBe(0);
    }
  });
  it('fires when the record-only callback returns with the mapping live and range_end destroys the VMA', () => {
    expectViolation(
      run('vma-p2p-map-notifier-nostop', [...programmed, ...recordOnlyCallback, { kind: 'mmu_notifier_invalidate_range_end', inv: 6 }], 'map-within-vma-lifetime'),
      'map-within-vma-lifetime',
      21,
      'vma 1 was destroyed while mapping 4 (p2p_map for device 1) still holds DMA addresses of its BAR window',
    );
  });
  it('holds when the importer p2p_unmaps before munmap', () => {
    expectHolds(run('vma-p2p-map', [bar, { kind: 'p2p_map', vma: 1, dev: 1, write: true }, { kind: 'p2p_unmap', mapping: 2 }, { kind: 'munmap', mm: 0, start: 0, npages: 1 }]));
  });
});

describe('correct-dirtying', () => {
  const raceTail: ReadonlyArray<Op> = [
    { kind: 'writeback', page: 0 },
    { kind: 'reclaim', page: 0 },
    { kind: 'dma_unmap_sg', mapping: 4, dev: 1, nents: 1, dir: 'from-device' },
  ];
  it('fires when set_page_dirty_lock dirties a page whose buffers reclaim released (the 2018 ext4 report)', () => {
    expectViolation(
      run('gup-set-page-dirty', [file, ...legacyStart, ...raceTail, { kind: 'set_page_dirty_lock', pages: 2 }]),
      'correct-dirtying',
      8,
      'page 0 (inode 0, index 0) was dirtied after reclaim released its buffers: ->writepage gets a dirty page the filesystem never prepared',
    );
  });
  it('fires for unpin_user_pages_dirty_lock on a kernel before the 6.4 reclaim fix', () => {
    expectViolation(
      run('pin-user-pages-5.9', [file, ...pinStart, ...raceTail, { kind: 'unpin_user_pages_dirty_lock', pages: 2, make_dirty: true }]),
      'correct-dirtying',
      8,
      'page 0 (inode 0, index 0) was dirtied after reclaim released its buffers: ->writepage gets a dirty page the filesystem never prepared',
    );
  });
  it('holds for the same calls on today\'s kernel, where reclaim keeps a pinned page\'s buffers', () => {
    expectHolds(run('pin-user-pages', [file, ...pinStart, ...raceTail, { kind: 'unpin_user_pages_dirty_lock', pages: 2, make_dirty: true }]));
  });
  it('fires when a pin is dropped without dirtying what the device wrote into a clean page', () => {
    expectViolation(
      run('pin-user-pages', [
        file,
        ...pinStart,
        { kind: 'writeback', page: 0 },
        { kind: 'device_write', mapping: 4, index: 0 },
        { kind: 'dma_unmap_sg', mapping: 4, dev: 1, nents: 1, dir: 'from-device' },
        { kind: 'unpin_user_pages_dirty_lock', pages: 2, make_dirty: false },
      ]),
      'correct-dirtying',
      8,
      'the pin on page 0 (pages 2) was dropped while it held device-written data nobody dirtied: the write is lost',
    );
  });
  it('rule 1 holds when the page the device wrote was still dirty: writeback takes the data with it', () => {
    expectHolds(
      run('pin-user-pages', [
        file,
        ...pinStart,
        { kind: 'device_write', mapping: 4, index: 0 },
        { kind: 'dma_unmap_sg', mapping: 4, dev: 1, nents: 1, dir: 'from-device' },
        { kind: 'unpin_user_pages_dirty_lock', pages: 2, make_dirty: false },
        { kind: 'writeback', page: 0 },
      ]),
    );
  });
  it('holds when the pin is dropped with make_dirty after the device wrote', () => {
    expectHolds(
      run('pin-user-pages', [
        anon,
        ...pinStart,
        { kind: 'device_write', mapping: 4, index: 0 },
        { kind: 'dma_unmap_sg', mapping: 4, dev: 1, nents: 1, dir: 'from-device' },
        { kind: 'unpin_user_pages_dirty_lock', pages: 2, make_dirty: true },
      ]),
    );
  });
  it('rule 2 holds since 6.2: unpin_user_pages_dirty_lock dirties a P2PDMA page pinned with FOLL_PCI_P2PDMA on purpose', () => {
    expectHolds(
      run('p2pdma-page-sgl', [
        { kind: 'mmap', mm: 0, npages: 1, backing: { kind: 'p2pmem', bar: 0 } },
        { kind: 'pin_user_pages', mm: 0, start: 0, npages: 1, write: true, longterm: false, p2pdma: true },
        { kind: 'set_page_dirty_lock', pages: 2 },
      ]),
    );
  });
});

describe('no-dma-after-free', () => {
  /** The importer without a notifier p2p_maps (mapping 2) and programs its device (range 3). */
  const imported: ReadonlyArray<Op> = [bar, { kind: 'p2p_map', vma: 1, dev: 1, write: true }, { kind: 'device_program', dev: 1, mapping: 2 }];
  const mapped: ReadonlyArray<Op> = [...imported, { kind: 'munmap', mm: 0, start: 0, npages: 1 }];
  it('fires when the device writes a BAR window its exporter gave back at munmap', () => {
    expectViolation(run('vma-p2p-map', [...mapped, { kind: 'device_write', mapping: 2, index: 0 }], 'no-dma-after-free'), 'no-dma-after-free', 5, 'device 1 wrote pfn 6 through mapping 2, but that memory was freed');
  });
  it('fires when that window was handed to a new mapping in the meantime', () => {
    expectViolation(
      run('vma-p2p-map', [...mapped, bar, { kind: 'device_write', mapping: 2, index: 0 }], 'no-dma-after-free'),
      'no-dma-after-free',
      6,
      'device 1 wrote pfn 6 through mapping 2, but that memory was freed and now belongs to someone else',
    );
  });
  it('fires when the device writes the BAR of a removed provider', () => {
    expectViolation(
      run('vma-p2p-map', [...imported, { kind: 'pci_stop_and_remove_bus_device', dev: 0 }, { kind: 'device_write', mapping: 2, index: 0 }], 'no-dma-after-free'),
      'no-dma-after-free',
      5,
      'device 1 wrote pfn 6 through mapping 2, but the provider of BAR 0 was removed',
    );
  });
  it('holds while the device writes the window before munmap', () => {
    expectHolds(run('vma-p2p-map', [...imported, { kind: 'device_write', mapping: 2, index: 0 }]));
  });
  it('fires when the noretry map path programmed stale addresses and the device writes after range_end gave the window back', () => {
    const ops: ReadonlyArray<Op> = [
      ...raced,
      { kind: 'device_program', dev: 1, mapping: 4, by: 3 },
      { kind: 'driver_unlock', dev: 1, by: 3 },
      { kind: 'mmu_notifier_invalidate_range_end', inv: 5 },
      { kind: 'device_write', mapping: 4, index: 0 },
    ];
    expectViolation(run('vma-p2p-map-notifier-noretry', ops, 'no-dma-after-free'), 'no-dma-after-free', 23, 'device 1 wrote pfn 6 through mapping 4, but that memory was freed');
  });
  it('holds when a pin keeps the page alive across munmap', () => {
    expectHolds(run('pin-user-pages', [anon, ...pinStart, { kind: 'munmap', mm: 0, start: 0, npages: 1 }, { kind: 'device_write', mapping: 4, index: 0 }]));
  });
});

describe('gup-release', () => {
  const unmap: Op = { kind: 'dma_unmap_sg', mapping: 4, dev: 1, nents: 1, dir: 'from-device' };
  it('fires when a pin_user_pages array goes back with put_page: the pin stays counted, held by nobody', () => {
    expectViolation(
      run('pin-user-pages', [anon, ...pinStart, unmap, { kind: 'put_page', pages: 2 }], 'gup-release'),
      'gup-release',
      6,
      'put_page gave back page 0, which was pinned with FOLL_PIN, as a plain reference: the pin stays counted (GUP_PIN_COUNTING_BIAS on an order-0 page) with nobody to drop it, so the page is never freed and folio_maybe_dma_pinned() stays true',
    );
  });
  it('fires for the shared zero page too, which since 6.5 a pin does not reference: put_page drops a reference nobody took', () => {
    const readPin: Op = { kind: 'pin_user_pages', mm: 0, start: 0, npages: 1, write: false, longterm: false, p2pdma: false };
    expectViolation(
      run('pin-user-pages', [anon, readPin, { kind: 'put_page', pages: 2 }], 'gup-release'),
      'gup-release',
      3,
      `put_page gave back page ${makeWorld(designById('pin-user-pages')!.world).frames.length - 1}, the shared zero page, which pages 2 pinned with FOLL_PIN, as a plain reference: since 6.5 the pin took no reference there, so this drops one nobody took`,
    );
  });
  it('holds when the pins go back with unpin_user_pages_dirty_lock, and when get_user_pages references go back with put_page', () => {
    expectHolds(run('pin-user-pages', [anon, ...pinStart, unmap, { kind: 'unpin_user_pages_dirty_lock', pages: 2, make_dirty: true }, { kind: 'munmap', mm: 0, start: 0, npages: 1 }], 'gup-release'));
    expectHolds(run('gup-set-page-dirty', [anon, ...legacyStart, unmap, { kind: 'set_page_dirty_lock', pages: 2 }, { kind: 'put_page', pages: 2 }], 'gup-release'));
    expect(exercisedAt('pin-user-pages', [anon, ...pinStart, unmap, { kind: 'unpin_user_pages', pages: 2 }], 'gup-release')).toEqual([6]);
  });
});

describe('isolation', () => {
  const forkThenWrite: ReadonlyArray<Op> = [{ kind: 'fork', mm: 0 }, { kind: 'device_write', mapping: 4, index: 0 }];
  it('fires when fork leaves a get_user_pages page shared copy-on-write and the device writes it', () => {
    expectViolation(
      run('gup-set-page-dirty', [anon, ...legacyStart, ...forkThenWrite], 'isolation'),
      'isolation',
      6,
      "device 1 wrote pfn 0, an anonymous page that is mm 5's private memory (shared copy-on-write with mm 0), through a reference mm 0 gave the device: the write shows in memory its writer does not own",
    );
  });
  it('fires when the writer moved to a copy after fork: the write lands in the page only the child maps now', () => {
    const parentStore: Op = { kind: 'write_fault', mm: 0, addr: 0 };
    expectViolation(
      run('gup-set-page-dirty', [anon, ...legacyStart, { kind: 'fork', mm: 0 }, parentStore, { kind: 'device_write', mapping: 4, index: 0 }], 'isolation'),
      'isolation',
      7,
      "device 1 wrote pfn 0, an anonymous page that is mm 5's private memory, through a reference mm 0 gave the device: the write shows in memory its writer does not own",
    );
  });
  it('fires when the device writes, through a read-only pin, the page cache a MAP_PRIVATE file mapping shows the process', () => {
    const privateFile: Op = { kind: 'mmap', mm: 0, npages: 1, backing: { kind: 'file-private', inode: 0 } };
    const readPin: ReadonlyArray<Op> = [
      { kind: 'pin_user_pages', mm: 0, start: 0, npages: 1, write: false, longterm: false, p2pdma: false },
      { kind: 'sg_alloc_table_from_pages', pages: 2 },
      { kind: 'dma_map_sg', dev: 1, sgl: 3, dir: 'to-device' },
    ];
    const page = replayState('dma-api-misuse', [privateFile, ...readPin]).inodes[0]!.cache[0]!;
    expectViolation(
      run('dma-api-misuse', [privateFile, ...readPin, { kind: 'device_write', mapping: 4, index: 0 }], 'isolation'),
      'isolation',
      5,
      `device 1 wrote pfn ${page}, a page-cache page of inode 0, which mm 0 took through a MAP_PRIVATE mapping (pages 2): the write goes into the file every process reads and writeback stores, not into a private copy: the write shows in memory its writer does not own`,
    );
    expect(exercisedAt('dma-api-misuse', [privateFile, ...readPin, { kind: 'device_write', mapping: 4, index: 0 }], 'isolation')).toEqual([5]);
    // The process unmapping its private mapping first changes nothing: the reference is still the file's page.
    const unmapFirst = [privateFile, ...readPin, { kind: 'munmap', mm: 0, start: 0, npages: 1 } as Op, { kind: 'device_write', mapping: 4, index: 0 } as Op];
    expect(run('dma-api-misuse', unmapFirst, 'isolation').kind).toBe('violates');
    // MAP_SHARED: the file is memory the process shares with its readers; FOLL_WRITE: the device writes the private copy.
    expectHolds(run('dma-api-misuse', [file, ...readPin, { kind: 'device_write', mapping: 4, index: 0 }], 'isolation'));
    const writePin: Op = { kind: 'pin_user_pages', mm: 0, start: 0, npages: 1, write: true, longterm: false, p2pdma: false };
    expectHolds(run('dma-api-misuse', [privateFile, writePin, ...readPin.slice(1), { kind: 'device_write', mapping: 4, index: 0 }], 'isolation'));
  });
  describe('a store into another process\'s GUP snapshot (CVE-2020-29374)', () => {
    // The child splices the page it shares with its parent, unmaps it, and the parent stores.
    const childSplices: ReadonlyArray<Op> = [
      anon,
      { kind: 'store', mm: 0, addr: 0 },
      { kind: 'fork', mm: 0 },
      { kind: 'vmsplice', mm: 2, start: 0, npages: 1 },
      { kind: 'munmap', mm: 2, start: 0, npages: 1 },
      { kind: 'store', mm: 0, addr: 0 },
    ];
    it('fires before 5.8: the write fault reuses the page mapped once, which the pipe holds', () => {
      expectViolation(
        run('vmsplice-leak', childSplices, 'isolation'),
        'isolation',
        6,
        "mm 0's store landed in pfn 0, which a GUP reference mm 2 took through its private mapping still holds (pages 4, a pipe buffer filled by vmsplice): what is read through it now shows mm 0's write, which mm 0 never shared with mm 2",
      );
      expect(exercisedAt('vmsplice-leak', childSplices, 'isolation')).toEqual([6]);
    });
    it('holds on 5.8: vmsplice breaks COW first (should_force_cow_break), so the child splices a copy of its own', () => {
      expectHolds(run('vmsplice-5.8', childSplices, 'isolation'));
      const after = replayState('vmsplice-5.8', childSplices.slice(0, 4));
      expect(after.pageArrays.get(4)!.pfns).not.toEqual([0]);
    });
    it('fires on 5.8 when the page is shared after the splice: fork, the splicer exits, the child\'s store reuses the page', () => {
      const forkAfter: ReadonlyArray<Op> = [anon, { kind: 'vmsplice', mm: 0, start: 0, npages: 1 }, { kind: 'fork', mm: 0 }, { kind: 'exit_mmap', mm: 0 }, { kind: 'store', mm: 3, addr: 0 }];
      expect(run('vmsplice-5.8', forkAfter, 'isolation').kind).toBe('violates');
      expectHolds(run('vmsplice', forkAfter, 'isolation'));
    });
    it('holds on today\'s kernel: the pipe\'s reference makes the store copy first, and the pipe still reads the old page', () => {
      expectHolds(run('vmsplice', childSplices, 'isolation'));
      expect(exercisedAt('vmsplice', childSplices, 'isolation')).toEqual([6]);
      const after = replayState('vmsplice', childSplices);
      expect(present(after.vmas.get(1)!.ptes[0])!.pfn).not.toBe(0);
      expect(after.pageArrays.get(4)!.pfns).toEqual([0]);
    });
    it('does not fire for the splicer\'s own store, nor while the sharer still maps the page (the store copies in any era)', () => {
      const ownStore: ReadonlyArray<Op> = [anon, { kind: 'store', mm: 0, addr: 0 }, { kind: 'vmsplice', mm: 0, start: 0, npages: 1 }, { kind: 'store', mm: 0, addr: 0 }];
      expectHolds(run('vmsplice-leak', ownStore, 'isolation'));
      expect(exercisedAt('vmsplice-leak', ownStore, 'isolation')).toEqual([]);
      expectHolds(run('vmsplice-leak', childSplices.filter((op) => op.kind !== 'munmap'), 'isolation'));
    });
  });
  it('holds for pin_user_pages: fork copies the pinned page at once, and the device writes the parent\'s own page', () => {
    expectHolds(run('pin-user-pages', [anon, ...pinStart, ...forkThenWrite], 'isolation'));
    expect(exercisedAt('pin-user-pages', [anon, ...pinStart, ...forkThenWrite], 'isolation')).toEqual([6]);
  });
});

describe('pin-coherent', () => {
  const forkThenStore: ReadonlyArray<Op> = [{ kind: 'fork', mm: 0 }, { kind: 'write_fault', mm: 0, addr: 0 }, { kind: 'device_write', mapping: 4, index: 0 }];
  it('fires when fork and a parent store move a get_user_pages page away from the device', () => {
    expectViolation(
      run('gup-set-page-dirty', [anon, ...legacyStart, ...forkThenStore]),
      'pin-coherent',
      7,
      'device 1 wrote pfn 0, which mm 0 got from get_user_pages at virtual page 0, but mm 0 now maps pfn 1 there: the write is lost to the process',
    );
  });
  it('does not judge an address the process gave up: munmap of the buffer, a new mapping merged back over it (found by explore on gup-dontfork)', () => {
    const dontfork = (start: number): Op => ({ kind: 'madvise', mm: 0, start, npages: 1, advice: 'dontfork' });
    const io = (start: number, pages: number): ReadonlyArray<Op> => [
      { kind: 'get_user_pages', mm: 0, start, npages: 1, write: true },
      { kind: 'sg_alloc_table_from_pages', pages },
      { kind: 'dma_map_sg', dev: 1, sgl: pages + 1, dir: 'bidirectional' },
    ];
    const ops: ReadonlyArray<Op> = [
      anon, dontfork(0), ...io(0, 2),
      { kind: 'dma_unmap_sg', mapping: 4, dev: 1, nents: 1, dir: 'bidirectional' }, { kind: 'set_page_dirty_lock', pages: 2 }, { kind: 'put_page', pages: 2 }, { kind: 'sg_free_table', sgl: 3 },
      anon, dontfork(1), ...io(1, 6),
      { kind: 'munmap', mm: 0, start: 1, npages: 1 },
      anon, dontfork(1), ...io(1, 11),
      { kind: 'device_write', mapping: 8, index: 0 },
    ];
    const r = run('gup-dontfork', ops, 'pin-coherent');
    expectHolds(r);
    // The split piece munmap destroyed is gone; the merged VMA over page 1 has the id the pin recorded.
    const s = replayState('gup-dontfork', ops.slice(0, 15));
    expect(s.pageArrays.get(6)!.vmas).toEqual([-1]);
  });
  it('holds for pin_user_pages, whose page fork copies early for the child', () => {
    const r = run('pin-user-pages', [anon, ...pinStart, { kind: 'fork', mm: 0 }, { kind: 'device_write', mapping: 4, index: 0 }]);
    expectHolds(r);
    if (r.kind === 'holds') expect(r.state.vmas.get(1)!.ptes[0]).toEqual({ pfn: 0, writable: true });
    // The parent's PTE stays writable, so the parent's store does not even fault.
    const store = run('pin-user-pages', [anon, ...pinStart, ...forkThenStore]);
    expect(store.kind === 'rejected' && store.reason).toContain('present and writable');
  });
});

describe('pin-coherent and the shared zero page', () => {
  /** A read-only pin of never-written anon memory (the zero page), a table for the device to read, the process's first store, the device read. */
  const readOnlyPinOfZeroPage = (longterm: boolean): ReadonlyArray<Op> => [
    anon,
    { kind: 'pin_user_pages', mm: 0, start: 0, npages: 1, write: false, longterm, p2pdma: false },
    { kind: 'sg_alloc_table_from_pages', pages: 2 },
    { kind: 'dma_map_sg', dev: 1, sgl: 3, dir: 'to-device' },
    { kind: 'store', mm: 0, addr: 0 },
    { kind: 'device_read', mapping: 4, index: 0 },
  ];
  it('fires before 6.2: a long-term read-only pin takes the zero page, and the first store moves the process to a copy the device never reads', () => {
    expectViolation(
      run('pin-user-pages-5.9', readOnlyPinOfZeroPage(true), 'pin-coherent'),
      'pin-coherent',
      6,
      'device 1 read pfn 8, which mm 0 got from pin_user_pages at virtual page 0, but mm 0 now maps pfn 0 there: the device reads data the process has replaced',
    );
  });
  it('holds since 6.2: FOLL_LONGTERM unshares the zero page first, and the store reuses the exclusive page', () => {
    const r = run('pin-user-pages', readOnlyPinOfZeroPage(true));
    expectHolds(r);
    expect(exercisedAt('pin-user-pages', readOnlyPinOfZeroPage(true), 'pin-coherent')).toEqual([6]);
  });
  it('does not judge a short-term read-only pin: gup_must_unshare leaves the zero page pinned, and the read is a snapshot', () => {
    const r = run('pin-user-pages', readOnlyPinOfZeroPage(false));
    expectHolds(r);
    if (r.kind === 'holds') expect(present(r.state.vmas.get(1)!.ptes[0])!.pfn).not.toBe(r.state.pageArrays.get(2)!.pfns[0]);
    expect(exercisedAt('pin-user-pages', readOnlyPinOfZeroPage(false), 'pin-coherent')).toEqual([]);
  });
});

describe('notifier-protocol', () => {
  it('fires at device_program when the noretry map path programs addresses a callback returned after it took them', () => {
    expectViolation(
      run('vma-p2p-map-notifier-noretry', [...raced, { kind: 'device_program', dev: 1, mapping: 4, by: 3 }]),
      'notifier-protocol',
      20,
      "device 1 was programmed with mapping 4's addresses after an invalidation of notifier 2 set a new seq since the map path's mmu_interval_read_begin; the map path never called mmu_interval_read_retry (seq 1 from mmu_interval_read_begin)",
    );
  });
  it('holds for the same interleaving on the hmm-map importer: read_retry sends the map path back (the callback already forgot the mapping), and it fails on the gone VMA', () => {
    const r = run('vma-p2p-map-notifier-record-unlocked', [
      ...raced,
      { kind: 'mmu_interval_read_retry', notifier: 2, seq: 1, by: 3 },
      { kind: 'driver_unlock', dev: 1, by: 3 },
      { kind: 'mmu_notifier_invalidate_range_end', inv: 5 },
      { kind: 'mmu_interval_read_begin', notifier: 2, by: 3 },
      { kind: 'mmap_read_lock', mm: 0, by: 3 },
      { kind: 'find_vma', mm: 0, addr: 0, by: 3 },
      { kind: 'mmap_read_unlock', mm: 0, by: 3 },
      { kind: 'mmput', mm: 0, by: 3 },
      { kind: 'driver_return', dev: 1, err: '-EFAULT', by: 3 },
    ]);
    expectHolds(r);
    if (r.kind === 'holds') {
      expect(r.trace[19]!.events).toEqual([{ kind: 'read-retry', notifier: 2, seq: 1, retry: true }]);
      expect(r.state.threads.size).toBe(0);
      expect(r.state.deviceRanges.size).toBe(0);
      expect(r.state.mappings.size).toBe(0);
    }
  });
  it('fires when the record-only callback returns true while the device is programmed for the range', () => {
    expectViolation(
      run('vma-p2p-map-notifier-nostop', [...programmed, ...recordOnlyCallback], 'notifier-protocol'),
      'notifier-protocol',
      20,
      "every invalidate callback of invalidation 6 has returned (the last: notifier 2's, true) while device 1 can still reach pages 0-0 of mm 0 through mapping 4: invalidate_range_start returns as if it could not",
    );
  });
  it('holds for the same interleaving on the stop-unmap importer, which stops the device before it returns', () => {
    expectHolds(run('vma-p2p-map-notifier', [...programmed, ...stopUnmapCallback, { kind: 'mmu_notifier_invalidate_range_end', inv: 6 }]));
  });
});

describe('notifier-protocol on states changed by hand (branches no design reaches)', () => {
  /** The state before the last op of `ops` and the step it makes. */
  const lastStep = (design: string, ops: ReadonlyArray<Op>): { before: State; op: Op; step: Step } => {
    let s = makeWorld(designById(design)!.world);
    let last: { before: State; op: Op; step: Step } | null = null;
    for (const op of ops) {
      const r = step(s, op);
      if (E.isLeft(r)) throw new Error(`${r.left.op}: ${r.left.reason}`);
      last = { before: s, op, step: r.right };
      s = r.right.state;
    }
    return last!;
  };
  const check = (x: { before: State; op: Op; step: Step }): string | null => {
    const v = invariantById('notifier-protocol').check(x.before, x.op, x.step);
    return O.isSome(v) ? v.value : null;
  };
  const withThread = (x: { before: State; op: Op; step: Step }, id: number, f: (t: DriverThread) => DriverThread) => ({
    ...x,
    before: { ...x.before, threads: new Map([...x.before.threads].map(([k, t]) => [k, k === id ? f(t) : t])) },
  });

  it('a map path whose read_retry missed the callback (a retry made outside the driver lock) is told apart from one that never retried', () => {
    const x = lastStep('vma-p2p-map-notifier-noretry', [...raced, { kind: 'device_program', dev: 1, mapping: 4, by: 3 }]);
    expect(check(withThread(x, 3, (t) => ({ ...t, retry: false })))).toBe(
      "device 1 was programmed with mapping 4's addresses after an invalidation of notifier 2 set a new seq since the map path's mmu_interval_read_begin; mmu_interval_read_retry did not see it (seq 1 from mmu_interval_read_begin)",
    );
    expect(check(withThread(x, 3, (t) => ({ ...t, seq: null })))).toBe(
      "device 1 was programmed with mapping 4's addresses after an invalidation of notifier 2 set a new seq since the map path's mmu_interval_read_begin; the map path never called mmu_interval_read_retry (seq ? from mmu_interval_read_begin)",
    );
    expect(check(withThread(x, 3, (t) => ({ ...t, stale: false })))).toBeNull();
  });

  it('the last callback returning true is judged against the device ranges of notifier owners over the range; a false return, a callback still queued, another range or another device not', () => {
    const x = lastStep('vma-p2p-map-notifier-nostop', [...programmed, ...recordOnlyCallback]);
    const whole = "every invalidate callback of invalidation 6 has returned (the last: notifier 2's, true) while device 1 can still reach pages 0-0 of mm 0 through mapping 4: invalidate_range_start returns as if it could not";
    expect(check(x)).toBe(whole);
    const falseReturn: Step = { ...x.step, events: x.step.events.map((e) => (e.kind === 'callback-returned' ? { ...e, ret: false } : e)) };
    expect(check({ ...x, step: falseReturn })).toBeNull();
    const withInv = (f: (i: Invalidation) => Invalidation): Step => ({ ...x.step, state: { ...x.step.state, invalidations: new Map([...x.step.state.invalidations].map(([k, i]) => [k, f(i)])) } });
    // Another notifier's callback is still queued: range_start has not returned.
    expect(check({ ...x, step: withInv((i) => ({ ...i, queue: [99] })) })).toBeNull();
    // The invalidation covers another page, or another mm: the device range is not in it.
    expect(check({ ...x, step: withInv((i) => ({ ...i, ranges: [{ mm: 0, start: 1, end: 2 }] })) })).toBeNull();
    expect(check({ ...x, step: withInv((i) => ({ ...i, ranges: [{ mm: 1, start: 0, end: 1 }] })) })).toBeNull();
    // A range wider than the notifier is clamped to it.
    expect(check({ ...x, step: withInv((i) => ({ ...i, ranges: [{ mm: 0, start: 0, end: 9 }] })) })).toBe(whole);
    // The device range belongs to a device that holds no notifier over the range.
    const otherDevice: Step = { ...x.step, state: { ...x.step.state, deviceRanges: new Map([...x.step.state.deviceRanges].map(([k, r]) => [k, { ...r, device: 0 }])) } };
    expect(check({ ...x, step: otherDevice })).toBeNull();
  });
});

describe('the registry', () => {
  it('has one invariant per id, each with a rule and a source', () => {
    expect(new Set(invariants.map((i) => i.id)).size).toBe(invariants.length);
    for (const i of invariants) {
      expect(i.rule.length).toBeGreaterThan(20);
      expect(i.source.length).toBeGreaterThan(5);
    }
  });
});

describe('each invariant knows when a step reaches the situation it guards', () => {
  it('map-within-vma-lifetime: a munmap under a live p2p_map mapping, even when a notifier makes it safe', () => {
    const ops: ReadonlyArray<Op> = [
      bar,
      { kind: 'mmu_interval_notifier_insert', mm: 0, start: 0, npages: 1, owner: 1 },
      { kind: 'p2p_map', vma: 1, dev: 1, write: true },
      { kind: 'munmap', mm: 0, start: 0, npages: 1 },
    ];
    expect(exercisedAt('vma-p2p-map-notifier', ops, 'map-within-vma-lifetime')).toEqual([4]);
    expect(exercisedAt('vma-p2p-map-notifier', [bar, { kind: 'munmap', mm: 0, start: 0, npages: 1 }], 'map-within-vma-lifetime')).toEqual([]);
  });
  it('notifier-protocol: an invalidation sets a new seq while a map path of its notifier holds p2p_map addresses, not when the map path already ended', () => {
    expect(exercisedAt('vma-p2p-map-notifier-record-unlocked', raced, 'notifier-protocol')).toEqual([13]);
    expect(exercisedAt('vma-p2p-map-notifier', [...programmed, ...stopUnmapCallback], 'notifier-protocol')).toEqual([]);
  });
  it('no-cpu-iomem: a plain CPU access, not memcpy_toio', () => {
    const p2p: ReadonlyArray<Op> = [{ kind: 'pci_alloc_p2pmem', bar: 0 }, { kind: 'sg_alloc_table', nents: 1 }, { kind: 'sg_set_page', sgl: 1, index: 0, page: 6 }];
    expect(exercisedAt('p2pdma-page-sgl', [...p2p, { kind: 'memcpy_toio', page: 6 }], 'no-cpu-iomem')).toEqual([]);
    expect(exercisedAt('pin-user-pages', [anon, ...pinStart, { kind: 'sg_copy_to_buffer', sgl: 3 }], 'no-cpu-iomem')).toEqual([5]);
  });
  it('correct-dirtying, no-dma-after-free and pin-coherent: a dirtying or a write release, a device access, a device write into GUP-held pages', () => {
    const io: ReadonlyArray<Op> = [anon, ...pinStart, { kind: 'device_write', mapping: 4, index: 0 }, { kind: 'dma_unmap_sg', mapping: 4, dev: 1, nents: 1, dir: 'from-device' }, { kind: 'unpin_user_pages_dirty_lock', pages: 2, make_dirty: true }];
    expect(exercisedAt('pin-user-pages', io, 'correct-dirtying')).toEqual([7]);
    expect(exercisedAt('pin-user-pages', io, 'no-dma-after-free')).toEqual([5]);
    expect(exercisedAt('pin-user-pages', io, 'pin-coherent')).toEqual([5]);
  });
});
