/**
 * `dmacheck`: check (search every design for violations), replay (saved
 * or pasted counterexamples, on their own design or another), save (a
 * pasted trace into the corpus), report (write one up for a review).
 * Exit status 2 for bad usage or bad input files.
 */
import * as E from 'fp-ts/lib/Either.js';
import { match } from 'ts-pattern';
import { parseArgs, usage } from './args.ts';
import { commandHelp } from './help.ts';
import { check } from './check.ts';
import { exploreCommand, referenceCommand } from './explore.ts';
import { replayCommand } from './replay.ts';
import { reportCommand } from './report-command.ts';
import { witnessCommand } from './witness.ts';
import { saveCommand } from './save-command.ts';

export const main = (argv: ReadonlyArray<string>): number => {
  const parsed = parseArgs(argv);
  if (E.isLeft(parsed)) {
    console.error(`dmacheck: ${parsed.left}`);
    return 2;
  }
  return match(parsed.right)
    .with({ command: 'help' }, (h) => {
      console.log(h.topic === undefined ? `${usage}\n\nEach command's options and exit statuses: dmacheck COMMAND --help` : commandHelp(h.topic));
      return 0;
    })
    .with({ command: 'check' }, check)
    .with({ command: 'explore' }, exploreCommand)
    .with({ command: 'reference' }, referenceCommand)
    .with({ command: 'replay' }, replayCommand)
    .with({ command: 'report' }, reportCommand)
    .with({ command: 'witness' }, witnessCommand)
    .with({ command: 'save' }, saveCommand)
    .exhaustive();
};
