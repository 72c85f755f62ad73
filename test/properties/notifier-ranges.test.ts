/** The notifier importer and VMAs whose extent differs from its notifier's range. */
import * as E from 'fp-ts/lib/Either.js';
import { describe, expect, it } from 'vitest';
import { peekThread } from '../../model/driver-thread.ts';
import { designById } from '../../model/designs/index.ts';
import type { Op } from '../../model/op.ts';
import type { State } from '../../model/state.ts';
import { step } from '../../model/step.ts';
import { makeWorld } from '../../model/world.ts';
import { judge } from '../../properties/search.ts';
import { invariants } from '../../properties/registry.ts';

const design = designById('vma-p2p-map-notifier')!;

/** Run calls; 'threads' lets every driver thread and every finished invalidation run to the end. Returns the violations met. */
const run = (calls: ReadonlyArray<Op | 'threads'>): { state: State; calls: Op[]; violations: string[] } => {
  let s = makeWorld(design.world);
  const made: Op[] = [];
  const violations: string[] = [];
  const one = (op: Op): void => {
    const out = step(s, op);
    if (E.isLeft(out)) throw new Error(`${out.left.op}: ${out.left.reason}`);
    const v = judge(invariants, { op, before: s, step: out.right });
    if (v !== null) violations.push(`${v.invariant}: ${v.message}`);
    made.push(op);
    s = out.right.state;
  };
  for (const c of calls) {
    if (c !== 'threads') {
      one(c);
      continue;
    }
    for (let i = 0; i < 50; i++) {
      const tid = [...s.threads.keys()].sort((a, b) => a - b).find((t) => peekThread(s, t) !== null && E.isRight(step(s, peekThread(s, t)!)));
      if (tid !== undefined) one(peekThread(s, tid)!);
      else {
        const inv = [...s.invalidations.values()].find((x) => x.running === null && x.queue.length === 0);
        if (inv === undefined) break;
        one({ kind: 'mmu_notifier_invalidate_range_end', inv: inv.id });
      }
    }
  }
  return { state: s, calls: made, violations };
};

describe('a map path whose VMA reaches outside its notifier', () => {
  it('refuses to p2p_map a VMA that starts below the notifier (p2p_map maps the whole VMA, and a munmap of the uncovered page would run no callback)', () => {
    const r = run([
      { kind: 'mmap', mm: 0, npages: 1, backing: { kind: 'bar', bar: 0 } },
      { kind: 'mmap', mm: 0, npages: 1, backing: { kind: 'bar', bar: 0 } },
      { kind: 'mmu_interval_notifier_insert', mm: 0, start: 1, npages: 1, owner: 1 },
      { kind: 'munmap', mm: 0, start: 0, npages: 2 },
      'threads',
      // A two-page window now sits at [0, 2), below and over the notifier's [1, 2).
      { kind: 'mmap', mm: 0, npages: 2, backing: { kind: 'bar', bar: 0 } },
      { kind: 'driver_map_range', dev: 1, notifier: 3 },
      'threads',
      { kind: 'munmap', mm: 0, start: 0, npages: 1 },
      'threads',
    ]);
    expect(r.calls.some((c) => c.kind === 'p2p_map')).toBe(false);
    expect(r.calls).toContainEqual({ kind: 'driver_return', dev: 1, err: '-EFAULT', by: expect.any(Number) });
    expect(r.violations).toEqual([]);
    expect(r.state.deviceRanges.size).toBe(0);
  });
});
