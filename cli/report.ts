/** Printing verdicts: the table, the traces, and the JSON form. */
import { designById } from '../model/designs/index.ts';
import { threadsOf } from '../properties/counterexample/threads.ts';
import { causesOf } from '../properties/counterexample/causes.ts';
import type { Citation } from '../properties/counterexample/cite.ts';
import { counterexampleId } from '../properties/counterexample/format.ts';
import { toJsonStep, describeEvents, formatOp } from '../properties/trace.ts';
import type { Verdict } from '../properties/verdicts.ts';
import type { CheckArgs } from './args.ts';
import { shellLine } from './cite/shell.ts';
import { shortestNote } from '../properties/shortest.ts';
import { describeWorld, inWorld, isDefaultWorld, type World, worldFlags, worldFor, worldRecord } from '../model/designs/world-choice.ts';

const pad = (s: string, n: number): string => s.padEnd(n);

const seconds = (ms: number): string => `${(ms / 1000).toFixed(2)}s`;

/** The verdict table; the time column only with `timing` (wall clock differs from run to run). */
export const formatTable = (vs: ReadonlyArray<Verdict>, timing = true): string => {
  const wd = Math.max(6, ...vs.map((v) => v.design.length));
  const wi = Math.max(9, ...vs.map((v) => v.invariant.length));
  const time = (s: string) => (timing ? `  ${s.padStart(7)}` : '');
  // A search's hold is a sample: for an expectation nobody knows, the table says what was found and that it is bounded.
  const agreement = (v: Verdict): string =>
    v.expected === 'unknown' ? `unknown -> ${v.verdict === 'held' ? 'held (bounded)' : 'violated'}` : v.verdict === v.expected ? 'yes' : `NO: ${v.expected}`;
  // The column keeps its width: a longer "unknown -> ..." pushes only its own row, so the other rows print as without it.
  const head = `${pad('design', wd)}  ${pad('invariant', wi)}  ${pad('verdict', 8)}  ${pad('as expected', 11)}  ${'runs'.padStart(6)}  ${'exercised'.padStart(9)}${time('time')}`;
  const rows = vs.map(
    (v) =>
      `${pad(v.design, wd)}  ${pad(v.invariant, wi)}  ${pad(v.verdict, 8)}  ${pad(agreement(v), 11)}  ${String(v.runs).padStart(6)}  ${(v.verdict === 'held' && v.exercised === 0 ? 'never' : String(v.exercised)).padStart(9)}${time(seconds(v.ms))}`,
  );
  return [head, '-'.repeat(head.length), ...rows].join('\n');
};

/** The command that reruns exactly the search (or, for a trace the explorer shortened, the exploration) that found `v`, as words. */
export const replayCommand = (v: Verdict, args: CheckArgs): ReadonlyArray<string> => replayIn(v, args, worldFor(designById(v.design)!, args.world));

const replayIn = (v: Verdict, args: CheckArgs, world: World): ReadonlyArray<string> => [
  ...(v.violation?.shortest?.kind === 'shorter'
    ? ['npx', 'dmacheck', 'explore', '--design', v.design, '--invariant', v.invariant, '--depth', String(v.violation.shortest.depth), '--max-states', String(args.confirmStates)]
    : searchCommand(v)),
  ...worldFlags(world),
];

const searchCommand = (v: Verdict): ReadonlyArray<string> => [
  'npm',
  'run',
  'check',
  '--',
  '--design',
  v.design,
  ...v.searched.flatMap((i) => ['--invariant', i]),
  '--seed',
  String(v.seed),
  '--max-commands',
  String(v.maxCommands),
  '--runs',
  String(v.budget),
  ...(v.violation === null ? [] : ['--path', v.violation.path]),
];

/** A violation straight from a search, as the same 72-column text report `dmacheck report` prints. */
/** How the trace was found, and whether the explorer confirmed it is the shortest. */
const foundNote = (v: Verdict, world: World): string => {
  const x = v.violation!;
  const s = x.shortest;
  const where = isDefaultWorld(world) ? '' : `, ${describeWorld(world)}`;
  if (s?.kind === 'shorter') return `breadth-first exploration, after fast-check's run ${v.runs} of seed ${v.seed}${where}; ${shortestNote(s, 0)}`;
  const search = `fast-check, run ${v.runs} of seed ${v.seed}, shrunk to ${x.trace.length} steps${where}`;
  return s === undefined ? search : `${search}; ${shortestNote(s, x.moves)}`;
};

export const citationOfVerdict = (v: Verdict, args: CheckArgs): Citation => {
  const trace = v.violation!.trace;
  return {
    id: counterexampleId(v.design, trace.map((t) => toJsonStep(t.op)), isDefaultWorld(args.world) ? undefined : worldRecord(worldFor(designById(v.design)!, args.world))),
    source: '',
    title: undefined,
    design: v.design,
    invariant: v.invariant,
    violatesAt: trace.length,
    steps: trace.map((t, i) => ({ n: i + 1, call: formatOp(t.op), effects: describeEvents(t.events) })),
    violation: v.violation!.message,
    replay: replayCommand(v, args),
    found: foundNote(v, args.world),
    ...(isDefaultWorld(args.world) ? {} : { world: worldRecord(worldFor(designById(v.design)!, args.world)) }),
    threads: threadsOf(inWorld(designById(v.design)!, args.world), trace.map((t) => t.op)),
    causes: causesOf(inWorld(designById(v.design)!, args.world), trace.map((t) => t.op), v.invariant, trace.length),
  };
};

export const toJson = (vs: ReadonlyArray<Verdict>, args: CheckArgs): object => ({
  ...(isDefaultWorld(args.world) ? {} : { world: worldRecord(args.world) }),
  seed: args.seed,
  runs: args.runs,
  maxCommands: args.maxCommands,
  results: vs.map((v) => ({
    design: v.design,
    invariant: v.invariant,
    verdict: v.verdict,
    expected: v.expected,
    runs: v.runs,
    seed: v.seed,
    exercised: v.exercised,
    ...(v.verdict === 'held' && v.exercised === 0 ? { vacuous: true } : {}),
    ...(v.violation === null
      ? {}
      : {
          steps: v.violation.trace.map((t) => toJsonStep(t.op)),
          violatesAt: v.violation.trace.length,
          message: v.violation.message,
          path: v.violation.path,
          replay: shellLine(replayCommand(v, args)),
          ...(v.violation.shortest === undefined
            ? {}
            : {
                shortest:
                  v.violation.shortest.kind === 'shorter'
                    ? { confirmed: true, replaced: true, by: 'explorer', states: v.violation.shortest.states, steps: v.violation.shortest.depth }
                    : { confirmed: v.violation.shortest.kind === 'confirmed', by: 'explorer', states: v.violation.shortest.states },
              }),
        }),
  })),
  // Wall-clock figures live here alone, so that `--no-timing` output is the same on every run.
  ...(args.timing ? { timing: { seconds: vs.map((v) => ({ design: v.design, invariant: v.invariant, seconds: Number((v.ms / 1000).toFixed(3)) })) } } : {}),
});
