/**
 * What `replay` and `save` read: a counterexample file (JSON: named
 * `.json`, or starting with `{`), an HTML or Mermaid report (the file is
 * in it), or text with one or more pasted reports in it (a mail, a review
 * comment), from a file or from standard input (`-`).
 */
import * as E from 'fp-ts/lib/Either.js';
import { type Counterexample, decodeCounterexample, type LoadError, readInput } from '../properties/counterexample/load.ts';
import { looksLikeJson, type Pasted, parsePaste } from '../properties/counterexample/paste.ts';
import { fileName } from '../properties/counterexample/quote.ts';
import { counterexampleInDiagram, counterexampleInPage, looksLikeHtml, looksLikeMermaid } from '../properties/counterexample/html-input.ts';

export interface Input {
  /** Where it came from, for a status line: the file, or `file:line` of a pasted report's heading. */
  readonly where: string;
  readonly counterexample: Counterexample;
  /** The report it was read from, when it was pasted. */
  readonly pasted: Pasted | undefined;
}

/** Today, for the `found.date` of a pasted report (it does not say when it was found). */
export const today = (): string => new Date().toISOString().slice(0, 10);

export const readInputs = (path: string): ReadonlyArray<E.Either<LoadError, Input>> => {
  const read = readInput(path);
  return E.isLeft(read) ? [read] : inputsOf(read.right.source, read.right.text);
};

/** The counterexamples in `text` read from `source` (readInputs without the reading). */
export const inputsOf = (source: string, text: string): ReadonlyArray<E.Either<LoadError, Input>> => {
  // A .json file is read as JSON whatever it starts with: its errors are the loader's, not a paste's.
  if (source.endsWith('.json') || looksLikeJson(text))
    return [E.map((cx: Counterexample): Input => ({ where: fileName(source), counterexample: cx, pasted: undefined }))(decodeCounterexample(source, text))];
  // A saved HTML or Mermaid report: the file it was made from is in it.
  if (looksLikeHtml(text) || looksLikeMermaid(text)) {
    const json = looksLikeHtml(text) ? counterexampleInPage(text) : counterexampleInDiagram(text);
    if (E.isLeft(json)) return [E.left({ source, path: '', message: json.left })];
    return [E.map((cx: Counterexample): Input => ({ where: fileName(source), counterexample: cx, pasted: undefined }))(decodeCounterexample(source, json.right))];
  }
  return parsePaste(source, text, today()).map(
    E.map((p): Input => ({ where: `${fileName(source)}:${p.report.line}`, counterexample: p.counterexample, pasted: p })),
  );
};
