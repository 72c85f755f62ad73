/**
 * `dmacheck replay [FILE|-...] [--design OTHER]`: replay counterexamples,
 * one line each: saved files (JSON), or reports pasted from a mail or a
 * review (text or markdown, quoted or not; `-` reads standard input), whose
 * effect lines are then checked against what the model did. Exit 0 when
 * every one reproduces, 1 when one does not, 2 when one could not be read
 * or decoded (the others are still replayed). With --design, the steps run
 * against another design and the outcome is reported with the trace that
 * explains it.
 */
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import * as E from 'fp-ts/lib/Either.js';
import { designById } from '../model/designs/index.ts';
import { inWorld, worldError } from '../model/designs/world-choice.ts';
import { loadErrorLine } from '../properties/counterexample/load.ts';
import { pasteDifferences } from '../properties/counterexample/paste-check.ts';
import { clip, fileName } from '../properties/counterexample/quote.ts';
import { crossReplayLine, replayAcross, replayOwn } from '../properties/counterexample/replay-file.ts';
import { describeEvents, formatOp } from '../properties/trace.ts';
import { COUNTEREXAMPLES, type ReplayArgs } from './args.ts';
import { type Input, readInputs } from './inputs.ts';

/** Every .json file under `dir`, sorted. */
export const corpusFiles = (dir: string): ReadonlyArray<string> =>
  readdirSync(dir, { withFileTypes: true })
    .flatMap((e) => (e.isDirectory() ? corpusFiles(join(dir, e.name)) : e.name.endsWith('.json') ? [join(dir, e.name)] : []))
    .sort();

const expand = (paths: ReadonlyArray<string>): ReadonlyArray<string> =>
  (paths.length === 0 ? [COUNTEREXAMPLES] : paths).flatMap((p) => (p !== '-' && existsSync(p) && statSync(p).isDirectory() ? corpusFiles(p) : [p]));

export const replayCommand = (args: ReplayArgs): number => {
  let status = 0;
  const other = args.design === undefined ? undefined : designById(args.design)!;
  for (const path of expand(args.files)) {
    try {
      for (const input of readInputs(path)) {
        if (E.isLeft(input)) {
          console.error(`dmacheck: ${loadErrorLine(input.left)}`);
          status = 2;
        } else status = Math.max(status, other === undefined ? replayOne(input.right) : replayOnOther(input.right, other));
      }
    } catch (err) {
      console.error(`dmacheck: ${fileName(path)}: cannot be replayed (${clip(err instanceof Error ? err.message : String(err), 100)})`);
      status = 2;
    }
  }
  return status;
};

/**
 * Why a counterexample does not stand as given, one line each: it no
 * longer reproduces, or (pasted) the report says something the model did
 * not do. Empty when it stands.
 */
export const whatFails = (input: Input): ReadonlyArray<string> => {
  const r = replayOwn(input.counterexample);
  return [...(r.ok ? [] : [r.why]), ...(input.pasted === undefined ? [] : pasteDifferences(input.pasted))];
};

/** Replay on its own design and print its line (and, when it fails, one more line per difference); 0 or 1. */
const replayOne = (input: Input): number => {
  const cx = input.counterexample;
  const fails = whatFails(input);
  if (fails.length === 0) {
    console.log(`ok    ${input.where}: ${cx.file.design} violates ${cx.invariant} at step ${cx.file.violatesAt}`);
    return 0;
  }
  console.log(`FAIL  ${input.where}: ${fails[0]}`);
  for (const f of fails.slice(1)) console.log(`      ${f}`);
  return 1;
};

const replayOnOther = (input: Input, design: NonNullable<ReturnType<typeof designById>>): number => {
  // The other design runs in the world the trace was found in.
  const w = input.counterexample.world;
  const misfit = worldError([design], w, { world: 'world', without: 'world.without' });
  if (misfit !== null) {
    console.error(`dmacheck: ${input.where}: ${misfit}`);
    return 2;
  }
  const other = inWorld(design, w);
  const r = replayAcross(input.counterexample, other);
  console.log(`${input.where} on ${other.id}: ${crossReplayLine(r)}`);
  r.trace.forEach((t, i) => {
    const notes = describeEvents(t.events);
    console.log(`  ${String(i + 1).padStart(2)}. ${formatOp(t.op)}${notes.length > 0 ? `\n      -> ${notes.join('; ')}` : ''}`);
  });
  if (r.kind === 'rejected') console.log(`  (step ${r.at} of the file) ${r.reason}`);
  return 0;
};
