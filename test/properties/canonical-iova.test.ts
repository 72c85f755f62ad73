/**
 * The key and the IOVA state: every part of an IOVA range, of a request's
 * map path and of fault injection that an op or the invariant reads tells
 * two states apart, and an IOVA's id does not.
 */
import { describe, expect, it } from 'vitest';
import type { Op } from '../../model/op.ts';
import type { State } from '../../model/state.ts';
import { canonicalKey } from '../../properties/canonical.ts';
import { designWorld, run } from '../model/helpers.ts';

/** blk-dma-iova's world: a two-page read from disk (page array 2), the request's map path as thread 3, its IOVA 4 with page 0 linked. */
const linked = (): State =>
  run(
    designWorld('blk-dma-iova'),
    { kind: 'mmap', mm: 0, npages: 2, backing: { kind: 'anon' } },
    { kind: 'pin_user_pages', mm: 0, start: 0, npages: 2, write: true, longterm: false, p2pdma: false },
    { kind: 'nvme_queue_rq', dev: 0, pages: 2 },
    { kind: 'dma_iova_try_alloc', dev: 0, pages: 2, by: 3 },
    { kind: 'dma_iova_link', dev: 0, iova: 4, offset: 0, pages: 2, index: 0, dir: 'from-device', by: 3 },
  ).state;

const withIova = (s: State, f: (v: NonNullable<ReturnType<State['iovas']['get']>>) => NonNullable<ReturnType<State['iovas']['get']>>): State => ({ ...s, iovas: new Map([[4, f(s.iovas.get(4)!)]]) });

describe('the canonical key of IOVA state', () => {
  it('tells apart a synced link, a handed range, a freed range, and an armed fault', () => {
    const s = linked();
    const key = canonicalKey(s);
    const variants: ReadonlyArray<State> = [
      withIova(s, (v) => ({ ...v, links: v.links.map((l) => (l === null ? l : { ...l, synced: true })) })),
      withIova(s, (v) => ({ ...v, handed: { npages: 2, dir: 'from-device' } })),
      withIova(s, (v) => ({ ...v, allocated: false })),
      withIova(s, (v) => ({ ...v, links: [null, v.links[0]!] })),
      { ...s, devices: s.devices.map((d) => ({ ...d, iommuFaults: ['iommu_sync_map' as const] })) },
      { ...s, threads: new Map([[3, { ...s.threads.get(3)!, mapped: 0 }]]) },
    ];
    const keys = variants.map((v) => canonicalKey(v));
    for (const k of keys) expect(k).not.toBe(key);
    expect(new Set(keys).size).toBe(keys.length);
  });

  it('ignores which id the IOVA and the thread got: a path that used more ids gives the same key', () => {
    const ops: ReadonlyArray<Op> = [
      { kind: 'mmap', mm: 0, npages: 2, backing: { kind: 'anon' } },
      { kind: 'munmap', mm: 0, start: 0, npages: 2 },
      { kind: 'mmap', mm: 0, npages: 2, backing: { kind: 'anon' } },
      { kind: 'pin_user_pages', mm: 0, start: 0, npages: 2, write: true, longterm: false, p2pdma: false },
      { kind: 'nvme_queue_rq', dev: 0, pages: 3 },
      { kind: 'dma_iova_try_alloc', dev: 0, pages: 3, by: 4 },
      { kind: 'dma_iova_link', dev: 0, iova: 5, offset: 0, pages: 3, index: 0, dir: 'from-device', by: 4 },
    ];
    const later = run(designWorld('blk-dma-iova'), ...ops).state;
    expect(later.nextId).not.toBe(linked().nextId);
    expect(canonicalKey(later)).toBe(canonicalKey(linked()));
  });
});
