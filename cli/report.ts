/** Printing verdicts: the table, the traces, and the JSON form. */
import type { Citation } from '../properties/counterexample/cite.ts';
import { counterexampleId } from '../properties/counterexample/format.ts';
import { toJsonStep, describeEvents, formatOp } from '../properties/trace.ts';
import type { Verdict } from '../properties/verdicts.ts';
import type { CheckArgs } from './args.ts';

const pad = (s: string, n: number): string => s.padEnd(n);

const seconds = (ms: number): string => `${(ms / 1000).toFixed(2)}s`;

export const formatTable = (vs: ReadonlyArray<Verdict>): string => {
  const wd = Math.max(6, ...vs.map((v) => v.design.length));
  const wi = Math.max(9, ...vs.map((v) => v.invariant.length));
  const head = `${pad('design', wd)}  ${pad('invariant', wi)}  ${pad('verdict', 8)}  ${pad('as expected', 11)}  ${'runs'.padStart(6)}  ${'exercised'.padStart(9)}  ${'time'.padStart(7)}`;
  const rows = vs.map(
    (v) =>
      `${pad(v.design, wd)}  ${pad(v.invariant, wi)}  ${pad(v.verdict, 8)}  ${pad(v.verdict === v.expected ? 'yes' : `NO: ${v.expected}`, 11)}  ${String(v.runs).padStart(6)}  ${(v.verdict === 'held' && v.exercised === 0 ? 'never' : String(v.exercised)).padStart(9)}  ${seconds(v.ms).padStart(7)}`,
  );
  return [head, '-'.repeat(head.length), ...rows].join('\n');
};

/** The command that reruns exactly the search that found `v`. */
export const replayCommand = (v: Verdict, args: CheckArgs): string =>
  [
    'npm run check --',
    `--design ${v.design}`,
    ...v.searched.map((i) => `--invariant ${i}`),
    `--seed ${v.seed}`,
    `--max-commands ${args.maxCommands}`,
    `--runs ${args.runs}`,
    ...(v.violation === null ? [] : [`--path ${v.violation.path}`]),
  ].join(' ');

/** A violation straight from a search, as the same 72-column text report `dmacheck report` prints. */
export const citationOfVerdict = (v: Verdict, args: CheckArgs): Citation => {
  const trace = v.violation!.trace;
  return {
    id: counterexampleId(v.design, trace.map((t) => toJsonStep(t.op))),
    source: '',
    title: undefined,
    design: v.design,
    invariant: v.invariant,
    violatesAt: trace.length,
    steps: trace.map((t, i) => ({ n: i + 1, call: formatOp(t.op), effects: describeEvents(t.events) })),
    violation: v.violation!.message,
    replay: replayCommand(v, args),
    found: `fast-check, run ${v.runs} of seed ${v.seed}, shrunk to ${trace.length} steps`,
  };
};

export const toJson = (vs: ReadonlyArray<Verdict>, args: CheckArgs): object => ({
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
    seconds: Number((v.ms / 1000).toFixed(3)),
    ...(v.violation === null
      ? {}
      : {
          steps: v.violation.trace.map((t) => toJsonStep(t.op)),
          violatesAt: v.violation.trace.length,
          message: v.violation.message,
          path: v.violation.path,
          replay: replayCommand(v, args),
        }),
  })),
});
