/**
 * The ways a catalogue mutant breaks one op: wrappers around the model's
 * own handler (model/variant.ts). Each leaves every other op alone.
 */
import * as E from 'fp-ts/lib/Either.js';
import { present } from '../../model/page.ts';
import { notifierHits } from '../../model/ops/invalidate.ts';
import type { Op } from '../../model/op.ts';
import { done, isWait, type Outcome, type Step } from '../../model/result.ts';
import type { Continuation, Era, NotifyEvent, NotifyRange, State } from '../../model/state.ts';

export type AnyHandler = (s: State, op: Op) => Outcome;
export type Break = (original: AnyHandler) => AnyHandler;

const mapStep = (r: Outcome, f: (st: Step) => Step): Outcome => (E.isRight(r) ? E.right(f(r.right)) : r);

/** The op runs as if no interval notifier were registered: its mmu_notifier_invalidate_range_start is left out, and it completes at once. */
export const noNotifiers: Break = (orig) => (s, op) =>
  mapStep(orig({ ...s, notifiers: new Map() }, op), (st) => ({ ...st, state: { ...st.state, notifiers: s.notifiers } }));

/** The op runs on a kernel of another era in the ways `patch` names (an era rule broken for this op only). */
export const withEra = (patch: Partial<Era>): Break => (orig) => (s, op) =>
  mapStep(orig({ ...s, era: { ...s.era, ...patch } }, op), (st) => ({ ...st, state: { ...st.state, era: s.era } }));

/** `b` where the op's first page lies in a MAP_PRIVATE file mapping; the op as it is elsewhere. */
export const onPrivateFile = (b: Break): Break => (orig) => (s, op) => {
  const at = 'mm' in op && 'start' in op ? [...s.vmas.values()].find((v) => v.mm === op.mm && op.start >= v.start && op.start < v.start + v.npages) : undefined;
  return at !== undefined && at.backing.kind === 'file' && !at.shared ? b(orig)(s, op) : orig(s, op);
};

/** Every invalidation the op starts passes `event` instead of its own. */
export const sendsEvent = (event: NotifyEvent): Break => (orig) => (s, op) =>
  mapStep(orig(s, op), (st) => {
    let invalidations = st.state.invalidations;
    let threads = st.state.threads;
    for (const i of st.state.invalidations.values()) if (!s.invalidations.has(i.id)) invalidations = new Map(invalidations).set(i.id, { ...i, event });
    for (const t of st.state.threads.values()) if (!s.threads.has(t.id) && t.inv !== null) threads = new Map(threads).set(t.id, { ...t, event });
    const events = st.events.map((e) => (e.kind === 'invalidate-range-start' ? { ...e, event } : e));
    return { state: { ...st.state, invalidations, threads }, events };
  });

/**
 * dma_map_sg bounces a P2PDMA page reached through the host bridge on a
 * device that must bounce, as RAM, where dma_direct_map_page refused it
 * (DMA_MAPPING_ERROR): the pre-6.0 path for that call.
 */
export const bouncesP2pdma: Break = (orig) => (s, op) => {
  const r = orig(s, op);
  return E.isLeft(r) && r.left.reason.includes('must bounce') ? withEra({ dmaMapSgP2pdma: false })(orig)(s, op) : r;
};

/** The op does nothing at all and succeeds. */
export const noop: Break = () => (s) => done(s);

/** A call that would sleep goes ahead on a state where what it waits for is gone (`clear`), then the state is put back as `restore` says. */
export const noWait = (clear: (s: State, op: Op) => State, restore: (after: State, before: State) => State): Break => (orig) => (s, op) => {
  const r = orig(s, op);
  if (E.isRight(r) || !isWait(r.left)) return r;
  return mapStep(orig(clear(s, op), op), (st) => ({ ...st, state: restore(st.state, s) }));
};

/** After the op, a field of the state is what it was before (the op's change to it is lost). */
export const keeps = <K extends keyof State>(key: K): Break => (orig) => (s, op) => mapStep(orig(s, op), (st) => ({ ...st, state: { ...st.state, [key]: s[key] } }));

/** munmap tells its notifiers only about the first page of the range. */
export const firstPageOnly: Break = (orig) => (s, op) => {
  if (op.kind !== 'munmap') return orig(s, op);
  const first: NotifyRange = { mm: op.mm, start: op.start, end: op.start + 1 };
  const hidden = new Map([...s.notifiers].filter(([, n]) => notifierHits(n, first)));
  return mapStep(orig({ ...s, notifiers: hidden }, op), (st) => {
    let invalidations = st.state.invalidations;
    let threads = st.state.threads;
    for (const i of st.state.invalidations.values()) {
      if (s.invalidations.has(i.id)) continue;
      invalidations = new Map(invalidations).set(i.id, { ...i, ranges: [first] });
      const t = i.running === null ? undefined : threads.get(i.running);
      if (t !== undefined && t.range !== null) threads = new Map(threads).set(t.id, { ...t, range: { mm: first.mm, start: Math.max(t.range.start, first.start), end: Math.min(t.range.end, first.end) } });
    }
    return { ...st, state: { ...st.state, notifiers: s.notifiers, invalidations, threads } };
  });
};

/** When a callback returns, the kernel calls no further notifier of the invalidation. */
export const firstNotifierOnly: Break = (orig) => (s, op) =>
  mapStep(orig(s, op), (st) => {
    let invalidations = st.state.invalidations;
    let threads = st.state.threads;
    for (const i of st.state.invalidations.values()) {
      if (i.running === null || s.threads.has(i.running)) continue;
      const running = i.running;
      threads = new Map([...threads].filter(([id]) => id !== running));
      invalidations = new Map(invalidations).set(i.id, { ...i, running: null, queue: [] });
    }
    const events = st.events.filter((e) => e.kind !== 'callback-invoked');
    return { state: { ...st.state, invalidations, threads }, events };
  });

/** The op's events are rewritten by `f` (what it returns to its caller changes, nothing else). */
export const returns = (f: (e: Step['events'][number]) => Step['events'][number]): Break => (orig) => (s, op) =>
  mapStep(orig(s, op), (st) => ({ ...st, events: st.events.map(f) }));

/**
 * A PTE-changing path of kind `then` (run at once, or at its invalidation's
 * end) leaves every PTE it wrote as it was before in the ways `keep` says
 * (in VMAs the path kept whole: one it split is left as the path made it):
 * `write` keeps a writable PTE writable (the write-protect is lost), `all`
 * keeps the PTE itself (the unmap or move is lost).
 */
export const ptesKept = (then: Continuation['kind'], keep: 'write' | 'all'): Break => (orig) => (s, op) => {
  if (op.kind === 'mmu_notifier_invalidate_range_end' && s.invalidations.get(op.inv)?.then.kind !== then) return orig(s, op);
  return mapStep(orig(s, op), (st) => {
    let vmas = st.state.vmas;
    for (const [id, v] of st.state.vmas) {
      const was = s.vmas.get(id);
      if (was === undefined || was.start !== v.start || was.npages !== v.npages) continue;
      const ptes = v.ptes.map((p, i) => {
        const b = was.ptes[i] ?? null;
        if (keep === 'all') return b;
        const q = present(p);
        const w = present(b);
        return q !== null && w !== null && q.pfn === w.pfn && w.writable ? { ...q, writable: true } : p;
      });
      if (ptes.some((p, i) => p !== v.ptes[i])) vmas = new Map(vmas).set(id, { ...v, ptes });
    }
    return { ...st, state: { ...st.state, vmas } };
  });
};
