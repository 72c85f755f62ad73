/**
 * What a report says about a counterexample: its id, the steps with their
 * effects, the violation and how to replay it. Built by replaying the file
 * on its own design, so the effects are what the model does today.
 */
import type { WorldRecord } from '../../model/designs/world-choice.ts';
import type { InvariantId } from '../invariant.ts';
import { invariantById } from '../registry.ts';
import { replay } from '../replay.ts';
import { describeEvents, formatOp } from '../trace.ts';
import { counterexampleId } from './format.ts';
import type { Counterexample } from './load.ts';
import { escapeText } from './quote.ts';
import { type CitedThread, threadsOf } from './threads.ts';
import { type Cause, causesOf } from './causes.ts';

export interface CitedStep {
  readonly n: number;
  readonly call: string;
  readonly effects: ReadonlyArray<string>;
}

export interface Citation {
  readonly id: string;
  readonly source: string;
  /** The file's title, escaped to printable ASCII on one line. */
  readonly title: string | undefined;
  readonly design: string;
  readonly invariant: InvariantId;
  readonly violatesAt: number;
  readonly steps: ReadonlyArray<CitedStep>;
  /** The violation as the model states it today; null if the file no longer reproduces. */
  readonly violation: string | null;
  /** The command that replays it, as words (reports quote them for a shell). */
  readonly replay: ReadonlyArray<string>;
  /**
   * For a saved file: `replay` reads the report itself on standard input
   * (the reader of a mail has no copy of the sender's file), and this is
   * the command that replays the sender's file.
   */
  readonly replayFile?: ReadonlyArray<string>;
  /** How it was found, when it comes straight from a search. */
  readonly found?: string;
  /** The world it runs in, when not the design's own (a saved file's `world`): reports print it so that a pasted report replays there. */
  readonly world?: WorldRecord;
  /** The driver threads of the trace and the steps each made (properties/counterexample/threads.ts). */
  readonly threads: ReadonlyArray<CitedThread>;
  /** The earlier steps the violation needed (properties/counterexample/causes.ts); empty when none are named. */
  readonly causes: ReadonlyArray<Cause>;
}

export const citationOf = (cx: Counterexample): Citation => {
  const r = replay(cx.design, cx.ops, [invariantById(cx.invariant)]);
  const effects = (i: number) => (i < r.trace.length ? describeEvents(r.trace[i]!.events) : []);
  return {
    id: counterexampleId(cx.file.design, cx.file.steps, cx.file.world),
    ...(cx.file.world === undefined ? {} : { world: cx.file.world }),
    source: cx.source,
    title: cx.file.title === undefined ? undefined : escapeText(cx.file.title),
    design: cx.file.design,
    invariant: cx.invariant,
    violatesAt: cx.file.violatesAt,
    steps: cx.ops.map((op, i) => ({ n: i + 1, call: formatOp(op), effects: effects(i) })),
    violation: r.kind === 'violates' && r.at === cx.file.violatesAt ? r.violation.message : null,
    // A reader of the mail has the report, not the sender's file: the report itself is the input.
    replay: ['npx', 'dmacheck', 'replay', '-'],
    replayFile: ['npx', 'dmacheck', 'replay', cx.source],
    threads: threadsOf(cx.design, cx.ops),
    causes: r.kind === 'violates' && r.at === cx.file.violatesAt ? causesOf(cx.design, cx.ops, cx.invariant, cx.file.violatesAt) : [],
  };
};
