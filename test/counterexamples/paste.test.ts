import * as E from 'fp-ts/lib/Either.js';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { defaultWorld } from '../../model/designs/world-choice.ts';
import { mermaidReport } from '../../cli/cite/mermaid.ts';
import { inputsOf } from '../../cli/inputs.ts';
import { markdownReport } from '../../cli/cite/markdown.ts';
import { textReport } from '../../cli/cite/text.ts';
import { defaults, type CheckArgs } from '../../cli/args.ts';
import { citationOfVerdict } from '../../cli/report.ts';
import { corpusFiles } from '../../cli/replay.ts';
import { designs } from '../../model/designs/index.ts';
import { makeWorld } from '../../model/world.ts';
import type { Op } from '../../model/op.ts';
import { type Citation, citationOf } from '../../properties/counterexample/cite.ts';
import { type CounterexampleFile, serialise } from '../../properties/counterexample/format.ts';
import { type Counterexample, decodeCounterexample, loadCounterexample, loadErrorLine } from '../../properties/counterexample/load.ts';
import { type Pasted, parsePaste } from '../../properties/counterexample/paste.ts';
import { pasteDifferences } from '../../properties/counterexample/paste-check.ts';
import { replayOwn } from '../../properties/counterexample/replay-file.ts';
import { toCounterexampleFile } from '../../properties/counterexample/save.ts';
import { enabledActions } from '../../properties/explore-dma.ts';
import { invariantIds } from '../../properties/invariant.ts';
import { type Verdict, verdictsFor } from '../../properties/verdicts.ts';
import { mangle, manglings } from './mangle.ts';

/** Runs of each property; DMACHECK_PASTE_RUNS=5000 for a long session. */
const RUNS = Number(process.env.DMACHECK_PASTE_RUNS ?? 150);

const decoded = (f: CounterexampleFile): Counterexample => {
  const r = decodeCounterexample('generated.json', serialise(f));
  if (E.isLeft(r)) throw new Error(`${r.left.path}: ${r.left.message}`);
  return r.right;
};

/** The one report in `text`, read back; fails the test with the loader's line otherwise. */
const readBack = (text: string): Pasted => {
  const all = parsePaste('mail.txt', text, '2026-01-01');
  expect(all).toHaveLength(1);
  const r = all[0]!;
  if (E.isLeft(r)) throw new Error(`${r.left.path}: ${r.left.message}\n${text}`);
  return r.right;
};

/** A markdown line a mail client may re-wrap: a paragraph or a table row (a client wraps rows at 72 columns too), not the heading or code. */
const markdownWraps = (l: string): boolean => /^[A-Za-z*|]/.test(l) && !l.startsWith('npx ');
const textWraps = (): boolean => true;

/** What the issue asks of a pasted report: the same design, invariant, steps, violation step and verdict as the file. */
const expectSameTrace = (p: Pasted, cx: Counterexample, c: Citation): void => {
  expect(p.counterexample.file.design).toBe(cx.file.design);
  expect(p.counterexample.invariant).toBe(cx.invariant);
  expect(p.counterexample.file.steps).toEqual(cx.file.steps);
  expect(p.counterexample.ops).toEqual(cx.ops);
  expect(p.counterexample.file.violatesAt).toBe(cx.file.violatesAt);
  expect(p.report.id).toBe(c.id);
  expect(replayOwn(p.counterexample)).toEqual(replayOwn(cx));
  expect(pasteDifferences(p)).toEqual([]);
};

/** A random sequence of enabled design steps: each choice picks one of the actions enabled at that point. */
const randomOps = (designIndex: number, choices: ReadonlyArray<number>): ReadonlyArray<Op> => {
  const design = designs[designIndex]!;
  let state = makeWorld(design.world);
  const ops: Op[] = [];
  for (const choice of choices) {
    const actions = enabledActions(design, state);
    if (actions.length === 0) break;
    const a = actions[choice % actions.length]!;
    ops.push(...a.calls.map((c) => c.op));
    state = a.calls.at(-1)!.step.state;
  }
  return ops;
};

const randomTrace = fc
  .record({
    design: fc.nat({ max: designs.length - 1 }),
    choices: fc.array(fc.nat({ max: 1000 }), { minLength: 1, maxLength: 10 }),
    invariant: fc.constantFrom(...invariantIds),
    at: fc.nat(),
  })
  .map(({ design, choices, invariant, at }) => {
    const ops = randomOps(design, choices);
    const d = designs[design]!;
    const f = toCounterexampleFile(d, invariant, ops, { by: 'a property test' });
    return { ...f, violatesAt: 1 + (at % Math.max(1, ops.length)) };
  })
  .filter((f) => f.steps.length > 0);

const checkArgs: CheckArgs = { command: 'check', designs: [], invariants: [...invariantIds], runs: 1000, seed: defaults.seed, maxCommands: 80, json: false, path: undefined, save: false, timing: false, confirmStates: 0, runsGiven: true, maxCommandsGiven: true, world: defaultWorld };
/**
 * The violations a search of every design finds, computed when a test first
 * asks (seconds): not while the file is collected, which the mutation
 * selection repeats for every mutant a test of this file covers. Each
 * design is searched for the invariants it is expected to violate: a
 * search for a hold finds nothing to paste and spends its whole budget.
 * Of the designs with driver threads (160-step runs, races a thousand runs
 * may not reach) only nostop is searched, whose races are found within a
 * hundred runs: its traces carry the `by=` threads and the `->` lines a
 * callback's start prints.
 */
let found: ReadonlyArray<Verdict> | undefined;
const searchedViolations = (): ReadonlyArray<Verdict> =>
  (found ??= designs.filter((d) => d.searchCommands === undefined || d.id === 'vma-p2p-map-notifier-nostop').flatMap((d) => {
    const violated = invariantIds.filter((id) => d.expected[id].verdict === 'violated');
    return violated.length === 0 ? [] : verdictsFor(d, violated, { seed: defaults.seed, runs: checkArgs.runs, maxCommands: checkArgs.maxCommands }).filter((v) => v.violation !== null);
  }));

/** The mutation selection (vitest.mutate.config.ts) leaves out the two tests that search every design: seconds per mutant run. */
const MUTATE = process.env.DMACHECK_MUTATE === '1';

describe('a report pasted into a mail replays as it stands', () => {
  it.skipIf(MUTATE)('the search finds traces to paste in most designs', () => {
    expect(new Set(searchedViolations().map((v) => v.design)).size).toBeGreaterThanOrEqual(7);
  });

  it.skipIf(MUTATE)('a trace the search found, printed as check prints it and mangled by mail, reads back as the same counterexample', () => {
    const searched = searchedViolations();
    fc.assert(
      fc.property(fc.nat({ max: searched.length - 1 }), fc.boolean(), fc.integer({ min: 56, max: 120 }), manglings(fc.integer({ min: 40, max: 100 })), (k, markdown, width, m) => {
        const v = searched[k]!;
        const cx = decoded(toCounterexampleFile(designs.find((d) => d.id === v.design)!, v.invariant, v.violation!.trace.map((t) => t.op), { by: 'fast-check' }));
        const c = citationOfVerdict(v, checkArgs);
        const report = markdown ? markdownReport(c) : textReport(c, width);
        expectSameTrace(readBack(mangle(report, m, markdown ? markdownWraps : textWraps)), cx, c);
      }),
      { numRuns: RUNS, seed: 1 },
    );
  });

  it('a random sequence of valid steps of any design, with any invariant and violation step, reads back with the verdict its JSON file gets', () => {
    fc.assert(
      fc.property(randomTrace, fc.boolean(), fc.integer({ min: 56, max: 120 }), manglings(fc.integer({ min: 40, max: 100 })), (f, markdown, width, m) => {
        const cx = decoded(f);
        const c = citationOf(cx);
        // The markdown of `report --format markdown`: its sequence diagram too, which the mangler re-wraps as well.
        const report = markdown ? markdownReport(c, mermaidReport(cx, c)) : textReport(c, width);
        expectSameTrace(readBack(mangle(report, m, markdown ? markdownWraps : textWraps)), cx, c);
      }),
      { numRuns: RUNS, seed: 2 },
    );
  });

  it('reads every report in a text that holds several, and names each by the line of its heading', () => {
    const files = corpusFiles('counterexamples').slice(0, 3).map((f) => (loadCounterexample(f) as E.Right<Counterexample>).right);
    const text = files.map((cx, i) => `Report ${i}:\n\n${(i % 2 === 0 ? textReport : markdownReport)(citationOf(cx))}\n`).join('\n');
    const all = parsePaste('mail.txt', text, '2026-01-01');
    expect(all.map((r) => (E.isRight(r) ? r.right.counterexample.file.steps : r.left))).toEqual(files.map((cx) => cx.file.steps));
    const lines = text.split('\n');
    for (const r of all) expect(lines[(r as E.Right<Pasted>).right.report.line - 1]).toMatch(/dmacheck counterexample/);
  });
});

describe('a Mermaid diagram pasted into a mail replays from its last line', () => {
  const files = corpusFiles('counterexamples').map((f) => (loadCounterexample(f) as E.Right<Counterexample>).right);
  it('any corpus trace, its diagram re-wrapped, quoted and surrounded by prose, reads back as the same file', () => {
    fc.assert(
      fc.property(fc.nat({ max: files.length - 1 }), manglings(fc.integer({ min: 40, max: 100 })), (k, m) => {
        const cx = files[k]!;
        const mail = mangle(mermaidReport(cx, citationOf(cx)), m, () => true);
        const [read] = inputsOf('mail.txt', mail);
        expect(read !== undefined && E.isRight(read) && read.right.counterexample.file).toEqual(cx.file);
      }),
      { numRuns: Math.min(RUNS, 60), seed: 3 },
    );
  });
});

describe('every file in counterexamples/ round-trips through the text and markdown reports', () => {
  for (const f of corpusFiles('counterexamples')) {
    it(`${f} reads back from its text and its markdown report, title included`, () => {
      const loaded = loadCounterexample(f);
      if (E.isLeft(loaded)) throw new Error(loaded.left.message);
      const cx = loaded.right;
      const c = citationOf(cx);
      for (const report of [textReport(c), markdownReport(c), markdownReport(c, mermaidReport(cx, c))]) {
        const p = readBack(report);
        expectSameTrace(p, cx, c);
        expect(p.counterexample.file.title).toBe(cx.file.title);
      }
    });
  }
});

describe('text that is not a good report', () => {
  const good = textReport(citationOf((loadCounterexample('counterexamples/vma-p2p-map/no-dma-after-free-f522f807c4.json') as E.Right<Counterexample>).right));
  const md = markdownReport(citationOf((loadCounterexample('counterexamples/vma-p2p-map/no-dma-after-free-f522f807c4.json') as E.Right<Counterexample>).right));
  /** A report with characters cut out, put in or replaced, anywhere. */
  const damaged = fc
    .tuple(fc.constantFrom(good, md), fc.array(fc.tuple(fc.nat(), fc.nat({ max: 8 }), fc.string({ unit: fc.constantFrom('(', ')', '=', ',', ' ', '\n', '>', '|', '`', '.', '1', 'x', '\u00e9', '\x1b', '{', '}') , maxLength: 6 })), { minLength: 1, maxLength: 4 }))
    .map(([text, edits]) => edits.reduce((t, [at, cut, put]) => t.slice(0, at % (t.length + 1)) + put + t.slice((at % (t.length + 1)) + cut), text));

  /**
   * Damaged reports, and arbitrary text; the mutation selection
   * (DMACHECK_MUTATE) leaves out the arbitrary text: fast-check takes
   * seconds to set up its any-code-point strings, paid again per mutant.
   */
  const anyText = MUTATE ? damaged : fc.oneof(damaged, fc.string({ unit: 'binary', maxLength: 300 }));

  it('whatever is damaged, reading it back never throws, and every error is one line of printable ASCII naming a line', () => {
    fc.assert(
      fc.property(anyText, (text) => {
        for (const r of parsePaste('mail.txt', text, '2026-01-01')) {
          if (E.isRight(r)) continue;
          const line = loadErrorLine(r.left);
          expect(line).toMatch(/^mail\.txt: (line [0-9]+: )?[\x20-\x7e]+$/);
          expect(line.length).toBeLessThan(400);
        }
      }),
      { numRuns: RUNS * 4, seed: 3 },
    );
  });

  it('a damaged report that still reads back is caught by replay or by its claims, or is the same trace', () => {
    fc.assert(
      fc.property(damaged, (text) => {
        for (const r of parsePaste('mail.txt', text, '2026-01-01')) {
          if (E.isLeft(r)) continue;
          const same = r.right.report.id === 'bb0458fb3d' && replayOwn(r.right.counterexample).ok && pasteDifferences(r.right).length === 0;
          if (same) expect(r.right.counterexample.file.steps).toEqual((loadCounterexample('counterexamples/vma-p2p-map/no-dma-after-free-f522f807c4.json') as E.Right<Counterexample>).right.file.steps);
        }
      }),
      { numRuns: RUNS * 4, seed: 4 },
    );
  });
});
