/** `dmacheck check`: search, print the verdict table and traces, optionally save the violations. */
import { budgetOf, differs } from '../model/designs/design.ts';
import { designById } from '../model/designs/index.ts';
import { MAX_STEPS } from '../properties/counterexample/load.ts';
import { savedLine, saveCounterexample, toCounterexampleFile } from '../properties/counterexample/save.ts';
import { confirmShortest } from '../properties/shortest.ts';
import { verdictsFor, type Verdict } from '../properties/verdicts.ts';
import { COUNTEREXAMPLES, type CheckArgs } from './args.ts';
import { worldError } from './explore.ts';
import { checkSeeds } from './check-seeds.ts';
import { progressNote } from './progress.ts';
import { describeWorld, inWorld, isDefaultWorld, showsEveryViolation, type World, worldFor } from '../model/designs/world-choice.ts';
import { textReport } from './cite/text.ts';
import { citationOfVerdict, formatTable, toJson } from './report.ts';

const save = (v: Verdict, world: World): { readonly ok: boolean; readonly line: string } => {
  const design = designById(v.design)!;
  const n = v.violation!.trace.length;
  if (n > MAX_STEPS) return { ok: false, line: `not saved: ${v.design} / ${v.invariant} has ${n} steps, over the limit of ${MAX_STEPS} a counterexample file may have` };
  const file = toCounterexampleFile(
    design,
    v.invariant,
    v.violation!.trace.map((t) => t.op),
    v.violation!.shortest?.kind === 'shorter' ? { by: 'dmacheck explore (breadth-first), shorter than the search found' } : { by: 'fast-check', seed: v.seed, path: v.violation!.path },
    undefined,
    undefined,
    world,
  );
  return savedLine(saveCounterexample(COUNTEREXAMPLES, file));
};

/** The designs that search with a bigger budget of their own (unless --runs was given). */
const more = (args: CheckArgs): string => {
  const own = args.designs.flatMap((id) => {
    const d = designById(id)!;
    const runs = !args.runsGiven && (d.searchRuns ?? 0) > args.runs ? [`${d.searchRuns} runs`] : [];
    const steps = !args.maxCommandsGiven && (d.searchCommands ?? 0) > args.maxCommands ? [`${d.searchCommands} steps`] : [];
    return runs.length + steps.length === 0 ? [] : [`${[...runs, ...steps].join(' of ')} for ${id}`];
  });
  return own.length === 0 ? '' : ` (${own.join(', ')})`;
};

export const check = (args: CheckArgs): number => {
  if (args.seeds !== undefined) return checkSeeds({ ...args, seeds: args.seeds });
  const misfit = worldError(args.designs, args.world);
  if (misfit !== null) {
    console.error(`dmacheck: ${misfit}`);
    return 2;
  }
  const here = (id: string) => inWorld(designById(id)!, args.world);
  if (!args.json)
    console.log(
      `dmacheck: ${args.designs.length} design(s) x ${args.invariants.length} invariant(s); seed ${args.seed}; up to ${args.runs} runs of up to ${args.maxCommands} steps per search${more(args)}${isDefaultWorld(args.world) ? '' : `; ${describeWorld(args.world)}`}\n`,
    );
  const all: Verdict[] = [];
  const note = progressNote(args.json);
  for (const [i, id] of args.designs.entries()) {
    const doing = `check: searching ${id} (design ${i + 1} of ${args.designs.length})`;
    note(doing);
    const design = here(id);
    try {
      const own = budgetOf(design, args.runs, args.maxCommands);
      const runs = args.runsGiven ? args.runs : own.runs;
      const maxCommands = args.maxCommandsGiven ? args.maxCommands : own.maxCommands;
      // A search of one design can take seconds: every thousand runs (its searches for each invariant together) the note says how far it is.
      let made = 0;
      const onRun = () => {
        made++;
        if (made % 1000 === 0) note(`check: ${id} (design ${i + 1} of ${args.designs.length}): ${made} runs`);
      };
      all.push(...verdictsFor(design, args.invariants, { seed: args.seed, runs, maxCommands, path: args.path, onRun }));
    } catch (err) {
      // fast-check refuses a replay path that does not lead to a failure with this seed and budget.
      if (args.path === undefined || !(err instanceof Error) || !/replay/i.test(err.message)) throw err;
      console.error(`dmacheck: --path: does not replay with seed ${args.seed}, --runs ${args.runs} and --max-commands ${args.maxCommands} (${err.message})`);
      return 2;
    }
  }
  // Ask the explorer whether each trace found is the shortest; a shorter one replaces it.
  for (const [i, v] of all.entries()) {
    if (v.violation === null || args.confirmStates === 0) continue;
    note(`check: is the ${v.design} / ${v.invariant} trace the shortest? (explorer, up to ${args.confirmStates} states)`);
    const s = confirmShortest(here(v.design), v.invariant, v.violation.moves, args.confirmStates);
    all[i] = {
      ...v,
      violation:
        s.kind === 'shorter'
          ? { message: s.message, trace: s.trace, moves: s.depth, path: v.violation.path, shortest: s }
          : { ...v.violation, shortest: s },
    };
  }
  note(null);
  // In another world than the design's own, an expected violation may need objects or steps that world lacks: said, not counted.
  const notHere = showsEveryViolation(args.world) ? [] : all.filter((v) => v.expected === 'violated' && v.verdict === 'held');
  const mismatches = all.filter((v) => differs(v.expected, v.verdict)).length - notHere.length;
  const tried = args.save ? all.filter((v) => v.violation !== null).map((v) => save(v, worldFor(designById(v.design)!, args.world))) : [];
  const saved = tried.filter((r) => r.ok).map((r) => r.line);
  // A save that failed (the corpus folder is a file, read-only, full; the name taken by something else) is said on stderr, and the exit status is 2.
  for (const r of tried.filter((x) => !x.ok)) console.error(`dmacheck: ${r.line}`);
  const unsaved = tried.some((r) => !r.ok);
  if (args.json) {
    console.log(JSON.stringify(toJson(all, args), null, 2));
    for (const line of saved) console.error(line);
  } else {
    console.log(formatTable(all, args.timing));
    for (const v of all.filter((x) => x.violation !== null)) console.log(`\n${textReport(citationOfVerdict(v, args)).trimEnd()}`);
    if (saved.length > 0) console.log(`\n${saved.join('\n')}`);
    const vacuous = all.filter((v) => v.verdict === 'held' && v.exercised === 0);
    if (vacuous.length > 0)
      console.log(
        `\nVacuous holds (never exercised, so "held" says nothing about them):\n${vacuous.map((v) => `  ${v.design} / ${v.invariant}`).join('\n')}`,
      );
    if (notHere.length > 0)
      console.log(
        `\nExpected violations not found in ${describeWorld(args.world)} (not counted as differing: this world may lack what they need):\n${notHere.map((v) => `  ${v.design} / ${v.invariant}`).join('\n')}`,
      );
    const violated = all.filter((v) => v.verdict === 'violated');
    const unexpected = violated.filter((v) => v.expected === 'held').length;
    const unknowns = all.filter((v) => v.expected === 'unknown');
    console.log(
      `\n${all.length} verdict(s): ${violated.length} violated (${unexpected} unexpected), ${all.filter((v) => v.verdict === 'held').length} held (${vacuous.length} vacuous)${unknowns.length === 0 ? '' : `\n${unknowns.length} expected unknown: ${unknowns.filter((v) => v.verdict === 'violated').length} found violated, ${unknowns.filter((v) => v.verdict === 'held').length} held (bounded), not counted either way`}\nheld: no violation found by the random search, not a proof\n${mismatches === 0 ? (notHere.length === 0 && unknowns.length === 0 ? 'all as expected' : 'none contradicts its design') : `${mismatches} differ from the design's expectation`}\n${mismatches === 0 ? `exit status 0: every verdict as its design expects (violations too)${unknowns.length === 0 ? '' : ', an unknown whatever it is'}` : 'exit status 1: a verdict differs from what its design expects'}`,
    );
  }
  return unsaved ? 2 : mismatches === 0 ? 0 : 1;
};
