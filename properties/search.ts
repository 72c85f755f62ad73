/**
 * The stateful search: fast-check generates sequences of a design's step
 * templates (driver and environment), runs them through one adapter that
 * boxes the immutable state, and checks the chosen invariants after every
 * kernel call. A violation throws, and fast-check shrinks the sequence.
 */
import fc from 'fast-check';
import * as O from 'fp-ts/lib/Option.js';
import type { Choice, Design, PlannedCall, StepTemplate } from '../model/designs/design.ts';
import { runPlan } from '../model/designs/design.ts';
import type { State } from '../model/state.ts';
import { makeWorld } from '../model/world.ts';
import type { Invariant, Violation } from './invariant.ts';
import { formatOp, type TraceStep } from './trace.ts';

/** The mutable box fast-check's model runner needs around our immutable state. */
interface Box {
  state: State;
  trace: TraceStep[];
}

export class ViolationFound extends Error {
  constructor(
    readonly violation: Violation,
    readonly trace: ReadonlyArray<TraceStep>,
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

class TemplateCommand implements fc.Command<Box, object> {
  private planned: { readonly state: State; readonly calls: ReadonlyArray<PlannedCall> | null } | null = null;
  private shown = '';

  constructor(
    private readonly template: StepTemplate,
    private readonly choice: Choice,
    private readonly invariants: ReadonlyArray<Invariant>,
  ) {}

  private plan(s: State): ReadonlyArray<PlannedCall> | null {
    if (this.planned?.state !== s) {
      const builds = this.template.plan(s, this.choice);
      this.planned = { state: s, calls: builds === null ? null : runPlan(s, builds) };
    }
    return this.planned.calls;
  }

  check(m: Readonly<Box>): boolean {
    return this.plan(m.state) !== null;
  }

  run(m: Box): void {
    const calls = this.plan(m.state)!;
    this.shown = calls.map((c) => formatOp(c.op)).join('; ');
    for (const call of calls) {
      m.trace.push({ op: call.op, events: call.step.events });
      const v = judge(this.invariants, call);
      if (v !== null) throw new ViolationFound(v, [...m.trace]);
      m.state = call.step.state;
    }
  }

  toString(): string {
    return this.shown === '' ? `${this.template.name}[${this.choice.join(',')}]` : this.shown;
  }
}

export interface SearchConfig {
  readonly seed: number;
  readonly runs: number;
  readonly maxCommands: number;
  /**
   * Where an earlier failure of the same search was: fast-check's path and
   * the commands' replay path, joined by '@' (as `SearchOutcome.path`).
   */
  readonly path?: string | undefined;
}

export interface SearchOutcome {
  readonly found: ViolationFound | null;
  /** Runs executed (up to and including the first failing one). */
  readonly runs: number;
  readonly seed: number;
  readonly path: string | null;
  readonly ms: number;
}

const choice = fc.tuple(fc.nat({ max: 0xffff }), fc.nat({ max: 0xffff }), fc.nat({ max: 0xffff }));

const commandsFor = (design: Design, invariants: ReadonlyArray<Invariant>, maxCommands: number, replayPath: string | undefined) => {
  const templates = [...design.driver, ...design.environment];
  const arb = fc.oneof(
    ...templates.map((t) => ({ arbitrary: choice.map((c) => new TemplateCommand(t, c, invariants) as fc.Command<Box, object>), weight: t.weight })),
  );
  return fc.commands([arb], { maxCommands, size: 'max', ...(replayPath === undefined ? {} : { replayPath }) });
};

/** Search `design` for a violation of any of `invariants`. */
export const search = (design: Design, invariants: ReadonlyArray<Invariant>, cfg: SearchConfig): SearchOutcome => {
  const initial = makeWorld(design.world);
  const [fcPath, replayPath] = cfg.path === undefined ? [undefined, undefined] : cfg.path.split('@');
  const prop = fc.property(commandsFor(design, invariants, cfg.maxCommands, replayPath), (cmds) => {
    fc.modelRun(() => ({ model: { state: initial, trace: [] }, real: {} }), cmds);
  });
  const t0 = performance.now();
  const out = fc.check(prop, { seed: cfg.seed, numRuns: cfg.runs, ...(fcPath === undefined ? {} : { path: fcPath }) });
  const ms = performance.now() - t0;
  if (!out.failed) return { found: null, runs: out.numRuns, seed: cfg.seed, path: null, ms };
  if (!(out.errorInstance instanceof ViolationFound)) throw out.errorInstance;
  const commands = String(out.counterexample?.[0] ?? '');
  const replay = /replayPath="([^"]*)"/.exec(commands)?.[1] ?? '';
  return { found: out.errorInstance, runs: out.numRuns, seed: cfg.seed, path: `${out.counterexamplePath ?? ''}@${replay}`, ms };
};
