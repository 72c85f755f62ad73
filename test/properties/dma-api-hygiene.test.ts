import { describe, expect, it } from 'vitest';
import { designById } from '../../model/designs/index.ts';
import type { Op } from '../../model/op.ts';
import { invariantById } from '../../properties/registry.ts';
import { replay } from '../../properties/replay.ts';
import { corpusFiles } from '../../cli/replay.ts';
import * as E from 'fp-ts/lib/Either.js';
import { loadCounterexample } from '../../properties/counterexample/load.ts';
import { replayOwn } from '../../properties/counterexample/replay-file.ts';

const hygiene = [invariantById('dma-api-hygiene')];
const run = (ops: ReadonlyArray<Op>) => replay(designById('dma-api-misuse')!, ops, hygiene);

/** Two anonymous pages pinned for writing, in a table, mapped by the importer (merged to one entry by its IOMMU): ids 2, 3, 4. */
const io: ReadonlyArray<Op> = [
  { kind: 'mmap', mm: 0, npages: 2, backing: { kind: 'anon' } },
  { kind: 'pin_user_pages', mm: 0, start: 0, npages: 2, write: true, longterm: false, p2pdma: false },
  { kind: 'sg_alloc_table_from_pages', pages: 2 },
  { kind: 'dma_map_sg', dev: 1, sgl: 3, dir: 'from-device' },
];
const unmap = (extra: Partial<{ dev: number; nents: number; dir: 'to-device' | 'from-device' | 'bidirectional' }> = {}): Op => ({
  kind: 'dma_unmap_sg',
  mapping: 4,
  dev: 1,
  nents: 2,
  dir: 'from-device',
  ...extra,
});

const message = (ops: ReadonlyArray<Op>): string => {
  const r = run(ops);
  if (r.kind !== 'violates') throw new Error(`expected a violation, got ${r.kind}${r.kind === 'rejected' ? `: ${r.reason}` : ''}`);
  expect(r.at).toBe(ops.length);
  return r.violation.message;
};

describe('dma-api-hygiene catches each dma-debug class', () => {
  it('double unmap: tries to free DMA memory it has not allocated', () => {
    expect(message([...io, unmap(), unmap()])).toMatch(/^DMA-API: device 1: device driver tries to free DMA memory it has not allocated/);
  });
  it('unmap by another device', () => {
    expect(message([...io, unmap({ dev: 0 })])).toContain('belongs to device 1');
  });
  it('unmap with the count dma_map_sg returned after the IOMMU merged entries', () => {
    expect(message([...io, unmap({ nents: 1 })])).toContain('device driver frees DMA sg list with different entry count [map count=2] [unmap count=1]');
  });
  it('unmap with another direction', () => {
    expect(message([...io, unmap({ dir: 'to-device' })])).toContain('frees DMA memory with different direction');
  });
  it('unmap with the other API', () => {
    expect(message([...io, { kind: 'pci_p2pdma_unmap_sg', mapping: 4, dev: 1, nents: 2, dir: 'from-device' }])).toContain('wrong function');
  });
  it('dma_map_page unmapped without dma_mapping_error', () => {
    const ops: Op[] = [...io, { kind: 'dma_map_page', dev: 1, page: 0, dir: 'to-device' }, { kind: 'dma_unmap_page', mapping: 5, dev: 1, dir: 'to-device' }];
    expect(message(ops)).toContain('failed to check map error');
  });
  it('sync after unmap, and sync in the wrong direction', () => {
    expect(message([...io, unmap(), { kind: 'dma_sync_sg_for_cpu', mapping: 4, dev: 1, nents: 2, dir: 'from-device' }])).toContain('tries to sync DMA memory it has not allocated');
    expect(message([...io, { kind: 'dma_sync_sg_for_cpu', mapping: 4, dev: 1, nents: 2, dir: 'to-device' }])).toContain('syncs DMA memory with different direction');
  });
  it('unbind with live mappings, and a table freed while mapped', () => {
    expect(message([...io, { kind: 'device_release_driver', dev: 1 }])).toContain('has pending DMA allocations while released from device [count=1]');
    expect(message([...io, { kind: 'sg_free_table', sgl: 3 }])).toContain('is freed while mapping 4');
  });
});

describe('dma-api-hygiene passes a correct driver', () => {
  it('map, check, sync, unmap with the original arguments, free, unbind', () => {
    const ops: Op[] = [
      ...io,
      { kind: 'dma_sync_sg_for_cpu', mapping: 4, dev: 1, nents: 2, dir: 'from-device' },
      unmap(),
      { kind: 'dma_map_page', dev: 1, page: 0, dir: 'to-device' },
      { kind: 'dma_mapping_error', dev: 1, mapping: 5 },
      { kind: 'dma_unmap_page', mapping: 5, dev: 1, dir: 'to-device' },
      { kind: 'sg_free_table', sgl: 3 },
      { kind: 'unpin_user_pages_dirty_lock', pages: 2, make_dirty: true },
      { kind: 'device_release_driver', dev: 1 },
    ];
    expect(run(ops).kind).toBe('holds');
  });
});

describe('the dma-api-misuse corpus', () => {
  it('has one replaying trace per dma-debug class', () => {
    const files = corpusFiles('counterexamples').filter((f) => f.startsWith('counterexamples/dma-api-misuse/dma-api-hygiene-'));
    const messages = files.map((f) => {
      const cx = loadCounterexample(f);
      if (E.isLeft(cx)) throw new Error(cx.left.message);
      const r = replayOwn(cx.right);
      if (!r.ok) throw new Error(r.why);
      const again = replay(cx.right.design, cx.right.ops, hygiene);
      return again.kind === 'violates' ? again.violation.message : '';
    });
    for (const cls of [
      'tries to free DMA memory it has not allocated',
      'frees DMA memory with wrong function',
      'frees DMA sg list with different entry count',
      'frees DMA memory with different direction',
      'failed to check map error',
      'tries to sync DMA memory it has not allocated',
      'syncs DMA memory with different direction',
      'pending DMA allocations while released from device',
      'is freed while mapping',
      'which its driver mapped DMA_TO_DEVICE',
      'after its driver called dma_unmap_sg',
    ])
      expect(messages.some((m) => m.includes(cls)), cls).toBe(true);
  });
});

describe('a device still using a table its driver unmapped before quiescing it (misuse the kernel accepts)', () => {
  /** The one-page version of `io`, the device programmed with the mapping, then dma_unmap_sg while it may still run. */
  const early: ReadonlyArray<Op> = [
    { kind: 'mmap', mm: 0, npages: 1, backing: { kind: 'anon' } },
    { kind: 'pin_user_pages', mm: 0, start: 0, npages: 1, write: true, longterm: false, p2pdma: false },
    { kind: 'sg_alloc_table_from_pages', pages: 2 },
    { kind: 'dma_map_sg', dev: 1, sgl: 3, dir: 'from-device' },
    { kind: 'device_program', dev: 1, mapping: 4 },
    { kind: 'dma_unmap_sg', mapping: 4, dev: 1, nents: 1, dir: 'from-device' },
  ];
  const write: Op = { kind: 'device_write', mapping: 4, index: 0 };

  it('behind an IOMMU the write is a step that faults and touches no memory; dma-api-hygiene names it', () => {
    const r = replay(designById('dma-api-misuse')!, [...early, write], []);
    expect(r.kind).toBe('holds');
    const last = r.kind === 'holds' ? r.trace.at(-1)! : null;
    expect(last?.events).toEqual([{ kind: 'iommu-fault', device: 1, mapping: 4, dma: expect.any(Number), write: true }]);
    expect(message([...early, write])).toMatch(/^device 1 wrote through a DMA address of mapping 4 after its driver called dma_unmap_sg: .*behind an IOMMU the access faults/);
  });

  it('with a direct mapping the write lands; once the page is unpinned and unmapped it lands on a freed page (no-dma-after-free)', () => {
    const pin = designById('pin-user-pages')!;
    const direct = replay(pin, [...early, write], hygiene);
    expect(direct.kind === 'violates' && direct.violation.message).toContain('with a direct mapping the access reaches whatever the page is by then');
    const freed: Op[] = [...early, { kind: 'unpin_user_pages_dirty_lock', pages: 2, make_dirty: true }, { kind: 'munmap', mm: 0, start: 0, npages: 1 }, write];
    const uaf = replay(pin, freed, [invariantById('no-dma-after-free')]);
    expect(uaf.kind === 'violates' && uaf.at).toBe(freed.length);
  });

  it('a driver that stops its device before the unmap passes', () => {
    const ops: Op[] = [...early.slice(0, 5), { kind: 'device_stop_dma', dev: 1, mm: 0, start: 0, npages: 1 }, ...early.slice(5), { kind: 'unpin_user_pages_dirty_lock', pages: 2, make_dirty: true }];
    expect(replay(designById('dma-api-misuse')!, ops, hygiene).kind).toBe('holds');
    expect(replay(designById('dma-api-misuse')!, [...ops, write], hygiene).kind).toBe('rejected');
  });
});
