/**
 * What a pasted report claims beyond its steps, checked against what the
 * model does with them today: the id in its heading (a hash of design and
 * steps, so an edited step changes it), every `->` effect line, and the
 * sentence stating the violation. Each difference is one line naming the
 * step, so an edited or outdated trace is caught, not silently accepted.
 * The replay itself (does the invariant fail, and where) is replayOwn's.
 */
import { invariantById } from '../registry.ts';
import { replay } from '../replay.ts';
import { describeEvents } from '../trace.ts';
import { counterexampleId } from './format.ts';
import type { Pasted } from './paste.ts';
import { clip } from './quote.ts';

/** Text compared as a reader compares it: wrapping (blanks, even inside a word) does not count. */
const squeeze = (s: string): string => s.replace(/\s+/g, '');

// Stryker disable next-line MethodExpression: every caller passes text without outer blanks (joined() output, model strings, or part() which starts and ends on a non-blank or '...')
const say = (s: string): string => `'${clip(s.trim().replace(/\s+/g, ' '), 80)}'`;

/** The differences between one step's printed effects and the model's, one line each. */
const effectDifferences = (n: number, printed: string, model: ReadonlyArray<string>): ReadonlyArray<string> => {
  if (squeeze(printed) === squeeze(model.join('; '))) return [];
  // Stryker disable next-line MethodExpression: claimed is only squeezed (blanks dropped) or said (trimmed), so trimming changes nothing, and an empty entry is always in did, so keeping it reports nothing
  const claimed = printed.split(';').map((e) => e.trim()).filter((e) => e !== '');
  const did = squeeze(model.join(';'));
  const said = squeeze(printed);
  const extra = claimed.filter((e) => !did.includes(squeeze(e))).map((e) => `step ${n} says ${say(e)}, the model did not do that`);
  const missing = model.filter((e) => !said.includes(squeeze(e))).map((e) => `step ${n}: the model also did ${say(e)}, which the trace does not say`);
  const all = [...extra, ...missing];
  return all.length > 0 ? all : [`step ${n} says ${say(printed)}, the model did ${say(model.join('; '))}`];
};

/** Where two sentences part: a few words of each from the first difference on (after the words they share). */
const whereTheyDiffer = (printed: string, model: string): readonly [string, string] => {
  // Stryker disable next-line MethodExpression: printed is joined() output (paste-text.ts, paste-markdown.ts), already trimmed
  const a = printed.trim().replace(/\s+/g, ' ');
  const b = model.trim().replace(/\s+/g, ' ');
  let p = 0;
  while (p < a.length && a[p] === b[p]) p++;
  const cut = a.lastIndexOf(' ', p - 1);
  const from = cut <= 0 ? 0 : a.lastIndexOf(' ', cut - 1) + 1;
  const part = (s: string) => `${from > 0 ? '...' : ''}${s.slice(from, from + 40)}${s.length > from + 40 ? '...' : ''}`;
  return [part(a), part(b)];
};

export const pasteDifferences = ({ report, counterexample: cx }: Pasted): ReadonlyArray<string> => {
  const out: string[] = [];
  const id = counterexampleId(cx.file.design, cx.file.steps, cx.file.world);
  if (id !== report.id) out.push(`the heading says counterexample ${report.id}, but these steps are counterexample ${id}: a step was changed`);
  const r = replay(cx.design, cx.ops, [invariantById(cx.invariant)]);
  // Stryker disable next-line OptionalChaining,StringLiteral: the replay's trace has at most one entry per step of the report, so report.steps[i] is always there
  r.trace.forEach((t, i) => out.push(...effectDifferences(i + 1, report.steps[i]?.effects ?? '', describeEvents(t.events))));
  const v = report.violation;
  if (v !== undefined) {
    if (v.at !== cx.file.violatesAt || v.invariant !== cx.invariant)
      out.push(`the report says step ${v.at} violates ${clip(v.invariant, 40)}, its heading says step ${cx.file.violatesAt} violates ${cx.invariant}`);
    else if (r.kind === 'violates' && r.at === v.at && squeeze(r.violation.message) !== squeeze(v.message)) {
      const [said, did] = whereTheyDiffer(v.message, r.violation.message);
      out.push(`step ${v.at}: the report states the violation as ${say(said)}, the model as ${say(did)}`);
    }
  }
  return out;
};
