/**
 * `dmacheck replay [FILE...] [--design OTHER]`: replay saved
 * counterexamples, one line per file. Exit 0 when every file reproduces,
 * 1 when one does not, 2 when a file could not be read or decoded (the
 * other files are still replayed). With --design, the steps run against
 * another design and the outcome is reported with the trace that explains it.
 */
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import * as E from 'fp-ts/lib/Either.js';
import { designById } from '../model/designs/index.ts';
import { loadCounterexample, loadErrorLine } from '../properties/counterexample/load.ts';
import { clip, fileName } from '../properties/counterexample/quote.ts';
import { crossReplayLine, replayAcross, replayOwn } from '../properties/counterexample/replay-file.ts';
import { describeEvents, formatOp } from '../properties/trace.ts';
import { COUNTEREXAMPLES, type ReplayArgs } from './args.ts';

/** Every .json file under `dir`, sorted. */
export const corpusFiles = (dir: string): ReadonlyArray<string> =>
  readdirSync(dir, { withFileTypes: true })
    .flatMap((e) => (e.isDirectory() ? corpusFiles(join(dir, e.name)) : e.name.endsWith('.json') ? [join(dir, e.name)] : []))
    .sort();

const expand = (paths: ReadonlyArray<string>): ReadonlyArray<string> =>
  (paths.length === 0 ? [COUNTEREXAMPLES] : paths).flatMap((p) => (existsSync(p) && statSync(p).isDirectory() ? corpusFiles(p) : [p]));

export const replayCommand = (args: ReplayArgs): number => {
  let status = 0;
  const other = args.design === undefined ? undefined : designById(args.design)!;
  for (const path of expand(args.files)) {
    try {
      status = Math.max(status, replayFile(path, other));
    } catch (err) {
      console.error(`dmacheck: ${fileName(path)}: cannot be replayed (${clip(err instanceof Error ? err.message : String(err), 100)})`);
      status = 2;
    }
  }
  return status;
};

/** Replay one file and print its line; its exit status (0, 1 or 2). */
const replayFile = (path: string, other: ReturnType<typeof designById>): number => {
  const loaded = loadCounterexample(path);
  if (E.isLeft(loaded)) {
    console.error(`dmacheck: ${loadErrorLine(loaded.left)}`);
    return 2;
  }
  const cx = loaded.right;
  if (other === undefined) {
    const r = replayOwn(cx);
    console.log(r.ok ? `ok    ${fileName(path)}: ${cx.file.design} violates ${cx.invariant} at step ${cx.file.violatesAt}` : `FAIL  ${fileName(path)}: ${r.why}`);
    return r.ok ? 0 : 1;
  }
  const r = replayAcross(cx, other);
  console.log(`${fileName(path)} on ${other.id}: ${crossReplayLine(r)}`);
  r.trace.forEach((t, i) => {
    const notes = describeEvents(t.events);
    console.log(`  ${String(i + 1).padStart(2)}. ${formatOp(t.op)}${notes.length > 0 ? `\n      -> ${notes.join('; ')}` : ''}`);
  });
  if (r.kind === 'rejected') console.log(`  (step ${r.at} of the file) ${r.reason}`);
  return 0;
};
