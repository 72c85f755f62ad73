/**
 * The explorer's state key must not depend on the order the state's Maps
 * were filled in: two runs reaching the same kernel state through
 * different histories hold the same objects, not necessarily inserted in
 * the same order, and must merge.
 */
import { describe, expect, it } from 'vitest';
import type { Op } from '../../model/op.ts';
import type { State } from '../../model/state.ts';
import { canonicalKey } from '../../properties/canonical.ts';
import { designWorld, lastId, run } from '../model/helpers.ts';

const reversed = <K, V>(m: ReadonlyMap<K, V>): ReadonlyMap<K, V> => new Map([...m].reverse());

/** The same state with every collection filled in the opposite order. */
const refilled = (s: State): State => ({
  ...s,
  mms: reversed(s.mms),
  vmas: reversed(s.vmas),
  pageArrays: reversed(s.pageArrays),
  sgls: reversed(s.sgls),
  mappings: reversed(s.mappings),
  notifiers: reversed(s.notifiers),
  threads: reversed(s.threads),
  invalidations: reversed(s.invalidations),
  deviceRanges: reversed(s.deviceRanges),
});

const bar = (mm: number): Op => ({ kind: 'mmap', mm, npages: 1, backing: { kind: 'bar', bar: 0 } });
const pin = (start: number, write: boolean): Op => ({ kind: 'pin_user_pages', mm: 0, start, npages: 1, write, longterm: false, p2pdma: false });

/**
 * After fork, the child maps the BAR first, then the parent maps it and two anon pages (so VMA ids do not
 * follow their (mm, address) order), pins page 2 then page 1, subscribes two interval notifiers (the second one
 * over the lower range), starts a driver_map_range thread on each and munmaps its first BAR page: the
 * stop-unmap callback thread runs under the invalidation.
 */
const busy = (): State => {
  const { state: s1 } = run(
    designWorld('vma-p2p-map-notifier'),
    { kind: 'fork', mm: 0 },
    bar(1),
    bar(0),
    { kind: 'mmap', mm: 0, npages: 2, backing: { kind: 'anon' } },
    { kind: 'write_fault', mm: 0, addr: 1 },
    { kind: 'write_fault', mm: 0, addr: 2 },
    pin(2, true),
    pin(1, false),
    { kind: 'mmu_interval_notifier_insert', mm: 0, start: 1, npages: 1, owner: 1 },
    { kind: 'mmu_interval_notifier_insert', mm: 0, start: 0, npages: 1, owner: 1 },
  );
  const second = lastId(s1.notifiers);
  const { state } = run(
    s1,
    { kind: 'driver_map_range', dev: 1, notifier: second },
    { kind: 'driver_map_range', dev: 1, notifier: second - 1 },
    { kind: 'munmap', mm: 0, start: 0, npages: 1 },
  );
  return state;
};

describe('canonicalKey and the order of the state Maps', () => {
  it('fork, mmap, pin_user_pages, mmu_interval_notifier_insert, munmap under a notifier: the same key when every Map is filled backwards', () => {
    const s = busy();
    expect([s.mms.size, s.vmas.size, s.pageArrays.size, s.notifiers.size, s.threads.size, s.invalidations.size]).toEqual([2, 3, 2, 2, 3, 1]);
    const back = refilled(s);
    expect([...back.vmas.keys()]).not.toEqual([...s.vmas.keys()]);
    expect(canonicalKey(back)).toBe(canonicalKey(s));
  });

  it('without process symmetry the key still tells the parent from the child: the VMA the child mapped is not the parent one', () => {
    const { state: child } = run(designWorld('vma-p2p-map-notifier'), { kind: 'fork', mm: 0 }, bar(1));
    const { state: parent } = run(designWorld('vma-p2p-map-notifier'), { kind: 'fork', mm: 0 }, bar(0));
    expect(canonicalKey(refilled(child), false)).toBe(canonicalKey(child, false));
    expect(canonicalKey(refilled(child), false)).not.toBe(canonicalKey(refilled(parent), false));
    // With it (the default), the two are one state: test/properties/process-symmetry.test.ts.
    expect(canonicalKey(refilled(child))).toBe(canonicalKey(parent));
  });
});
