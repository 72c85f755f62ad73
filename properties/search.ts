/**
 * The stateful search: fast-check generates sequences of a design's step
 * templates (driver and environment), runs them through one adapter that
 * boxes the immutable state, and checks the chosen invariants after every
 * kernel call. A violation throws, fast-check shrinks the sequence, and a
 * last pass (`minimize`) drops every command, then every pair of commands,
 * that the violation does not need.
 */
import fc from 'fast-check';
import * as O from 'fp-ts/lib/Option.js';
import type { Design, PlannedCall, StepTemplate } from '../model/designs/design.ts';
import { runPlan } from '../model/designs/design.ts';
import type { State } from '../model/state.ts';
import { makeWorld } from '../model/world.ts';
import type { Invariant, Violation } from './invariant.ts';
import { formatOp, type TraceStep } from './trace.ts';
import { ModelBug, wellFormed } from './well-formed.ts';

/** A template with a state-independent choice among its options: one command of a run. */
export interface Move {
  readonly template: StepTemplate;
  readonly choice: number;
}

/** The mutable box fast-check's model runner needs around our immutable state. */
interface Box {
  state: State;
  trace: TraceStep[];
  moves: Move[];
  /** The explorer's steps the moves took: one a move, but one a call for a search-only run of thread steps. */
  units: number;
}

export class ViolationFound extends Error {
  constructor(
    readonly violation: Violation,
    readonly trace: ReadonlyArray<TraceStep>,
    /** The commands that ran, in order (the last one failed). */
    readonly moves: ReadonlyArray<Move>,
    /** How many design steps the explorer would take for them (a search-only run of k thread steps is k). */
    readonly units: number,
  ) {
    super(`${violation.invariant}: ${violation.message}`);
  }
}

/** Check `invariants` on one planned call; the first that fails wins. */
export const judge = (invariants: ReadonlyArray<Invariant>, call: PlannedCall): Violation | null => {
  for (const inv of invariants) {
    const r = inv.check(call.before, call.op, call.step);
    if (O.isSome(r)) return { invariant: inv.id, message: r.value };
  }
  return null;
};

/** What a search exercised, counted as it runs. */
interface Stats {
  calls: number;
  /** Per invariant: kernel calls that reached the situation it guards. */
  exercised: Map<string, number>;
}

const newStats = (): Stats => ({ calls: 0, exercised: new Map() });

/** The option `choice` picks (cycling), run; null when there is none or the kernel rejects a call. */
const plan = (move: Move, s: State): ReadonlyArray<PlannedCall> | null => {
  const options = move.template.options(s);
  return options.length === 0 ? null : runPlan(s, options[move.choice % options.length]!);
};

/** Run planned calls on the box, judging each; throws ViolationFound. */
const execute = (m: Box, move: Move, calls: ReadonlyArray<PlannedCall>, invariants: ReadonlyArray<Invariant>, stats: Stats): void => {
  m.moves.push(move);
  const run = move.template.searchOnly === true;
  if (!run) m.units++;
  for (const call of calls) {
    if (run) m.units++;
    stats.calls++;
    for (const inv of invariants)
      if (inv.exercised(call.before, call.op, call.step)) stats.exercised.set(inv.id, (stats.exercised.get(inv.id) ?? 0) + 1);
    m.trace.push({ op: call.op, events: call.step.events });
    const bad = wellFormed(call.step.state);
    if (bad !== null) throw new ModelBug(`model bug after ${formatOp(call.op)}: ${bad}`);
    const v = judge(invariants, call);
    if (v !== null) throw new ViolationFound(v, [...m.trace], [...m.moves], m.units);
    m.state = call.step.state;
  }
};

class TemplateCommand implements fc.Command<Box, object> {
  private planned: { readonly state: State; readonly calls: ReadonlyArray<PlannedCall> | null } | null = null;
  /** The calls the command last ran, formatted only if fast-check displays the command. */
  private ran: ReadonlyArray<PlannedCall> | null = null;

  constructor(
    private readonly move: Move,
    private readonly invariants: ReadonlyArray<Invariant>,
    private readonly stats: Stats,
  ) {}

  private plan(s: State): ReadonlyArray<PlannedCall> | null {
    // Stryker disable next-line ConditionalExpression: planning is deterministic in the state; re-planning for the same state gives the same calls (a cache)
    if (this.planned?.state !== s) this.planned = { state: s, calls: plan(this.move, s) };
    return this.planned.calls;
  }

  check(m: Readonly<Box>): boolean {
    return this.plan(m.state) !== null;
  }

  run(m: Box): void {
    const calls = this.plan(m.state)!;
    this.ran = calls;
    execute(m, this.move, calls, this.invariants, this.stats);
  }

  // Stryker disable next-line BlockStatement: toString() is only fast-check's display of a command; search() extracts just the replayPath comment fast-check appends
  toString(): string {
    // Stryker disable next-line ConditionalExpression,EqualityOperator,StringLiteral,ArrowFunction: display only (see toString above)
    return this.ran === null || this.ran.length === 0 ? `${this.move.template.name}[${this.move.choice}]` : this.ran.map((c) => formatOp(c.op)).join('; ');
  }
}

/** Run `moves` in order from the design's initial state, skipping those not enabled (as fc.modelRun does). */
export const rerun = (design: Design, invariants: ReadonlyArray<Invariant>, moves: ReadonlyArray<Move>, stats: Stats = newStats()): ViolationFound | null => {
  const m: Box = { state: makeWorld(design.world), trace: [], moves: [], units: 0 };
  try {
    for (const move of moves) {
      const calls = plan(move, m.state);
      if (calls !== null) execute(m, move, calls, invariants, stats);
    }
  } catch (e) {
    if (e instanceof ViolationFound) return e;
    throw e;
  }
  return null;
};

/**
 * Drop every command, then every pair of commands, whose removal keeps a
 * violation of the same invariant, until none can go: fast-check's
 * shrinker only removes contiguous blocks, and a symbolic command ("the
 * k-th VMA") can need a non-contiguous pair gone at once.
 */
export const minimize = (design: Design, invariants: ReadonlyArray<Invariant>, found: ViolationFound, stats: Stats = newStats()): ViolationFound => {
  let best = found;
  const tryWithout = (drop: ReadonlyArray<number>): boolean => {
    const moves = best.moves.filter((_, i) => !drop.includes(i));
    const r = rerun(design, invariants, moves, stats);
    if (r === null || r.violation.invariant !== best.violation.invariant || r.trace.length >= best.trace.length) return false;
    best = r;
    return true;
  };
  for (let improved = true; improved; ) {
    improved = false;
    // Stryker disable next-line EqualityOperator: dropping index best.moves.length drops nothing; the rerun gives the same trace length, which tryWithout refuses
    for (let i = 0; i < best.moves.length && !improved; i++) improved = tryWithout([i]);
    for (let i = 0; i < best.moves.length && !improved; i++)
      for (let j = i + 1; j < best.moves.length && !improved; j++) improved = tryWithout([i, j]);
  }
  return best;
};

export interface SearchConfig {
  readonly seed: number;
  readonly runs: number;
  readonly maxCommands: number;
  /**
   * Where an earlier failure of the same search was: fast-check's path and
   * the commands' replay path, joined by '@' (as `SearchOutcome.path`).
   */
  readonly path?: string | undefined;
  /** Called once per run fast-check makes (shrinking's runs included): a progress display's hook; it changes nothing. */
  readonly onRun?: () => void;
  /**
   * Start at this run of the seed's sequence (`SearchOutcome.resume` of an
   * earlier search of the same design, seed and budget over more
   * invariants), counting what that search had counted before it. The
   * runs before it passed every invariant of that search, so they pass
   * these too: the outcome is the one a search from run 0 gives.
   */
  readonly resume?: Resume | undefined;
}

/** Where a search that found a violation stood when its failing run began. */
export interface Resume {
  /** The failing run's index in the seed's sequence of runs. */
  readonly run: number;
  readonly calls: number;
  readonly exercised: ReadonlyMap<string, number>;
}

export interface SearchOutcome {
  readonly found: ViolationFound | null;
  /** Runs executed (up to and including the first failing one). */
  readonly runs: number;
  readonly seed: number;
  readonly path: string | null;
  readonly ms: number;
  /** Kernel calls executed, shrinking included. */
  readonly calls: number;
  /** Per invariant id: kernel calls that reached the situation it guards. */
  readonly exercised: ReadonlyMap<string, number>;
  /** For a violation found by a search (not a replay of a path): where a search of fewer invariants may start. */
  readonly resume: Resume | null;
}

const choice = fc.nat({ max: 0xffff });

const commandsFor = (design: Design, invariants: ReadonlyArray<Invariant>, stats: Stats, maxCommands: number, replayPath: string | undefined) => {
  const templates = [...design.driver, ...design.environment];
  const commands = (ts: ReadonlyArray<StepTemplate>) =>
    fc.commands(
      [
        fc.oneof(
          ...ts.map((template) => ({
            arbitrary: choice.map((c) => new TemplateCommand({ template, choice: c }, invariants, stats) as fc.Command<Box, object>),
            weight: template.weight,
          })),
        ),
      ],
      { maxCommands, size: 'max', ...(replayPath === undefined ? {} : { replayPath }) },
    );
  if (design.searchSwarm !== true) return commands(templates);
  // Swarm: a random half of the environment's templates sits this run out.
  const optional = templates.filter((t) => t.role === 'environment' && t.swarm !== false);
  return fc
    .noBias(fc.array(fc.boolean(), { minLength: optional.length, maxLength: optional.length }))
    .chain((keep) => commands(templates.filter((t) => !optional.includes(t) || keep[optional.indexOf(t)] === true)));
};

/** Search `design` for a violation of any of `invariants`. */
export const search = (design: Design, invariants: ReadonlyArray<Invariant>, cfg: SearchConfig): SearchOutcome => {
  const initial = makeWorld(design.world);
  // Stryker disable next-line ArrayDeclaration: destructuring [] gives the same two undefineds
  const [fcPath, replayPath] = cfg.path === undefined ? [undefined, undefined] : cfg.path.split('@');
  const from = fcPath === undefined ? (cfg.resume?.run ?? 0) : 0;
  const stats: Stats = cfg.resume === undefined || fcPath !== undefined ? newStats() : { calls: cfg.resume.calls, exercised: new Map(cfg.resume.exercised) };
  // What the counts were when the first failing run began (fast-check shrinks after it).
  let before: Resume | null = null;
  let failed = false;
  const prop = fc.property(commandsFor(design, invariants, stats, cfg.maxCommands, replayPath), (cmds) => {
    cfg.onRun?.();
    if (!failed) before = { run: 0, calls: stats.calls, exercised: new Map(stats.exercised) };
    try {
      fc.modelRun(() => ({ model: { state: initial, trace: [], moves: [], units: 0 }, real: {} }), cmds);
    } catch (e) {
      failed = true;
      throw e;
    }
  });
  const t0 = performance.now();
  // A path without shrink steps starts the sequence at that run and goes on from there (fast-check's pathWalk).
  const start = fcPath ?? (from > 0 ? String(from) : undefined);
  const out = fc.check(prop, { seed: cfg.seed, numRuns: cfg.runs - from, ...(start === undefined ? {} : { path: start }) });
  if (!out.failed) {
    if (fcPath !== undefined) throw new Error('the replay path did not lead to a failing run');
    return { found: null, runs: from + out.numRuns, seed: cfg.seed, path: null, ms: performance.now() - t0, calls: stats.calls, exercised: stats.exercised, resume: null };
  }
  if (!(out.errorInstance instanceof ViolationFound)) throw out.errorInstance;
  const found = minimize(design, invariants, out.errorInstance, stats);
  const replay = /replayPath="([^"]*)"/.exec(String(out.counterexample?.[0] ?? ''))?.[1] ?? '';
  const failing = Number((out.counterexamplePath ?? '0').split(':')[0]);
  // A replay of a path runs only its run; the path's first index says which run of the search that was.
  const runs = fcPath === undefined ? from + out.numRuns : failing + 1;
  const resume = fcPath === undefined && before !== null ? { ...(before as Resume), run: failing } : null;
  return { found, runs, seed: cfg.seed, path: `${out.counterexamplePath ?? ''}@${replay}`, ms: performance.now() - t0, calls: stats.calls, exercised: stats.exercised, resume };
};
