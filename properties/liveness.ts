/**
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
 */
import type { Design } from '../model/designs/design.ts';
import type { State } from '../model/state.ts';
import { makeWorld } from '../model/world.ts';
import { canonicalKey } from './canonical.ts';
import { enabledActions } from './explore-dma.ts';
import type { TraceStep } from './trace.ts';

export type RemovalLiveness =
  | { readonly kind: 'no-removal'; readonly states: number; readonly complete: boolean }
  /** `complete`: the whole reachable space was explored; else every explored removal can still complete. */
  | { readonly kind: 'always-completes'; readonly states: number; readonly started: number; readonly complete: boolean }
  | { readonly kind: 'hangs'; readonly states: number; readonly trace: ReadonlyArray<TraceStep>; readonly held: ReadonlyArray<number> }
  | { readonly kind: 'undecided'; readonly states: number; readonly started: number };

/** A P2PDMA provider's removal has started and not completed. */
const removing = (s: State): boolean => s.bars.some((b) => b.structPages && b.alive && b.removing);

/** Some P2PDMA provider's removal completed. */
const removed = (s: State): boolean => s.bars.some((b) => b.structPages && !b.alive);

export const removalLiveness = (design: Design, maxStates: number): RemovalLiveness => {
  const keys = new Map<string, number>();
  const states: State[] = [];
  const parent: { readonly from: number; readonly trace: ReadonlyArray<TraceStep> }[] = [];
  const succ: number[][] = [];
  const start = makeWorld(design.world);
  keys.set(canonicalKey(start), 0);
  states.push(start);
  // Stryker disable next-line ObjectLiteral,UnaryOperator,ArrayDeclaration: the root's entry is never read: the trace walk of line 95 stops before state 0 (and its trace would be empty)
  parent.push({ from: -1, trace: [] });
  let complete = true;
  for (let i = 0; i < states.length; i++) {
    // Stryker disable next-line ArrayDeclaration: a non-number entry fails j >= 0 in line 72 and is not -1 in line 86, so it adds no edge and no open end
    const out: number[] = [];
    for (const a of enabledActions(design, states[i]!)) {
      const next = a.calls[a.calls.length - 1]!.step.state;
      const key = canonicalKey(next);
      let id = keys.get(key);
      if (id === undefined) {
        if (states.length >= maxStates) {
          complete = false;
          out.push(-1);
          continue;
        }
        id = states.length;
        keys.set(key, id);
        states.push(next);
        parent.push({ from: i, trace: a.calls.map((c) => ({ op: c.op, events: c.step.events })) });
      }
      out.push(id);
    }
    succ.push(out);
  }
  const started = states.filter(removing).length;
  if (started === 0) return { kind: 'no-removal', states: states.length, complete };
  // Backward search from the completed states.
  const pred: number[][] = states.map(() => []);
  // Stryker disable next-line EqualityOperator: dropping the edges into state 0 changes nothing: a provider's removal only moves forward, so no state with a removal started reaches the initial state, and the backward searches only matter for such states
  succ.forEach((out, i) => out.forEach((j) => j >= 0 && pred[j]!.push(i)));
  const canFinish = new Uint8Array(states.length);
  const queue: number[] = [];
  states.forEach((s, i) => {
    if (removed(s)) {
      canFinish[i] = 1;
      queue.push(i);
    }
  });
  while (queue.length > 0) for (const p of pred[queue.pop()!]!) if (!canFinish[p]) (canFinish[p] = 1), queue.push(p);
  // A state's future is fully explored when no state reachable from it hit the bound.
  const openFuture = new Uint8Array(states.length);
  const open: number[] = [];
  succ.forEach((out, i) => {
    if (out.includes(-1)) {
      openFuture[i] = 1;
      open.push(i);
    }
  });
  while (open.length > 0) for (const p of pred[open.pop()!]!) if (!openFuture[p]) (openFuture[p] = 1), open.push(p);
  const stuck = states.findIndex((s, i) => removing(s) && !canFinish[i] && !openFuture[i]);
  // Stryker disable next-line EqualityOperator: stuck is never 0: the initial state of makeWorld has no removal started
  if (stuck >= 0) {
    const trace: TraceStep[] = [];
    // Stryker disable next-line EqualityOperator: also visiting state 0 adds its empty trace, then stops at from = -1
    for (let i = stuck; i > 0; i = parent[i]!.from) trace.unshift(...parent[i]!.trace);
    const s = states[stuck]!;
    const held = s.frames.filter((f) => f.bar !== null && s.bars[f.bar]!.removing && !f.free).map((f) => f.pfn);
    return { kind: 'hangs', states: states.length, trace, held };
  }
  const undecided = states.some((s, i) => removing(s) && !canFinish[i]);
  return undecided ? { kind: 'undecided', states: states.length, started } : { kind: 'always-completes', states: states.length, started, complete };
};
