/**
 * A generic breadth-first explicit-state explorer.
 *
 * A model is a transition system with a fixed, ordered list of action slots
 * and an exact integer key per state (`encode`, a non-negative integer below
 * 2**53, typically mixed radix). The explorer stores keys, never states: a
 * hash set of visited keys, and per state only its parent's index and the
 * action from it (store.ts), so a state costs a few tens of bytes whatever
 * its shape. Levels are expanded in order, and actions in index order within
 * a state, so the BFS order is deterministic.
 *
 * Step properties are checked on every edge (`violations`). Violations are
 * recorded, not cut: exploration goes on past them. For each violation id
 * the first one met in BFS order is kept, with its trace rebuilt from the
 * parent pointers; BFS makes it a shortest counterexample for that id.
 *
 * A model may also implement `IncrementalModel` (types.ts): the explorer
 * then decodes each key once into a reusable scratch state and asks for
 * successor keys directly, so nothing is allocated on the hot path.
 */
import { BfsStore, KeySet } from './store.ts';
import type { ExplorableModel, ExploreOptions, ExploreResult, IncrementalModel, StopReason, ViolationRecord } from './types.ts';

export type { ExplorableModel, ExploreOptions, ExploreResult, IncrementalModel, StopReason, ViolationRecord } from './types.ts';

/** Mutable counters shared by both loops. */
interface Run {
  readonly set: KeySet;
  readonly store: BfsStore;
  readonly maxDepth: number;
  readonly maxStates: number;
  readonly stopOn: boolean | ReadonlySet<string>;
  readonly violations: Map<string, ViolationRecord>;
  transitions: number;
  deadlocks: number;
  firstDeadlock: number[] | null;
  stoppedBy: StopReason | null;
  /** Depth of the level being expanded. */
  depth: number;
}

export const isIncremental = <S>(m: ExplorableModel<S>): m is IncrementalModel<S> => {
  const x = m as Partial<IncrementalModel<S>>;
  return (
    typeof x.nextKey === 'function' && typeof x.decodeInto === 'function' && typeof x.scratch === 'function' && typeof x.stepViolations === 'function'
  );
};

/** The incremental path's model and buffers. */
interface Fast<S> {
  readonly model: IncrementalModel<S>;
  /** Scratch state. */
  readonly s: S;
  /** Successor keys of the state being expanded, by action (-1: not enabled). */
  readonly out: Float64Array;
  /** 1 for the actions whose steps are checked for violations. */
  readonly checked: Uint8Array;
  readonly batch: boolean;
}

const makeFast = <S>(model: IncrementalModel<S>): Fast<S> => {
  const checked = new Uint8Array(model.actionCount);
  // Stryker disable next-line EqualityOperator: one write past the end of a typed array is dropped; mayViolate(actionCount) is only asked, never used
  for (let a = 0; a < model.actionCount; a++) checked[a] = model.mayViolate === undefined || model.mayViolate(a) ? 1 : 0;
  // Stryker disable next-line ConditionalExpression: successorKeys is an optimisation that must fill out exactly as nextKey does
  return { model, s: model.scratch(), out: new Float64Array(model.actionCount), checked, batch: model.successorKeys !== undefined };
};

/** Fills fast.out with the successor keys of `key` (already decoded into fast.s). */
const successors = <S>(fast: Fast<S>, key: number): void => {
  const { model, s, out } = fast;
  // Stryker disable next-line ConditionalExpression,BlockStatement: successorKeys is an optimisation that must fill out exactly as nextKey does
  if (fast.batch) {
    model.successorKeys!(key, s, out);
    return;
  }
  // Stryker disable next-line EqualityOperator: out[out.length] is a dropped typed-array write; nextKey of a missing action is never used
  for (let a = 0; a < out.length; a++) out[a] = model.nextKey(key, s, a);
};

/** Records violations of the edge (from, action); true if exploration must stop. */
const record = (run: Run, ids: ReadonlyArray<string>, from: number, action: number): boolean => {
  let stop = false;
  for (const id of ids) {
    if (run.violations.has(id)) continue;
    const trace = run.store.trace(from);
    trace.push(action);
    run.violations.set(id, { depth: trace.length, trace });
    if (run.stopOn === true || (run.stopOn !== false && run.stopOn.has(id))) stop = true;
  }
  if (stop) run.stoppedBy = 'violation';
  return stop;
};

const deadlock = (run: Run, index: number): void => {
  if (run.deadlocks++ === 0) run.firstDeadlock = run.store.trace(index);
};

/** Adds a successor key under a state bound; false if exploration must stop. */
const visitBounded = (run: Run, key: number, from: number, action: number): boolean => {
  if (run.set.size >= run.maxStates) {
    if (run.set.has(key)) return true;
    run.stoppedBy = 'maxStates';
    return false;
  }
  if (run.set.add(key)) run.store.push(key, from, action);
  return true;
};

/**
 * The level at the depth bound is stored but not expanded: find whether
 * the bound cut anything (a successor not stored) and count its deadlocks.
 */
const frontier = <S>(run: Run, model: ExplorableModel<S>, fast: Fast<S> | null): void => {
  const { cur, curLength, levelStart } = run.store;
  const actions = model.actionCount;
  if (fast === null) model.prepareLevel?.(cur, curLength, true);
  for (let j = 0; j < curLength; j++) {
    const key = cur[j]!;
    let enabled = false;
    // Stryker disable next-line ConditionalExpression: the generic branch computes the same successors through decode/next/encode (an incremental model is also an ExplorableModel)
    if (fast !== null) {
      fast.model.decodeInto(key, fast.s);
      successors(fast, key);
      for (let a = 0; a < actions; a++) {
        const k = fast.out[a]!;
        if (k < 0) continue;
        enabled = true;
        if (run.stoppedBy === null && !run.set.has(k)) run.stoppedBy = 'maxDepth';
      }
    } else {
      const s = model.decode(key);
      for (let a = 0; a < actions; a++) {
        const t = model.next(s, a);
        if (t === null) continue;
        enabled = true;
        if (run.stoppedBy === null && !run.set.has(model.encode(t))) run.stoppedBy = 'maxDepth';
      }
    }
    if (!enabled) deadlock(run, levelStart + j);
  }
};

/** Expands one level with the generic path; false if exploration must stop. */
const levelGeneric = <S>(run: Run, model: ExplorableModel<S>): boolean => {
  const { cur, curLength, levelStart } = run.store;
  const actions = model.actionCount;
  // Stryker disable next-line ConditionalExpression: with no bound, visitBounded never finds set.size >= Infinity and adds exactly as the unbounded branch does
  const bounded = run.maxStates !== Infinity;
  model.prepareLevel?.(cur, curLength, false);
  for (let j = 0; j < curLength; j++) {
    const i = levelStart + j;
    const s = model.decode(cur[j]!);
    let enabled = 0;
    for (let a = 0; a < actions; a++) {
      const t = model.next(s, a);
      if (t === null) continue;
      // Stryker disable next-line UpdateOperator: enabled is only compared with 0, and -1 is as non-zero as 1
      enabled++;
      run.transitions++;
      const ids = model.violations(s, a, t);
      // Stryker disable next-line ConditionalExpression,EqualityOperator: record() of no ids records nothing and returns false
      if (ids.length > 0 && record(run, ids, i, a)) return false;
      const k = model.encode(t);
      // Stryker disable next-line ConditionalExpression: with no bound, visitBounded adds exactly as the unbounded branch does
      if (bounded) {
        if (!visitBounded(run, k, i, a)) return false;
      } else if (run.set.add(k)) run.store.push(k, i, a);
    }
    if (enabled === 0) deadlock(run, i);
  }
  return true;
};

/** Expands one level with the incremental path; false if exploration must stop. */
const levelIncremental = <S>(run: Run, fast: Fast<S>): boolean => {
  const { set, store } = run;
  const { cur, curLength, levelStart } = store;
  const { model, s, out, checked } = fast;
  const actions = model.actionCount;
  // Stryker disable next-line ConditionalExpression: with no bound, visitBounded never finds set.size >= Infinity and adds exactly as the unbounded branch does
  const bounded = run.maxStates !== Infinity;
  let transitions = 0;
  try {
    for (let j = 0; j < curLength; j++) {
      const i = levelStart + j;
      const key = cur[j]!;
      model.decodeInto(key, s);
      successors(fast, key);
      let enabled = 0;
      for (let a = 0; a < actions; a++) {
        const k = out[a]!;
        if (k < 0) continue;
        // Stryker disable next-line UpdateOperator: enabled is only compared with 0, and -1 is as non-zero as 1
        enabled++;
        transitions++;
        if (checked[a] === 1) {
          const ids = model.stepViolations(s, a, k);
          // Stryker disable next-line ConditionalExpression,EqualityOperator: record() of no ids records nothing and returns false
          if (ids.length > 0 && record(run, ids, i, a)) return false;
        }
        // Stryker disable next-line ConditionalExpression: a self-loop's key is already in the set, so adding it stores nothing
        if (k === key) continue; // self-loop: already stored
        // Stryker disable next-line ConditionalExpression: with no bound, visitBounded adds exactly as the unbounded branch does
        if (bounded) {
          if (!visitBounded(run, k, i, a)) return false;
        } else if (set.add(k)) store.push(k, i, a);
      }
      if (enabled === 0) deadlock(run, i);
    }
    return true;
  } finally {
    run.transitions += transitions;
  }
};

export const explore = <S>(model: ExplorableModel<S>, options: ExploreOptions = {}): ExploreResult => {
  const t0 = performance.now();
  const init = model.encode(model.initial());
  if (!Number.isSafeInteger(init) || init < 0) throw new RangeError(`explore: initial key ${init} is not an integer in [0, 2**53)`);
  const run: Run = {
    set: new KeySet(),
    store: new BfsStore(model.actionCount > 256),
    maxDepth: options.maxDepth ?? Infinity,
    maxStates: options.maxStates ?? Infinity,
    stopOn: options.stopAtFirstViolation ?? false,
    violations: new Map(),
    transitions: 0,
    deadlocks: 0,
    firstDeadlock: null,
    stoppedBy: null,
    depth: 0,
  };
  if (!Number.isInteger(model.actionCount) || model.actionCount < 0 || model.actionCount > 65536) throw new RangeError('explore: actionCount must be an integer in [0, 65536]');
  if (!(run.maxStates >= 1)) throw new RangeError('explore: maxStates must be at least 1');
  run.set.add(init);
  run.store.push(init, 0, 0);
  run.store.advance();
  // Stryker disable next-line ConditionalExpression,BooleanLiteral: `generic` only selects the path; both give the same results (test/explorer/engine.test.ts compares them)
  const fast = isIncremental(model) && options.generic !== true ? makeFast(model) : null;
  try {
    for (;;) {
      if (run.depth >= run.maxDepth) {
        frontier(run, model, fast);
        break;
      }
      const go = fast !== null ? levelIncremental(run, fast) : levelGeneric(run, model);
      if (!go || !run.store.advance()) break;
      run.depth++;
      options.onLevel?.({ depth: run.depth, states: run.set.size, seconds: (performance.now() - t0) / 1000 });
    }
  } finally {
    model.close?.();
  }
  const seconds = (performance.now() - t0) / 1000;
  const states = run.set.size;
  const bytes = run.set.bytes + run.store.bytes;
  return {
    states,
    transitions: run.transitions,
    maxDepth: run.store.trace(run.store.length - 1).length,
    complete: run.stoppedBy === null,
    stoppedBy: run.stoppedBy,
    deadlocks: run.deadlocks,
    firstDeadlock: run.firstDeadlock,
    seconds,
    statesPerSecond: seconds > 0 ? states / seconds : Infinity,
    bytes,
    bytesPerState: bytes / states,
    violations: run.violations,
  };
};

/** A trace as action names, for printing. */
export const traceNames = <S>(model: ExplorableModel<S>, trace: ReadonlyArray<number>): string[] => trace.map((a) => model.actionName(a));
