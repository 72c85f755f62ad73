/** Cross-design replay renames pfns too: a `page=N` argument follows the page when the other design allocated differently. */
import * as E from 'fp-ts/lib/Either.js';
import { describe, expect, it } from 'vitest';
import { designById } from '../../model/designs/index.ts';
import { decodeCounterexample } from '../../properties/counterexample/load.ts';
import { replayAcross } from '../../properties/counterexample/replay-file.ts';

const steps = [
  { op: 'mmap', args: { mm: 0, npages: 1, backing: { kind: 'anon' } } },
  { op: 'write_fault', args: { mm: 0, addr: 0 } },
  { op: 'get_user_pages', args: { mm: 0, start: 0, npages: 1, write: true } },
  { op: 'fork', args: { mm: 0 } },
  { op: 'mmap', args: { mm: 0, npages: 1, backing: { kind: 'anon' } } },
  { op: 'write_fault', args: { mm: 0, addr: 1 } },
  { op: 'reclaim', args: { page: 1 } },
];

const recorded = () => {
  const text = JSON.stringify({ format: 'dmacheck-counterexample', version: 1, design: 'gup-set-page-dirty', invariant: 'correct-dirtying', violatesAt: 7, steps, found: { by: 'a test', date: '2026-11-26' } });
  const cx = decodeCounterexample('x.json', text);
  if (E.isLeft(cx)) throw new Error(cx.left.message);
  return cx.right;
};

describe('cross-design replay renames frame numbers', () => {
  it('on pin_user_pages, fork copies the pinned page early (one page more), so the reclaim of the new page names pfn 2 there, not the child\'s copy at pfn 1', () => {
    const r = replayAcross(recorded(), designById('pin-user-pages')!);
    expect(r.kind).toBe('holds');
    const reclaim = r.trace.find((t) => t.op.kind === 'reclaim')!;
    expect(reclaim.op).toEqual({ kind: 'reclaim', page: 2 });
    expect(reclaim.events).toContainEqual({ kind: 'page-freed', pfn: 2 });
    // The child's early copy (pfn 1) is untouched.
    const fork = r.trace.find((t) => t.op.kind === 'fork')!;
    expect(fork.op).toEqual({ kind: 'fork', mm: 0 });
  });

  it('on its own design the same trace reclaims pfn 1, the page its write fault allocated', () => {
    const r = replayAcross(recorded(), designById('gup-set-page-dirty')!);
    expect(r.trace.find((t) => t.op.kind === 'reclaim')!.op).toEqual({ kind: 'reclaim', page: 1 });
  });
});
