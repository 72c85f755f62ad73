/**
 * `dmacheck`: search every design for violations of every invariant and
 * print the verdict table. Exit 0 when every verdict matches its design's
 * expectation, 1 when one differs, 2 for bad usage.
 */
import * as E from 'fp-ts/lib/Either.js';
import { designById } from '../model/designs/index.ts';
import { verdictsFor, type Verdict } from '../properties/verdicts.ts';
import { type CheckArgs, parseArgs, usage } from './args.ts';
import { formatTable, formatViolation, toJson } from './report.ts';

const check = (args: CheckArgs): number => {
  if (!args.json)
    console.log(
      `dmacheck: ${args.designs.length} design(s) x ${args.invariants.length} invariant(s); seed ${args.seed}; up to ${args.runs} runs of up to ${args.maxCommands} steps per search\n`,
    );
  const all: Verdict[] = [];
  for (const id of args.designs) {
    const design = designById(id)!;
    all.push(...verdictsFor(design, args.invariants, { seed: args.seed, runs: args.runs, maxCommands: args.maxCommands, path: args.path }));
  }
  const mismatches = all.filter((v) => v.verdict !== v.expected).length;
  if (args.json) {
    console.log(JSON.stringify(toJson(all, args), null, 2));
  } else {
    console.log(formatTable(all));
    for (const v of all.filter((x) => x.violation !== null)) console.log(`\n${formatViolation(v, args)}`);
    console.log(
      `\n${all.length} verdict(s): ${all.filter((v) => v.verdict === 'violated').length} violated, ${all.filter((v) => v.verdict === 'held').length} held; ${mismatches === 0 ? 'all as expected' : `${mismatches} differ from the design's expectation`}`,
    );
  }
  return mismatches === 0 ? 0 : 1;
};

export const main = (argv: ReadonlyArray<string>): number => {
  const parsed = parseArgs(argv);
  if (E.isLeft(parsed)) {
    console.error(`dmacheck: ${parsed.left}`);
    return 2;
  }
  if (parsed.right.command === 'help') {
    console.log(usage);
    return 0;
  }
  return check(parsed.right);
};
