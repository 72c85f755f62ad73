/**
 * A design is an API proposal written as data: the world it runs in, the
 * steps a driver following its recipe may take (in protocol order), the
 * environment events it must survive, and the verdict its authors (or
 * the kernel's history) expect per invariant, each with a one-line reason.
 *
 * A step template lists, for the current state, every distinct way the
 * step can be taken ("munmap this VMA", "map this table for writing"),
 * each as the kernel calls it makes. The random search picks one by a
 * state-independent number (so sequences mostly stay enabled and shrink
 * well); the explorer takes them all. A template may expand into several
 * calls when the recipe issues them back to back.
 */
import * as E from 'fp-ts/lib/Either.js';
import type { InvariantId } from '../../properties/invariant.ts';
import type { Op } from '../op.ts';
import type { Step } from '../result.ts';
import type { State } from '../state.ts';
import { step } from '../step.ts';
import type { WorldSpec } from '../world.ts';

/** One call of a template: `made[i]` is the id the i-th earlier call of the same option created. */
export type Build = (s: State, made: ReadonlyArray<number>) => Op | null;

/** One way of taking a step: its calls, in order. */
export type Plan = ReadonlyArray<Build>;

export interface StepTemplate {
  readonly name: string;
  readonly role: 'driver' | 'environment';
  /** Relative frequency in the random search. */
  readonly weight: number;
  /** Every way this step can be taken in `s`, in a fixed order; empty when it is not enabled. */
  readonly options: (s: State) => ReadonlyArray<Plan>;
  /**
   * A shortcut for the random search only: each of its options is a run of
   * steps other templates take one at a time, so every state it reaches is
   * reached without it, and the explorer leaves it out.
   */
  readonly searchOnly?: boolean;
  /** false: never left out of a swarm run (the kernel finishing what another step started). */
  readonly swarm?: false;
}

/**
 * What a design expects of an invariant: `violated` or `held`, each with
 * the reason, or `unknown` for a design under review whose answer nobody
 * knows yet: check and explore report what they find for it (`unknown ->
 * violated`, `unknown -> held (complete world | bounded)`) without
 * counting it as agreeing or differing (docs/adding-a-design.md).
 */
export type Expected = 'violated' | 'held' | 'unknown';

export interface Expectation {
  readonly verdict: Expected;
  readonly why: string;
}

/** Does a verdict found contradict what was expected? Never for `unknown`. */
export const differs = (expected: Expected, found: 'violated' | 'held'): boolean => expected !== 'unknown' && expected !== found;

export interface Design {
  readonly id: string;
  readonly title: string;
  readonly summary: string;
  readonly source: string;
  readonly world: WorldSpec;
  readonly driver: ReadonlyArray<StepTemplate>;
  readonly environment: ReadonlyArray<StepTemplate>;
  readonly expected: Readonly<Record<InvariantId, Expectation>>;
  /**
   * Runs the random search needs for this design's violations when more
   * than the default: races of many driver-thread steps in one order.
   * `check` uses it unless `--runs` is given; the replay command names it.
   */
  readonly searchRuns?: number;
  /**
   * Swarm testing (Groce et al., ISSTA 2012) in the random search: each run
   * leaves out a random half of the environment's templates, so that a
   * run without exit, fork or removal gets deep into a race those would
   * have cut short. Adopted where measured to help (docs/performance.md).
   */
  readonly searchSwarm?: boolean;
  /** Steps per run of the random search when more than the default (`--max-commands`), for the same reason as `searchRuns`. */
  readonly searchCommands?: number;
  /**
   * How this design's driver makes a call recorded from another design
   * (cross-design replay): the calls it issues instead, in state `s`.
   * Absent: every call is made as it is.
   */
  readonly translate?: (op: Op, s: State) => ReadonlyArray<Op>;
  /**
   * The design's complete world (`--world complete`), when one is known:
   * the sizes and bounds (`--set` keys) and the steps left out of its own
   * world that still show every expected violation of it and of its
   * sibling designs, small enough for `explore` to finish. `why` says, for
   * the design's family, why the world is large enough for its holds.
   */
  readonly completeWorld?: CompleteWorld;
  /**
   * Why a started removal of the design's P2PDMA provider is expected to
   * hang (explore's removal liveness: HANGS), where that is the design's
   * point. Absent, a removal that hangs contradicts the design's
   * expectation, as an unexpected violation does (explore exits 1).
   */
  readonly removalHangs?: string;
}

/** A design's complete world: a change of its own world, and why it is large enough. */
export interface CompleteWorld {
  readonly set: Readonly<Partial<Record<'ram-pages' | 'file-pages' | 'bar-pages' | 'swap-slots' | 'vmas' | 'mms' | 'notifiers' | 'ios' | 'mappings', number>>>;
  readonly without: ReadonlyArray<string>;
  readonly why: string;
}

export interface PlannedCall {
  readonly op: Op;
  readonly before: State;
  readonly step: Step;
}

/** Run the builds in order; null if any is not enabled or the kernel rejects a call. */
export const runPlan = (s: State, builds: ReadonlyArray<Build>): ReadonlyArray<PlannedCall> | null => {
  const calls: PlannedCall[] = [];
  const made: number[] = [];
  let cur = s;
  for (const b of builds) {
    const op = b(cur, made);
    if (op === null) return null;
    const out = step(cur, op);
    if (E.isLeft(out)) return null;
    calls.push({ op, before: cur, step: out.right });
    made.push(cur.nextId);
    cur = out.right.state;
  }
  return calls;
};

/** The search budget a design gets from default `runs` and `maxCommands`: its own where it asks for more. */
export const budgetOf = (d: Design, runs: number, maxCommands: number): { readonly runs: number; readonly maxCommands: number } => ({
  runs: Math.max(runs, d.searchRuns ?? 0),
  maxCommands: Math.max(maxCommands, d.searchCommands ?? 0),
});

export const held = (why: string): Expectation => ({ verdict: 'held', why });

/** The dmabuf-protocol expectation of every design without a dma-buf. */
export const noDmaBuf: Expectation = held('No dma-buf is exported: nothing for the rule to judge.');
/** The iova-state expectation of every design that allocates no IOVA range. */
export const noIova: Expectation = held('No IOVA range is allocated (no dma_iova_try_alloc): nothing for the rule to judge.');
/** The p2p-reachable expectation of every design whose map calls give their devices right addresses only (P2P pages by their route, RAM by the DMA API). */
export const reachable: Expectation = held('Every map call gives its device an address that reaches the memory it was made for.');
export const violated = (why: string): Expectation => ({ verdict: 'violated', why });
/** The answer is what the tool is run to find: `why` says what is asked and why nobody knows. */
export const unknown = (why: string): Expectation => ({ verdict: 'unknown', why });

/** A template whose every option is exactly one call. */
export const single = (name: string, role: StepTemplate['role'], weight: number, f: (s: State) => ReadonlyArray<Op>): StepTemplate => ({
  name,
  role,
  weight,
  options: (s) => f(s).map((op) => [() => op]),
});

/** Both values of a flag, for listing options. */
export const bools: ReadonlyArray<boolean> = [true, false];
