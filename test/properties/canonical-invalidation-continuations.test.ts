/**
 * The explorer's state key while an mmu_notifier invalidation is in flight:
 * what the kernel does at invalidate_range_end (free the page, move it,
 * finish the fork, the COW copy, the mremap or the writeback) is part of
 * the state, so every kind of pending continuation has a key and two
 * invalidations that end differently never merge.
 */
import * as E from 'fp-ts/lib/Either.js';
import { describe, expect, it } from 'vitest';
import type { Op } from '../../model/op.ts';
import type { State } from '../../model/state.ts';
import { step } from '../../model/step.ts';
import { canonicalKey } from '../../properties/canonical.ts';
import { designWorld, finishInvalidations, pfnAt, run } from '../model/helpers.ts';

const after = (s: State, op: Op): State => {
  const r = step(s, op);
  if (E.isLeft(r)) return expect.fail(`${op.kind} was rejected: ${r.left.reason}`);
  return r.right.state;
};

/** Two anon pages (page 0 written) and a written file page at 2, under one interval notifier of the importer's driver. */
const { state: watched } = run(
  designWorld('vma-p2p-map-notifier'),
  { kind: 'mmap', mm: 0, npages: 2, backing: { kind: 'anon' } },
  { kind: 'mmap', mm: 0, npages: 1, backing: { kind: 'file', inode: 0 } },
  { kind: 'write_fault', mm: 0, addr: 0 },
  { kind: 'write_fault', mm: 0, addr: 2 },
  { kind: 'mmu_interval_notifier_insert', mm: 0, start: 0, npages: 3, owner: 1 },
);

const pendingThen = (s: State): string => {
  expect(s.invalidations.size).toBe(1);
  return [...s.invalidations.values()][0]!.then.kind;
};

describe('canonicalKey with an invalidation in flight', () => {
  it('reclaim and migrate_page of the same anon page start the same MMU_NOTIFY_CLEAR but end differently: different keys', () => {
    const anon = pfnAt(watched, 0, 0);
    const reclaiming = after(watched, { kind: 'reclaim', page: anon });
    const migrating = after(watched, { kind: 'migrate_page', page: anon });
    const withoutThen = (s: State) => [...s.invalidations.values()].map(({ then: _then, ...rest }) => rest);
    expect(withoutThen(reclaiming)).toEqual(withoutThen(migrating));
    expect([pendingThen(reclaiming), pendingThen(migrating)]).toEqual(['reclaim', 'migrate_page']);
    expect(canonicalKey(reclaiming)).not.toBe(canonicalKey(migrating));
  });

  it('fork, then the COW write_fault, writeback of the shared file page and mremap that must move: each pending step has its own key', () => {
    const forking = after(watched, { kind: 'fork', mm: 0 });
    expect(pendingThen(forking)).toBe('fork');
    const forked = finishInvalidations(forking).state;
    const states = [
      forking,
      after(forked, { kind: 'write_fault', mm: 0, addr: 0 }),
      after(forked, { kind: 'writeback', page: pfnAt(forked, 0, 2) }),
      after(forked, { kind: 'mremap', mm: 0, start: 0, npages: 2, new_npages: 3, may_move: true }),
    ];
    expect(states.map(pendingThen)).toEqual(['fork', 'wp_page_copy', 'page_mkclean', 'mremap_move']);
    const keys = states.map((s) => canonicalKey(s));
    expect(new Set([...keys, canonicalKey(watched), canonicalKey(forked)]).size).toBe(6);
  });
});
