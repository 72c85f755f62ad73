/**
 * mmu_notifier_invalidate_range_end: when every callback of an
 * invalidation has returned, the kernel path that started it goes on (its
 * `Continuation`: zap, free the VMA, move the page) and the invalidation
 * ends, waking mmu_interval_read_begin.
 */
import { match } from 'ts-pattern';
import type { Changed } from '../page.ts';
import { done, illFormed, waits, type Outcome } from '../result.ts';
import type { Continuation, InvalidationId, State } from '../state.ts';
import { endInvalidation } from './invalidate.ts';
import { holdsPage, pageOfMmLocked } from './fault.ts';
import { migrateRest, pageMkcleanRest, reclaimRest } from './memory.ts';
import { exitRest, forkRest, munmapRest, wpPageCopyRest } from './mm.ts';
import { dontneedRest } from './madvise.ts';
import { mprotectRest } from './mprotect.ts';
import { mremapMoveRest } from './mremap.ts';
import { removeRest } from './p2pdma.ts';

const rest = (s: State, then: Continuation): Changed =>
  match(then)
    .with({ kind: 'munmap' }, (c) => munmapRest(s, c.vmas))
    .with({ kind: 'mprotect' }, (c) => mprotectRest(s, c.mm, c.start, c.end, c.write))
    .with({ kind: 'mremap_move' }, (c) => mremapMoveRest(s, c.from, c.to))
    .with({ kind: 'fork' }, (c) => forkRest(s, c.mm))
    // A page freed (and allocated again) while the path held it: the path has nothing left to do.
    .with({ kind: 'page_mkclean' }, (c) => (holdsPage(s, c) ? pageMkcleanRest(s, c.pfn) : { state: s, events: [] }))
    .with({ kind: 'wp_page_copy' }, (c) => wpPageCopyRest(s, c.mm, c.addr))
    .with({ kind: 'exit_mmap' }, (c) => exitRest(s, c.mm))
    .with({ kind: 'madvise_dontneed' }, (c) => dontneedRest(s, c.mm, c.start, c.end))
    .with({ kind: 'unmap_mapping_range' }, (c) => removeRest(s, c.dev))
    .with({ kind: 'reclaim' }, (c) => (holdsPage(s, c) ? reclaimRest(s, c.pfn) : { state: s, events: [] }))
    .with(
      // Stryker disable next-line ObjectLiteral: the last pattern sees only migrate_page: every other kind matched above
      { kind: 'migrate_page' },
      (c) => (holdsPage(s, c) ? migrateRest(s, c.pfn) : { state: s, events: [] }),
    )
    .exhaustive();

export const mmuNotifierInvalidateRangeEnd = (s: State, id: InvalidationId): Outcome => {
  const op = 'mmu_notifier_invalidate_range_end';
  const inv = s.invalidations.get(id);
  if (inv === undefined) return illFormed(op, `no invalidation ${id} is in progress`);
  if (
    inv.running !== null ||
    // Stryker disable next-line ConditionalExpression: a queued callback starts as soon as none runs (invalidateThen and each return call callNext), so a non-empty queue means one is running
    inv.queue.length > 0
  )
    return waits(op, `invalidation ${id} still has callbacks to run`);
  // fork copies the address space here (the model's dup_mmap: anon_vma_fork, then copy_page_range);
  // anon_vma_fork takes the anon_vma lock that reclaim's or migration's rmap walk holds while their
  // callbacks run, so the child does not map a page those are unmapping: fork waits for them.
  if (inv.then.kind === 'fork') {
    const busy = pageOfMmLocked(s, inv.then.mm);
    if (busy !== null) return waits(op, `fork's anon_vma_fork waits for the anon_vma lock: ${busy}`);
  }
  const r = rest(s, inv.then);
  return done(endInvalidation(r.state, id), [...r.events, { kind: 'invalidate-range-end', inv: id }]);
};
