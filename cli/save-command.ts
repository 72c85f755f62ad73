/**
 * `dmacheck save FILE|-...`: add counterexamples to the corpus
 * (`counterexamples/<design>/<invariant>-<id>.json`) from a pasted report
 * (a mail, a review comment; `-` reads standard input) or a JSON file. All
 * or nothing: when anything cannot be read (exit 2) or does not reproduce
 * as given (exit 1), no file is written. `--title` gives the one saved
 * file its title line. Saving a trace that is already
 * there keeps the one file.
 */
import * as E from 'fp-ts/lib/Either.js';
import { loadErrorLine } from '../properties/counterexample/load.ts';
import { savedLine, saveCounterexample } from '../properties/counterexample/save.ts';
import { COUNTEREXAMPLES, type SaveArgs } from './args.ts';
import { type Input, readInputs } from './inputs.ts';
import { whatFails } from './replay.ts';

export const saveCommand = (args: SaveArgs): number => {
  const inputs = args.files.flatMap(readInputs);
  const bad = inputs.filter(E.isLeft);
  for (const e of bad) console.error(`dmacheck: ${loadErrorLine(e.left)}`);
  if (bad.length > 0) return 2;
  const good = inputs.filter(E.isRight).map((i): Input => i.right);
  let refused = 0;
  for (const input of good) {
    const fails = whatFails(input);
    if (fails.length === 0) continue;
    refused++;
    console.error(`dmacheck: not saved: ${input.where}: ${fails[0]}`);
  }
  if (refused > 0) return 1;
  if (args.title !== undefined && good.length !== 1) {
    console.error(`dmacheck: --title names one trace, and ${good.length} were given`);
    return 2;
  }
  let failed = false;
  for (const input of good) {
    const r = savedLine(saveCounterexample(COUNTEREXAMPLES, { ...input.counterexample.file, ...(args.title === undefined ? {} : { title: args.title }) }));
    if (r.ok) console.log(r.line);
    else {
      console.error(`dmacheck: ${r.line}`);
      failed = true;
    }
  }
  return failed ? 2 : 0;
};
