/**
 * The DMA model on the generic explorer (`properties/explorer/engine.ts`):
 * a design's initial state, its enabled actions (every option of every
 * step template, the same steps the random search takes), the next state,
 * the invariants judged on every kernel call of an action, and the
 * canonical key of a state (symmetry-reduced, `canonical.ts`).
 *
 * The engine stores integer keys; this adapter interns each canonical key
 * to a dense integer and keeps a state object only until the engine has
 * expanded it, so stored states cost their interned key string plus the
 * engine's typed arrays.
 */
import type { Design, PlannedCall } from '../model/designs/design.ts';
import { runPlan } from '../model/designs/design.ts';
import type { Op } from '../model/op.ts';
import type { State } from '../model/state.ts';
import { makeWorld } from '../model/world.ts';
import { type DesignSource, ParallelDmaModel } from './explorer/dma-parallel.ts';
import { collisionProbability, FingerprintTable, fingerprint } from './explorer/fingerprints.ts';
import { canonicalKey } from './canonical.ts';
import { type ExplorableModel, explore, type ExploreOptions, type ExploreResult } from './explorer/engine.ts';
import type { Invariant, InvariantId } from './invariant.ts';
import { judge } from './search.ts';
import type { TraceStep } from './trace.ts';
import { ModelBug, wellFormed } from './well-formed.ts';

/** Upper bound on the actions enabled in one state; exceeding it is a bug of the bounds, reported. */
export const MAX_ACTIONS = 255;

/** The explorer's options on the DMA model. */
export interface DmaExploreOptions extends ExploreOptions {
  /** Rank processes by what they hold in the state key (process symmetry, canonical.ts); false: by creation order. Default true. */
  readonly processSymmetry?: boolean;
}

export interface Action {
  readonly template: string;
  readonly calls: ReadonlyArray<PlannedCall>;
}

/** Every enabled action of `design` in `s`, in template order then option order. */
export const enabledActions = (design: Design, s: State): ReadonlyArray<Action> => {
  const out: Action[] = [];
  for (const t of [...design.driver, ...design.environment]) {
    if (t.searchOnly === true) continue;
    for (const option of t.options(s)) {
      const calls = runPlan(s, option);
      if (calls !== null) out.push({ template: t.name, calls });
    }
  }
  if (out.length > MAX_ACTIONS) throw new ModelBug(`${design.id}: ${out.length} actions enabled in one state (more than ${MAX_ACTIONS})`);
  return out;
};

const after = (a: Action): State => a.calls[a.calls.length - 1]!.step.state;

class DmaModel implements ExplorableModel<State> {
  readonly actionCount = MAX_ACTIONS;
  readonly ids = new Map<string, number>();
  // Stryker disable next-line ArrayDeclaration: encode() writes pending[id] before the engine decodes id, so no initial entry is ever read
  private readonly pending: (State | undefined)[] = [];
  private cache: { readonly s: State; readonly actions: ReadonlyArray<Action> } | null = null;
  /** Bytes of the interned key strings (UTF-16). */
  keyBytes = 0;
  /** Per invariant: transitions with a kernel call that reached the situation it guards. */
  readonly exercised = new Map<InvariantId, number>();

  /** Hash compaction (`store: 'fingerprint'`): the visited set keeps 53-bit fingerprints of the keys, not the keys. */
  readonly table: FingerprintTable | null;

  constructor(
    private readonly design: Design,
    private readonly invariants: ReadonlyArray<Invariant>,
    store: 'exact' | 'fingerprint' = 'exact',
    private readonly processSymmetry = true,
  ) {
    this.table = store === 'fingerprint' ? new FingerprintTable() : null;
  }

  initial(): State {
    return makeWorld(this.design.world);
  }

  encode(s: State): number {
    const key = canonicalKey(s, this.processSymmetry);
    if (this.table !== null) {
      const { id, added } = this.table.idOf(fingerprint(key), this.table.size);
      if (added) this.pending[id] = s;
      return id;
    }
    let id = this.ids.get(key);
    if (id === undefined) {
      id = this.ids.size;
      this.ids.set(key, id);
      this.pending[id] = s;
      this.keyBytes += 2 * key.length;
    }
    return id;
  }

  decode(id: number): State {
    const s = this.pending[id];
    if (s === undefined) throw new ModelBug(`explorer: state ${id} decoded twice`);
    this.pending[id] = undefined;
    return s;
  }

  actions(s: State): ReadonlyArray<Action> {
    if (this.cache?.s !== s) this.cache = { s, actions: enabledActions(this.design, s) };
    return this.cache.actions;
  }

  next(s: State, action: number): State | null {
    const a = this.actions(s)[action];
    return a === undefined ? null : after(a);
  }

  violations(s: State, action: number): ReadonlyArray<string> {
    const ids: string[] = [];
    for (const call of this.actions(s)[action]!.calls) {
      const bad = wellFormed(call.step.state);
      if (bad !== null) throw new ModelBug(`model bug: ${bad}`);
      const v = judge(this.invariants, call);
      if (v !== null && !ids.includes(v.invariant)) ids.push(v.invariant);
      for (const inv of this.invariants) if (inv.exercised(call.before, call.op, call.step)) this.exercised.set(inv.id, (this.exercised.get(inv.id) ?? 0) + 1);
    }
    return ids;
  }

  // Stryker disable next-line BlockStatement: DmaModel is private and explore() never names actions; only traceNames() would, and exploreDesign does not call it
  actionName(action: number): string {
    // Stryker disable next-line StringLiteral: never called (see actionName)
    return `action ${action}`;
  }
}

export interface DmaViolation {
  readonly invariant: InvariantId;
  /** Actions (template steps) from the initial state; the last one violates. */
  readonly depth: number;
  /** The kernel calls up to and including the one that violates, with their effects. */
  readonly trace: ReadonlyArray<TraceStep>;
  readonly message: string;
}

export interface DmaExploration {
  readonly result: ExploreResult;
  readonly violations: ReadonlyArray<DmaViolation>;
  /** Bytes per stored state, counting the interned keys too. */
  readonly bytesPerState: number;
  /** Per invariant: explored calls that reached the situation it guards (0: a hold says nothing). */
  readonly exercised: ReadonlyMap<InvariantId, number>;
  /** With fingerprints only: the chance that two states shared one, so that one went unexplored. */
  readonly collisionProbability?: number;
  /** With worker threads only: how many, and how many chunks of levels they expanded (timing data: it varies with nothing but the bounds). */
  readonly workers?: { readonly threads: number; readonly chunks: number };
}

/** Replay action indices from the initial state: the calls up to the first that violates `invariant`. */
const expand = (design: Design, invariants: ReadonlyArray<Invariant>, id: InvariantId, trace: ReadonlyArray<number>): { trace: TraceStep[]; message: string } => {
  let s = makeWorld(design.world);
  const steps: TraceStep[] = [];
  const only = invariants.filter((i) => i.id === id);
  for (const [n, index] of trace.entries()) {
    const a = enabledActions(design, s)[index]!;
    for (const call of a.calls) {
      steps.push({ op: call.op, events: call.step.events });
      // Stryker disable next-line ConditionalExpression: the explorer is breadth-first and keeps the first violation per invariant, so no earlier action on the trace violates it; judging them too finds nothing
      const v = n === trace.length - 1 ? judge(only, call) : null;
      if (v !== null) return { trace: steps, message: v.message };
    }
    s = after(a);
  }
  throw new ModelBug(`explorer: the trace for ${id} does not violate it on replay`);
};

/**
 * Explores `design`. With `parallel` (a source a worker thread can build
 * the design from, and two or more workers), the expansion runs on worker
 * threads (explorer/dma-parallel.ts) with the same results.
 */
export const exploreDesign = (
  design: Design,
  invariants: ReadonlyArray<Invariant>,
  options: DmaExploreOptions = {},
  store: 'exact' | 'fingerprint' = 'exact',
  parallel?: { readonly source: DesignSource; readonly workers: number },
): DmaExploration => {
  const symmetry = options.processSymmetry ?? true;
  if (parallel !== undefined && parallel.workers > 1) {
    const model = new ParallelDmaModel(parallel.source, design, invariants, parallel.workers, MAX_ACTIONS, store, symmetry);
    const result = explore(model, options);
    return { ...explored(design, invariants, result, model.bytesOfKeys, model.exercised, store), workers: { threads: parallel.workers, chunks: model.chunksOnWorkers } };
  }
  const model = new DmaModel(design, invariants, store, symmetry);
  const result = explore(model, options);
  return explored(design, invariants, result, model.table === null ? model.keyBytes : model.table.bytes, model.exercised, store);
};

const explored = (
  design: Design,
  invariants: ReadonlyArray<Invariant>,
  result: ExploreResult,
  keyBytes: number,
  exercised: ReadonlyMap<InvariantId, number>,
  store: 'exact' | 'fingerprint',
): DmaExploration => {
  const violations = invariants.flatMap((inv): DmaViolation[] => {
    const v = result.violations.get(inv.id);
    if (v === undefined) return [];
    const { trace, message } = expand(design, invariants, inv.id, v.trace);
    return [{ invariant: inv.id, depth: v.depth, trace, message }];
  });
  return {
    result,
    violations,
    bytesPerState: (result.bytes + keyBytes) / result.states,
    exercised,
    ...(store === 'exact' ? {} : { collisionProbability: collisionProbability(result.states) }),
  };
};

export const opsOf = (v: DmaViolation): ReadonlyArray<Op> => v.trace.map((t) => t.op);
