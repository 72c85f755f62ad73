/**
 * Every saved counterexample replayed on every design (`dmacheck replay
 * --design`): the outcome line and the calls each replay made, settling
 * driver threads included. Exact values in a snapshot, which a change of
 * the model or of the corpus moves: check the new lines make sense, then
 * `npx vitest run -u test/counterexamples/cross-replay.test.ts`.
 */
import * as E from 'fp-ts/lib/Either.js';
import { describe, expect, it } from 'vitest';
import { corpusFiles } from '../../cli/replay.ts';
import { designs } from '../../model/designs/index.ts';
import { type Counterexample, loadCounterexample } from '../../properties/counterexample/load.ts';
import { crossReplayLine, replayAcross } from '../../properties/counterexample/replay-file.ts';
import { formatOp } from '../../properties/trace.ts';

const corpus: ReadonlyArray<[string, Counterexample]> = corpusFiles('counterexamples').map((f) => {
  const r = loadCounterexample(f);
  if (E.isLeft(r)) throw new Error(r.left.message);
  return [f, r.right];
});

describe('the corpus replayed across designs', () => {
  for (const d of designs) {
    it(`on ${d.id}`, () => {
      const lines = corpus.map(([f, cx]) => {
        const r = replayAcross(cx, d);
        return `${f}: ${crossReplayLine(r)} | ${r.trace.map((t) => formatOp(t.op)).join('; ')}`;
      });
      expect(lines).toMatchSnapshot();
    });
  }
});
