/**
 * Liveness on the explored state graph: provider removal, and every driver thread.
 *
 * Liveness of provider removal: once pci_stop_and_remove_bus_device has
 * started on a P2PDMA provider, can it always still complete? memunmap_pages
 * sleeps until every page of the provider is unreferenced, and a reference
 * that no remaining step can drop (a driver whose recipe never frees, a
 * table freed with its pages still allocated) is a removal that hangs: the
 * kernel reports nothing, the remove never returns.
 *
 * This is a property of the state graph, not of one step. The explorer's
 * breadth-first search is run here with every edge kept; then a backward
 * search from the states where the removal completed marks every state
 * that can still get there. A state where the removal is in progress and
 * that is not marked hangs. The answer is exact only when the whole
 * reachable space was explored; otherwise a state is reported only if
 * every state reachable from it was explored (its future is complete).
 *
 * "Can still reach its end" only says a path exists. A removal that ends
 * only if a user or an administrator does something unrelated (tears the
 * orchestrator down, kills a process) hangs in practice: the remove call
 * blocks until somebody does. So a second backward search follows only
 * the drivers' own steps and the kernel finishing work already under way
 * (`memunmap_pages`, `mmu_notifier_invalidate_range_end`); a removal that
 * can end only through some other environment step `waits`, and the
 * report names the steps it waits for.
 */
import type { Design } from '../model/designs/design.ts';
import type { State } from '../model/state.ts';
import { makeWorld } from '../model/world.ts';
import { canonicalKey } from './canonical.ts';
import { enabledActions } from './explore-dma.ts';
import { peekThread } from '../model/driver-thread.ts';
import { step } from '../model/step.ts';
import { formatOp, type TraceStep } from './trace.ts';

export type RemovalLiveness =
  | { readonly kind: 'no-removal'; readonly states: number; readonly complete: boolean }
  /**
   * From every state with a removal under way, the drivers' own steps (and the kernel finishing what is
   * under way) can reach its end: a path exists; nothing forces the drivers to take it.
   * `complete`: the whole reachable space was explored; else every explored removal can still complete.
   */
  | { readonly kind: 'completes'; readonly states: number; readonly started: number; readonly complete: boolean }
  /** Some removal can end only after a step outside the drivers (`outside`, the environment steps after which they can finish it); `trace` reaches the first such state. */
  | { readonly kind: 'waits'; readonly states: number; readonly trace: ReadonlyArray<TraceStep>; readonly outside: ReadonlyArray<string> }
  /** `held`: the pages memunmap_pages() waits for; `pgmapRefs`: the pgmap references it waits for that no page holds. */
  | { readonly kind: 'hangs'; readonly states: number; readonly trace: ReadonlyArray<TraceStep>; readonly held: ReadonlyArray<number>; readonly pgmapRefs: number }
  | { readonly kind: 'undecided'; readonly states: number; readonly started: number };

/** A P2PDMA provider's removal has started and not completed. */
const removing = (s: State): boolean => s.bars.some((b) => b.structPages && b.alive && b.removing);

/** Some P2PDMA provider's removal completed. */
const removed = (s: State): boolean => s.bars.some((b) => b.structPages && !b.alive);

/** The explored state graph with every edge kept: successors (-1: cut at the bound) and how each state was first reached. */
export interface StateGraph {
  readonly states: ReadonlyArray<State>;
  readonly succ: ReadonlyArray<ReadonlyArray<number>>;
  /** For each edge of `succ`: the template that made it, and whether it is a driver's own step or the kernel finishing work under way. */
  readonly via: ReadonlyArray<ReadonlyArray<{ readonly template: string; readonly own: boolean }>>;
  readonly parent: ReadonlyArray<{ readonly from: number; readonly trace: ReadonlyArray<TraceStep> }>;
  readonly complete: boolean;
}

export const stateGraph = (design: Design, maxStates: number, key: (s: State) => string = canonicalKey): StateGraph => {
  const keys = new Map<string, number>();
  const states: State[] = [];
  const parent: { readonly from: number; readonly trace: ReadonlyArray<TraceStep> }[] = [];
  const succ: number[][] = [];
  const via: { readonly template: string; readonly own: boolean }[][] = [];
  const roles = new Map([...design.driver, ...design.environment].map((t) => [t.name, t.role]));
  const start = makeWorld(design.world);
  keys.set(key(start), 0);
  states.push(start);
  // Stryker disable next-line ObjectLiteral,UnaryOperator,ArrayDeclaration: the root's entry is never read: the trace walk stops before state 0 (and its trace would be empty)
  parent.push({ from: -1, trace: [] });
  let complete = true;
  for (let i = 0; i < states.length; i++) {
    // Stryker disable next-line ArrayDeclaration: a non-number entry fails j >= 0 and is not -1, so it adds no edge and no open end
    const out: number[] = [];
    const labels: { readonly template: string; readonly own: boolean }[] = [];
    for (const a of enabledActions(design, states[i]!)) {
      labels.push({ template: a.template, own: roles.get(a.template) === 'driver' || a.calls.every((c) => KERNEL_GOES_ON.has(c.op.kind)) });
      const next = a.calls[a.calls.length - 1]!.step.state;
      const k = key(next);
      let id = keys.get(k);
      if (id === undefined) {
        if (states.length >= maxStates) {
          complete = false;
          out.push(-1);
          continue;
        }
        id = states.length;
        keys.set(k, id);
        states.push(next);
        parent.push({ from: i, trace: a.calls.map((c) => ({ op: c.op, events: c.step.events })) });
      }
      out.push(id);
    }
    succ.push(out);
    via.push(labels);
  }
  return { states, succ, via, parent, complete };
};

/** Kernel calls that finish work already under way, not a new action of a user or an administrator. */
const KERNEL_GOES_ON: ReadonlySet<string> = new Set(['memunmap_pages', 'mmu_notifier_invalidate_range_end', 'ptep_set_wrprotect']);

/** Predecessors of every state (over the edges `keep` allows). */
const predecessors = (g: StateGraph, keep: (i: number, e: number) => boolean = () => true): number[][] => {
  const pred: number[][] = g.states.map(() => []);
  // Stryker disable next-line EqualityOperator: dropping the edges into state 0 changes nothing: no state the liveness checks look at reaches the initial state back
  g.succ.forEach((out, i) => out.forEach((j, e) => j >= 0 && keep(i, e) && pred[j]!.push(i)));
  return pred;
};

/** Every state from which some state satisfying `goal` is reachable. */
const canReach = (g: StateGraph, pred: ReadonlyArray<ReadonlyArray<number>>, goal: (i: number) => boolean): Uint8Array => {
  const can = new Uint8Array(g.states.length);
  const queue: number[] = [];
  g.states.forEach((_, i) => {
    if (goal(i)) {
      can[i] = 1;
      queue.push(i);
    }
  });
  while (queue.length > 0) for (const p of pred[queue.pop()!]!) if (!can[p]) (can[p] = 1), queue.push(p);
  return can;
};

/** States from which a state cut at the bound is reachable: their future is not fully explored. */
const openFutures = (g: StateGraph, pred: ReadonlyArray<ReadonlyArray<number>>): Uint8Array =>
  canReach(g, pred, (i) => g.succ[i]!.includes(-1));

/** The trace that first reached state `i`. */
const traceTo = (g: StateGraph, i: number): ReadonlyArray<TraceStep> => {
  const trace: TraceStep[] = [];
  // Stryker disable next-line EqualityOperator: also visiting state 0 adds its empty trace, then stops at from = -1
  for (let k = i; k > 0; k = g.parent[k]!.from) trace.unshift(...g.parent[k]!.trace);
  return trace;
};

export const removalLiveness = (design: Design, maxStates: number, graph?: StateGraph, processSymmetry = true): RemovalLiveness => {
  const g = graph ?? stateGraph(design, maxStates, (s) => canonicalKey(s, processSymmetry));
  const { states, complete } = g;
  const started = states.filter(removing).length;
  if (started === 0) return { kind: 'no-removal', states: states.length, complete };
  const pred = predecessors(g);
  const canFinish = canReach(g, pred, (i) => removed(states[i]!));
  const openFuture = openFutures(g, pred);
  const stuck = states.findIndex((s, i) => removing(s) && !canFinish[i] && !openFuture[i]);
  // Stryker disable next-line EqualityOperator: stuck is never 0: the initial state of makeWorld has no removal started
  if (stuck >= 0) {
    const s = states[stuck]!;
    const held = s.frames.filter((f) => f.bar !== null && s.bars[f.bar]!.removing && !f.free).map((f) => f.pfn);
    const pgmapRefs = s.bars.reduce((n, b) => n + (b.removing ? b.pgmapRefs : 0), 0);
    return { kind: 'hangs', states: states.length, trace: traceTo(g, stuck), held, pgmapRefs };
  }
  const undecided = states.some((s, i) => removing(s) && !canFinish[i]);
  if (undecided) return { kind: 'undecided', states: states.length, started };
  const own = (i: number, e: number): boolean => g.via[i]![e]!.own;
  const predOwn = predecessors(g, own);
  const finishAlone = canReach(g, predOwn, (i) => removed(states[i]!));
  // Whether the drivers alone could still finish it is known only where their own steps lead to no state cut at the bound.
  const openAlone = canReach(g, predOwn, (i) => g.succ[i]!.some((j, e) => j < 0 && own(i, e)));
  const waiting = states.findIndex((s, i) => removing(s) && !finishAlone[i] && !openAlone[i]);
  if (waiting >= 0) {
    // The environment steps after which the drivers can finish it, from anywhere the drivers alone can take it.
    const closure = new Set([waiting]);
    const outside = new Set<string>();
    for (const i of closure)
      g.succ[i]!.forEach((j, e) => {
        if (j < 0) return;
        if (own(i, e)) closure.add(j);
        else if (finishAlone[j]) outside.add(g.via[i]![e]!.template);
      });
    return { kind: 'waits', states: states.length, trace: traceTo(g, waiting), outside: [...outside].sort() };
  }
  if (states.some((s, i) => removing(s) && !finishAlone[i])) return { kind: 'undecided', states: states.length, started };
  return { kind: 'completes', states: states.length, started, complete };
};

export type ThreadLiveness =
  | { readonly kind: 'no-threads'; readonly states: number; readonly complete: boolean }
  /** `complete`: the whole reachable space was explored; else every explored thread can still end. */
  | { readonly kind: 'always-end'; readonly states: number; readonly threads: number; readonly complete: boolean }
  /** A thread that no path lets end: its code, where it is, and why its next call cannot be made. */
  | {
      readonly kind: 'hangs';
      readonly states: number;
      readonly trace: ReadonlyArray<TraceStep>;
      readonly thread: number;
      readonly recipe: string;
      readonly next: string;
    }
  | { readonly kind: 'undecided'; readonly states: number; readonly threads: number };

/**
 * Liveness of driver code: every driver thread (a map path, an invalidate
 * callback) can still end, whatever else happens meanwhile. A map path
 * that can never reach its programming or its error return, or a callback
 * that never returns (so that its munmap, exit or removal never
 * completes), is a deadlock no single step shows: a lock never released,
 * a read_begin waiting on a seq that never goes even. Thread ids come from
 * one counter and are never reused, so a thread has ended in a state that
 * lacks its id.
 */
/**
 * The canonical key with the driver threads' own ids: threadLiveness
 * follows a thread by its id, so two states may merge only where the same
 * ids are the same threads (canonicalKey names threads by rank, which
 * would let a path swap one thread for another).
 */
const keyWithThreadIds = (s: State): string => `${canonicalKey(s)} #${[...s.threads.keys()].join(',')}`;

export const threadLiveness = (design: Design, maxStates: number): ThreadLiveness => {
  const g = stateGraph(design, maxStates, keyWithThreadIds);
  const ids = [...new Set(g.states.flatMap((s) => [...s.threads.keys()]))].sort((a, b) => a - b);
  if (ids.length === 0) return { kind: 'no-threads', states: g.states.length, complete: g.complete };
  const pred = predecessors(g);
  const openFuture = openFutures(g, pred);
  let undecided = false;
  let stuck: { readonly state: number; readonly tid: number } | null = null;
  for (const tid of ids) {
    const ends = canReach(g, pred, (i) => !g.states[i]!.threads.has(tid));
    g.states.forEach((s, i) => {
      if (!s.threads.has(tid) || ends[i]) return;
      if (openFuture[i]) undecided = true;
      // The shallowest such state (states are numbered breadth-first).
      else if (stuck === null || i < stuck.state) stuck = { state: i, tid };
    });
  }
  if (stuck !== null) {
    const { state, tid } = stuck as { readonly state: number; readonly tid: number };
    const s = g.states[state]!;
    const t = s.threads.get(tid)!;
    const op = peekThread(s, tid);
    const out = op === null ? null : step(s, op);
    const next = op === null ? 'it has no next call' : out !== null && out._tag === 'Left' ? `${formatOp(op)}: ${out.left.reason}` : `${formatOp(op)} can be made, but no path from here lets the thread end`;
    return { kind: 'hangs', states: g.states.length, trace: traceTo(g, state), thread: tid, recipe: t.recipe, next };
  }
  return undecided ? { kind: 'undecided', states: g.states.length, threads: ids.length } : { kind: 'always-end', states: g.states.length, threads: ids.length, complete: g.complete };
};
