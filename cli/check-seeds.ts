/**
 * `dmacheck check --seeds A..B`: the search `check` makes, once per seed of
 * the range, and how often each verdict came out. A violation found on 19
 * of 20 seeds is one a reviewer should not trust a single "held" about; a
 * hold on every seed is as strong as the budget times the seeds. Exit 0
 * when every seed gave every verdict its design expects, 1 otherwise (the
 * seeds that differ are listed).
 */
import { budgetOf, differs, type Expected } from '../model/designs/design.ts';
import { designById } from '../model/designs/index.ts';
import { describeWorld, inWorld, isDefaultWorld, worldRecord } from '../model/designs/world-choice.ts';
import type { InvariantId } from '../properties/invariant.ts';
import { type Verdict, verdictsFor } from '../properties/verdicts.ts';
import type { CheckArgs } from './args.ts';
import { worldError } from './explore.ts';
import { progressNote } from './progress.ts';

interface Row {
  readonly design: string;
  readonly invariant: InvariantId;
  readonly expected: Expected;
  /** Seeds on which the search found a violation, with the runs it took. */
  readonly found: ReadonlyArray<{ readonly seed: number; readonly runs: number }>;
  /** Seeds whose verdict differs from the design's expectation. */
  readonly differ: ReadonlyArray<number>;
}

const median = (xs: ReadonlyArray<number>): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 === 1 ? s[s.length >> 1]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
};

const rowsOf = (design: string, invariants: ReadonlyArray<InvariantId>, perSeed: ReadonlyArray<{ readonly seed: number; readonly verdicts: ReadonlyArray<Verdict> }>): ReadonlyArray<Row> =>
  invariants.map((invariant) => {
    const of = perSeed.map(({ seed, verdicts }) => ({ seed, v: verdicts.find((x) => x.invariant === invariant)! }));
    return {
      design,
      invariant,
      expected: of[0]!.v.expected,
      found: of.filter((x) => x.v.verdict === 'violated').map((x) => ({ seed: x.seed, runs: x.v.runs })),
      differ: of.filter((x) => differs(x.v.expected, x.v.verdict)).map((x) => x.seed),
    };
  });

/** Seeds as ranges: `1..3, 7`. */
const seedList = (xs: ReadonlyArray<number>): string => {
  const parts: string[] = [];
  for (let i = 0; i < xs.length; ) {
    let j = i;
    while (j + 1 < xs.length && xs[j + 1] === xs[j]! + 1) j++;
    parts.push(j > i ? `${xs[i]}..${xs[j]}` : String(xs[i]));
    i = j + 1;
  }
  return parts.join(', ');
};

export const checkSeeds = (args: CheckArgs & { readonly seeds: { readonly from: number; readonly to: number } }): number => {
  const misfit = worldError(args.designs, args.world);
  if (misfit !== null) {
    console.error(`dmacheck: ${misfit}`);
    return 2;
  }
  const seeds = Array.from({ length: args.seeds.to - args.seeds.from + 1 }, (_, i) => args.seeds.from + i);
  const t0 = performance.now();
  const note = progressNote(args.json);
  const rows = args.designs.flatMap((id) => {
    const design = inWorld(designById(id)!, args.world);
    const own = budgetOf(design, args.runs, args.maxCommands);
    const runs = args.runsGiven ? args.runs : own.runs;
    const maxCommands = args.maxCommandsGiven ? args.maxCommands : own.maxCommands;
    const perSeed = seeds.map((seed, k) => {
      note(`check --seeds: ${id}, seed ${seed} (${k + 1} of ${seeds.length})`);
      return { seed, verdicts: verdictsFor(design, args.invariants, { seed, runs, maxCommands }) };
    });
    return rowsOf(id, args.invariants, perSeed);
  });
  note(null);
  const seconds = (performance.now() - t0) / 1000;
  // In another world than the design's own, an expected violation not found is listed, not counted (as check does).
  const differing = rows.filter((r) => r.differ.length > 0 && (isDefaultWorld(args.world) || r.expected !== 'violated'));
  const range = `${args.seeds.from}..${args.seeds.to}`;
  if (args.json) {
    console.log(
      JSON.stringify(
        {
          ...(isDefaultWorld(args.world) ? {} : { world: worldRecord(args.world) }),
          seeds: { from: args.seeds.from, to: args.seeds.to },
          runs: args.runs,
          maxCommands: args.maxCommands,
          results: rows.map((r) => ({
            design: r.design,
            invariant: r.invariant,
            expected: r.expected,
            violatedOn: r.found.length,
            of: seeds.length,
            ...(r.found.length === 0 ? {} : { medianRuns: median(r.found.map((x) => x.runs)), worstRuns: Math.max(...r.found.map((x) => x.runs)) }),
            differOn: r.differ,
          })),
          ...(args.timing ? { timing: { seconds: Number(seconds.toFixed(3)) } } : {}),
        },
        null,
        2,
      ),
    );
    return differing.length === 0 ? 0 : 1;
  }
  console.log(
    `dmacheck: ${args.designs.length} design(s) x ${args.invariants.length} invariant(s); seeds ${range} (${seeds.length}); up to ${args.runs} runs of up to ${args.maxCommands} steps per search${args.runsGiven ? '' : ", or the design's own budget where it asks for more"}${isDefaultWorld(args.world) ? '' : `; ${describeWorld(args.world)}`}\n`,
  );
  const wd = Math.max(6, ...rows.map((r) => r.design.length));
  const wi = Math.max(9, ...rows.map((r) => r.invariant.length));
  const head = `${'design'.padEnd(wd)}  ${'invariant'.padEnd(wi)}  ${'expected'.padEnd(8)}  ${'violated on'.padStart(11)}  ${'runs to find (median, worst)'.padStart(28)}  as expected`;
  console.log(head);
  console.log('-'.repeat(head.length));
  for (const r of rows) {
    const runs = r.found.length === 0 ? '-' : `${median(r.found.map((x) => x.runs))} (${Math.max(...r.found.map((x) => x.runs))})`;
    const ok = r.expected === 'unknown' ? `unknown: violated on ${r.found.length}` : r.differ.length === 0 ? 'yes' : `NO on ${r.differ.length}`;
    console.log(`${r.design.padEnd(wd)}  ${r.invariant.padEnd(wi)}  ${r.expected.padEnd(8)}  ${`${r.found.length}/${seeds.length}`.padStart(11)}  ${runs.padStart(28)}  ${ok}`);
  }
  if (differing.length > 0)
    console.log(`\nSeeds whose verdict differs from the design's expectation:\n${differing.map((r) => `  ${r.design} / ${r.invariant} (expected ${r.expected}): seed ${seedList(r.differ)}`).join('\n')}`);
  console.log(
    `\n${rows.length} verdict(s) over ${seeds.length} seeds${args.timing ? ` in ${seconds.toFixed(1)}s` : ''}; ${differing.length === 0 ? 'every seed gave every verdict its design expects' : `${differing.length} differ on some seed`}\n${differing.length === 0 ? 'exit status 0' : 'exit status 1: a verdict differs from what its design expects on some seed'}`,
  );
  return differing.length === 0 ? 0 : 1;
};
