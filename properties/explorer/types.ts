/**
 * The explorer's model interface, options and result (see engine.ts).
 */

export interface ExplorableModel<S> {
  /** Number of action slots; their order is the BFS tie-break order. */
  readonly actionCount: number;
  initial(): S;
  /** Exact key: a non-negative integer < 2**53, injective on reachable states. */
  encode(s: S): number;
  /** Inverse of `encode`. */
  decode(key: number): S;
  /** Successor of `s` by `action`, or null when the action is not enabled. Must not modify `s`. */
  next(s: S, action: number): S | null;
  /** Violation ids of the step `s --action--> t` (step properties); [] if none. */
  violations(s: S, action: number, t: S): ReadonlyArray<string>;
  actionName(action: number): string;
  /**
   * Optional, generic path only: called before a level is expanded with the
   * keys of its states in the order they will be decoded (`frontier`: the
   * level at the depth bound, whose successors are only looked up). A model
   * that computes successors elsewhere (worker threads) starts them here.
   */
  prepareLevel?(keys: Float64Array, length: number, frontier: boolean): void;
  /** Optional: called once when exploration ends, however it ends. */
  close?(): void;
}

/**
 * The allocation-free fast path (optional). The explorer decodes each
 * key it expands once into a reusable scratch state and asks for successor
 * keys, which the model can compute incrementally (key + change of each
 * digit x its weight) instead of building and encoding a state.
 */
export interface IncrementalModel<S> extends ExplorableModel<S> {
  /** A fresh scratch state for `decodeInto`. */
  scratch(): S;
  /** Decode `key` into `into`, overwriting it (the model may cache derived facts there). */
  decodeInto(key: number, into: S): void;
  /**
   * Key of `next(s, action)`, or -1 when not enabled. `s` is `key` decoded
   * by `decodeInto`; it must be left unchanged.
   */
  nextKey(key: number, s: S, action: number): number;
  /** Optional batch form of `nextKey`: out[a] := nextKey(key, s, a) for every action a. */
  successorKeys?(key: number, s: S, out: Float64Array): void;
  /**
   * Violation ids of the enabled step from `s` by `action` to the state
   * `nextKey` (decode it if the check needs the post-state); [] if none.
   */
  stepViolations(s: S, action: number, nextKey: number): ReadonlyArray<string>;
  /** Optional: false for actions whose steps can never violate anything (their check is skipped). */
  mayViolate?(action: number): boolean;
}

export interface ExploreOptions {
  /** States at this depth are stored but not expanded. */
  readonly maxDepth?: number;
  /** Stop when a new state would exceed this many stored states. */
  readonly maxStates?: number;
  /** Stop once a violation (true) or a violation of one of these ids is recorded. */
  readonly stopAtFirstViolation?: boolean | ReadonlySet<string>;
  /** Only 'first-per-id' (the default): keep the first violation of each id in BFS order. */
  readonly recordViolations?: 'first-per-id';
  /** Use the generic `next`/`encode` path even if the model is incremental (for testing). */
  readonly generic?: boolean;
  /** Called after each BFS level is expanded (for a progress line). */
  readonly onLevel?: (progress: { readonly depth: number; readonly states: number; readonly seconds: number }) => void;
}

export interface ViolationRecord {
  /** Length of the trace: the number of actions, the violating one included. */
  readonly depth: number;
  /** Action indices from the initial state; the last one is the violating step. */
  readonly trace: ReadonlyArray<number>;
}

export type StopReason = 'maxDepth' | 'maxStates' | 'violation';

export interface ExploreResult {
  /** Distinct states stored. */
  readonly states: number;
  /** Edges: enabled actions taken from expanded states, including ones to already-seen states. */
  readonly transitions: number;
  /** BFS depth of the deepest stored state. */
  readonly maxDepth: number;
  /** True iff the whole reachable space was explored (no bound or stop cut it). */
  readonly complete: boolean;
  /** What cut the exploration, if anything. */
  readonly stoppedBy: StopReason | null;
  /** Expanded states with no enabled action. */
  readonly deadlocks: number;
  /** Trace to the first deadlock in BFS order, or null. */
  readonly firstDeadlock: ReadonlyArray<number> | null;
  readonly seconds: number;
  readonly statesPerSecond: number;
  /** Bytes of the typed arrays allocated for the set and the queue. */
  readonly bytes: number;
  readonly bytesPerState: number;
  readonly violations: ReadonlyMap<string, ViolationRecord>;
}
