/**
 * Causes of the page invariants, from what the model did: where the page
 * a violation is about came from and what happened to it since.
 *
 * - no-cpu-iomem: the allocation of the frame the CPU touched, the GUP
 *   call that handed it out, and the step that put it in the table the CPU
 *   walked (for an entry without a page: the step that made the table).
 * - correct-dirtying: the device's last write to the page, the writeback
 *   that cleaned it and the reclaim that released its buffers.
 * - pin-coherent: the GUP call that took the page, the fork that shared
 *   it and the change of the process's page table away from it.
 * - gup-release: the pin_user_pages call that took the pins put_page
 *   gave back.
 * - isolation: the GUP call that took the page the device wrote, and the
 *   step after which two processes map it privately (fork, or the end of
 *   its invalidation when a notifier deferred the copy); for a store into
 *   another process's GUP snapshot, that GUP call (vmsplice), the fork, and
 *   the step after which the snapshot's taker stopped mapping the page.
 */
import { privateMappers } from '../invariants/isolation.ts';
import type { Event } from '../../model/event.ts';
import { lastBefore, inOrder, pteAt, type Cause, type Ran } from './causes-steps.ts';

/** The step that made GUP array `pages` (it is in the state after and not before), or -1. */
const arrayMadeAt = (steps: ReadonlyArray<Ran>, k: number, pages: number): number =>
  lastBefore(steps, k, (r) => !r.before.pageArrays.has(pages) && r.after.pageArrays.has(pages));

/** The GUP call that handed out `pfn` last before step `k`: a new array holding it. */
const gupOf = (steps: ReadonlyArray<Ran>, k: number, pfn: number): Cause | null => {
  const i = lastBefore(steps, k, (r) => [...r.after.pageArrays.values()].some((a) => !r.before.pageArrays.has(a.id) && a.pfns.includes(pfn)));
  if (i < 0) return null;
  const a = [...steps[i]!.after.pageArrays.values()].find((x) => !steps[i]!.before.pageArrays.has(x.id) && x.pfns.includes(pfn))!;
  return { step: i + 1, why: `${steps[i]!.op.kind} hands out pfn ${pfn} as pages ${a.id} (page ${a.start + a.pfns.indexOf(pfn)} of mm ${a.mm})` };
};

export const noCpuIomem = (steps: ReadonlyArray<Ran>, k: number): ReadonlyArray<Cause> => {
  const bad = steps[k]!;
  const noPage = bad.events.find((e): e is Extract<Event, { kind: 'cpu-access-no-page' }> => e.kind === 'cpu-access-no-page');
  if (noPage !== undefined) {
    const made = lastBefore(steps, k, (r) => !r.before.sgls.has(noPage.sgl) && r.after.sgls.has(noPage.sgl));
    return made < 0 ? [] : [{ step: made + 1, why: `sgl ${noPage.sgl} is made by ${steps[made]!.op.kind}, with DMA addresses and no pages` }];
  }
  const touch = bad.events.find((e): e is Extract<Event, { kind: 'cpu-access' }> => e.kind === 'cpu-access' && !e.io && (bad.before.frames[e.pfn]?.bar ?? null) !== null);
  if (touch === undefined) return [];
  const pfn = touch.pfn;
  const causes: Cause[] = [];
  const allocated = lastBefore(steps, k, (r) => r.before.frames[pfn]?.free === true && r.after.frames[pfn]?.free === false);
  if (allocated >= 0) causes.push({ step: allocated + 1, why: `pfn ${pfn}, a page of BAR ${bad.before.frames[pfn]?.bar ?? '?'}, is allocated (${steps[allocated]!.op.kind})` });
  const gup = gupOf(steps, k, pfn);
  if (gup !== null) causes.push(gup);
  const placed = lastBefore(steps, k, (r) => [...r.after.sgls.values()].some((t) => t.entries.some((e, i) => e.page === pfn && r.before.sgls.get(t.id)?.entries[i]?.page !== pfn)));
  if (placed >= 0) {
    const t = [...steps[placed]!.after.sgls.values()].find((x) => x.entries.some((e, i) => e.page === pfn && steps[placed]!.before.sgls.get(x.id)?.entries[i]?.page !== pfn))!;
    causes.push({ step: placed + 1, why: `sgl ${t.id} gets pfn ${pfn} in an entry (${steps[placed]!.op.kind})` });
  }
  return inOrder(causes);
};

/** The pages a dirtying step is about: what it dirtied, released, dropped or freed. */
const pagesOf = (events: ReadonlyArray<Event>): ReadonlyArray<number> => [
  ...new Set(events.flatMap((e) => (e.kind === 'page-dirtied' || e.kind === 'reference-dropped' || e.kind === 'page-freed' || e.kind === 'buffers-released' ? [e.pfn] : []))),
];

export const correctDirtying = (steps: ReadonlyArray<Ran>, k: number): ReadonlyArray<Cause> =>
  inOrder(
    pagesOf(steps[k]!.events).flatMap((pfn) => {
      const causes: Cause[] = [];
      const wrote = lastBefore(steps, k, (r) => r.events.some((e) => e.kind === 'device-access' && e.write && e.reached === pfn));
      if (wrote >= 0) causes.push({ step: wrote + 1, why: `a device writes pfn ${pfn}` });
      const cleaned = lastBefore(steps, k, (r) => r.before.frames[pfn]?.dirty === true && r.after.frames[pfn]?.dirty === false && r.after.frames[pfn]?.free === false);
      if (cleaned >= 0) causes.push({ step: cleaned + 1, why: `pfn ${pfn} is written back and marked clean (${steps[cleaned]!.op.kind})` });
      const released = lastBefore(steps, k, (r) => r.events.some((e) => e.kind === 'buffers-released' && e.pfn === pfn));
      if (released >= 0) causes.push({ step: released + 1, why: `the filesystem's buffers of pfn ${pfn} are released (${steps[released]!.op.kind})` });
      return causes;
    }),
  );

export const pinCoherent = (steps: ReadonlyArray<Ran>, k: number): ReadonlyArray<Cause> => {
  const bad = steps[k]!;
  const access = bad.events.find((e): e is Extract<Event, { kind: 'device-access' }> => e.kind === 'device-access');
  if (access === undefined) return [];
  const pfn = access.pfn;
  const a = [...bad.before.pageArrays.values()].find((x) => x.pfns.includes(pfn));
  if (a === undefined) return [];
  const addr = a.start + a.pfns.indexOf(pfn);
  const causes: Cause[] = [];
  const took = arrayMadeAt(steps, k, a.id);
  if (took >= 0) causes.push({ step: took + 1, why: `${steps[took]!.op.kind} takes pfn ${pfn} at page ${addr} of mm ${a.mm}` });
  const forked = lastBefore(steps, k, (r) => r.op.kind === 'fork' && r.op.mm === a.mm);
  if (forked > took) causes.push({ step: forked + 1, why: `mm ${a.mm} forks` });
  const protectedAt = lastBefore(steps, k, (r) => pteAt(r.before, a.mm, addr) === `${pfn}w` && pteAt(r.after, a.mm, addr) === `${pfn}r`);
  if (protectedAt > took) causes.push({ step: protectedAt + 1, why: `${steps[protectedAt]!.op.kind} write-protects mm ${a.mm}'s PTE of pfn ${pfn} at page ${addr}: the next store faults` });
  const swapped = lastBefore(steps, k, (r) => r.events.some((e) => e.kind === 'swapped-out' && e.pfn === pfn));
  if (swapped > took) causes.push({ step: swapped + 1, why: `reclaim swaps pfn ${pfn} out: mm ${a.mm}'s PTE becomes a swap entry, and the page stays in the swap cache` });
  const moved = lastBefore(steps, k, (r) => pteAt(r.before, a.mm, addr) !== pteAt(r.after, a.mm, addr));
  if (moved > took) {
    const r = steps[moved]!;
    causes.push({ step: moved + 1, why: `mm ${a.mm}'s page table at page ${addr} changes (${pteAt(r.before, a.mm, addr)} -> ${pteAt(r.after, a.mm, addr)}, ${r.op.kind})` });
  }
  return inOrder(causes);
};

export const gupRelease = (steps: ReadonlyArray<Ran>, k: number): ReadonlyArray<Cause> => {
  const op = steps[k]!.op;
  if (op.kind !== 'put_page') return [];
  const took = arrayMadeAt(steps, k, op.pages);
  return took < 0 ? [] : [{ step: took + 1, why: `${steps[took]!.op.kind} pins pages ${op.pages} (FOLL_PIN)` }];
};

/** Which processes map `pfn` privately in a state. */
const privateMapperSet = (st: Ran['before'], pfn: number): ReadonlySet<number> => new Set(privateMappers(st, pfn));

/** A store that landed in another process's GUP snapshot: the GUP call, the fork that shared the page, and the step after which its taker stopped mapping it. */
const storeCauses = (steps: ReadonlyArray<Ran>, k: number, mm: number): ReadonlyArray<Cause> => {
  const bad = steps[k]!;
  const store = bad.events.find((e): e is Extract<Event, { kind: 'cpu-access' }> => e.kind === 'cpu-access' && e.via === 'store');
  if (store === undefined) return [];
  const pfn = store.pfn;
  const causes: Cause[] = [];
  const gup = gupOf(steps, k, pfn);
  if (gup !== null) causes.push(gup);
  const shared = lastBefore(steps, k, (r) => privateMapperSet(r.after, pfn).size >= 2 && privateMapperSet(r.before, pfn).size < 2);
  if (shared >= 0) causes.push({ step: shared + 1, why: `pfn ${pfn} becomes shared copy-on-write between processes (${steps[shared]!.op.kind})` });
  // The array isolation judged: another process's, holding the page as taken through a private mapping.
  const holder = [...bad.before.pageArrays.values()].find((a) => a.mm !== mm && a.pfns.some((p, i) => p === pfn && a.cow[i] === true));
  const left = holder === undefined ? -1 : lastBefore(steps, k, (r) => privateMapperSet(r.before, pfn).has(holder.mm) && !privateMapperSet(r.after, pfn).has(holder.mm));
  if (left >= 0) causes.push({ step: left + 1, why: `mm ${holder!.mm} stops mapping pfn ${pfn} (${steps[left]!.op.kind}): mm ${mm}'s PTE is the only one left, so its write fault reuses the page` });
  return inOrder(causes);
};

export const isolationCauses = (steps: ReadonlyArray<Ran>, k: number): ReadonlyArray<Cause> => {
  const bad = steps[k]!;
  if (bad.op.kind === 'store') return storeCauses(steps, k, bad.op.mm);
  const access = bad.events.find((e): e is Extract<Event, { kind: 'device-access' }> => e.kind === 'device-access' && e.write);
  if (access === undefined || access.reached === null) return [];
  const pfn = access.reached;
  const causes: Cause[] = [];
  // The GUP array behind the mapping the device wrote through (the zero page may be in several).
  const m = access.mapping === null ? undefined : bad.before.mappings.get(access.mapping);
  const pages = m?.origin.kind === 'sgl' ? bad.before.sgls.get(m.origin.sgl)?.pages : undefined;
  const took = pages === undefined || pages === null ? -1 : arrayMadeAt(steps, k, pages);
  const gup = took >= 0 ? { step: took + 1, why: `${steps[took]!.op.kind} hands out pfn ${pfn} as pages ${pages}` } : gupOf(steps, k, pfn);
  if (gup !== null) causes.push(gup);
  // The step after which two processes map it privately: fork, or the end of fork's invalidation when a notifier deferred the copy.
  const mappers = (st: Ran['before']): number => privateMapperSet(st, pfn).size;
  const shared = lastBefore(steps, k, (r) => mappers(r.after) >= 2 && mappers(r.before) < 2);
  if (shared >= 0) causes.push({ step: shared + 1, why: `pfn ${pfn} becomes shared copy-on-write between processes (${steps[shared]!.op.kind})` });
  return inOrder(causes);
};
