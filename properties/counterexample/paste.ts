/**
 * Pasted text back to counterexamples: every text or markdown report in
 * it (a mail may quote several, with anything before, between and after
 * them), each decoded exactly as a counterexample file is (load.ts), so a
 * pasted step is checked as a file's step is. An error names the line of
 * the pasted text and what was expected there.
 */
import * as E from 'fp-ts/lib/Either.js';
import { parseCall } from './call.ts';
import { type StepJson, FORMAT, VERSION } from './format.ts';
import { type Counterexample, decodeCounterexampleValue, type LoadError, MAX_FILE_BYTES } from './load.ts';
import { mailLines, type MailLine } from './mail.ts';
import { MARKDOWN_HEADING, parseMarkdownReport } from './paste-markdown.ts';
import { parseTextReport, TEXT_HEADING } from './paste-text.ts';
import { got, type PastedReport, type PasteError } from './pasted.ts';

/** A title longer than the format allows (an escaped title can be) is cut to this. */
const MAX_TITLE = 200;

export interface Pasted {
  readonly report: PastedReport;
  readonly counterexample: Counterexample;
}

const lineError = (source: string, e: PasteError): LoadError => ({ source, path: `line ${e.line}`, message: e.message });

/** The line a loader error's field path points at, and the message with the step named. */
const locate = (r: PastedReport, path: string, message: string): PasteError => {
  const s = /^steps\[([0-9]+)\](?:\.args)?\.?(.*)$/.exec(path);
  if (s !== null) {
    const i = Number(s[1]);
    // Stryker disable next-line OptionalChaining: a loader path steps[i] indexes the file's steps, made one for one from r.steps
    return { line: r.steps[i]?.line ?? r.line, message: `step ${i + 1}${s[2] === '' ? '' : `, ${s[2]}`}: ${message}` };
  }
  // Stryker disable next-line OptionalChaining: a 'version' error needs a version above VERSION, which only a stated version (r.version defined) gives
  const line = path === 'design' ? r.design.line : path === 'invariant' || path === 'violatesAt' ? r.invariant.line : path === 'version' ? (r.version?.line ?? r.line) : r.line;
  return { line, message: path === '' ? message : `${path}: ${message}` };
};

/** One report as a counterexample; `date` is the day it was read (a pasted report does not say when it was found). */
const decodeReport = (source: string, r: PastedReport, date: string): E.Either<LoadError, Pasted> => {
  const steps: StepJson[] = [];
  for (const [i, s] of r.steps.entries()) {
    const parsed = parseCall(s.call);
    if (E.isLeft(parsed)) return E.left(lineError(source, { line: s.line, message: `step ${i + 1}: ${parsed.left}` }));
    steps.push(parsed.right);
  }
  const title = r.title === undefined || r.title.length <= MAX_TITLE ? r.title : `${r.title.slice(0, MAX_TITLE - 3)}...`;
  const file = {
    format: FORMAT,
    version: r.version?.value ?? VERSION,
    design: r.design.value,
    invariant: r.invariant.value,
    ...(title === undefined ? {} : { title }),
    violatesAt: r.violatesAt.value,
    steps,
    found: { by: (r.found ?? `a pasted ${r.kind} report`).slice(0, 200), date },
    ...(r.world === undefined ? {} : { world: r.world.value }),
  };
  const cx = decodeCounterexampleValue(source, file);
  if (E.isLeft(cx)) return E.left(lineError(source, locate(r, cx.left.path, cx.left.message)));
  return E.right({ report: r, counterexample: cx.right });
};

const isHeading = (l: MailLine): boolean => TEXT_HEADING.test(l.text) || MARKDOWN_HEADING.test(l.text);

/**
 * Every report in `text`, in order: a counterexample, or the one-line
 * error of the first thing wrong in it. Text with no report at all is one
 * error.
 */
export const parsePaste = (source: string, text: string, date: string): ReadonlyArray<E.Either<LoadError, Pasted>> => {
  if (text.length > MAX_FILE_BYTES) return [E.left({ source, path: '', message: `${text.length} characters is over the limit of ${MAX_FILE_BYTES} for a pasted trace` })];
  const lines = mailLines(text);
  const starts = lines.flatMap((l, i) => (isHeading(l) ? [i] : []));
  if (starts.length === 0) {
    // Stryker disable next-line MethodExpression: mailLines (mail.ts) drops trailing blanks, so a blank line's text is already ''
    const first = lines.find((l) => l.text.trim() !== '');
    return [E.left(lineError(source, { line: first?.n ?? 1, message: `expected a report, 'dmacheck counterexample ID' (text) or '### dmacheck counterexample \`ID\`' (markdown), or a JSON counterexample; got ${got(first)}` }))];
  }
  return starts.map((start, k) => {
    const region = lines.slice(start, starts[k + 1] ?? lines.length);
    const r = TEXT_HEADING.test(region[0]!.text) ? parseTextReport(region) : parseMarkdownReport(region);
    return E.isLeft(r) ? E.left(lineError(source, r.left)) : decodeReport(source, r.right, date);
  });
};

/** Is `text` a JSON counterexample rather than pasted reports? Its first non-blank character says. */
export const looksLikeJson = (text: string): boolean => /^[\s\ufeff]*\{/.test(text);
