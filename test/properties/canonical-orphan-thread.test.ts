/**
 * The explorer's state key for a driver bug the model allows:
 * mmu_interval_notifier_remove while a map path of that notifier is still
 * running (the thread outlives its notifier).
 */
import { describe, expect, it } from 'vitest';
import { canonicalKey } from '../../properties/canonical.ts';
import { designWorld, lastId, run } from '../model/helpers.ts';

describe('canonicalKey with a thread whose notifier is gone', () => {
  it('driver_map_range, then mmu_interval_notifier_remove: the state has a key, not the one of the running map path', () => {
    const { state: s1 } = run(
      designWorld('vma-p2p-map-notifier'),
      { kind: 'mmap', mm: 0, npages: 1, backing: { kind: 'bar', bar: 0 } },
      { kind: 'mmu_interval_notifier_insert', mm: 0, start: 0, npages: 1, owner: 1 },
    );
    const notifier = lastId(s1.notifiers);
    const { state: mapping } = run(s1, { kind: 'driver_map_range', dev: 1, notifier });
    const { state: orphan } = run(mapping, { kind: 'mmu_interval_notifier_remove', notifier });
    expect([orphan.threads.size, orphan.notifiers.size]).toEqual([1, 0]);
    expect([...orphan.threads.values()][0]!.notifier).toBe(notifier);
    expect(canonicalKey(orphan)).not.toBe(canonicalKey(mapping));
  });
});
